//! The login and consent requests a flow creates (`shared/spec/behaviour.md` §3), and the
//! remembered login sessions of browsers: the data the admin API shows to the operator's login
//! and consent apps, and the store keeps.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::{ClientId, Now};
use crate::oauth2::authorize::OidcContext;

/// A login or consent challenge, verifier or CSRF value: 32 lowercase hex characters (a UUID v4
/// without dashes, as Hydra), 122 random bits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FlowId(String);

impl FlowId {
    /// A fresh random value.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// Wraps a value read back from storage or from a request (looked up, never trusted).
    pub fn from_stored(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Challenges are public, but verifiers and CSRF values are bearer secrets: never print them.
impl fmt::Debug for FlowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FlowId(..)")
    }
}

/// A provider's refusal (Hydra's `RejectRequest`), turned into the OAuth 2.0 error the client
/// receives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rejection {
    /// The OAuth 2.0 error code (`access_denied`, ...); empty means `invalid_request`.
    pub error: String,
    /// Human text.
    pub error_description: String,
    /// How to fix it.
    pub error_hint: String,
    /// Internals, shared only with `OAUTH2_SHARE_ERROR_DEBUG`.
    pub error_debug: String,
    /// HTTP status when rendered as JSON; 0 means 400.
    pub status_code: u16,
}

/// What the login app decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LoginOutcome {
    /// `PUT …/login/{challenge}/accept`.
    Accepted {
        /// The authenticated end-user.
        subject: String,
        /// Remember this browser's login.
        remember: bool,
        /// Seconds to remember it (0: for the browser session).
        remember_for: i64,
        /// Authentication context class.
        acr: String,
        /// Pairwise override for this client.
        force_subject_identifier: String,
        /// When the user authenticated (Unix microseconds).
        authenticated_at: i64,
        /// Authentication methods (RFC 8176); absent in answers stored before Hydra 1.x
        /// fields were accepted.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        amr: Vec<String>,
        /// The login app's `context`, shown on the consent request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        context: Option<Value>,
        /// Extend a remembered session's life when accepting it again.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        extend_session_lifespan: bool,
        /// Hydra 2.x: the identity provider's session id.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        identity_provider_session_id: String,
    },
    /// `PUT …/login/{challenge}/reject`.
    Rejected(Rejection),
}

/// What the consent app decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ConsentOutcome {
    /// `PUT …/consent/{challenge}/accept`.
    Accepted {
        /// The scopes granted.
        grant_scope: Vec<String>,
        /// Reuse this grant for later requests of the same client and subject.
        remember: bool,
        /// Seconds to reuse it (0: forever).
        remember_for: i64,
        /// `session.access_token`: introspection `ext`.
        access_extra: Map<String, Value>,
        /// `session.id_token`: extra ID-token and userinfo claims.
        id_token_extra: Map<String, Value>,
    },
    /// `PUT …/consent/{challenge}/reject`.
    Rejected(Rejection),
}

/// A login request: created by `/oauth2/auth`, answered by the login app, verified when the
/// browser returns with its verifier.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginRequest {
    /// Public id; the admin-API key.
    pub challenge: FlowId,
    /// Returned to the browser through `redirect_to`; single use.
    pub verifier: FlowId,
    /// Bound to the browser by the `oauth2_authentication_csrf` cookie.
    pub csrf: FlowId,
    /// The requesting client.
    pub client_id: ClientId,
    /// The remembered subject when `skip`; empty otherwise.
    pub subject: String,
    /// A remembered login session exists: the app must accept without asking.
    pub skip: bool,
    /// The scopes of the authorization request.
    pub requested_scope: Vec<String>,
    /// `<issuer>/oauth2/auth?<original query>`: where the browser goes back to.
    pub request_url: String,
    /// OIDC parameters for the app.
    pub oidc_context: OidcContext,
    /// The browser's login session, when `skip`.
    pub login_session_id: Option<String>,
    /// When the first authorization request of the flow was made (the 15-minute clock).
    pub requested_at: Now,
    /// The remembered session's authentication time, when `skip`.
    pub authenticated_at: Option<Now>,
    /// The app's answer, once given.
    pub outcome: Option<LoginOutcome>,
    /// Whether the verifier was redeemed.
    pub verifier_used: bool,
}

