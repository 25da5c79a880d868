//! AES-256-GCM encryption of JWK material at rest.
//!
//! The key is HKDF-SHA-256 of a system secret with its own salt and info (never the token
//! keys). Each encryption takes a random 96-bit nonce; the stored form is
//! base64(nonce ‖ ciphertext ‖ tag). The first secret encrypts; decryption tries every
//! configured secret, so `ROTATED_SYSTEM_SECRET` keeps old rows readable. Unlike Hydra beta
//! (`SHA-256(SYSTEM_SECRET)` as the key) the derivation is domain-separated.
//!
//! Each ciphertext is bound to its row: the key's `(set, kid)` is the associated data, so a
//! ciphertext copied into another row (by someone who can write the table but does not know
//! the secret) no longer decrypts there. Rows written before this binding (no associated
//! data) still decrypt, as a fallback, until `oxydra migrate secret` rewrites them bound.

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

/// Label that starts the associated data, so it cannot collide with another use of the key.
const AAD_LABEL: &[u8] = b"oxydra/jwk-row/v1";

/// The stored row a ciphertext belongs to: bound into it as associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRow<'a> {
    /// The key set.
    pub set: &'a str,
    /// The key id within the set.
    pub kid: &'a str,
}

impl KeyRow<'_> {
    /// The label, then set and kid, each length-prefixed so no two rows share the bytes.
    fn associated_data(&self) -> Vec<u8> {
        labelled(AAD_LABEL, &[self.set, self.kid])
    }
}

/// A record other than a key row that a ciphertext is bound to: `label` names the use (so a
/// ciphertext of one use never opens as another's, nor as a key row's) and `id` the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedFor<'a> {
    /// The use, e.g. `oxydra/refresh-grace/v1`; must not start like [`AAD_LABEL`].
    pub label: &'static str,
    /// The record's key.
    pub id: &'a str,
}

/// `label`, then each part length-prefixed, so no two bindings share the bytes.
fn labelled(label: &[u8], parts: &[&str]) -> Vec<u8> {
    let size = label.len() + parts.iter().map(|p| 8 + p.len()).sum::<usize>();
    let mut aad = Vec::with_capacity(size);
    aad.extend_from_slice(label);
    for part in parts {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

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

    /// Encrypts `plaintext` for `row` with the first secret's key.
    pub fn encrypt(&self, plaintext: &[u8], row: KeyRow<'_>) -> Result<String, Error> {
        self.seal(plaintext, Aad::from(row.associated_data()))
    }

    /// Encrypts `plaintext` bound to `record` with the first secret's key.
    pub fn encrypt_for(&self, plaintext: &[u8], record: SealedFor<'_>) -> Result<String, Error> {
        self.seal(
            plaintext,
            Aad::from(labelled(record.label.as_bytes(), &[record.id])),
        )
    }

    /// Decrypts what [`KeyCipher::encrypt_for`] sealed for `record`, with any configured
    /// secret. There is no unbound fallback: these ciphertexts were always bound.
    pub fn decrypt_for(&self, stored: &str, record: SealedFor<'_>) -> Result<Vec<u8>, Error> {
        let aad = labelled(record.label.as_bytes(), &[record.id]);
        self.open(stored, &[aad.as_slice()])
    }

    /// The form rows had before they were bound (no associated data), which databases written
    /// by earlier versions hold. The server never writes it; it exists so tests can build such
    /// a database and check that `oxydra migrate secret` upgrades it.
    #[doc(hidden)]
    pub fn encrypt_unbound(&self, plaintext: &[u8]) -> Result<String, Error> {
        self.seal(plaintext, Aad::empty())
    }

    fn seal<A: AsRef<[u8]>>(&self, plaintext: &[u8], aad: Aad<A>) -> Result<String, Error> {
        let key = self
            .keys
            .first()
            .ok_or_else(|| server_error("no JWK encryption key"))?;
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| server_error("the system random number generator failed"))?;
        let mut buf = plaintext.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), aad, &mut buf)
            .map_err(|_| server_error("AES-GCM encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(STANDARD.encode(out))
    }

    /// Decrypts the ciphertext stored in `row` with any configured secret: bound to that row
    /// first, else in the unbound form of rows written before binding (see the module docs).
    pub fn decrypt(&self, stored: &str, row: KeyRow<'_>) -> Result<Vec<u8>, Error> {
        let bound = row.associated_data();
        self.open(stored, &[bound.as_slice(), &[]])
    }

    /// Opens `stored` with the first of `aads` and of the keys that fits.
    fn open(&self, stored: &str, aads: &[&[u8]]) -> Result<Vec<u8>, Error> {
        let failed = || server_error("stored key material does not decrypt with any system secret");
        let raw = STANDARD.decode(stored).map_err(|_| failed())?;
        if raw.len() < NONCE_LEN {
            return Err(failed());
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        for aad in aads {
            for key in &self.keys {
                let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| failed())?;
                let mut buf = sealed.to_vec();
                if let Ok(plain) = key.open_in_place(nonce, Aad::from(*aad), &mut buf) {
                    return Ok(plain.to_vec());
                }
            }
        }
        Err(failed())
    }
}
