//! JSON Web Keys (RFC 7517/7518): generation per algorithm, the JWK and JWK-set model, import
//! validation, signing and verifying behind [`Signer`], and AEAD encryption at rest
//! (`shared/spec/behaviour.md` §4.4). No I/O.
//!
//! A generated asymmetric pair is two keys, `private:<kid>` and `public:<kid>` (Hydra's
//! convention); an HMAC key is a single `kty=oct` key with the kid unprefixed.

mod aead;
mod der;
mod generate;
mod jws;
mod key_set;
mod signer;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use aead::{KeyCipher, KeyRow, SealedFor};
pub use generate::{GenerateOptions, generate, generate_with};
pub use jws::{VerifiedJws, claims_except, half_hash, public_part, sign_compact, verify_compact};
pub(crate) use key_set::fingerprint as key_set_fingerprint;
pub use key_set::{KeySetView, SigningKey, public_kid};
pub use signer::{KeyPair, Signer};

use crate::{Error, OAuthError, OAuthErrorKind};

/// The algorithms the key generator and the [`Signer`] support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JwkAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RSA 4096 when generated).
    Rs256,
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// ECDSA P-384 with SHA-384.
    Es384,
    /// ECDSA P-521 with SHA-512.
    Es512,
    /// Ed25519 (RFC 8037).
    EdDsa,
    /// HMAC with SHA-256.
    Hs256,
    /// HMAC with SHA-512.
    Hs512,
}

impl JwkAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [JwkAlgorithm; 7] = [
        Self::Rs256,
        Self::Es256,
        Self::Es384,
        Self::Es512,
        Self::EdDsa,
        Self::Hs256,
        Self::Hs512,
    ];

    /// The JWS `alg` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Es512 => "ES512",
            Self::EdDsa => "EdDSA",
            Self::Hs256 => "HS256",
            Self::Hs512 => "HS512",
        }
    }

    /// Parses a JWS `alg` name; `None` for anything unsupported.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the algorithm is symmetric (one `oct` key, no public half).
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Self::Hs256 | Self::Hs512)
    }
}

/// The algorithms ID tokens and signed userinfo responses may be signed with: what the
/// `hydra.openid.id-token` set keeps a key of, discovery advertises, and a client may register
/// as `id_token_signed_response_alg` / `userinfo_signed_response_alg`. RS256 first: OIDC
/// Core §15.1 requires it, and it is the default.
pub const OIDC_SIGNING_ALGS: [JwkAlgorithm; 3] = [
    JwkAlgorithm::Rs256,
    JwkAlgorithm::Es256,
    JwkAlgorithm::EdDsa,
];

/// One JSON Web Key with every RFC 7518 parameter Oxydra handles; byte values are base64url
/// without padding. `Debug` is redacted (it may hold private material).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `RSA`, `EC`, `OKP` or `oct`.
    pub kty: String,
    /// Key id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kid: String,
    /// Algorithm the key is meant for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alg: String,
    /// Public key use (`sig` or `enc`).
    #[serde(default, rename = "use", skip_serializing_if = "String::is_empty")]
    pub key_use: String,
    /// Curve (`P-256`, `P-384`, `P-521`, `Ed25519`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// RSA modulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// EC/OKP public x coordinate (the whole public key for OKP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC public y coordinate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Private exponent (RSA) or private key (EC, OKP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    /// RSA first prime factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    /// RSA second prime factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// RSA first CRT exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<String>,
    /// RSA second CRT exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dq: Option<String>,
    /// RSA CRT coefficient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qi: Option<String>,
    /// Symmetric key value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<String>,
}

impl std::fmt::Debug for Jwk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty)
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("use", &self.key_use)
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}

impl Jwk {
    /// Whether the key carries private or secret material (`d` or `k`).
    pub fn is_private(&self) -> bool {
        self.d.is_some() || self.k.is_some()
    }

    /// Validates the key: it must parse into a usable key for its `alg` (or its `kty`/`crv`
    /// when `alg` is empty), and a private key must match its public part.
    pub fn validate(&self) -> Result<(), Error> {
        KeyPair::from_jwk(self).map(|_| ())
    }
}

/// A JSON Web Key Set (RFC 7517 §5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwkSet {
    /// The keys, in order.
    pub keys: Vec<Jwk>,
}

/// An invalid key: 400 `invalid_request` with the reason.
pub(crate) fn invalid(reason: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::invalid("jwk", reason)
}

/// A crypto-library failure the caller cannot fix.
pub(crate) fn server_error(debug: &'static str) -> Error {
    Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(debug))
}

/// One key as stored: its identity in clear, its JWK JSON only encrypted
/// ([`KeyCipher::encrypt`]), so the store never sees private material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// The key set (`hydra.openid.id-token`, ...).
    pub set: String,
    /// The key id, unique within the set.
    pub kid: String,
    /// The JWK's `alg` (may be empty for imported keys).
    pub alg: String,
    /// The JWK's `use` (may be empty).
    pub key_use: String,
    /// When the key was stored; signing picks the newest.
    pub created_at: crate::Now,
    /// base64(nonce ‖ ciphertext ‖ tag) of the JWK JSON, bound to `(set, kid)`.
    pub encrypted: String,
}

impl StoredKey {
    /// The row this key is stored in: what its ciphertext is bound to.
    pub fn row(&self) -> KeyRow<'_> {
        KeyRow {
            set: &self.set,
            kid: &self.kid,
        }
    }
}