/// A consent request: created after a verified login, answered by the consent app.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentRequest {
    /// Public id; the admin-API key and the request id of every token of the grant.
    pub challenge: FlowId,
    /// Returned to the browser through `redirect_to`; single use.
    pub verifier: FlowId,
    /// Bound to the browser by the `oauth2_consent_csrf` cookie.
    pub csrf: FlowId,
    /// The requesting client.
    pub client_id: ClientId,
    /// The authenticated (real, never pairwise) subject.
    pub subject: String,
    /// A remembered consent covers every requested scope.
    pub skip: bool,
    /// The scopes of the authorization request.
    pub requested_scope: Vec<String>,
    /// The authorization request URL, as on the login request.
    pub request_url: String,
    /// OIDC parameters for the app.
    pub oidc_context: OidcContext,
    /// The login request this consent follows.
    pub login_challenge: FlowId,
    /// The browser's login session, if remembered.
    pub login_session_id: Option<String>,
    /// The flow's first authorization request time (copied from the login request).
    pub requested_at: Now,
    /// When the user authenticated.
    pub authenticated_at: Now,
    /// The `acr` the login app reported.
    pub acr: String,
    /// The `amr` the login app reported (RFC 8176 method names).
    pub amr: Vec<String>,
    /// The `context` the login app sent along, for the consent app.
    pub context: Option<Value>,
    /// The app's answer, once given.
    pub outcome: Option<ConsentOutcome>,
    /// When the answer was given.
    pub handled_at: Option<Now>,
    /// Whether the verifier was redeemed.
    pub verifier_used: bool,
}

impl ConsentRequest {
    /// Whether this is a remembered grant usable at `now` (accepted, `remember`, not itself
    /// skipped, and `remember_for` not elapsed since the original request; 0 = forever).
    pub fn is_remembered_at(&self, now: Now) -> bool {
        match &self.outcome {
            Some(ConsentOutcome::Accepted {
                remember: true,
                remember_for,
                ..
            }) if !self.skip => {
                *remember_for <= 0
                    || self.requested_at.unix_secs().saturating_add(*remember_for)
                        >= now.unix_secs()
            }
            _ => false,
        }
    }
}

/// A browser's remembered login (`oauth2_authentication_session` cookie → `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSession {
    /// The cookie's `sid`; random, secret.
    pub id: String,
    /// Who logged in.
    pub subject: String,
    /// When.
    pub authenticated_at: Now,
    /// When the server stops honouring it, whatever the cookie says: `remember_for` seconds
    /// after the login, or the browser-session maximum for `remember_for = 0`.
    pub expires_at: Now,
}

impl LoginSession {
    /// Whether the session may still stand in for a login at `now`.
    pub fn is_valid_at(&self, now: Now) -> bool {
        now < self.expires_at
    }
}

/// The result of redeeming a verifier (RFC 6749 does not name it; Hydra §3.2 step 5.1).
#[derive(Debug, Clone, PartialEq)]
pub enum VerifierUse<T> {
    /// First redemption of a handled request: here it is, now marked used.
    Fresh(T),
    /// Already redeemed once.
    AlreadyUsed,
    /// No request has this verifier, or it has not been answered yet.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent(outcome: Option<ConsentOutcome>, skip: bool) -> ConsentRequest {
        ConsentRequest {
            challenge: FlowId::generate(),
            verifier: FlowId::generate(),
            csrf: FlowId::generate(),
            client_id: ClientId::parse("c").unwrap(),
            subject: "alice".into(),
            skip,
            requested_scope: vec![],
            request_url: String::new(),
            oidc_context: OidcContext::default(),
            login_challenge: FlowId::generate(),
            login_session_id: None,
            requested_at: Now::from_unix_secs(1_000),
            authenticated_at: Now::from_unix_secs(1_000),
            acr: String::new(),
            amr: Vec::new(),
            context: None,
            outcome,
            handled_at: None,
            verifier_used: false,
        }
    }

    fn accepted(remember: bool, remember_for: i64) -> Option<ConsentOutcome> {
        Some(ConsentOutcome::Accepted {
            grant_scope: vec![],
            remember,
            remember_for,
            access_extra: Map::new(),
            id_token_extra: Map::new(),
        })
    }

    #[test]
    fn flow_ids_are_32_hex_and_secret_in_debug() {
        let id = FlowId::generate();
        assert_eq!(id.as_str().len(), 32);
        assert!(
            id.as_str()
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(format!("{id:?}"), "FlowId(..)");
    }

    #[test]
    fn remembered_consents_honour_remember_for_and_skip() {
        let now = Now::from_unix_secs(1_100);
        assert!(consent(accepted(true, 0), false).is_remembered_at(now));
        assert!(consent(accepted(true, 100), false).is_remembered_at(now));
        assert!(!consent(accepted(true, 99), false).is_remembered_at(now));
        assert!(!consent(accepted(false, 0), false).is_remembered_at(now));
        assert!(!consent(accepted(true, 0), true).is_remembered_at(now));
        assert!(
            !consent(Some(ConsentOutcome::Rejected(Rejection::default())), false)
                .is_remembered_at(now)
        );
        assert!(!consent(None, false).is_remembered_at(now));
    }

    #[test]
    fn outcomes_round_trip_as_tagged_json() {
        let o = LoginOutcome::Rejected(Rejection {
            error: "access_denied".into(),
            ..Rejection::default()
        });
        let text = serde_json::to_string(&o).unwrap();
        assert!(text.contains(r#""outcome":"rejected""#));
        assert_eq!(serde_json::from_str::<LoginOutcome>(&text).unwrap(), o);
    }
}
