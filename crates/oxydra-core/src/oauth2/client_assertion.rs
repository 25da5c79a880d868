//! `private_key_jwt` client authentication: RFC 7523 §2.2 and §3, OIDC Core §9.
//!
//! [`verify_client_assertion`] checks a `client_assertion` JWT against the client's JSON Web Key
//! Set. It is pure: the keys arrive as a value (inline `jwks`, or fetched from `jwks_uri` by the
//! server; [`KeySource`] says which) and time arrives as [`Now`]. It is stricter than Hydra, which
//! accepts only `RS256` and keeps no replay record: the caller must record the returned `jti`
//! until `expires_at` and refuse a second use (RFC 7523 §3 item 7).

use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use serde_json::Value;

use crate::client::{AuthMethod, Client};
use crate::model::Now;
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
    raw_header(assertion)
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
    let header = raw_header(assertion)?;
    let alg = header_algorithm(&header)?;
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.as_str()),
        Some(_) => {
            return Err(invalid_client(
                "The client assertion's kid header must be a string.",
            ));
        }
    };
    let key = select_key(jwks, alg, kid)?;
    let claims = verify_signature(assertion, &key, alg)?;
    check_claims(
        &claims,
        client.id.as_str(),
        token_endpoint,
        now,
        max_lifetime,
    )
}

/// The JOSE header as JSON, so `alg` values the JWT library cannot name (`none`) get a clear hint.
fn raw_header(assertion: &str) -> Result<Value, OAuthError> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let mut parts = assertion.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid_client(
            "The client assertion is not a JWS in compact serialization (three dot-separated parts).",
        ));
    };
    URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .filter(Value::is_object)
        .ok_or_else(|| {
            invalid_client("The client assertion's header is not base64url-encoded JSON.")
        })
}

fn header_algorithm(header: &Value) -> Result<Algorithm, OAuthError> {
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !SUPPORTED_ALGORITHMS.contains(&alg) {
        return Err(invalid_client(
            "The client assertion's alg is not accepted: use RS256, RS384, RS512, PS256, ES256, ES384 or EdDSA (client_secret_jwt and 'none' are not supported).",
        ));
    }
    alg.parse::<Algorithm>()
        .map_err(|_| invalid_client("The client assertion's alg is not supported by this server."))
}

fn keys_of(jwks: &Value) -> Option<&Vec<Value>> {
    jwks.get("keys").and_then(Value::as_array)
}

/// Picks the verification key: by `kid` when the header names one (RFC 7515 §4.1.4), otherwise
/// the single key usable for `alg`.
fn select_key(jwks: &Value, alg: Algorithm, kid: Option<&str>) -> Result<DecodingKey, OAuthError> {
    let keys = keys_of(jwks).ok_or_else(|| {
        invalid_client("The client's JSON Web Key Set is malformed: it has no 'keys' array.")
    })?;
    let jwk = match kid {
        Some(kid) => {
            let named: Vec<&Value> = keys
                .iter()
                .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
                .collect();
            if named.is_empty() {
                return Err(invalid_client(
                    "The client's JSON Web Key Set has no key with the client assertion's kid.",
                ));
            }
            let mut first_reason = None;
            let mut chosen = None;
            for raw in named {
                match parse_usable(raw, alg) {
                    Ok(jwk) => {
                        chosen = Some(jwk);
                        break;
                    }
                    Err(reason) => {
                        first_reason.get_or_insert(reason);
                    }
                }
            }
            chosen.ok_or_else(|| {
                invalid_client(first_reason.unwrap_or("The key named by kid cannot be used."))
            })?
        }
        None => {
            let mut usable = keys.iter().filter_map(|raw| parse_usable(raw, alg).ok());
            match (usable.next(), usable.next()) {
                (Some(jwk), None) => jwk,
                (None, _) => {
                    return Err(invalid_client(
                        "The client's JSON Web Key Set has no signing key usable for the client assertion's alg.",
                    ));
                }
                (Some(_), Some(_)) => {
                    return Err(invalid_client(
                        "The client assertion has no kid header, but the client's JSON Web Key Set has several keys usable for its alg; name the key with kid.",
                    ));
                }
            }
        }
    };
    DecodingKey::from_jwk(&jwk).map_err(|e| {
        invalid_client("The client's key could not be loaded as a public key.").debug(e.to_string())
    })
}

