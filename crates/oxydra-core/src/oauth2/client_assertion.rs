//! `private_key_jwt` client authentication: RFC 7523 §2.2 and §3, OIDC Core §9.
//!
//! [`verify_client_assertion`] checks a `client_assertion` JWT against the client's JSON Web Key
//! Set. It is pure: the keys arrive as a value (inline `jwks`, or fetched from `jwks_uri` by the
//! server; [`KeySource`] says which) and time arrives as [`Now`]. It is stricter than Hydra, which
//! accepts only `RS256` and keeps no replay record: the caller must record the returned `jti`
//! until `expires_at` and refuse a second use (RFC 7523 §3 item 7).

use std::time::Duration;

use serde_json::Value;

use crate::client::{AuthMethod, Client};
use crate::model::Now;
use crate::oauth2::client_jws::{Refusal, Token, keys_of};
use crate::{OAuthError, OAuthErrorKind};

#[cfg(test)]
mod tests;

/// The JWS `alg` values accepted for client assertions (advertised as
/// `token_endpoint_auth_signing_alg_values_supported`). HMAC (`client_secret_jwt`) and `none`
/// are refused.
pub const SUPPORTED_ALGORITHMS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA",
];

/// Clock skew tolerated for `nbf` and `iat` in the future, and on top of the maximum lifetime.
/// `exp` itself gets no leeway: the assertion is refused from the second it names.
pub const CLOCK_SKEW: Duration = Duration::from_secs(5);

/// A sensible `max_lifetime` for callers: one hour bounds how long a `jti` must be remembered.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(3600);

/// What a valid assertion yields: the replay-protection record the caller must store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    /// The `jti` claim; unique per client (RFC 7523 §3 item 7).
    pub jti: String,
    /// The `exp` claim; the `jti` record may be forgotten after this instant.
    pub expires_at: Now,
}

