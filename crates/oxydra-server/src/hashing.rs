//! Runs secret hashing on tokio's blocking pool: bcrypt at cost 10 takes tens of milliseconds,
//! which would stall every request sharing an async worker.

use oxydra_core::client::secret::{SecretHasher, SecretHashing};
use oxydra_core::{Error, OAuthError, OAuthErrorKind, Secret};

/// A [`SecretHasher`] whose work runs off the async workers.
#[derive(Debug, Clone, Copy)]
pub struct OffloadedHasher(pub SecretHasher);

impl SecretHashing for OffloadedHasher {
    async fn hash(&self, secret: Secret<String>) -> Result<String, Error> {
        let hasher = self.0;
        tokio::task::spawn_blocking(move || hasher.hash(&secret))
            .await
            .map_err(|e| {
                Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string()))
            })?
    }

    async fn verify(&self, secret: Secret<String>, hash: String) -> bool {
        let hasher = self.0;
        tokio::task::spawn_blocking(move || hasher.verify(&secret, &hash))
            .await
            .unwrap_or(false)
    }
}
