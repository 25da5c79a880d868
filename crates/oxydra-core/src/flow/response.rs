//! How the flow answers the browser (`shared/spec/behaviour.md` §3.4, §3.5, §5.5): the cookies
//! it reads and changes, a provider's rejection as an OAuth 2.0 error, and redirect URLs with
//! response parameters in the query or the fragment. Pure.

use std::time::Duration;

use url::Url;

use crate::config::ScopeStrategy;
use crate::oauth2::authorize::AuthorizeError;

use crate::flow::{FlowId, Rejection};
use crate::oauth2::authorize::ResponseMode;
use crate::{OAuthError, OAuthErrorKind};

/// Configuration the flow needs.
#[derive(Debug, Clone)]
pub struct FlowSettings {
    /// `<issuer>/oauth2/auth`: the base of every request URL the apps send the browser back to.
    pub authorize_url: Url,
    /// `OAUTH2_LOGIN_URL`.
    pub login_url: Url,
    /// `OAUTH2_CONSENT_URL`.
    pub consent_url: Url,
    /// `SCOPE_STRATEGY`.
    pub scope_strategy: ScopeStrategy,
    /// `AUTH_CODE_LIFESPAN`.
    pub auth_code_lifespan: Duration,
    /// The whole login + consent round trip must finish within this (15 minutes, as Hydra).
    pub round_trip: Duration,
    /// `ACCESS_TOKEN_LIFESPAN`, for access tokens returned by the implicit and hybrid flows.
    pub access_token_lifespan: Duration,
    /// `OXYDRA_BROWSER_SESSION_LIFESPAN`: how long the server honours a login remembered with
    /// `remember_for = 0` (for the browser session), which no cookie expiry bounds.
    pub browser_session: Duration,
    /// Whether `pairwise` is among `OIDC_SUBJECT_TYPES_SUPPORTED`.
    pub pairwise_enabled: bool,
    /// `OIDC_SUBJECT_TYPE_PAIRWISE_SALT`.
    pub pairwise_salt: crate::Secret<Vec<u8>>,
    /// The 0.10 consent-by-id flow, when selected instead of login and consent challenges.
    pub legacy: Option<LegacyFlowSettings>,
}

/// Settings of the 0.10 consent-by-id flow (`shared/spec/behaviour.md` §15); its consent app
/// is [`FlowSettings::consent_url`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyFlowSettings {
    /// `CHALLENGE_TOKEN_LIFESPAN`: how long a consent request can be answered and redeemed.
    pub lifespan: Duration,
}

/// The flow limit Hydra fixes: 15 minutes from the first authorization request.
pub const ROUND_TRIP: Duration = Duration::from_secs(15 * 60);

/// Where to send the browser, and the cookies to change.
#[derive(Debug, Clone)]
pub struct AuthorizeResponse {
    /// The `Location` of the 302, or the form's action when `form` is set.
    pub location: Url,
    /// `response_mode=form_post`: the parameters to POST to `location` from an
    /// auto-submitting HTML form instead of redirecting.
    pub form: Option<Vec<(String, String)>>,
    /// Cookie changes.
    pub cookies: Vec<CookieChange>,
}

impl AuthorizeResponse {
    /// A plain redirect.
    pub fn redirect(location: Url, cookies: Vec<CookieChange>) -> Self {
        Self {
            location,
            form: None,
            cookies,
        }
    }

    /// The authorization response to the client: `pairs` in the query, the fragment or a
    /// form, as `mode` says.
    pub fn to_client(url: &Url, mode: ResponseMode, pairs: &[(&str, &str)]) -> Self {
        let form = (mode == ResponseMode::FormPost).then(|| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        });
        Self {
            location: redirect_with(url, mode, pairs),
            form,
            cookies: Vec::new(),
        }
    }
}

/// A failure, with the cookie changes that must still happen (a revoked session).
#[derive(Debug, Clone)]
pub struct AuthorizeFailure {
    /// The error and where it goes.
    pub error: AuthorizeError,
    /// Cookie changes.
    pub cookies: Vec<CookieChange>,
}

impl From<AuthorizeError> for AuthorizeFailure {
    fn from(error: AuthorizeError) -> Self {
        Self {
            error,
            cookies: Vec::new(),
        }
    }
}

/// The cookies the browser sent, as verified by the server (signature checked).
#[derive(Debug, Clone, Default)]
pub struct BrowserCookies {
    /// `oauth2_authentication_csrf`.
    pub login_csrf: Option<String>,
    /// `oauth2_consent_csrf`.
    pub consent_csrf: Option<String>,
    /// `oauth2_authentication_session` (`sid`).
    pub session_id: Option<String>,
    /// `consent_session` (0.10 flow): the legacy consent request's CSRF value.
    pub legacy_consent_csrf: Option<String>,
}

