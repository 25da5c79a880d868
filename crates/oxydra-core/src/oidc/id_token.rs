//! ID tokens (OIDC Core §2, §3.1.3.6, §3.3.2.11; `shared/spec/behaviour.md` §4.3): the claims a
//! grant's session yields, signed by the newest `hydra.openid.id-token` key, and the check of an
//! `id_token_hint` this server issued.

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::Error;
use crate::jwk::{KeySetView, SigningKey};
use crate::jwk::{claims_except, half_hash, sign_compact, verify_compact};
use crate::model::Now;
use crate::token::TokenSession;
use crate::{OAuthError, OAuthErrorKind};

/// Claims this server sets itself; a consent's `session.id_token` cannot override them.
pub const RESERVED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
    "rat",
    "sid",
];

/// Everything one ID token says.
#[derive(Debug, Clone, Copy)]
pub struct IdTokenInput<'a> {
    /// The issuer identifier, with its trailing `/` (Hydra's form).
    pub issuer: &'a str,
    /// The subject the client sees (pairwise when the client is).
    pub subject: &'a str,
    /// The audience: the client.
    pub client_id: &'a str,
    /// The grant's session: auth time, request time, nonce, acr, extra claims.
    pub session: &'a TokenSession,
    /// Issue time.
    pub now: Now,
    /// `ID_TOKEN_LIFESPAN`.
    pub lifespan: Duration,
    /// Whether to repeat the authorization request's `nonce` (not on refresh, OIDC Core §12.2).
    pub with_nonce: bool,
    /// The access token returned alongside at the authorization endpoint (`at_hash`).
    pub access_token: Option<&'a str>,
    /// The code returned alongside at the authorization endpoint (`c_hash`).
    pub code: Option<&'a str>,
}

/// The claims of an ID token signed with an algorithm whose hash `at_hash`/`c_hash` use.
pub fn claims(input: &IdTokenInput<'_>, key: &SigningKey) -> Map<String, Value> {
    use crate::jwk::Signer as _;
    let alg = key.key.algorithm();
    let mut claims = claims_except(&input.session.id_token_extra, RESERVED_CLAIMS);
    for withheld in &input.session.id_token_withheld {
        claims.remove(withheld);
    }
    let iat = input.now.unix_secs();
    let exp = input.now.plus(input.lifespan).unix_secs();
    let mut set = |name: &str, value: Value| {
        claims.insert(name.to_owned(), value);
    };
    set("iss", json!(input.issuer));
    set("sub", json!(input.subject));
    set("aud", json!([input.client_id]));
    set("iat", json!(iat));
    set("exp", json!(exp));
    set("jti", json!(uuid::Uuid::new_v4().to_string()));
    set("auth_time", json!(input.session.auth_time.unwrap_or(iat)));
    set("rat", json!(input.session.requested_at.unwrap_or(iat)));
    if let (true, Some(nonce)) = (input.with_nonce, &input.session.nonce) {
        set("nonce", json!(nonce));
    }
    if let Some(acr) = &input.session.acr {
        set("acr", json!(acr));
    }
    if !input.session.amr.is_empty() {
        set("amr", json!(input.session.amr));
    }
    if let Some(sid) = &input.session.sid {
        set("sid", json!(sid));
    }
    if let Some(token) = input.access_token {
        set("at_hash", json!(half_hash(alg, token)));
    }
    if let Some(code) = input.code {
        set("c_hash", json!(half_hash(alg, code)));
    }
    claims
}

/// Builds and signs an ID token with `signer` (the set's key of the client's algorithm): the
/// header's `alg` and `kid` are the key's, `at_hash`/`c_hash` use its hash.
pub fn sign(input: &IdTokenInput<'_>, signer: &SigningKey) -> Result<String, Error> {
    sign_compact(&signer.key, &signer.kid, "JWT", &claims(input, signer))
}

/// OIDC Core §3.1.2.1 `id_token_hint`: an ID token this server issued (its signature verifies
/// with a key of the ID-token set and its `iss` is ours); expiry is not checked, as the spec
/// allows expired hints. Other JWTs signed with the same keys (a signed userinfo response)
/// are refused by shape: the header must say `typ: JWT` and the claims must carry what every
/// ID token of this server carries ([`is_id_token_shaped`]). Returns the hint's claims, which
/// carry a non-empty `sub`.
pub fn verify_hint(
    hint: &str,
    issuer: &str,
    keys: &KeySetView,
) -> Result<Map<String, Value>, OAuthError> {
    let invalid = || {
        OAuthError::invalid_request(
            "The id_token_hint is not a valid ID token issued by this server.",
        )
    };
    let verified = verify_compact(hint, &keys.verifiers).map_err(|_| invalid())?;
    if verified.header.get("typ").and_then(Value::as_str) != Some("JWT")
        || verified.claims.get("iss").and_then(Value::as_str) != Some(issuer)
        || !is_id_token_shaped(&verified.claims)
    {
        return Err(invalid());
    }
    Ok(verified.claims)
}

/// Whether `claims` have the shape of an ID token [`claims`] builds (OIDC Core §2): a
/// non-empty `sub`, an `aud` list naming a client, a string `jti`, and integer `iat`, `exp`
/// and `auth_time`. These are reserved claims, so a consent's extras cannot add them to a
/// signed userinfo response.
pub fn is_id_token_shaped(claims: &Map<String, Value>) -> bool {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let time = |name: &str| claims.get(name).is_some_and(Value::is_i64);
    let audience = claims
        .get("aud")
        .and_then(Value::as_array)
        .is_some_and(|aud| {
            aud.iter()
                .any(|a| a.as_str().is_some_and(|a| !a.is_empty()))
        });
    text("sub").is_some_and(|s| !s.is_empty())
        && text("jti").is_some()
        && audience
        && ["iat", "exp", "auth_time"].into_iter().all(time)
}

/// The `sub` of verified hint claims.
pub fn hint_subject(claims: &Map<String, Value>) -> &str {
    claims.get("sub").and_then(Value::as_str).unwrap_or("")
}

/// The hinted subject must be the one who logged in (OIDC Core §3.1.2.1): otherwise the
/// request fails with `login_required`.
pub fn check_hint_subject(hinted: &str, subject: &str) -> Result<(), OAuthError> {
    if hinted == subject {
        Ok(())
    } else {
        Err(OAuthError::new(OAuthErrorKind::LoginRequired)
            .hint("The subject of the id_token_hint is not the logged-in end-user."))
    }
}

#[cfg(test)]
mod tests;
