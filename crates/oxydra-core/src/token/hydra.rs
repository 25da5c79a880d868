//! Opaque tokens issued by ORY Hydra 0.10/0.11 and 1.0.0-beta, kept working after
//! `oxydra import hydra` (docs/migrating-from-hydra.md).
//!
//! Hydra's HMAC strategy (fosite `token/hmac`) makes a token `<key>.<sig>`: `key` is 32 random
//! bytes and `sig` their HMAC under the *global secret*, each base64url without padding. The HMAC
//! is HMAC-SHA-512/256 (cryptopasta's `GenerateHMAC`) keyed with the first 32 bytes of the global
//! secret, which Hydra derives as `SHA-256(SYSTEM_SECRET)`. Hydra stores only `sig`.
//!
//! Imported rows are stored under [`IMPORTED_PREFIX`]` + sig`, a key no Oxydra token can have (its
//! keys are hex and base64url, never `:`), so a Hydra-shaped token can only ever find a row the
//! importer wrote. A presented token is accepted only when its HMAC verifies under the imported
//! key: a database dump (which holds `sig` alone) yields no usable token.

use std::fmt;

use aws_lc_rs::digest;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use subtle::ConstantTimeEq;

use crate::token::TokenSignature;

/// The start of every imported Hydra token's row key: marks the row as imported.
pub const IMPORTED_PREFIX: &str = "hydra:";

/// The key set the importer stores Hydra's token HMAC key in (one `oct` key, encrypted at rest
/// like every key); deleting the set stops imported tokens from verifying.
pub const HYDRA_TOKEN_KEY_SET: &str = "oxydra.import.hydra-tokens";

/// The key id of that key.
pub const HYDRA_TOKEN_KEY_ID: &str = "hydra-system-secret";

/// Bytes of a Hydra token's key part (fosite's minimum entropy) and of the HMAC key.
const KEY_BYTES: usize = 32;
/// SHA-512's block size: HMAC pads its key to this length (RFC 2104 §2).
const BLOCK_BYTES: usize = 128;
/// The shortest system secret Hydra accepted (shorter ones made it generate a random secret).
pub const MIN_HYDRA_SECRET_LEN: usize = 16;

/// Hydra's token HMAC key: `SHA-256(SYSTEM_SECRET)`. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct HydraTokenKey([u8; KEY_BYTES]);

impl fmt::Debug for HydraTokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HydraTokenKey(..)")
    }
}

/// Why a Hydra system secret cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a Hydra system secret has at least {MIN_HYDRA_SECRET_LEN} characters (Hydra generated a random one otherwise)"
)]
pub struct ShortHydraSecret;

impl HydraTokenKey {
    /// Derives the key from Hydra's `SYSTEM_SECRET` as Hydra did (`config.GetSystemSecret`).
    pub fn from_system_secret(secret: &[u8]) -> Result<Self, ShortHydraSecret> {
        if secret.len() < MIN_HYDRA_SECRET_LEN {
            return Err(ShortHydraSecret);
        }
        Ok(Self(hydra_global_secret(secret)))
    }

    /// The key from its stored bytes (the importer keeps the derived key, never the secret).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        <[u8; KEY_BYTES]>::try_from(bytes).ok().map(Self)
    }

    /// The key's bytes, to be stored encrypted.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Mints a token as Hydra did for the key part `key`; returns the token and the signature
    /// Hydra stored. Used to build Hydra-shaped fixtures and to test verification.
    pub fn mint(&self, key: &[u8; KEY_BYTES]) -> (String, String) {
        let sig = URL_SAFE_NO_PAD.encode(hmac_sha512_256(&self.0, key));
        (format!("{}.{sig}", URL_SAFE_NO_PAD.encode(key)), sig)
    }

    /// Checks a presented Hydra token's HMAC in constant time and returns the row key of its
    /// imported row; `None` for anything else (malformed, forged, an Oxydra token).
    pub fn verify(&self, token: &str) -> Option<TokenSignature> {
        let (key_part, sig_part) = token.split_once('.')?;
        if sig_part.contains('.') {
            return None;
        }
        let key = URL_SAFE_NO_PAD.decode(key_part).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(sig_part).ok()?;
        if key.len() < KEY_BYTES {
            return None;
        }
        let expected = hmac_sha512_256(&self.0, &key);
        if bool::from(expected.as_slice().ct_eq(&sig)) {
            Some(imported_signature(sig_part))
        } else {
            None
        }
    }
}

