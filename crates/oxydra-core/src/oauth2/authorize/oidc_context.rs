//! The OIDC parameters of an authorization request that the login and consent apps see
//! (Hydra's `oidc_context`). Defined with the authorize checks that fill it in; the flow layer
//! stores and shows it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{AuthorizeParams, ClaimsRequest, param};
use crate::oauth2::scope;

/// OIDC parameters of the authorization request shown to the login and consent apps
/// (Hydra's `oidc_context`); every field is omitted when empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OidcContext {
    /// `acr_values`, split on spaces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub acr_values: Vec<String>,
    /// `display`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display: String,
    /// Claims of a valid `id_token_hint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_hint_claims: Option<Map<String, Value>>,
    /// `login_hint`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub login_hint: String,
    /// `ui_locales`, split on spaces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ui_locales: Vec<String>,
    /// The individual claims the `claims` parameter asks for (OIDC Core §5.5), when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<ClaimsRequest>,
}

impl OidcContext {
    /// Collects the context from the raw authorization parameters; `claims` is filled in by
    /// its own check, and the `id_token_hint` claims later, by the authorize service, once the
    /// hint is verified.
    pub(super) fn from_params(params: &AuthorizeParams) -> Self {
        let words = |name| {
            scope::split(param(params, name).unwrap_or(""))
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        OidcContext {
            acr_values: words("acr_values"),
            display: param(params, "display").unwrap_or("").to_owned(),
            id_token_hint_claims: None,
            login_hint: param(params, "login_hint").unwrap_or("").to_owned(),
            ui_locales: words("ui_locales"),
            claims: None,
        }
    }
}