/// Parses one JWK and checks it may verify `alg` signatures (RFC 7517 §4.2–4.4, RFC 7518 §6).
fn parse_usable(raw: &Value, alg: Algorithm) -> Result<Jwk, &'static str> {
    let jwk: Jwk = serde_json::from_value(raw.clone())
        .map_err(|_| "The key named by kid is not a valid JSON Web Key.")?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return Err("The key named by kid is not a signing key: its 'use' is not 'sig'.");
    }
    if jwk
        .common
        .key_operations
        .as_ref()
        .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
    {
        return Err("The key named by kid does not allow 'verify' in its 'key_ops'.");
    }
    if jwk
        .common
        .key_algorithm
        .is_some_and(|ka| Algorithm::try_from(ka).ok() != Some(alg))
    {
        return Err(
            "The key named by kid is registered for a different alg than the client assertion's.",
        );
    }
    let fits = match (alg.family(), &jwk.algorithm) {
        (AlgorithmFamily::Rsa, AlgorithmParameters::RSA(_)) => true,
        (AlgorithmFamily::Ec, AlgorithmParameters::EllipticCurve(p)) => {
            let want = if alg == Algorithm::ES384 {
                EllipticCurve::P384
            } else {
                EllipticCurve::P256
            };
            p.curve == want
        }
        (AlgorithmFamily::Ed, AlgorithmParameters::OctetKeyPair(p)) => {
            p.curve == EllipticCurve::Ed25519
        }
        _ => false,
    };
    if fits {
        Ok(jwk)
    } else {
        Err(
            "The key named by kid does not fit the client assertion's alg (wrong key type or curve, or missing key parameters).",
        )
    }
}

/// Verifies the signature only; claims are checked by [`check_claims`] against the injected
/// time (the library's own time checks read the system clock, so they are all disabled).
fn verify_signature(
    assertion: &str,
    key: &DecodingKey,
    alg: Algorithm,
) -> Result<Value, OAuthError> {
    if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
        return Err(OAuthError::new(OAuthErrorKind::ServerError).debug(
            "jsonwebtoken has no crypto provider: enable exactly one of its crypto features",
        ));
    }
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    jsonwebtoken::decode::<Value>(assertion, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            let hint = match e.kind() {
                ErrorKind::InvalidSignature => {
                    "The client assertion's signature does not verify with the client's key."
                }
                ErrorKind::InvalidAlgorithm => {
                    "The client assertion's alg does not match the client's key."
                }
                _ => "The client assertion is malformed or its signature cannot be verified.",
            };
            invalid_client(hint).debug(format!("{:?}", e.kind()))
        })
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

    let expires_at = match numeric_date(claims, "exp")? {
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
    if numeric_date(claims, "nbf")?.is_some_and(|nbf| nbf > latest_start) {
        return Err(invalid_client(
            "The client assertion is not valid yet (nbf is in the future).",
        ));
    }
    if numeric_date(claims, "iat")?.is_some_and(|iat| iat > latest_start) {
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

/// RFC 7519 §2 NumericDate (seconds, possibly fractional); present but not a number is an error.
fn numeric_date(claims: &Value, name: &'static str) -> Result<Option<Now>, OAuthError> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    if let Some(secs) = value.as_i64() {
        return Ok(Some(Now::from_unix_secs(secs)));
    }
    match value.as_f64() {
        // The range check keeps the cast exact enough and in bounds.
        Some(secs) if secs.is_finite() && secs.abs() < 1e12 => {
            Ok(Some(Now::from_unix_micros((secs * 1e6) as i64)))
        }
        _ => Err(invalid_client(format!(
            "The client assertion's {name} claim must be a NumericDate (seconds since the epoch)."
        ))),
    }
}

fn invalid_client(hint: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClient).hint(hint)
}
