//! DPoP server nonces (RFC 9449 §8): a value the server makes the client put in its proofs,
//! so a proof cannot have been made in advance — it limits a stolen proof to the nonce's
//! life even when the client's clock is wrong.
//!
//! Nonces are stateless: the base64url of a time window's number and the MAC of it under the
//! system secret. A nonce of the current window or the one before is accepted, so each one
//! lives between one and two `lifespan`s, on every server sharing the secrets, with nothing
//! stored.

use std::time::Duration;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::model::Now;
use crate::token::TokenKeys;

/// Makes and checks nonces with the server's token keys.
#[derive(Debug, Clone, Copy)]
pub struct Nonces<'a> {
    keys: &'a TokenKeys,
    lifespan: Duration,
}

impl<'a> Nonces<'a> {
    /// Nonces MAC'd with `keys`, one per `lifespan` window (at least one second).
    pub fn new(keys: &'a TokenKeys, lifespan: Duration) -> Self {
        Self {
            keys,
            lifespan: lifespan.max(Duration::from_secs(1)),
        }
    }

    /// The nonce to hand out at `now` (the `DPoP-Nonce` response header).
    pub fn current(&self, now: Now) -> String {
        let message = self.window(now).to_be_bytes();
        let mut bytes = message.to_vec();
        bytes.extend_from_slice(&self.keys.dpop_nonce_mac(&message));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Whether `nonce` was made by this server (or a peer sharing its secrets) in the current
    /// window or the one before.
    pub fn accepts(&self, nonce: &str, now: Now) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(nonce) else {
            return false;
        };
        let Some((message, tag)) = bytes.split_first_chunk::<8>() else {
            return false;
        };
        let window = u64::from_be_bytes(*message);
        let current = self.window(now);
        (window == current || window.checked_add(1) == Some(current))
            && self.keys.dpop_nonce_verify(message, tag)
    }

    fn window(&self, now: Now) -> u64 {
        u64::try_from(now.unix_secs()).unwrap_or(0) / self.lifespan.as_secs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn keys(secret: &[u8]) -> TokenKeys {
        TokenKeys::new(&[Secret::new(secret.to_vec())]).unwrap()
    }

    #[test]
    fn a_nonce_lives_for_its_window_and_the_next_only() {
        let keys = keys(b"a-system-secret-of-32-bytes-long");
        let nonces = Nonces::new(&keys, Duration::from_secs(300));
        let made = Now::from_unix_secs(1_000_200);
        let nonce = nonces.current(made);
        assert!(nonces.accepts(&nonce, made));
        assert!(nonces.accepts(&nonce, Now::from_unix_secs(1_000_200 + 250)));
        // Two windows later it is stale.
        assert!(!nonces.accepts(&nonce, Now::from_unix_secs(1_000_200 + 700)));
        // A nonce is never valid before it was made.
        assert!(!nonces.accepts(&nonce, Now::from_unix_secs(1_000_200 - 300)));
    }

    #[test]
    fn forged_altered_or_foreign_nonces_are_refused() {
        let keys = keys(b"a-system-secret-of-32-bytes-long");
        let other = keys_other();
        let nonces = Nonces::new(&keys, Duration::from_secs(60));
        let now = Now::from_unix_secs(1_000_000);
        let foreign = Nonces::new(&other, Duration::from_secs(60)).current(now);
        assert!(!nonces.accepts(&foreign, now));
        let mut bytes = URL_SAFE_NO_PAD.decode(nonces.current(now)).unwrap();
        bytes[3] ^= 1;
        assert!(!nonces.accepts(&URL_SAFE_NO_PAD.encode(&bytes), now));
        for junk in ["", "!!", "AAAA", &"A".repeat(500)] {
            assert!(!nonces.accepts(junk, now));
        }
    }

    #[test]
    fn nonces_survive_a_secret_rotation() {
        let old = keys(b"a-system-secret-of-32-bytes-long");
        let rotated = TokenKeys::new(&[
            Secret::new(b"the-new-secret-of-32-bytes-long!".to_vec()),
            Secret::new(b"a-system-secret-of-32-bytes-long".to_vec()),
        ])
        .unwrap();
        let now = Now::from_unix_secs(1_000_000);
        let nonce = Nonces::new(&old, Duration::from_secs(60)).current(now);
        assert!(Nonces::new(&rotated, Duration::from_secs(60)).accepts(&nonce, now));
    }

    fn keys_other() -> TokenKeys {
        keys(b"another-secret-of-32-bytes-long!")
    }
}
