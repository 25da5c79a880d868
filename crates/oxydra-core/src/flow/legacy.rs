//! The 0.10 consent-by-id flow (`shared/spec/behaviour.md` §15): `/oauth2/auth` creates one
//! consent request, the operator's consent app reads it by id and accepts (naming the subject)
//! or rejects it, and the browser comes back to `/oauth2/auth?…&consent=<id>`. There is no
//! login request and no remembered session. Pure: the model, the answers and the checks made
//! when the browser returns; the service layer loads and stores.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::error::{Error, OAuthError, OAuthErrorKind};
use crate::flow::FlowId;
use crate::model::{ClientId, Now};
use crate::oauth2::scope::is_scope_token;

/// The query parameter carrying a legacy consent request id, to the consent app and back.
pub const CONSENT_PARAM: &str = "consent";

/// A 0.10 consent request: created by `/oauth2/auth`, answered by the consent app (which may
/// change its answer until the browser returns), redeemed once.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyConsentRequest {
    /// Public id (a UUID v4, as Hydra 0.10); also the request id of every token of the grant.
    pub id: String,
    /// Bound to the browser by the `consent_session` cookie.
    pub csrf: FlowId,
    /// The requesting client.
    pub client_id: ClientId,
    /// The scopes of the authorization request.
    pub requested_scope: Vec<String>,
    /// `<issuer>/oauth2/auth?<original query>&consent=<id>`: where the consent app sends the
    /// browser back to.
    pub redirect_url: String,
    /// When `/oauth2/auth` created it.
    pub requested_at: Now,
    /// `requested_at + CHALLENGE_TOKEN_LIFESPAN`: it cannot be answered or redeemed after.
    pub expires_at: Now,
    /// The consent app's latest answer.
    pub outcome: Option<LegacyOutcome>,
    /// When that answer was given.
    pub handled_at: Option<Now>,
    /// Whether the browser came back with it already (it then issued, or failed, once).
    pub used: bool,
}

impl LegacyConsentRequest {
    /// A fresh request for `client`, valid for `lifespan` from `now`. `request_url` is the
    /// authorization request URL; the id is appended to it as `consent=<id>`.
    pub fn new(
        client_id: ClientId,
        requested_scope: Vec<String>,
        request_url: &str,
        now: Now,
        lifespan: Duration,
    ) -> Self {
        let id = uuid::Uuid::new_v4().to_string();
        let redirect_url = Self::redirect_url_for(request_url, &id);
        Self {
            id,
            csrf: FlowId::generate(),
            client_id,
            requested_scope,
            redirect_url,
            requested_at: now,
            expires_at: now.plus(lifespan),
            outcome: None,
            handled_at: None,
            used: false,
        }
    }

    /// `request_url` with `consent=<id>` appended: the URL the browser returns to.
    pub fn redirect_url_for(request_url: &str, id: &str) -> String {
        let separator = if request_url.contains('?') { '&' } else { '?' };
        let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        format!("{request_url}{separator}{CONSENT_PARAM}={id}")
    }

    /// Whether it can no longer be answered or redeemed at `now`.
    pub fn is_expired_at(&self, now: Now) -> bool {
        self.expires_at <= now
    }
}

/// What the consent app decided (Hydra 0.10's `consentRequestAcceptance` / `…Rejection`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LegacyOutcome {
    /// `PATCH …/accept`.
    Accepted {
        /// The end-user the consent app authenticated (empty: the return fails).
        subject: String,
        /// The scopes granted.
        grant_scopes: Vec<String>,
        /// `accessTokenExtra`: introspection `ext`.
        access_extra: Map<String, Value>,
        /// `idTokenExtra`: extra ID-token and userinfo claims.
        id_token_extra: Map<String, Value>,
    },
    /// `PATCH …/reject`.
    Rejected {
        /// Why; becomes the client's `error_description`.
        reason: String,
    },
}

