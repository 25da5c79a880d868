//! The successor pair of a refresh-token rotation, kept for the grace window so that a
//! repeated presentation of the rotated token gets the *same* answer back
//! (`token::rotation`).
//!
//! Opaque tokens are stored by HMAC signature only, so the server cannot rebuild the values
//! from their rows, and re-deriving them is not an option either: JWT access tokens and ID
//! tokens carry times and, with ECDSA or EdDSA keys, signatures that differ on every signing.
//! The answer's values are therefore encrypted with the stored-key cipher (AES-256-GCM under
//! a key derived from the system secret), bound to the rotated token's signature, and kept
//! on that token's row until the grant's next rotation or revocation erases them. They are
//! the grant's current tokens, which the client holds anyway; a database reader without the
//! system secret learns nothing from them.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::jwk::{KeyCipher, SealedFor};
use crate::model::Now;
use crate::oauth2::grant::issue::Issued;
use crate::token::TokenSignature;
use crate::token::rotation::GRACE_SEAL_LABEL;
use crate::{OAuthError, OAuthErrorKind};

/// What a token response carried, as sealed (never logged: these are credentials).
#[derive(Serialize, Deserialize)]
struct SuccessorPair {
    access_token: String,
    refresh_token: Option<String>,
    id_token: Option<String>,
    scope: String,
    /// When the access token expires (Unix seconds), for `expires_in` of a later answer.
    expires_at: i64,
}

/// A pair that does not encode or decode: a server fault, never the client's.
fn unreadable() -> Error {
    OAuthError::new(OAuthErrorKind::ServerError)
        .debug("the sealed successor pair of a refresh-token rotation does not decode")
        .into()
}

fn bound_to(rotated: &TokenSignature) -> SealedFor<'_> {
    SealedFor {
        label: GRACE_SEAL_LABEL,
        id: rotated.as_str(),
    }
}

/// Seals the response `issued` at `now` for a repeated presentation of `rotated`.
pub fn seal(
    cipher: &KeyCipher,
    rotated: &TokenSignature,
    issued: &Issued,
    now: Now,
) -> Result<String, Error> {
    let pair = SuccessorPair {
        access_token: issued.access_token.clone(),
        refresh_token: issued.refresh_token.clone(),
        id_token: issued.id_token.clone(),
        scope: issued.scope.clone(),
        expires_at: now.unix_secs().saturating_add(issued.expires_in),
    };
    let plain = serde_json::to_vec(&pair).map_err(|_| unreadable())?;
    cipher.encrypt_for(&plain, bound_to(rotated))
}

/// Opens a pair sealed for `rotated` as the response to send at `now` (`expires_in` counts
/// down from the first answer; nothing is stored again).
pub fn open(
    cipher: &KeyCipher,
    rotated: &TokenSignature,
    sealed: &str,
    now: Now,
) -> Result<Issued, Error> {
    let plain = cipher.decrypt_for(sealed, bound_to(rotated))?;
    let pair: SuccessorPair = serde_json::from_slice(&plain).map_err(|_| unreadable())?;
    Ok(Issued {
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
        expires_in: pair.expires_at.saturating_sub(now.unix_secs()).max(0),
        scope: pair.scope,
        id_token: pair.id_token,
        rows: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn cipher() -> KeyCipher {
        KeyCipher::new(&[Secret::new(b"0123456789abcdef0123".to_vec())]).unwrap()
    }

    fn issued() -> Issued {
        Issued {
            access_token: "at".into(),
            refresh_token: Some("rt".into()),
            expires_in: 3600,
            scope: "openid offline".into(),
            id_token: Some("idt".into()),
            rows: Vec::new(),
        }
    }

    #[test]
    fn opens_as_the_same_answer_with_the_remaining_lifetime() {
        let (cipher, sig) = (cipher(), TokenSignature::from_stored("old"));
        let sealed = seal(&cipher, &sig, &issued(), Now::from_unix_secs(1_000)).unwrap();
        assert!(!sealed.contains("rt"), "sealed, not plain: {sealed}");
        let again = open(&cipher, &sig, &sealed, Now::from_unix_secs(1_010)).unwrap();
        assert_eq!(again.access_token, "at");
        assert_eq!(again.refresh_token.as_deref(), Some("rt"));
        assert_eq!(again.id_token.as_deref(), Some("idt"));
        assert_eq!(again.scope, "openid offline");
        assert_eq!(again.expires_in, 3590);
    }

    #[test]
    fn a_pair_sealed_for_another_token_does_not_open() {
        let cipher = cipher();
        let sealed = seal(
            &cipher,
            &TokenSignature::from_stored("a"),
            &issued(),
            Now::from_unix_secs(0),
        )
        .unwrap();
        let other = TokenSignature::from_stored("b");
        assert!(open(&cipher, &other, &sealed, Now::from_unix_secs(0)).is_err());
    }
}
