//! The consent step's decisions (`shared/spec/behaviour.md` §3.2 steps 6–9): whether a
//! remembered consent may skip the consent app, and what an answered consent request grants
//! and asks the authorization endpoint to mint. Pure: `(request, input) → decision`; the
//! service (`service/authorize.rs`, `service/authorize/finish.rs`) carries the decision out.

use serde_json::{Map, Value};

use crate::config::ScopeStrategy;
use crate::flow::response::{rejection_error, unanswered};
use crate::flow::{ConsentOutcome, ConsentRequest};
use crate::oauth2::authorize::Prompt;
use crate::oauth2::scope;
use crate::{OAuthError, OAuthErrorKind};

/// Whether a remembered consent may be looked for at all: never for `prompt=consent`, nor
/// for a public client redirecting to a non-https URI (anyone could register that URI on
/// another device).
pub fn may_skip(prompt: Prompt, public_client: bool, redirect_scheme: &str) -> bool {
    !(prompt.consent || (public_client && redirect_scheme != "https"))
}

/// Whether one of the `remembered` consents granted every `requested` scope.
pub fn covered(
    remembered: &[ConsentRequest],
    requested: &[String],
    strategy: ScopeStrategy,
) -> bool {
    let requested: Vec<&str> = requested.iter().map(String::as_str).collect();
    remembered.iter().any(|c| match &c.outcome {
        Some(ConsentOutcome::Accepted { grant_scope, .. }) => {
            let granted: Vec<&str> = grant_scope.iter().map(String::as_str).collect();
            scope::all_allowed(strategy, &granted, &requested).is_ok()
        }
        _ => false,
    })
}

/// §3.2 step 6: the consent app is asked unless a remembered consent lets it `skip`;
/// `prompt=none` forbids asking (`consent_required`).
pub fn ask(skip: bool, prompt: Prompt) -> Result<(), OAuthError> {
    if !skip && prompt.none {
        return Err(OAuthError::new(OAuthErrorKind::ConsentRequired).hint(
            "prompt=none was requested but no remembered consent covers the requested scopes.",
        ));
    }
    Ok(())
}

/// What an accepted consent grants.
#[derive(Debug, Clone, PartialEq)]
pub struct Granted {
    /// The granted scopes the client may have.
    pub scope: Vec<String>,
    /// Extra claims for the access token's introspection.
    pub access_extra: Map<String, Value>,
    /// Extra claims for the ID token and userinfo.
    pub id_token_extra: Map<String, Value>,
}

/// §3.2 step 8: the answered `consent`'s grant, restricted to what the client may have
/// (`client_scope`; stricter than Hydra, which grants whatever the app sends); a rejection
/// becomes the app's error.
pub fn granted(
    consent: &ConsentRequest,
    client_scope: &str,
    strategy: ScopeStrategy,
) -> Result<Granted, OAuthError> {
    match &consent.outcome {
        Some(ConsentOutcome::Accepted {
            grant_scope,
            access_extra,
            id_token_extra,
            ..
        }) => Ok(Granted {
            scope: grantable(grant_scope, client_scope, strategy),
            access_extra: access_extra.clone(),
            id_token_extra: id_token_extra.clone(),
        }),
        Some(ConsentOutcome::Rejected(rejection)) => Err(rejection_error(rejection)),
        None => Err(unanswered()),
    }
}

/// The `grant_scope` a consent app sent, restricted to the scopes the client may have
/// (`client_scope`).
pub fn grantable(
    grant_scope: &[String],
    client_scope: &str,
    strategy: ScopeStrategy,
) -> Vec<String> {
    let allowed = scope::split(client_scope);
    grant_scope
        .iter()
        .filter(|s| allowed.iter().any(|a| scope::scope_matches(strategy, a, s)))
        .cloned()
        .collect()
}

/// The ID token's `acr`: what the login app reported, else `"0"` when the client asked for
/// `acr_values` (OIDC Core §2: "0" means no assurance), else none.
pub fn acr(reported: &str, acr_values: &[String]) -> Option<String> {
    if !reported.is_empty() {
        Some(reported.to_owned())
    } else if !acr_values.is_empty() {
        Some("0".to_owned())
    } else {
        None
    }
}

/// What the authorization response carries (RFC 6749 §4.1.2, §4.2.2; OIDC Core §3.3.2.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponseParts {
    /// An authorization code (`code`).
    pub code: bool,
    /// An access token (`token`), never a refresh token.
    pub token: bool,
    /// An ID token (`id_token`).
    pub id_token: bool,
}

/// The parts the `response_type` words ask for; an ID token needs the `openid` scope granted.
pub fn response_parts(
    response_type: &[String],
    granted_scope: &[String],
) -> Result<ResponseParts, OAuthError> {
    let has = |word: &str| response_type.iter().any(|w| w == word);
    let parts = ResponseParts {
        code: has("code"),
        token: has("token"),
        id_token: has("id_token"),
    };
    if parts.id_token && !granted_scope.iter().any(|s| s == "openid") {
        return Err(OAuthError::new(OAuthErrorKind::AccessDenied)
            .hint("The consent did not grant the openid scope the id_token response type needs."));
    }
    Ok(parts)
}

#[cfg(test)]
#[path = "consent_tests.rs"]
mod tests;