/// The result of redeeming a legacy consent request when the browser returns.
#[derive(Debug, Clone, PartialEq)]
pub enum LegacyConsentUse {
    /// First redemption of an answered, unexpired request: here it is, now marked used.
    /// Boxed: the failures are small and as common.
    Fresh(Box<LegacyConsentRequest>),
    /// Redeemed once already.
    AlreadyUsed,
    /// Its lifespan is over.
    Expired,
    /// The consent app has not answered it.
    Unanswered,
    /// No such request.
    Unknown,
}

/// What the consent app sends to accept (`consentRequestAcceptance`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LegacyAcceptance {
    /// The authenticated end-user.
    pub subject: String,
    /// The scopes granted.
    pub grant_scopes: Vec<String>,
    /// `accessTokenExtra`.
    pub access_extra: Map<String, Value>,
    /// `idTokenExtra`.
    pub id_token_extra: Map<String, Value>,
}

/// `PATCH …/accept`: every granted scope must be an RFC 6749 §3.3 scope token. An empty
/// subject is stored as sent (Hydra 0.10 answers 204 too) and fails the return instead.
pub fn accept(input: LegacyAcceptance) -> Result<LegacyOutcome, Error> {
    if !input.grant_scopes.iter().all(|s| is_scope_token(s)) {
        return Err(Error::OAuth(OAuthError::invalid_request(
            "Field grantScopes must list scope tokens (RFC 6749 section 3.3: no spaces, quotes or backslashes, not empty).",
        )));
    }
    Ok(LegacyOutcome::Accepted {
        subject: input.subject,
        grant_scopes: input.grant_scopes,
        access_extra: input.access_extra,
        id_token_extra: input.id_token_extra,
    })
}

/// The error a second answer after the browser returned, or an answer after expiry, gets.
pub fn no_longer_answerable() -> Error {
    Error::OAuth(
        OAuthError::new(OAuthErrorKind::Conflict)
            .description("The consent request can no longer be answered.")
            .hint("It expired, or the browser already came back with it."),
    )
}

/// Checks made before the request is redeemed, so that neither another client nor another
/// browser can burn it: it must belong to `client`, the `consent_session` cookie must carry its
/// CSRF value (constant-time comparison), and the returning authorization request must be the
/// one the consent was given for (`redirect_url` equal to `returning_url`).
pub fn check_return(
    request: &LegacyConsentRequest,
    client: &ClientId,
    csrf_cookie: Option<&str>,
    returning_url: &str,
) -> Result<(), OAuthError> {
    if request.client_id != *client {
        return Err(OAuthError::invalid_request(
            "The consent request was issued for another client.",
        ));
    }
    let expected = request.csrf.as_str().as_bytes();
    if !csrf_cookie.is_some_and(|c| bool::from(c.as_bytes().ct_eq(expected))) {
        return Err(OAuthError::new(OAuthErrorKind::RequestForbidden).hint(
            "The consent_session cookie is missing or does not match: finish the flow in the browser that started it.",
        ));
    }
    if request.redirect_url != returning_url {
        return Err(OAuthError::invalid_request(
            "The authorization request changed between the consent request and the return.",
        ));
    }
    Ok(())
}

/// The error for a redemption that did not come back [`LegacyConsentUse::Fresh`].
pub fn redemption_error(used: &LegacyConsentUse) -> OAuthError {
    match used {
        LegacyConsentUse::AlreadyUsed => {
            OAuthError::invalid_request("The consent request has been used already.")
        }
        LegacyConsentUse::Expired => OAuthError::new(OAuthErrorKind::RequestUnauthorized)
            .hint("The consent request has expired; start again."),
        LegacyConsentUse::Unanswered => OAuthError::new(OAuthErrorKind::AccessDenied)
            .hint("The consent app has not answered the consent request."),
        LegacyConsentUse::Unknown | LegacyConsentUse::Fresh(_) => {
            OAuthError::new(OAuthErrorKind::AccessDenied).hint("The consent request is unknown.")
        }
    }
}

