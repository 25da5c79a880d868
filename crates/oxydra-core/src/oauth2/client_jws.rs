//! Verifying a JWS a client signed with one of its registered keys (RFC 7515, RFC 7517,
//! RFC 7518): the part that `private_key_jwt` client assertions (RFC 7523) and request objects
//! (OIDC Core §6, RFC 9101) share. Pure: the key set arrives as a value.
//!
//! Failures are a [`Refusal`] (a hint naming the token, e.g. "the request object's", never
//! echoing it); each caller turns it into its own error code (`invalid_client`,
//! `invalid_request_object`).

use std::borrow::Cow;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use serde_json::Value;

use crate::model::Now;
use crate::{OAuthError, OAuthErrorKind};

/// Why a client's JWS was refused, before it becomes an error of the caller's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    hint: Cow<'static, str>,
    debug: Option<String>,
    /// The server cannot verify at all (a build without a crypto provider): `server_error`.
    server: bool,
}

impl Refusal {
    /// A refusal with `hint`.
    pub(crate) fn new(hint: impl Into<Cow<'static, str>>) -> Self {
        Self {
            hint: hint.into(),
            debug: None,
            server: false,
        }
    }

    fn debug(mut self, debug: String) -> Self {
        self.debug = Some(debug);
        self
    }

    /// The error of `kind` carrying this refusal's hint (and debug detail).
    pub(crate) fn into_error(self, kind: OAuthErrorKind) -> OAuthError {
        let error = if self.server {
            OAuthError::new(OAuthErrorKind::ServerError)
        } else {
            OAuthError::new(kind).hint(self.hint)
        };
        match self.debug {
            Some(debug) => error.debug(debug),
            None => error,
        }
    }
}

/// What kind of token is being verified: names it in hints ("client assertion").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    /// The token's name in hints, e.g. `client assertion`.
    pub noun: &'static str,
}

impl Token {
    fn refuse(self, what: &str) -> Refusal {
        Refusal::new(format!("The {}'s {what}", self.noun))
    }

    /// The JOSE header as JSON (RFC 7515 §4), so `alg` values the JWT library cannot name
    /// (`none`) get a clear hint.
    pub(crate) fn raw_header(self, jwt: &str) -> Result<Value, Refusal> {
        let [header, _, _] = self.parts(jwt)?;
        decode_json(header).ok_or_else(|| self.refuse("header is not base64url-encoded JSON."))
    }

    /// The payload as JSON, NOT verified: only for an unsigned (`alg: none`) token the caller
    /// has decided to accept as such.
    pub(crate) fn unverified_claims(self, jwt: &str) -> Result<Value, Refusal> {
        let [_, payload, _] = self.parts(jwt)?;
        decode_json(payload).ok_or_else(|| self.refuse("payload is not base64url-encoded JSON."))
    }

