//! DPoP proofs (RFC 9449 §4): the JWT a client signs with a key of its own and sends in the
//! `DPoP` header, so the tokens it gets are bound to that key (`cnf.jkt`, RFC 9449 §6) and a
//! thief holding only the token cannot use it.
//!
//! [`verify`] is every check of RFC 9449 §4.3 that needs no state: one JWS with `typ`
//! `dpop+jwt`, an asymmetric `alg`, a public `jwk` in the header that verifies the signature,
//! `htm`/`htu` naming this request, a fresh `iat`, and `ath` when an access token is
//! presented. The stateful checks — the `jti` replay cache and server nonces — are the
//! caller's (`service::dpop`). Pure: the time arrives as a value.

pub mod nonce;

use std::time::Duration;

use aws_lc_rs::digest;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::Jwk;
use serde_json::Value;

use crate::model::Now;
use crate::oauth2::client_jws::{Refusal, Token, key_fits};
use crate::{OAuthError, OAuthErrorKind};

/// The `alg` values a proof may use (RFC 9449 §4.2: asymmetric only), advertised as
/// `dpop_signing_alg_values_supported`.
pub const SIGNING_ALGS: &[&str] = &[
    "ES256", "ES384", "EdDSA", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512",
];

/// The longest proof read: a proof carries one public key, so 8 KiB holds a 4096-bit RSA key
/// with room to spare while bounding the work a hostile header can cause.
pub const MAX_PROOF_BYTES: usize = 8 * 1024;

/// The longest `jti` accepted (it becomes part of a replay-cache key).
const MAX_JTI_CHARS: usize = 256;

/// How far in the future a proof's `iat` may be: clocks of clients drift.
pub const FUTURE_LEEWAY: Duration = Duration::from_secs(5);

/// JWK members that only private or symmetric keys have (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC
/// 8037 §2): a proof header holding one leaks the client's key and is refused.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

const TYP: &str = "dpop+jwt";

const PROOF: Token = Token { noun: "DPoP proof" };

/// The request a proof must name.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The HTTP method (`htm`), e.g. `POST`.
    pub method: &'a str,
    /// The endpoint's public URL (`htu`), without query or fragment.
    pub uri: &'a url::Url,
    /// The access token presented with the proof (a resource request): `ath` must be its
    /// hash (RFC 9449 §4.3 item 12).
    pub access_token: Option<&'a str>,
    /// How old `iat` may be.
    pub max_age: Duration,
}

/// A proof that passed every stateless check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key: what tokens are bound to.
    pub jkt: String,
    /// The proof's unique id, for the replay cache.
    pub jti: String,
    /// When the client made the proof.
    pub issued_at: Now,
    /// The server nonce the proof carries, if any (RFC 9449 §8).
    pub nonce: Option<String>,
}

/// `invalid_dpop_proof` with `hint`.
pub fn invalid(hint: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidDpopProof).hint(hint)
}

/// Checks `proof` (the `DPoP` header's value) against the request it came with, at `now`.
pub fn verify(proof: &str, expected: Expected<'_>, now: Now) -> Result<Proof, OAuthError> {
    if proof.len() > MAX_PROOF_BYTES {
        return Err(invalid("The DPoP proof is larger than 8 KiB."));
    }
    let refused = |r: Refusal| r.into_error(OAuthErrorKind::InvalidDpopProof);
    let header = PROOF.raw_header(proof).map_err(refused)?;
    let typ = header.get("typ").and_then(Value::as_str).unwrap_or("");
    if !typ.eq_ignore_ascii_case(TYP) {
        return Err(invalid("The DPoP proof's typ header must be 'dpop+jwt'."));
    }
    let alg = PROOF.algorithm(&header, SIGNING_ALGS).map_err(refused)?;
    let raw_jwk = header
        .get("jwk")
        .filter(|k| k.is_object())
        .ok_or_else(|| invalid("The DPoP proof's header has no jwk object."))?;
    let (key, jkt) = public_key(raw_jwk, alg)?;
    let claims = PROOF.verify_signature(proof, &key, alg).map_err(refused)?;
    let jti = string_claim(&claims, "jti")?;
    if jti.chars().count() > MAX_JTI_CHARS {
        return Err(invalid(
            "The DPoP proof's jti is longer than 256 characters.",
        ));
    }
    if string_claim(&claims, "htm")? != expected.method {
        return Err(invalid(format!(
            "The DPoP proof's htm does not match the request's method ({}).",
            expected.method
        )));
    }
    check_htu(string_claim(&claims, "htu")?, expected.uri)?;
    let issued_at = PROOF
        .numeric_date(&claims, "iat")
        .map_err(refused)?
        .ok_or_else(|| invalid("The DPoP proof has no iat claim."))?;
    if issued_at > now.plus(FUTURE_LEEWAY) {
        return Err(invalid("The DPoP proof's iat is in the future."));
    }
    if issued_at < now.minus(expected.max_age) {
        return Err(invalid(
            "The DPoP proof is too old: make a new proof for every request.",
        ));
    }
    if let Some(token) = expected.access_token {
        let ath = claims.get("ath").and_then(Value::as_str).ok_or_else(|| {
            invalid(
                "The DPoP proof has no ath claim, the hash of the access token it is sent with.",
            )
        })?;
        if ath != access_token_hash(token) {
            return Err(invalid(
                "The DPoP proof's ath is not the hash of the access token it is sent with.",
            ));
        }
    }
    let nonce = match claims.get("nonce") {
        None => None,
        Some(Value::String(n)) => Some(n.clone()),
        Some(_) => return Err(invalid("The DPoP proof's nonce must be a string.")),
    };
    Ok(Proof {
        jkt,
        jti: jti.to_owned(),
        issued_at,
        nonce,
    })
}