/// Where the client's verification keys come from (OIDC Core §9, RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeySource<'a> {
    /// The client registered its keys inline (`jwks`).
    Inline(&'a Value),
    /// The client registered a `jwks_uri`; the server fetches it.
    Uri(&'a str),
    /// The client has no keys, so it cannot use `private_key_jwt`.
    None,
}

impl<'a> KeySource<'a> {
    /// The key source of `client`: inline `jwks` when set (not JSON `null`), else `jwks_uri`
    /// when non-empty. Registration makes the two mutually exclusive.
    pub fn of(client: &'a Client) -> Self {
        match &client.jwks {
            Some(jwks) if !jwks.is_null() => Self::Inline(jwks),
            _ if !client.jwks_uri.is_empty() => Self::Uri(&client.jwks_uri),
            _ => Self::None,
        }
    }
}

/// The `sub` (else `iss`) of an assertion, read WITHOUT verification: only to find which client
/// to load when the request carried no `client_id` (RFC 7523 §3 item 2). Never trust it further.
pub fn assertion_subject(assertion: &str) -> Option<String> {
    let claims = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(assertion).ok()?;
    ["sub", "iss"]
        .into_iter()
        .find_map(|name| claims.get(name).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The header `kid` of an assertion, read WITHOUT verification: lets the server re-fetch a
/// cached `jwks_uri` when the key is not in it.
pub fn assertion_key_id(assertion: &str) -> Option<String> {
    ASSERTION
        .raw_header(assertion)
        .ok()?
        .get("kid")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Whether a JWK set lists a key with this `kid` (RFC 7517 §4.5), for cache freshness checks.
pub fn jwk_set_has_key_id(jwks: &Value, kid: &str) -> bool {
    keys_of(jwks).is_some_and(|keys| {
        keys.iter()
            .any(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
    })
}

/// RFC 7523 §3 and OIDC Core §9: verifies `assertion` as `client`'s authentication at
/// `token_endpoint`, with the client's keys `jwks`, at time `now`.
///
/// Rules, every failure `invalid_client` with a hint (the assertion is never echoed):
/// - the client is registered for `private_key_jwt`;
/// - header `alg` is one of [`SUPPORTED_ALGORITHMS`]; the key is chosen by `kid`, or, without
///   a `kid`, is the only key in the set usable for `alg`; a key whose `use` is not `sig`,
///   whose `key_ops` lack `verify`, whose `alg` differs or whose type or curve does not fit is
///   unusable; the signature verifies;
/// - `iss` and `sub` are both the client id; `aud` (string or array) contains `token_endpoint`;
/// - `exp` is present and after `now`, and no more than `max_lifetime` (+ [`CLOCK_SKEW`])
///   ahead; `nbf` and `iat`, when present, are not more than [`CLOCK_SKEW`] in the future;
/// - `jti` is present and non-empty.
pub fn verify_client_assertion(
    assertion: &str,
    client: &Client,
    jwks: &Value,
    token_endpoint: &str,
    now: Now,
    max_lifetime: Duration,
) -> Result<VerifiedAssertion, OAuthError> {
    if client.token_endpoint_auth_method != AuthMethod::PrivateKeyJwt {
        return Err(invalid_client(
            "The client is not registered for the private_key_jwt authentication method.",
        ));
    }
    let claims = verify_signed(assertion, jwks).map_err(refused)?;
    check_claims(
        &claims,
        client.id.as_str(),
        token_endpoint,
        now,
        max_lifetime,
    )
}

/// The signature checks, in order: header, `alg`, `kid`, key, signature.
fn verify_signed(assertion: &str, jwks: &Value) -> Result<Value, Refusal> {
    let header = ASSERTION.raw_header(assertion)?;
    let alg = ASSERTION.algorithm(&header, SUPPORTED_ALGORITHMS)?;
    let key = ASSERTION.select_key(jwks, alg, ASSERTION.key_id(&header)?)?;
    ASSERTION.verify_signature(assertion, &key, alg)
}

fn check_claims(
    claims: &Value,
    client_id: &str,
    token_endpoint: &str,
    now: Now,
    max_lifetime: Duration,
) -> Result<VerifiedAssertion, OAuthError> {
    if !claims.is_object() {
        return Err(invalid_client(
            "The client assertion's payload is not a JSON object.",
        ));
    }
    if claims.get("iss").and_then(Value::as_str) != Some(client_id) {
        return Err(invalid_client(
            "The client assertion's iss claim must be the client id.",
        ));
    }
    if claims.get("sub").and_then(Value::as_str) != Some(client_id) {
        return Err(invalid_client(
            "The client assertion's sub claim must be the client id.",
        ));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == token_endpoint,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(token_endpoint)),
        _ => false,
    };
    if !aud_ok {
        return Err(invalid_client(format!(
            "The client assertion's aud claim must contain the token endpoint URL '{token_endpoint}'."
        )));
    }

    let expires_at = match ASSERTION.numeric_date(claims, "exp").map_err(refused)? {
        Some(exp) => exp,
        None => {
            return Err(invalid_client(
                "The client assertion must carry an exp claim.",
            ));
        }
    };
    if expires_at <= now {
        return Err(invalid_client(
            "The client assertion has expired (exp is not in the future).",
        ));
    }
    if expires_at > now.plus(max_lifetime.saturating_add(CLOCK_SKEW)) {
        return Err(invalid_client(format!(
            "The client assertion's exp is too far in the future: it may be at most {} seconds from now.",
            max_lifetime.as_secs()
        )));
    }
    let latest_start = now.plus(CLOCK_SKEW);
    if ASSERTION
        .numeric_date(claims, "nbf")
        .map_err(refused)?
        .is_some_and(|nbf| nbf > latest_start)
    {
        return Err(invalid_client(
            "The client assertion is not valid yet (nbf is in the future).",
        ));
    }
    if ASSERTION
        .numeric_date(claims, "iat")
        .map_err(refused)?
        .is_some_and(|iat| iat > latest_start)
    {
        return Err(invalid_client(
            "The client assertion was issued in the future (iat).",
        ));
    }

    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|jti| !jti.is_empty())
        .ok_or_else(|| invalid_client("The client assertion must carry a non-empty jti claim."))?;
    Ok(VerifiedAssertion {
        jti: jti.to_owned(),
        expires_at,
    })
}

/// How client assertions are named in hints.
const ASSERTION: Token = Token {
    noun: "client assertion",
};

fn refused(refusal: Refusal) -> OAuthError {
    refusal.into_error(OAuthErrorKind::InvalidClient)
}

fn invalid_client(hint: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClient).hint(hint)
}