/// A rejection as the client sees it: `rejected_consent_request` with the reason as its
/// description (Hydra 0.10).
pub fn rejection_error(reason: &str) -> OAuthError {
    let error = OAuthError::new(OAuthErrorKind::RejectedConsentRequest);
    if reason.is_empty() {
        error
    } else {
        error.description(reason.to_owned())
    }
}

/// An acceptance without a subject cannot become a grant (Hydra 0.10 fails the same way).
pub fn missing_subject() -> OAuthError {
    OAuthError::new(OAuthErrorKind::ServerError)
        .hint("The consent app accepted the consent request without a subject.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> LegacyConsentRequest {
        LegacyConsentRequest::new(
            ClientId::parse("app").unwrap(),
            vec!["openid".into()],
            "https://issuer.example/oauth2/auth?client_id=app&state=abcdefgh",
            Now::from_unix_secs(1_000),
            Duration::from_secs(600),
        )
    }

    #[test]
    fn new_requests_carry_their_id_in_the_redirect_url_and_expire() {
        let r = request();
        assert_eq!(r.id.len(), 36, "a hyphenated UUID: {}", r.id);
        assert_eq!(
            r.redirect_url,
            format!(
                "https://issuer.example/oauth2/auth?client_id=app&state=abcdefgh&consent={}",
                r.id
            )
        );
        assert!(!r.is_expired_at(Now::from_unix_secs(1_599)));
        assert!(r.is_expired_at(Now::from_unix_secs(1_600)));
        assert_ne!(r.id, request().id);
        assert_ne!(r.csrf, request().csrf);
    }

    #[test]
    fn return_checks_client_cookie_and_url() {
        let r = request();
        let app = ClientId::parse("app").unwrap();
        let url = r.redirect_url.clone();
        assert!(check_return(&r, &app, Some(r.csrf.as_str()), &url).is_ok());
        let other = ClientId::parse("other").unwrap();
        assert_eq!(
            check_return(&r, &other, Some(r.csrf.as_str()), &url)
                .unwrap_err()
                .kind,
            OAuthErrorKind::InvalidRequest
        );
        for cookie in [None, Some("forged")] {
            assert_eq!(
                check_return(&r, &app, cookie, &url).unwrap_err().kind,
                OAuthErrorKind::RequestForbidden
            );
        }
        let changed = url.replace("state=abcdefgh", "state=zzzzzzzz");
        assert_eq!(
            check_return(&r, &app, Some(r.csrf.as_str()), &changed)
                .unwrap_err()
                .kind,
            OAuthErrorKind::InvalidRequest
        );
    }

    #[test]
    fn answers_and_errors() {
        let bad = LegacyAcceptance {
            subject: "alice".into(),
            grant_scopes: vec!["a b".into()],
            ..LegacyAcceptance::default()
        };
        assert!(accept(bad).is_err());
        let ok = accept(LegacyAcceptance {
            grant_scopes: vec!["openid".into()],
            ..LegacyAcceptance::default()
        })
        .unwrap();
        assert!(matches!(ok, LegacyOutcome::Accepted { subject, .. } if subject.is_empty()));
        let e = rejection_error("No thanks.");
        assert_eq!(e.kind.code(), "rejected_consent_request");
        assert_eq!(e.description, "No thanks.");
        assert_eq!(
            rejection_error("").description,
            OAuthErrorKind::RejectedConsentRequest.default_description()
        );
        assert_eq!(
            redemption_error(&LegacyConsentUse::AlreadyUsed).kind,
            OAuthErrorKind::InvalidRequest
        );
        assert_eq!(
            redemption_error(&LegacyConsentUse::Expired).kind,
            OAuthErrorKind::RequestUnauthorized
        );
        assert_eq!(
            redemption_error(&LegacyConsentUse::Unknown).kind,
            OAuthErrorKind::AccessDenied
        );
    }

    #[test]
    fn outcomes_round_trip_as_tagged_json() {
        let o = LegacyOutcome::Rejected {
            reason: "no".into(),
        };
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(text, r#"{"outcome":"rejected","reason":"no"}"#);
        assert_eq!(serde_json::from_str::<LegacyOutcome>(&text).unwrap(), o);
    }
}
