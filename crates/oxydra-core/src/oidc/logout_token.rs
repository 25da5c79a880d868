//! The logout token (OIDC Back-Channel Logout 1.0 §2.4): a JWT the server posts to a client's
//! `backchannel_logout_uri` when a login session the client took part in ends. Signed with the
//! ID-token set, typed `logout+jwt` (§2.4 recommends it, and it keeps a logout token from ever
//! passing as an `id_token_hint`, which must be typed `JWT`). It never carries a `nonce`
//! (§2.4: a logout token with one must be refused).

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::Error;
use crate::jwk::{SigningKey, sign_compact};
use crate::model::Now;

/// The event a logout token announces (Back-Channel Logout 1.0 §2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// How long a logout token is valid: long enough for a slow client, short enough that a
/// captured one is useless soon (§2.4 leaves it to the OP; §2.6 asks the RP to check `exp`).
pub const LOGOUT_TOKEN_LIFESPAN: Duration = Duration::from_secs(120);

/// Who and what a logout token tells one client about.
#[derive(Debug, Clone, Copy)]
pub struct LogoutTokenInput<'a> {
    /// The issuer identifier, with its trailing `/`.
    pub issuer: &'a str,
    /// The client told (`aud`).
    pub client_id: &'a str,
    /// The subject as that client knows it (pairwise when the client is).
    pub subject: &'a str,
    /// The ended login session (`sid`, as in the ID tokens of the session).
    pub sid: &'a str,
    /// Issue time.
    pub now: Now,
}

/// The claims: `iss`, `aud`, `iat`, `exp`, `jti`, `events`, `sub`, `sid`; no `nonce`.
pub fn claims(input: &LogoutTokenInput<'_>) -> Map<String, Value> {
    let mut claims = Map::new();
    let iat = input.now.unix_secs();
    claims.insert("iss".into(), json!(input.issuer));
    claims.insert("aud".into(), json!([input.client_id]));
    claims.insert("iat".into(), json!(iat));
    claims.insert(
        "exp".into(),
        json!(input.now.plus(LOGOUT_TOKEN_LIFESPAN).unix_secs()),
    );
    claims.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    claims.insert("events".into(), json!({ BACKCHANNEL_LOGOUT_EVENT: {} }));
    claims.insert("sub".into(), json!(input.subject));
    claims.insert("sid".into(), json!(input.sid));
    claims
}

/// Signs a logout token with `signer`, a key of the ID-token set.
pub fn sign(input: &LogoutTokenInput<'_>, signer: &SigningKey) -> Result<String, Error> {
    sign_compact(&signer.key, &signer.kid, "logout+jwt", &claims(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_the_event_and_session_and_never_a_nonce() {
        let c = claims(&LogoutTokenInput {
            issuer: "https://op.example/",
            client_id: "rp",
            subject: "alice",
            sid: "sid-1",
            now: Now::from_unix_secs(1_000),
        });
        assert_eq!(c["iss"], "https://op.example/");
        assert_eq!(c["aud"], json!(["rp"]));
        assert_eq!(c["iat"], 1_000);
        assert_eq!(c["exp"], 1_120);
        assert_eq!(c["sid"], "sid-1");
        assert_eq!(c["sub"], "alice");
        assert_eq!(c["events"], json!({ BACKCHANNEL_LOGOUT_EVENT: {} }));
        assert!(!c.contains_key("nonce"));
        assert_eq!(c["jti"].as_str().unwrap().len(), 36);
    }
}
