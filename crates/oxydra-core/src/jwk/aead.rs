//! AES-256-GCM encryption of JWK material at rest.
//!
//! The key is HKDF-SHA-256 of a system secret with its own salt and info (never the token
//! keys). Each encryption takes a random 96-bit nonce; the stored form is
//! base64(nonce ‖ ciphertext ‖ tag). The first secret encrypts; decryption tries every
//! configured secret, so `ROTATED_SYSTEM_SECRET` keeps old rows readable. Unlike Hydra beta
//! (`SHA-256(SYSTEM_SECRET)` as the key) the derivation is domain-separated.

use aws_lc_rs::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    hkdf,
    rand::{SecureRandom, SystemRandom},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};

use super::server_error;
use crate::{Error, Secret};

/// HKDF salt for the JWK encryption key; distinct from the opaque-token salt.
const HKDF_SALT: &[u8] = b"oxydra jwk aead key v1";
/// HKDF info label.
const HKDF_INFO: &[u8] = b"oxydra/jwk/aes-256-gcm";

/// Encrypts and decrypts stored keys. `Debug` shows only the number of secrets.
pub struct KeyCipher {
    keys: Vec<LessSafeKey>,
    rng: SystemRandom,
}

impl std::fmt::Debug for KeyCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCipher")
            .field("secrets", &self.keys.len())
            .finish_non_exhaustive()
    }
}

fn derive(secret: &[u8]) -> Result<LessSafeKey, Error> {
    let failed = || server_error("HKDF expansion of the JWK key failed");
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(secret);
    let okm = prk
        .expand(&[HKDF_INFO], &AES_256_GCM)
        .map_err(|_| failed())?;
    Ok(LessSafeKey::new(UnboundKey::from(okm)))
}

impl KeyCipher {
    /// Derives one key per system secret; the first encrypts, all decrypt.
    pub fn new(secrets: &[Secret<Vec<u8>>]) -> Result<Self, Error> {
        if secrets.is_empty() {
            return Err(Error::invalid(
                "system_secret",
                "at least one system secret is required",
            ));
        }
        let keys = secrets
            .iter()
            .map(|s| {
                if s.expose().is_empty() {
                    return Err(Error::invalid("system_secret", "a system secret is empty"));
                }
                derive(s.expose())
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            keys,
            rng: SystemRandom::new(),
        })
    }

    /// Encrypts `plaintext` with the first secret's key.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<String, Error> {
        let key = self
            .keys
            .first()
            .ok_or_else(|| server_error("no JWK encryption key"))?;
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| server_error("the system random number generator failed"))?;
        let mut buf = plaintext.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut buf)
            .map_err(|_| server_error("AES-GCM encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(STANDARD.encode(out))
    }

    /// Decrypts a value produced by [`Self::encrypt`] with any configured secret.
    pub fn decrypt(&self, stored: &str) -> Result<Vec<u8>, Error> {
        let failed = || server_error("stored key material does not decrypt with any system secret");
        let raw = STANDARD.decode(stored).map_err(|_| failed())?;
        if raw.len() < NONCE_LEN {
            return Err(failed());
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        for key in &self.keys {
            let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| failed())?;
            let mut buf = sealed.to_vec();
            if let Ok(plain) = key.open_in_place(nonce, Aad::empty(), &mut buf) {
                return Ok(plain.to_vec());
            }
        }
        Err(failed())
    }
}
