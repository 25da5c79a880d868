//! The JWT-bearer authorization grant (RFC 7523 §2.1, §3): a client presents a JWT that a
//! trusted issuer signed about a subject, and gets an access token for that subject.
//!
//! Pure: the trust relationships the assertion may fall under arrive as values (the service
//! loads them by the unverified `iss` and `sub`), time arrives as [`Now`]. Every failure is
//! `invalid_grant` with a hint, as RFC 7523 §3.1 says; the assertion is never echoed. The
//! caller records the returned `jti` until the assertion expires (replay protection).

pub mod trust;

#[cfg(test)]
mod tests;

use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use crate::model::Now;
use crate::oauth2::client_assertion::{CLOCK_SKEW, SUPPORTED_ALGORITHMS};
use crate::oauth2::client_jws::{Refusal, Token};
use crate::{OAuthError, OAuthErrorKind};

pub use trust::{NewTrust, TrustedIssuer};

/// The largest assertion read, in bytes: an RS512 JWS with a generous claim set fits many
/// times over, and nothing bigger is decoded or looked up.
pub const MAX_ASSERTION_LEN: usize = 16 * 1024;

/// Hydra's `oauth2.grant.jwt.max_ttl` default: how far in the future `exp` may be.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(720 * 3600);

/// The longest `jti` accepted (it is hashed before it is stored, so this only bounds work).
const MAX_JTI_LEN: usize = 1024;

/// How assertions are checked, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionRules {
    /// The token endpoint URL, which `aud` must contain (RFC 7523 §3 item 3).
    pub token_endpoint: String,
    /// The farthest `exp` may be ahead of now (`OAUTH2_GRANT_JWT_MAX_TTL`).
    pub max_ttl: Duration,
    /// Accept assertions without `jti` (`OAUTH2_GRANT_JWT_JTI_OPTIONAL`).
    pub jti_optional: bool,
    /// Accept assertions without `iat` (`OAUTH2_GRANT_JWT_IAT_OPTIONAL`).
    pub iat_optional: bool,
}

/// What an assertion claims before it is verified: enough to find the trust relationships it
/// may fall under. Never trusted beyond that lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The `iss` claim.
    pub issuer: String,
    /// The `sub` claim.
    pub subject: String,
    /// The header `kid`, if any.
    pub key_id: Option<String>,
    alg: Algorithm,
}

/// A verified assertion: the trust it fell under and what the grant needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The trust relationship whose key verified the assertion.
    pub trust: TrustedIssuer,
    /// The subject the access token is for.
    pub subject: String,
    /// The `jti`, when present; to be remembered until `expires_at`.
    pub jti: Option<String>,
    /// The assertion's `exp`.
    pub expires_at: Now,
}

/// Reads the header and the `iss`/`sub` claims WITHOUT verification, refusing what can never
/// verify: an oversized or malformed JWS, an `alg` outside [`SUPPORTED_ALGORITHMS`] (so
/// `none` and HMAC never reach a key), a missing `iss` or `sub`.
pub fn claimed(assertion: &str) -> Result<Claimed, OAuthError> {
    if assertion.len() > MAX_ASSERTION_LEN {
        return Err(invalid_grant(format!(
            "The assertion is larger than {MAX_ASSERTION_LEN} bytes."
        )));
    }
    let header = ASSERTION.raw_header(assertion).map_err(refused)?;
    let alg = ASSERTION
        .algorithm(&header, SUPPORTED_ALGORITHMS)
        .map_err(refused)?;
    let key_id = ASSERTION
        .key_id(&header)
        .map_err(refused)?
        .map(str::to_owned);
    let claims = ASSERTION.unverified_claims(assertion).map_err(refused)?;
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let issuer = text("iss")
        .ok_or_else(|| invalid_grant("The assertion must carry an iss claim (RFC 7523 §3)."))?;
    let subject = text("sub")
        .ok_or_else(|| invalid_grant("The assertion must carry a sub claim (RFC 7523 §3)."))?;
    Ok(Claimed {
        issuer,
        subject,
        key_id,
        alg,
    })
}

