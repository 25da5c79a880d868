//! Client secrets: generation, hashing (bcrypt or PBKDF2-HMAC-SHA256) and verification.
//!
//! Hashes are self-describing strings (`$2b$…` for bcrypt, `$pbkdf2-sha256$i=…$salt$hash` for
//! PBKDF2), so the configured algorithm can change while older hashes keep verifying.

use std::future::Future;
use std::num::NonZeroU32;

use aws_lc_rs::pbkdf2;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use super::MAX_SECRET_LEN;
use crate::error::{Error, OAuthError, OAuthErrorKind};
use crate::model::Secret;

/// Length of generated client secrets: 32 characters of a 66-symbol alphabet ≈ 193 bits.
pub const GENERATED_SECRET_LEN: usize = 32;
const SECRET_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
const PBKDF2_PREFIX: &str = "$pbkdf2-sha256$";
const PBKDF2_SALT_LEN: usize = 16;
const PBKDF2_OUTPUT_LEN: usize = 32;

/// Generates a random client secret from the unreserved URI characters `[A-Za-z0-9-_.~]`.
pub fn generate_secret() -> Result<Secret<String>, Error> {
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(GENERATED_SECRET_LEN);
    let mut buf = [0u8; 64];
    while out.len() < GENERATED_SECRET_LEN {
        rng.fill(&mut buf).map_err(|_| random_failure())?;
        // Rejection sampling keeps the distribution uniform: 256 - 256 % 66 = 198.
        for b in buf {
            if usize::from(b) < 198 && out.len() < GENERATED_SECRET_LEN {
                let idx = usize::from(b) % SECRET_ALPHABET.len();
                out.push(char::from(
                    SECRET_ALPHABET.get(idx).copied().unwrap_or(b'A'),
                ));
            }
        }
    }
    Ok(Secret::new(out))
}

fn random_failure() -> Error {
    Error::OAuth(
        OAuthError::new(OAuthErrorKind::ServerError).debug("system random generator failed"),
    )
}

/// Which algorithm new hashes use (`BCRYPT_COST`, `OXYDRA_SECRET_HASHER`, `PBKDF2_ITERATIONS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// bcrypt with this cost (4..=31).
    Bcrypt {
        /// Work factor.
        cost: u32,
    },
    /// PBKDF2-HMAC-SHA256 with this iteration count.
    Pbkdf2 {
        /// Iterations.
        iterations: NonZeroU32,
    },
}

impl Default for HashAlgorithm {
    fn default() -> Self {
        Self::Bcrypt { cost: 10 }
    }
}

/// Hashes and verifies secrets synchronously. Costly by design: call it off async workers
/// (the server wraps it in `spawn_blocking`, see [`SecretHashing`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SecretHasher {
    algorithm: HashAlgorithm,
}

impl SecretHasher {
    /// A hasher producing hashes with `algorithm`.
    pub fn new(algorithm: HashAlgorithm) -> Self {
        Self { algorithm }
    }

    /// The algorithm used for new hashes.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// Hashes `secret` with the configured algorithm. bcrypt refuses a secret longer than
    /// [`MAX_SECRET_LEN`] bytes instead of silently hashing only its first 72.
    pub fn hash(&self, secret: &Secret<String>) -> Result<String, Error> {
        match self.algorithm {
            HashAlgorithm::Bcrypt { .. } if secret.expose().len() > MAX_SECRET_LEN => {
                Err(Error::invalid(
                    "client_secret",
                    format!("must be at most {MAX_SECRET_LEN} bytes long"),
                ))
            }
            HashAlgorithm::Bcrypt { cost } => bcrypt::hash(secret.expose().as_bytes(), cost)
                .map_err(|e| {
                    Error::OAuth(
                        OAuthError::new(OAuthErrorKind::ServerError).debug(format!("bcrypt: {e}")),
                    )
                }),
            HashAlgorithm::Pbkdf2 { iterations } => {
                let mut salt = [0u8; PBKDF2_SALT_LEN];
                SystemRandom::new()
                    .fill(&mut salt)
                    .map_err(|_| random_failure())?;
                let mut out = [0u8; PBKDF2_OUTPUT_LEN];
                pbkdf2::derive(
                    pbkdf2::PBKDF2_HMAC_SHA256,
                    iterations,
                    &salt,
                    secret.expose().as_bytes(),
                    &mut out,
                );
                Ok(format!(
                    "{PBKDF2_PREFIX}i={iterations}${}${}",
                    STANDARD_NO_PAD.encode(salt),
                    STANDARD_NO_PAD.encode(out)
                ))
            }
        }
    }

    /// Checks `secret` against a stored hash of either algorithm, in constant time.
    /// Unparseable hashes never verify. bcrypt hashes stored before secrets were capped at
    /// [`MAX_SECRET_LEN`] bytes keep verifying as they were made (first 72 bytes).
    pub fn verify(&self, secret: &Secret<String>, hash: &str) -> bool {
        if let Some(rest) = hash.strip_prefix(PBKDF2_PREFIX) {
            return verify_pbkdf2(secret, rest);
        }
        bcrypt::verify(secret.expose().as_bytes(), hash).unwrap_or(false)
    }
}

fn verify_pbkdf2(secret: &Secret<String>, encoded: &str) -> bool {
    let mut parts = encoded.split('$');
    let (Some(iter), Some(salt), Some(expected), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Some(iterations) = iter
        .strip_prefix("i=")
        .and_then(|i| i.parse::<NonZeroU32>().ok())
    else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (
        STANDARD_NO_PAD.decode(salt),
        STANDARD_NO_PAD.decode(expected),
    ) else {
        return false;
    };
    pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        &salt,
        secret.expose().as_bytes(),
        &expected,
    )
    .is_ok()
}

/// The port services use for hashing, so the adapter decides where the CPU work runs.
pub trait SecretHashing: Send + Sync {
    /// Hashes a secret.
    fn hash(&self, secret: Secret<String>) -> impl Future<Output = Result<String, Error>> + Send;
    /// Verifies a secret against a stored hash.
    fn verify(&self, secret: Secret<String>, hash: String) -> impl Future<Output = bool> + Send;

    /// Verifies the secret `client` presented at a token endpoint against its stored hash.
    /// Servers override this to remember successful verifications (see the server's
    /// `SecretCache`); the default verifies every time.
    fn verify_client(
        &self,
        client: &crate::model::ClientId,
        secret: Secret<String>,
        hash: String,
    ) -> impl Future<Output = bool> + Send {
        let _ = client;
        self.verify(secret, hash)
    }

    /// Spends the work of one verification on `secret` when there is no stored hash to check it
    /// against (the client is unknown, or does not use secrets), so that such a request takes
    /// as long as a wrong secret and timing does not reveal which client ids exist. Hashing with
    /// the configured algorithm costs what verifying a hash of it costs.
    fn verify_absent(&self, secret: Secret<String>) -> impl Future<Output = ()> + Send {
        async move {
            let _ = self.hash(secret).await;
        }
    }
}

/// Inline hashing, for the CLI and tests; servers offload to a blocking pool instead.
impl SecretHashing for SecretHasher {
    fn hash(&self, secret: Secret<String>) -> impl Future<Output = Result<String, Error>> + Send {
        std::future::ready(SecretHasher::hash(self, &secret))
    }

    fn verify(&self, secret: Secret<String>, hash: String) -> impl Future<Output = bool> + Send {
        std::future::ready(SecretHasher::verify(self, &secret, &hash))
    }
}
