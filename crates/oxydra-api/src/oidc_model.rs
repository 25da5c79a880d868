//! OpenID Connect models (`shared/spec/api.md` §6.1): the discovery document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::serde_util::null_as_default;

/// Body of `GET /.well-known/openid-configuration` (Hydra's `wellKnown`; OIDC Discovery 1.0 §3).
///
/// Hydra's required fields are plain; the rest default when absent or `null`, so the typed
/// client also reads documents from servers that advertise less.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WellKnown {
    /// The issuer, with exactly one trailing `/`.
    pub issuer: String,
    /// `<issuer>/oauth2/auth`.
    pub authorization_endpoint: String,
    /// `<issuer>/oauth2/token`.
    pub token_endpoint: String,
    /// `<issuer>/.well-known/jwks.json`.
    pub jwks_uri: String,
    /// `OIDC_DISCOVERY_USERINFO_ENDPOINT` or `<issuer>/userinfo`.
    #[serde(default)]
    pub userinfo_endpoint: String,
    /// `<issuer>/oauth2/revoke` (RFC 8414 §2).
    #[serde(default)]
    pub revocation_endpoint: String,
    /// Dynamic client registration; omitted unless served under the issuer (Hydra advertises
    /// `<issuer>/clients`, a route of the admin port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// RFC 8628 §4: the device authorization endpoint; omitted while the device flow is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    /// RFC 9126 §5: the pushed authorization request endpoint; omitted while not served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// RFC 9126 §5: whether only pushed authorization requests are accepted; omitted while
    /// the endpoint is not served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// RFC 9449 §5.1: the `alg`s accepted in DPoP proofs; omitted while DPoP is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// RP-initiated logout; omitted while the server has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    /// Enabled subject identifier types (`public`, `pairwise`).
    pub subject_types_supported: Vec<String>,
    /// Supported `response_type` values, space-separated combinations.
    pub response_types_supported: Vec<String>,
    /// Supported `response_mode` values.
    #[serde(default, deserialize_with = "null_as_default")]
    pub response_modes_supported: Vec<String>,
    /// Supported grant types.
    #[serde(default, deserialize_with = "null_as_default")]
    pub grant_types_supported: Vec<String>,
    /// ID-token signature algorithms.
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// Userinfo signature algorithms (`none` = plain JSON).
    #[serde(default, deserialize_with = "null_as_default")]
    pub userinfo_signing_alg_values_supported: Vec<String>,
    /// Token-endpoint client authentication methods.
    #[serde(default, deserialize_with = "null_as_default")]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Algorithms accepted for `private_key_jwt` assertions.
    #[serde(default, deserialize_with = "null_as_default")]
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    /// PKCE methods (RFC 8414 §2).
    #[serde(default, deserialize_with = "null_as_default")]
    pub code_challenge_methods_supported: Vec<String>,
    /// `sub` plus `OIDC_DISCOVERY_CLAIMS_SUPPORTED`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub claims_supported: Vec<String>,
    /// `offline_access`, `offline`, `openid` plus `OIDC_DISCOVERY_SCOPES_SUPPORTED`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub scopes_supported: Vec<String>,
    /// Languages of claim values; omitted (no localized claims).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_locales_supported: Option<Vec<String>>,
    /// Languages of the login and consent UI; omitted (the UI is the operator's app).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales_supported: Option<Vec<String>>,
    /// The `claims` request parameter.
    #[serde(default)]
    pub claims_parameter_supported: bool,
    /// The `request` parameter (request objects).
    #[serde(default)]
    pub request_parameter_supported: bool,
    /// The `request_uri` parameter.
    #[serde(default)]
    pub request_uri_parameter_supported: bool,
    /// Whether `request_uri` values must be pre-registered.
    #[serde(default)]
    pub require_request_uri_registration: bool,
    /// JWS algorithms accepted for request objects (`none`: unsigned, for clients registered so).
    #[serde(default, deserialize_with = "null_as_default")]
    pub request_object_signing_alg_values_supported: Vec<String>,
    /// OIDC Front-Channel Logout.
    #[serde(default)]
    pub frontchannel_logout_supported: bool,
    /// `iss`/`sid` on front-channel logout.
    #[serde(default)]
    pub frontchannel_logout_session_supported: bool,
    /// OIDC Back-Channel Logout.
    #[serde(default)]
    pub backchannel_logout_supported: bool,
    /// `sid` in back-channel logout tokens.
    #[serde(default)]
    pub backchannel_logout_session_supported: bool,
}