/// A cookie the response must set or clear.
#[derive(Debug, Clone, PartialEq)]
pub enum CookieChange {
    /// Set `oauth2_authentication_csrf`.
    LoginCsrf(FlowId),
    /// Set `oauth2_consent_csrf`.
    ConsentCsrf(FlowId),
    /// Set `oauth2_authentication_session` to this session id, for `max_age` seconds
    /// (`None`: for the browser session).
    Session {
        /// The session id.
        id: String,
        /// Lifetime in seconds.
        max_age: Option<i64>,
    },
    /// Expire `oauth2_authentication_session`.
    ClearSession,
    /// Set `consent_session` (0.10 flow) for `max_age` seconds.
    LegacyConsentCsrf {
        /// The legacy consent request's CSRF value.
        csrf: FlowId,
        /// Lifetime in seconds (the request's lifespan).
        max_age: i64,
    },
    /// Expire `consent_session`: the legacy consent request was redeemed.
    ClearLegacyConsent,
}

/// §3.5: a provider's rejection as the OAuth 2.0 error sent to the client.
pub fn rejection_error(rejection: &Rejection) -> OAuthError {
    let kind = known_kind(&rejection.error).unwrap_or(OAuthErrorKind::AccessDenied);
    let mut error = OAuthError::new(kind);
    if rejection.error.is_empty() {
        error = OAuthError::new(OAuthErrorKind::InvalidRequest);
    }
    if !rejection.error_description.is_empty() {
        error = error.description(rejection.error_description.clone());
    }
    if !rejection.error_hint.is_empty() {
        error = error.hint(rejection.error_hint.clone());
    }
    if !rejection.error_debug.is_empty() {
        error = error.debug(rejection.error_debug.clone());
    }
    error
}

/// A verifier whose request is unknown or has not been answered.
pub fn unanswered() -> OAuthError {
    OAuthError::new(OAuthErrorKind::AccessDenied)
        .hint("The verifier is unknown or its request has not been answered.")
}

/// The error codes a login or consent app may send back to the client.
fn known_kind(code: &str) -> Option<OAuthErrorKind> {
    use OAuthErrorKind::*;
    Some(match code {
        "access_denied" => AccessDenied,
        "invalid_request" => InvalidRequest,
        "invalid_scope" => InvalidScope,
        "login_required" => LoginRequired,
        "consent_required" => ConsentRequired,
        "interaction_required" => InteractionRequired,
        "temporarily_unavailable" => TemporarilyUnavailable,
        "server_error" => ServerError,
        "unauthorized_client" => UnauthorizedClient,
        _ => return None,
    })
}

/// `url` with `pairs` added to its query (keeping existing parameters) or as its fragment;
/// unchanged for `form_post`, whose parameters travel in the form body.
/// Spaces are written `%20`, as Hydra does (form encoding's `+` confuses some clients; a
/// literal `+` is always encoded as `%2B`, so the rewrite is exact).
pub fn redirect_with(url: &Url, mode: ResponseMode, pairs: &[(&str, &str)]) -> Url {
    let mut url = url.clone();
    match mode {
        ResponseMode::FormPost => {}
        ResponseMode::Query => {
            url.query_pairs_mut().extend_pairs(pairs);
            let query = url.query().map(|q| q.replace('+', "%20"));
            url.set_query(query.as_deref());
        }
        ResponseMode::Fragment => {
            let fragment = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
                .replace('+', "%20");
            url.set_fragment(Some(&fragment));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_become_the_providers_error_with_defaults() {
        let e = rejection_error(&Rejection::default());
        assert_eq!(e.kind, OAuthErrorKind::InvalidRequest);
        let e = rejection_error(&Rejection {
            error: "access_denied".into(),
            error_description: "The user said no.".into(),
            ..Rejection::default()
        });
        assert_eq!(e.kind, OAuthErrorKind::AccessDenied);
        assert_eq!(e.description, "The user said no.");
        assert_eq!(
            rejection_error(&Rejection {
                error: "made_up".into(),
                ..Rejection::default()
            })
            .kind,
            OAuthErrorKind::AccessDenied
        );
    }

    #[test]
    fn redirects_keep_existing_query_and_encode_spaces_as_percent_20() {
        let url = Url::parse("https://app.example/cb?x=1").unwrap();
        let q = redirect_with(
            &url,
            ResponseMode::Query,
            &[("code", "a+b"), ("scope", "a b")],
        );
        assert_eq!(
            q.as_str(),
            "https://app.example/cb?x=1&code=a%2Bb&scope=a%20b"
        );
        let f = redirect_with(&url, ResponseMode::Fragment, &[("error", "access_denied")]);
        assert_eq!(f.as_str(), "https://app.example/cb?x=1#error=access_denied");
    }
}
