//! What the server remembers about an issued token: one [`StoredToken`] row per access token,
//! refresh token or authorization code, keyed by its [`TokenSignature`] (never the token).
//!
//! Every token of one grant shares a [`RequestId`] (RFC 6749 does not name it; fosite calls it
//! the request id): revoking a grant, rotating a refresh token or detecting code reuse acts on
//! all rows with that id at once (RFC 7009 §2.1, RFC 9700 §4.14.2).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::{ClientId, Now};
use crate::token::{TokenKind, TokenSignature};

/// The id every token of one grant shares: the consent challenge for the authorization-code
/// flow, a fresh UUID v4 for `client_credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId(String);

impl RequestId {
    /// A fresh request id: a UUID v7, time-ordered then random. Ids made one after another
    /// sort together, so the token table's request-id index grows at its end instead of
    /// dirtying a random page per token (a request id is an identifier, not a secret: the
    /// unguessable parts of a token are its signature and the flow's challenges).
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// Wraps an id read back from storage or taken from a flow's challenge.
    pub fn from_stored(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The grant data carried from the authorization (or token) request to every token it issues;
/// stored as one JSON document so later features add fields without a migration.
///
/// Unknown fields are ignored and missing ones take their defaults when read back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenSession {
    /// `session.access_token` from the consent: returned as `ext` by introspection.
    pub access_extra: Map<String, Value>,
    /// `session.id_token` from the consent: extra ID-token and userinfo claims.
    pub id_token_extra: Map<String, Value>,
    /// When the user authenticated (Unix seconds), for `auth_time`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// When the first authorization request of the flow was made (Unix seconds), for `rat`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<i64>,
    /// The OIDC `nonce` sent to the authorization endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The scopes the client asked for (granted ones are a column of the row).
    pub requested_scope: Vec<String>,
    /// Authorization codes only: the `redirect_uri` sent at authorize, which the token request
    /// must repeat (RFC 6749 §4.1.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Authorization codes only: the PKCE `code_challenge` (always S256, RFC 7636 §4.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    /// The pairwise identifier the client sees (ID token, userinfo, introspection's
    /// `obfuscated_subject`); the row's `subject` stays the real one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obfuscated_subject: Option<String>,
    /// The ID token's `acr`: the login app's value, else `"0"` when `acr_values` was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// The ID token's `amr`: the authentication methods the login app reported (RFC 8176).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// Whether the grant is `client_credentials` (RFC 6749 §4.4): the client acting for itself.
    /// Only such tokens speak for a client at the admin guard, since end-user subjects and
    /// client ids share one namespace (a user named like a client must not get its policies).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub client_credentials: bool,
    /// Consented claims left out of the ID token: the `claims` parameter asked for them at
    /// the UserInfo endpoint only (OIDC Core §5.5; `oidc::claims::placement`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub id_token_withheld: Vec<String>,
    /// Consented claims left out of UserInfo: asked for in the ID token only, by no granted
    /// scope.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub userinfo_withheld: Vec<String>,
    /// The login session the grant was made in, for the ID token's `sid` (Front-Channel
    /// Logout 1.0 §3, Back-Channel Logout 1.0 §2.1); none when the login was not remembered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// RFC 8693 §4.1: the party acting for the subject (a token exchange with an actor
    /// token), earlier actors nested; in JWT access tokens and introspection as `act`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Value>,
    /// RFC 9449 §6: the thumbprint of the DPoP key the access token is bound to (`cnf.jkt` in
    /// JWT access tokens and introspection); on a public client's refresh token, the key its
    /// refresh must prove (§5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
}

/// One issued token as stored: everything introspection, revocation and the grants need.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredToken {
    /// The token's signature part: the row key.
    pub signature: TokenSignature,
    /// Access token, refresh token or authorization code.
    pub kind: TokenKind,
    /// The grant this token belongs to.
    pub request_id: RequestId,
    /// The client the token was issued to.
    pub client_id: ClientId,
    /// The resource owner (`sub`); the client id for `client_credentials`.
    pub subject: String,
    /// Granted scopes, in request order.
    pub granted_scope: Vec<String>,
    /// Granted audiences.
    pub granted_audience: Vec<String>,
    /// When the token request that issued this token was made (`iat`).
    pub issued_at: Now,
    /// When it stops being valid; `None` for refresh tokens, which live until rotated or revoked.
    pub expires_at: Option<Now>,
    /// `false` once a code was exchanged or a refresh token rotated: kept to detect reuse.
    pub active: bool,
    /// The grant data shared by every token of the request.
    pub session: TokenSession,
}

impl StoredToken {
    /// Whether the token has passed its expiry at `now` (refresh tokens never expire).
    pub fn is_expired(&self, now: Now) -> bool {
        self.expires_at.is_some_and(|exp| now >= exp)
    }

    /// Whether the token may be used at `now`: active and unexpired.
    pub fn is_usable(&self, now: Now) -> bool {
        self.active && !self.is_expired(now)
    }

    /// The granted scopes as one space-separated string (RFC 6749 §3.3).
    pub fn scope_string(&self) -> String {
        self.granted_scope.join(" ")
    }
}

/// The result of marking a single-use token (code) or a rotatable token (refresh) as used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseOutcome {
    /// The token was active; it is now inactive and the new tokens are stored.
    Used,
    /// The token had already been used (or was concurrently used): nothing new was stored,
    /// and every token of its request was revoked in the same committed transaction.
    Replayed,
    /// No token with that signature exists.
    Unknown,
}

/// Rows deleted per flush statement unless the store says otherwise
/// (`TokenStore::flush_batch_size`): small enough that no statement holds locks for long.
pub const FLUSH_BATCH_SIZE: u32 = 1_000;

/// Which rows a flush batch deletes (`POST /oauth2/flush`, `shared/spec/behaviour.md` §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushCriteria {
    /// Only rows issued before this instant (`notAfter`).
    pub issued_before: Now,
    /// Only rows that expired before this instant (normally the current time).
    pub expired_before: Now,
    /// Rows per batch: each batch is one short statement, so no lock is held for long.
    pub batch_size: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires_at: Option<Now>, active: bool) -> StoredToken {
        StoredToken {
            signature: TokenSignature::from_stored("sig"),
            kind: TokenKind::AccessToken,
            request_id: RequestId::from_stored("req"),
            client_id: ClientId::parse("c").unwrap(),
            subject: "sub".into(),
            granted_scope: vec!["a".into(), "b".into()],
            granted_audience: vec![],
            issued_at: Now::from_unix_secs(100),
            expires_at,
            active,
            session: TokenSession::default(),
        }
    }

    #[test]
    fn expiry_is_inclusive_of_the_expiry_instant() {
        let t = token(Some(Now::from_unix_secs(200)), true);
        assert!(t.is_usable(Now::from_unix_secs(199)));
        assert!(!t.is_usable(Now::from_unix_secs(200)));
        assert!(t.is_expired(Now::from_unix_secs(200)));
        assert_eq!(t.scope_string(), "a b");
    }

    #[test]
    fn refresh_tokens_never_expire_but_can_be_inactive() {
        assert!(token(None, true).is_usable(Now::from_unix_secs(i64::MAX / 2_000_000)));
        assert!(!token(None, false).is_usable(Now::from_unix_secs(0)));
    }

    #[test]
    fn sessions_read_back_with_defaults_and_ignore_unknown_fields() {
        let s: TokenSession = serde_json::from_str(r#"{"nonce":"n","future_field":1}"#).unwrap();
        assert_eq!(s.nonce.as_deref(), Some("n"));
        assert!(s.access_extra.is_empty());
        let round: TokenSession =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(round, s);
    }
}