    fn parts(self, jwt: &str) -> Result<[&str; 3], Refusal> {
        let mut parts = jwt.split('.');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(s), None) => Ok([h, p, s]),
            _ => Err(Refusal::new(format!(
                "The {} is not a JWS in compact serialization (three dot-separated parts).",
                self.noun
            ))),
        }
    }

    /// The header's `alg`, when it is one of `accepted` (else refused: HMAC, `none` and
    /// anything unlisted never reach key selection).
    pub(crate) fn algorithm(self, header: &Value, accepted: &[&str]) -> Result<Algorithm, Refusal> {
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !accepted.contains(&alg) {
            return Err(self.refuse(&format!(
                "alg is not accepted: use one of {}.",
                accepted.join(", ")
            )));
        }
        alg.parse::<Algorithm>()
            .map_err(|_| self.refuse("alg is not supported by this server."))
    }

    /// The header's `kid`, which must be a string when present (RFC 7515 §4.1.4).
    pub(crate) fn key_id(self, header: &Value) -> Result<Option<&str>, Refusal> {
        match header.get("kid") {
            None => Ok(None),
            Some(Value::String(kid)) => Ok(Some(kid)),
            Some(_) => Err(self.refuse("kid header must be a string.")),
        }
    }

    /// Picks the verification key: by `kid` when the header names one (RFC 7515 §4.1.4),
    /// otherwise the single key usable for `alg`.
    pub(crate) fn select_key(
        self,
        jwks: &Value,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<DecodingKey, Refusal> {
        let keys = keys_of(jwks).ok_or_else(|| {
            Refusal::new("The client's JSON Web Key Set is malformed: it has no 'keys' array.")
        })?;
        let jwk = match kid {
            Some(kid) => self.named_key(keys, alg, kid)?,
            None => {
                let mut usable = keys.iter().filter_map(|raw| self.usable(raw, alg).ok());
                match (usable.next(), usable.next()) {
                    (Some(jwk), None) => jwk,
                    (None, _) => {
                        return Err(Refusal::new(format!(
                            "The client's JSON Web Key Set has no signing key usable for the {}'s alg.",
                            self.noun
                        )));
                    }
                    (Some(_), Some(_)) => {
                        return Err(Refusal::new(format!(
                            "The {} has no kid header, but the client's JSON Web Key Set has several keys usable for its alg; name the key with kid.",
                            self.noun
                        )));
                    }
                }
            }
        };
        DecodingKey::from_jwk(&jwk).map_err(|e| {
            Refusal::new("The client's key could not be loaded as a public key.")
                .debug(e.to_string())
        })
    }

    /// The first key named `kid` that is usable for `alg`, or why the first one is not.
    fn named_key(self, keys: &[Value], alg: Algorithm, kid: &str) -> Result<Jwk, Refusal> {
        let mut first_reason = None;
        for raw in keys
            .iter()
            .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
        {
            match self.usable(raw, alg) {
                Ok(jwk) => return Ok(jwk),
                Err(reason) => {
                    first_reason.get_or_insert(reason);
                }
            }
        }
        Err(first_reason.unwrap_or_else(|| {
            Refusal::new(format!(
                "The client's JSON Web Key Set has no key with the {}'s kid.",
                self.noun
            ))
        }))
    }

    /// Parses one JWK and checks it may verify `alg` signatures (RFC 7517 §4.2–4.4, RFC 7518
    /// §6): `use` is `sig`, `key_ops` allow `verify`, its own `alg` (if any) is `alg`, and its
    /// type and curve fit `alg` — so an RSA public key can never serve as an HMAC secret.
    fn usable(self, raw: &Value, alg: Algorithm) -> Result<Jwk, Refusal> {
        let jwk: Jwk = serde_json::from_value(raw.clone())
            .map_err(|_| Refusal::new("The key named by kid is not a valid JSON Web Key."))?;
        if jwk
            .common
            .public_key_use
            .as_ref()
            .is_some_and(|u| *u != PublicKeyUse::Signature)
        {
            return Err(Refusal::new(
                "The key named by kid is not a signing key: its 'use' is not 'sig'.",
            ));
        }
        if jwk
            .common
            .key_operations
            .as_ref()
            .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
        {
            return Err(Refusal::new(
                "The key named by kid does not allow 'verify' in its 'key_ops'.",
            ));
        }
        if jwk
            .common
            .key_algorithm
            .is_some_and(|ka| Algorithm::try_from(ka).ok() != Some(alg))
        {
            return Err(Refusal::new(format!(
                "The key named by kid is registered for a different alg than the {}'s.",
                self.noun
            )));
        }
        if key_fits(&jwk, alg) {
            Ok(jwk)
        } else {
            Err(Refusal::new(format!(
                "The key named by kid does not fit the {}'s alg (wrong key type or curve, or missing key parameters).",
                self.noun
            )))
        }
    }

    /// Verifies the signature only; the caller checks the claims against the injected time
    /// (the library's own time checks read the system clock, so they are all disabled).
    pub(crate) fn verify_signature(
        self,
        jwt: &str,
        key: &DecodingKey,
        alg: Algorithm,
    ) -> Result<Value, Refusal> {
        if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
            return Err(Refusal {
                hint: Cow::Borrowed(""),
                debug: Some(
                    "jsonwebtoken has no crypto provider: enable exactly one of its crypto features"
                        .to_owned(),
                ),
                server: true,
            });
        }
        let mut validation = Validation::new(alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.leeway = 0;
        jsonwebtoken::decode::<Value>(jwt, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                let what = match e.kind() {
                    ErrorKind::InvalidSignature => {
                        "signature does not verify with the client's key."
                    }
                    ErrorKind::InvalidAlgorithm => "alg does not match the client's key.",
                    _ => "signature cannot be verified, or the token is malformed.",
                };
                self.refuse(what).debug(format!("{:?}", e.kind()))
            })
    }

    /// RFC 7519 §2 NumericDate (seconds, possibly fractional); present but not a number is an
    /// error.
    pub(crate) fn numeric_date(self, claims: &Value, name: &str) -> Result<Option<Now>, Refusal> {
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
            _ => Err(self.refuse(&format!(
                "{name} claim must be a NumericDate (seconds since the epoch)."
            ))),
        }
    }
}

/// Whether `jwk`'s type and curve fit `alg` (RFC 7518 §3): RSA keys for `RS*`/`PS*`, P-256 or
/// P-384 for `ES256`/`ES384`, Ed25519 for `EdDSA` — so a public key never serves as an HMAC
/// secret.
pub(crate) fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    match (alg.family(), &jwk.algorithm) {
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
    }
}

/// The `keys` array of a JWK set (RFC 7517 §5).
pub(crate) fn keys_of(jwks: &Value) -> Option<&Vec<Value>> {
    jwks.get("keys").and_then(Value::as_array)
}

fn decode_json(part: &str) -> Option<Value> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD
        .decode(part)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .filter(Value::is_object)
}