/// The row key the importer stores a Hydra token under, from the signature Hydra stored.
pub fn imported_signature(hydra_signature: &str) -> TokenSignature {
    TokenSignature::from_stored(format!("{IMPORTED_PREFIX}{hydra_signature}"))
}

/// Hydra's global secret: SHA-256 of the configured system secret (the AEAD key of its JSON Web
/// Keys at rest, and the HMAC key of its opaque tokens).
pub fn hydra_global_secret(secret: &[u8]) -> [u8; KEY_BYTES] {
    let mut out = [0u8; KEY_BYTES];
    out.copy_from_slice(digest::digest(&digest::SHA256, secret).as_ref());
    out
}

/// HMAC (RFC 2104) over SHA-512/256, which aws-lc-rs's `hmac` module does not offer; the key is
/// 32 bytes, shorter than the block, so it is zero-padded as the RFC says.
fn hmac_sha512_256(key: &[u8; KEY_BYTES], message: &[u8]) -> Vec<u8> {
    let mut ipad = [0x36u8; BLOCK_BYTES];
    let mut opad = [0x5cu8; BLOCK_BYTES];
    for (i, k) in key.iter().enumerate() {
        if let (Some(a), Some(b)) = (ipad.get_mut(i), opad.get_mut(i)) {
            *a ^= k;
            *b ^= k;
        }
    }
    let mut inner = digest::Context::new(&digest::SHA512_256);
    inner.update(&ipad);
    inner.update(message);
    let inner = inner.finish();
    let mut outer = digest::Context::new(&digest::SHA512_256);
    outer.update(&opad);
    outer.update(inner.as_ref());
    outer.finish().as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"hydra-system-secret-of-the-test";

    #[test]
    fn hmac_matches_a_known_answer() {
        // Python: hmac.new(bytes(range(32)), b"message", "sha512_256").hexdigest()
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        let mac = hmac_sha512_256(&key, b"message");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, KNOWN_MAC);
    }

    /// Computed with CPython's `hmac` module (OpenSSL's SHA-512/256).
    const KNOWN_MAC: &str = "dca90ee46afc7407e77c41827f1e4ef453b54db3153ee5bf9cc18b6c40f56c48";

    #[test]
    fn minted_tokens_verify_and_map_to_the_imported_row_key() {
        let key = HydraTokenKey::from_system_secret(SECRET).unwrap();
        let (token, sig) = key.mint(&[7u8; 32]);
        assert_eq!(token.split('.').nth(1), Some(sig.as_str()));
        let row = key.verify(&token).unwrap();
        assert_eq!(row.as_str(), format!("hydra:{sig}"));
    }

    #[test]
    fn a_token_under_another_secret_or_altered_is_refused() {
        let key = HydraTokenKey::from_system_secret(SECRET).unwrap();
        let other = HydraTokenKey::from_system_secret(b"another-hydra-secret-value").unwrap();
        let (token, sig) = other.mint(&[7u8; 32]);
        assert_eq!(key.verify(&token), None);
        // The stored signature alone (a database dump) is not a token.
        let (_, own_sig) = key.mint(&[9u8; 32]);
        let forged = format!("{}.{own_sig}", URL_SAFE_NO_PAD.encode([8u8; 32]));
        assert_eq!(key.verify(&forged), None);
        assert_eq!(key.verify(&format!("x.{sig}")), None);
        assert_eq!(key.verify("no-dot"), None);
        assert_eq!(key.verify("a.b.c"), None);
    }

    #[test]
    fn short_secrets_are_refused_and_debug_is_redacted() {
        assert_eq!(
            HydraTokenKey::from_system_secret(b"short"),
            Err(ShortHydraSecret)
        );
        let key = HydraTokenKey::from_system_secret(SECRET).unwrap();
        assert_eq!(format!("{key:?}"), "HydraTokenKey(..)");
        assert_eq!(HydraTokenKey::from_bytes(key.as_bytes()), Some(key));
    }
}