/// RFC 7523 §3: verifies `assertion` (read by [`claimed`]) under one of `trusts` (those of
/// its issuer that cover its subject), at `now`.
///
/// - a trust is a candidate when its key id is the header `kid` (any trust without a `kid`);
///   unexpired trusts are tried first, subject-specific before any-subject ones, and the first
///   candidate whose key verifies the signature with the header `alg` wins — the key's type
///   and curve must fit `alg`, so a public key never serves as an HMAC secret;
/// - that trust has not expired;
/// - `iss` is the trust's issuer, `sub` one it covers, `aud` contains the token endpoint;
/// - `exp` is present, after `now` and at most `max_ttl` (+ [`CLOCK_SKEW`]) ahead; `nbf` and
///   `iat` are not in the future (beyond the skew); `iat` and `jti` are present unless
///   configured optional.
pub fn verify(
    assertion: &str,
    claimed: &Claimed,
    trusts: &[TrustedIssuer],
    rules: &AssertionRules,
    now: Now,
) -> Result<Verified, OAuthError> {
    let mut candidates: Vec<&TrustedIssuer> = trusts
        .iter()
        .filter(|t| claimed.key_id.as_deref().is_none_or(|kid| kid == t.key_id))
        .collect();
    // Stable: the store's order within each group.
    candidates.sort_by_key(|t| (t.expires_at <= now, t.allow_any_subject));
    if candidates.is_empty() {
        return Err(invalid_grant(
            "No trusted key of the assertion's issuer covers its subject and kid.",
        ));
    }
    let mut last_refusal = None;
    let mut verified = None;
    for trust in candidates {
        let set = json!({ "keys": [trust.public_key] });
        let outcome = ASSERTION
            .select_key(&set, claimed.alg, Some(&trust.key_id))
            .and_then(|key| ASSERTION.verify_signature(assertion, &key, claimed.alg));
        match outcome {
            Ok(claims) => {
                verified = Some((trust, claims));
                break;
            }
            Err(refusal) => last_refusal = Some(refusal),
        }
    }
    let Some((trust, claims)) = verified else {
        return Err(last_refusal.map_or_else(
            || invalid_grant("The assertion's signature does not verify."),
            refused,
        ));
    };
    if trust.expires_at <= now {
        return Err(invalid_grant(
            "The trust relationship of the assertion's issuer and subject has expired.",
        ));
    }
    check_claims(&claims, trust, rules, now)
}

fn check_claims(
    claims: &Value,
    trust: &TrustedIssuer,
    rules: &AssertionRules,
    now: Now,
) -> Result<Verified, OAuthError> {
    if claims.get("iss").and_then(Value::as_str) != Some(trust.issuer.as_str()) {
        return Err(invalid_grant(
            "The assertion's iss claim is not the trusted issuer.",
        ));
    }
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|sub| !sub.is_empty() && trust.covers_subject(sub))
        .ok_or_else(|| {
            invalid_grant("The assertion's sub claim is not a subject its issuer is trusted for.")
        })?;
    let endpoint = rules.token_endpoint.as_str();
    let aud_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == endpoint,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(endpoint)),
        _ => false,
    };
    if !aud_ok {
        return Err(invalid_grant(format!(
            "The assertion's aud claim must contain the token endpoint URL '{endpoint}'."
        )));
    }
    let date = |name: &str| ASSERTION.numeric_date(claims, name).map_err(refused);
    let expires_at =
        date("exp")?.ok_or_else(|| invalid_grant("The assertion must carry an exp claim."))?;
    if expires_at <= now {
        return Err(invalid_grant("The assertion has expired."));
    }
    if expires_at > now.plus(rules.max_ttl.saturating_add(CLOCK_SKEW)) {
        return Err(invalid_grant(format!(
            "The assertion's exp is too far in the future: it may be at most {} seconds from now.",
            rules.max_ttl.as_secs()
        )));
    }
    let latest_start = now.plus(CLOCK_SKEW);
    if date("nbf")?.is_some_and(|nbf| nbf > latest_start) {
        return Err(invalid_grant(
            "The assertion is not valid yet (nbf is in the future).",
        ));
    }
    match date("iat")? {
        Some(iat) if iat > latest_start => {
            return Err(invalid_grant(
                "The assertion was issued in the future (iat).",
            ));
        }
        None if !rules.iat_optional => {
            return Err(invalid_grant("The assertion must carry an iat claim."));
        }
        _ => {}
    }
    let jti = match claims.get("jti") {
        None | Some(Value::Null) if rules.jti_optional => None,
        Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= MAX_JTI_LEN => {
            Some(jti.clone())
        }
        _ => {
            return Err(invalid_grant(format!(
                "The assertion must carry a jti claim: a non-empty string of at most {MAX_JTI_LEN} bytes."
            )));
        }
    };
    Ok(Verified {
        trust: trust.clone(),
        subject: subject.to_owned(),
        jti,
        expires_at,
    })
}

/// How assertions are named in hints.
const ASSERTION: Token = Token { noun: "assertion" };

fn refused(refusal: Refusal) -> OAuthError {
    refusal.into_error(OAuthErrorKind::InvalidGrant)
}

fn invalid_grant(hint: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidGrant).hint(hint)
}