/// RFC 9449 §4.2 `ath`: the base64url SHA-256 of the access token's ASCII bytes.
pub fn access_token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, token.as_bytes()).as_ref())
}

/// The verification key of the header's `jwk` and its thumbprint: a public key (no private
/// or symmetric members) whose type and curve fit `alg`.
fn public_key(
    raw: &Value,
    alg: jsonwebtoken::Algorithm,
) -> Result<(DecodingKey, String), OAuthError> {
    if PRIVATE_MEMBERS.iter().any(|m| raw.get(m).is_some()) {
        return Err(invalid(
            "The DPoP proof's jwk holds private key material; send the public key only.",
        ));
    }
    let jwk: Jwk = serde_json::from_value(raw.clone())
        .map_err(|_| invalid("The DPoP proof's jwk is not a valid JSON Web Key."))?;
    if !key_fits(&jwk, alg) {
        return Err(invalid(
            "The DPoP proof's jwk does not fit its alg (wrong key type or curve).",
        ));
    }
    let key = DecodingKey::from_jwk(&jwk)
        .map_err(|_| invalid("The DPoP proof's jwk could not be loaded as a public key."))?;
    let jkt =
        thumbprint(raw).ok_or_else(|| invalid("The DPoP proof's jwk lacks a required member."))?;
    Ok((key, jkt))
}

/// RFC 7638 §3: the base64url SHA-256 of the key's required members, in lexicographic order,
/// as JSON without whitespace. `None` when one is missing or not a string.
pub fn thumbprint(jwk: &Value) -> Option<String> {
    let members: &[&str] = match jwk.get("kty")?.as_str()? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        "OKP" => &["crv", "kty", "x"],
        _ => return None,
    };
    let mut canonical = String::from("{");
    for (i, name) in members.iter().enumerate() {
        let value = jwk.get(*name)?.as_str()?;
        if i > 0 {
            canonical.push(',');
        }
        // serde_json writes a string as a JSON string literal, escaping as RFC 8259 requires.
        canonical.push_str(&serde_json::to_string(name).ok()?);
        canonical.push(':');
        canonical.push_str(&serde_json::to_string(value).ok()?);
    }
    canonical.push('}');
    Some(URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref()))
}

fn string_claim<'a>(claims: &'a Value, name: &str) -> Result<&'a str, OAuthError> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            invalid(format!(
                "The DPoP proof has no {name} claim (a non-empty string)."
            ))
        })
}

/// RFC 9449 §4.3 item 9: `htu` names the endpoint, ignoring query and fragment, after the
/// syntax- and scheme-based normalisation of RFC 3986 §6.2.2–6.2.3 (the URL parser lowercases
/// scheme and host, drops a default port and resolves dot segments).
fn check_htu(htu: &str, expected: &url::Url) -> Result<(), OAuthError> {
    let mismatch = || {
        invalid(format!(
            "The DPoP proof's htu must be {}.",
            without_query(expected)
        ))
    };
    let mut presented = url::Url::parse(htu).map_err(|_| mismatch())?;
    presented.set_query(None);
    presented.set_fragment(None);
    if presented.as_str() == without_query(expected).as_str() {
        Ok(())
    } else {
        Err(mismatch())
    }
}

fn without_query(url: &url::Url) -> url::Url {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url
}

#[cfg(test)]
mod tests;
