//! Hydra's JSON Web Keys at rest (`jwk/aead.go` of 0.10/0.11 and 1.0.0-beta, through
//! cryptopasta): AES-256-GCM keyed with Hydra's global secret (`SHA-256(SYSTEM_SECRET)`), a
//! random 96-bit nonce, stored as base64url **with** padding of `nonce ‖ ciphertext ‖ tag`, no
//! associated data. The importer opens them here and seals them again under Oxydra's scheme.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::{
    Engine as _,
    engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD},
};

use crate::token::hydra::hydra_global_secret;

/// Why a stored Hydra key cannot be opened: almost always a wrong system secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HydraKeyError {
    /// The stored text is not base64url or too short to hold a nonce.
    #[error("the stored key is not Hydra's encrypted form")]
    Malformed,
    /// AES-GCM authentication failed: the secret is not the one Hydra encrypted with.
    #[error("the key does not decrypt with this Hydra system secret")]
    WrongSecret,
    /// The crypto library refused (random source or key setup failed).
    #[error("AES-GCM is unavailable")]
    Crypto,
}

/// Opens and (for fixtures) seals keys the way Hydra stored them.
pub struct HydraKeyCipher {
    key: LessSafeKey,
}

impl std::fmt::Debug for HydraKeyCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HydraKeyCipher(..)")
    }
}

impl HydraKeyCipher {
    /// The cipher for Hydra's `SYSTEM_SECRET` as the operator configured it.
    pub fn new(system_secret: &[u8]) -> Result<Self, HydraKeyError> {
        let global = hydra_global_secret(system_secret);
        let key = UnboundKey::new(&AES_256_GCM, &global).map_err(|_| HydraKeyError::Crypto)?;
        Ok(Self {
            key: LessSafeKey::new(key),
        })
    }

    /// Decrypts one `hydra_jwk.keydata` value into the JWK JSON Hydra marshalled.
    pub fn open(&self, stored: &str) -> Result<Vec<u8>, HydraKeyError> {
        let raw = URL_SAFE
            .decode(stored.trim())
            .or_else(|_| URL_SAFE_NO_PAD.decode(stored.trim()))
            .map_err(|_| HydraKeyError::Malformed)?;
        if raw.len() < NONCE_LEN {
            return Err(HydraKeyError::Malformed);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| HydraKeyError::Malformed)?;
        let mut buf = sealed.to_vec();
        self.key
            .open_in_place(nonce, Aad::empty(), &mut buf)
            .map(|plain| plain.to_vec())
            .map_err(|_| HydraKeyError::WrongSecret)
    }

    /// Encrypts `plaintext` as Hydra did; builds Hydra-shaped fixtures.
    pub fn seal(&self, plaintext: &[u8]) -> Result<String, HydraKeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| HydraKeyError::Crypto)?;
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut buf)
            .map_err(|_| HydraKeyError::Crypto)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(URL_SAFE.encode(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_secret() {
        let cipher = HydraKeyCipher::new(b"the-hydra-system-secret").unwrap();
        let sealed = cipher.seal(br#"{"kty":"oct"}"#).unwrap();
        assert!(
            sealed.len().is_multiple_of(4),
            "Hydra's base64url keeps its padding"
        );
        assert_eq!(cipher.open(&sealed).unwrap(), br#"{"kty":"oct"}"#);
        let other = HydraKeyCipher::new(b"another-hydra-secret!!").unwrap();
        assert_eq!(other.open(&sealed), Err(HydraKeyError::WrongSecret));
        assert_eq!(cipher.open("%%%"), Err(HydraKeyError::Malformed));
        assert_eq!(cipher.open("AAAA"), Err(HydraKeyError::Malformed));
    }
}
