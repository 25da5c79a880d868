//! Trust relationships of the JWT-bearer grant (Hydra 2.x `trustedOAuth2JwtGrantIssuer`): which
//! issuer may assert which subject (or any), with which public key, for which scopes, until
//! when. [`NewTrust::validate`] turns the admin's request into a [`TrustedIssuer`]; it keeps
//! only the public members of the key, so a private key sent by mistake is never stored.

use serde_json::Value;

use crate::error::Error;
use crate::model::Now;
use crate::oauth2::client_assertion::SUPPORTED_ALGORITHMS;

/// The longest issuer, subject and key id accepted: what an indexed column holds on every
/// backend (MySQL's unique index over the three).
pub const MAX_FIELD_LEN: usize = 255;

/// JWK members that are private key material (RFC 7518 §6.2.2, §6.3.2, §6.4), dropped on
/// the way in.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A stored trust relationship.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustedIssuer {
    /// Server-assigned id (a UUID), the path segment of the admin API.
    pub id: String,
    /// The `iss` the assertions carry.
    pub issuer: String,
    /// The only `sub` this trust covers; empty when `allow_any_subject`.
    pub subject: String,
    /// Any `sub` of this issuer is accepted.
    pub allow_any_subject: bool,
    /// The scopes assertions under this trust may obtain.
    pub scope: Vec<String>,
    /// The public key's `kid`.
    pub key_id: String,
    /// The public JWK (RFC 7517) that verifies the assertions.
    pub public_key: Value,
    /// When the trust was created.
    pub created_at: Now,
    /// When the trust ends: assertions are refused from this instant.
    pub expires_at: Now,
}

impl TrustedIssuer {
    /// Whether the trust covers assertions about `subject`.
    pub fn covers_subject(&self, subject: &str) -> bool {
        self.allow_any_subject || self.subject == subject
    }
}

/// What the admin asks to trust (`POST /admin/trust/grants/jwt-bearer/issuers`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTrust {
    /// `issuer`.
    pub issuer: String,
    /// `subject` (empty when absent).
    pub subject: String,
    /// `allow_any_subject`.
    pub allow_any_subject: bool,
    /// `scope`.
    pub scope: Vec<String>,
    /// `jwk`: the issuer's public key, with a `kid`.
    pub jwk: Value,
    /// `expires_at`.
    pub expires_at: Now,
}

impl NewTrust {
    /// Checks the request (Hydra's rules, plus bounds and key checks) and builds the stored
    /// trust with `id`, created at `now`. Every failure is [`Error::Invalid`] (400):
    /// - `issuer` is required; `subject` and `allow_any_subject` are mutually exclusive and
    ///   one of them is required; each string at most [`MAX_FIELD_LEN`] characters;
    /// - every scope is a non-empty token without spaces;
    /// - `jwk` is an asymmetric public key (RSA, EC, OKP) with a `kid`, whose `alg`, if set, is
    ///   one the grant accepts and whose `use`, if set, is `sig`; private members are dropped.
    pub fn validate(self, id: String, now: Now) -> Result<TrustedIssuer, Error> {
        if self.issuer.is_empty() {
            return Err(Error::invalid("issuer", "is required"));
        }
        bounded("issuer", &self.issuer)?;
        bounded("subject", &self.subject)?;
        match (self.subject.is_empty(), self.allow_any_subject) {
            (false, true) => {
                return Err(Error::invalid(
                    "subject",
                    "'subject' and 'allow_any_subject' cannot both be set",
                ));
            }
            (true, false) => {
                return Err(Error::invalid(
                    "subject",
                    "one of 'subject' or 'allow_any_subject' is required",
                ));
            }
            _ => {}
        }
        if let Some(bad) = self
            .scope
            .iter()
            .find(|s| s.is_empty() || s.chars().any(char::is_whitespace))
        {
            return Err(Error::invalid(
                "scope",
                format!("{bad:?} is not a scope token"),
            ));
        }
        let (key_id, public_key) = public_jwk(self.jwk)?;
        Ok(TrustedIssuer {
            id,
            issuer: self.issuer,
            subject: self.subject,
            allow_any_subject: self.allow_any_subject,
            scope: self.scope,
            key_id,
            public_key,
            created_at: now,
            expires_at: self.expires_at,
        })
    }
}

fn bounded(field: &'static str, value: &str) -> Result<(), Error> {
    if value.chars().count() > MAX_FIELD_LEN {
        Err(Error::invalid(
            field,
            format!("must be at most {MAX_FIELD_LEN} characters"),
        ))
    } else {
        Ok(())
    }
}

/// The key's `kid` and its public members, or why it cannot verify assertions.
fn public_jwk(jwk: Value) -> Result<(String, Value), Error> {
    let Value::Object(mut members) = jwk else {
        return Err(Error::invalid("jwk", "must be a JSON Web Key object"));
    };
    let kid = match members.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => kid.clone(),
        _ => return Err(Error::invalid("jwk", "must contain a JWK with a 'kid'")),
    };
    bounded("jwk", &kid)?;
    match members.get("kty").and_then(Value::as_str) {
        Some("RSA" | "EC" | "OKP") => {}
        _ => {
            return Err(Error::invalid(
                "jwk",
                "'kty' must be RSA, EC or OKP: a public key (symmetric keys are refused)",
            ));
        }
    }
    if members
        .get("use")
        .is_some_and(|u| u.as_str() != Some("sig"))
    {
        return Err(Error::invalid("jwk", "'use' must be 'sig' when present"));
    }
    if let Some(alg) = members.get("alg") {
        let alg = alg.as_str().unwrap_or_default();
        if !SUPPORTED_ALGORITHMS.contains(&alg) {
            return Err(Error::invalid(
                "jwk",
                format!("'alg' must be one of {}", SUPPORTED_ALGORITHMS.join(", ")),
            ));
        }
    }
    for private in PRIVATE_MEMBERS {
        members.remove(*private);
    }
    let public = Value::Object(members);
    if serde_json::from_value::<jsonwebtoken::jwk::Jwk>(public.clone())
        .ok()
        .and_then(|jwk| jsonwebtoken::DecodingKey::from_jwk(&jwk).ok())
        .is_none()
    {
        return Err(Error::invalid(
            "jwk",
            "is not a usable public key (missing or malformed key parameters)",
        ));
    }
    Ok((kid, public))
}
