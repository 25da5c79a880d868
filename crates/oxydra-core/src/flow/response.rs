//! How the flow answers the browser (`shared/spec/behaviour.md` §3.5, §5.5): the authorize
//! response or failure, a provider's rejection as an OAuth 2.0 error, and redirect URLs with
//! response parameters in the query or the fragment. Pure. The cookies are in
//! [`crate::flow::cookies`], the configuration in [`crate::flow::settings`].

use url::Url;

use crate::flow::Rejection;
use crate::flow::cookies::CookieChange;
use crate::oauth2::authorize::{AuthorizeError, ResponseMode};
use crate::{OAuthError, OAuthErrorKind};

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

    /// The error response to the client when the redirect URI was trusted (`None`: the error
    /// page instead): [`error_pairs`] with the `state` to echo, placed as the response mode
    /// says.
    pub fn error_to_client(error: &AuthorizeError, share_debug: bool) -> Option<Self> {
        let trusted = error.redirect.as_ref()?;
        let pairs = error_pairs(&error.error, error.state.as_deref(), share_debug);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Some(Self::to_client(trusted.url(), trusted.mode, &pairs))
    }
}

/// `error`, `error_description`, `error_hint`, `error_debug` (when `share_debug`) and `state`
/// (RFC 6749 §4.1.2.1; `shared/spec/api.md` §5.3).
pub fn error_pairs(
    error: &OAuthError,
    state: Option<&str>,
    share_debug: bool,
) -> Vec<(&'static str, String)> {
    let mut pairs = vec![
        ("error", error.kind.code().to_owned()),
        ("error_description", error.description.to_string()),
    ];
    if let Some(hint) = &error.hint {
        pairs.push(("error_hint", hint.to_string()));
    }
    if share_debug && let Some(debug) = &error.debug {
        pairs.push(("error_debug", debug.clone()));
    }
    if let Some(state) = state {
        pairs.push(("state", state.to_owned()));
    }
    pairs
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

    #[test]
    fn error_pairs_share_debug_only_when_told_and_untrusted_errors_stay_home() {
        let error = OAuthError::new(OAuthErrorKind::AccessDenied)
            .hint("h")
            .debug("d");
        let names = |share| -> Vec<&str> {
            error_pairs(&error, Some("s"), share)
                .into_iter()
                .map(|(k, _)| k)
                .collect()
        };
        assert_eq!(
            names(false),
            ["error", "error_description", "error_hint", "state"]
        );
        assert_eq!(
            names(true),
            [
                "error",
                "error_description",
                "error_hint",
                "error_debug",
                "state"
            ]
        );
        let untrusted = AuthorizeError::untrusted(error.clone());
        assert!(AuthorizeResponse::error_to_client(&untrusted, true).is_none());
    }
}
