//! `hydra_jwk` rows into Oxydra's stored keys: opened with Hydra's scheme ([`super::aead`]),
//! checked, and sealed again under Oxydra's system secret bound to their row. Sets and key ids
//! stay as they were, so `hydra.openid.id-token` stays the ID-token signing set and ID tokens
//! Hydra signed (header `kid` = `public:<id>`) verify against `/.well-known/jwks.json`.

use crate::jwk::{Jwk, KeyCipher, KeyRow as OxydraKeyRow, StoredKey};
use crate::token::hydra::{HYDRA_TOKEN_KEY_ID, HYDRA_TOKEN_KEY_SET, HydraTokenKey};

use super::KeyRow;
use super::aead::{HydraKeyCipher, HydraKeyError};
use super::session_cookie::{HYDRA_COOKIE_KEY_ID, HYDRA_COOKIE_KEY_SET, HydraCookieKey};

/// Why a key is not imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyImportError {
    /// Hydra's ciphertext does not open: a wrong system secret (the import stops).
    #[error("{0}")]
    Open(#[from] HydraKeyError),
    /// It opened but is not a key Oxydra can use.
    #[error("{0}")]
    Unusable(String),
}

/// Converts one stored Hydra key into an Oxydra stored key.
pub fn convert(
    row: &KeyRow,
    hydra: &HydraKeyCipher,
    oxydra: &KeyCipher,
    now: crate::Now,
) -> Result<StoredKey, KeyImportError> {
    let plain = hydra.open(&row.keydata)?;
    let mut jwk: Jwk = serde_json::from_slice(&plain)
        .map_err(|e| KeyImportError::Unusable(format!("not a JSON Web Key: {e}")))?;
    if jwk.kid.is_empty() {
        jwk.kid.clone_from(&row.kid);
    }
    if jwk.kid != row.kid {
        return Err(KeyImportError::Unusable(format!(
            "its JSON names kid {:?}, its row {:?}",
            jwk.kid, row.kid
        )));
    }
    jwk.validate()
        .map_err(|e| KeyImportError::Unusable(format!("Oxydra cannot use it: {e}")))?;
    seal(&row.set, row.created_at.unwrap_or(now), &jwk, oxydra)
}

/// Hydra's token HMAC key as an `oct` key in [`HYDRA_TOKEN_KEY_SET`], sealed under Oxydra's
/// secret: the server loads it at start-up to verify imported tokens.
pub fn token_key(
    key: &HydraTokenKey,
    created_at: crate::Now,
    oxydra: &KeyCipher,
) -> Result<StoredKey, KeyImportError> {
    seal_oct(
        HYDRA_TOKEN_KEY_SET,
        HYDRA_TOKEN_KEY_ID,
        key.as_bytes(),
        created_at,
        oxydra,
    )
}

/// Reads Hydra's token key back from its stored `oct` key.
pub fn token_key_from_jwk(jwk: &Jwk) -> Option<HydraTokenKey> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let bytes = URL_SAFE_NO_PAD.decode(jwk.k.as_deref()?).ok()?;
    HydraTokenKey::from_bytes(&bytes)
}

/// Hydra's cookie secret as an `oct` key in [`HYDRA_COOKIE_KEY_SET`], sealed under Oxydra's
/// secret: the server loads it at start-up to read Hydra's login cookies.
pub fn cookie_key(
    key: &HydraCookieKey,
    created_at: crate::Now,
    oxydra: &KeyCipher,
) -> Result<StoredKey, KeyImportError> {
    seal_oct(
        HYDRA_COOKIE_KEY_SET,
        HYDRA_COOKIE_KEY_ID,
        key.as_bytes(),
        created_at,
        oxydra,
    )
}

/// A secret as an `oct` key `set`/`kid`, sealed under Oxydra's secret.
fn seal_oct(
    set: &str,
    kid: &str,
    secret: &[u8],
    created_at: crate::Now,
    oxydra: &KeyCipher,
) -> Result<StoredKey, KeyImportError> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let jwk = Jwk {
        kty: "oct".into(),
        kid: kid.into(),
        k: Some(URL_SAFE_NO_PAD.encode(secret)),
        ..Jwk::default()
    };
    seal(set, created_at, &jwk, oxydra)
}

/// Reads Hydra's cookie secret back from its stored `oct` key.
pub fn cookie_key_from_jwk(jwk: &Jwk) -> Option<HydraCookieKey> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    HydraCookieKey::from_cookie_secret(&URL_SAFE_NO_PAD.decode(jwk.k.as_deref()?).ok()?)
}

fn seal(
    set: &str,
    created_at: crate::Now,
    jwk: &Jwk,
    oxydra: &KeyCipher,
) -> Result<StoredKey, KeyImportError> {
    let json = serde_json::to_vec(jwk)
        .map_err(|e| KeyImportError::Unusable(format!("cannot encode it: {e}")))?;
    let encrypted = oxydra
        .encrypt(&json, OxydraKeyRow { set, kid: &jwk.kid })
        .map_err(|e| KeyImportError::Unusable(format!("cannot encrypt it: {e}")))?;
    Ok(StoredKey {
        set: set.to_owned(),
        kid: jwk.kid.clone(),
        alg: jwk.alg.clone(),
        key_use: jwk.key_use.clone(),
        created_at,
        encrypted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Now, Secret};

    fn oxydra() -> KeyCipher {
        KeyCipher::new(&[Secret::new(b"oxydra-secret-0123456789".to_vec())]).unwrap()
    }

    #[test]
    fn an_oct_key_round_trips_and_a_wrong_secret_is_told_apart() {
        let hydra = HydraKeyCipher::new(b"hydra-secret-0123456789").unwrap();
        let jwk = r#"{"kty":"oct","kid":"k1","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx"}"#;
        let row = KeyRow {
            set: "s".into(),
            kid: "k1".into(),
            created_at: Some(Now::from_unix_secs(10)),
            keydata: hydra.seal(jwk.as_bytes()).unwrap(),
        };
        let stored = convert(&row, &hydra, &oxydra(), Now::from_unix_secs(1)).unwrap();
        assert_eq!((stored.set.as_str(), stored.kid.as_str()), ("s", "k1"));
        let plain = oxydra().decrypt(&stored.encrypted, stored.row()).unwrap();
        assert!(String::from_utf8(plain).unwrap().contains("\"k1\""));
        let wrong = HydraKeyCipher::new(b"not-the-hydra-secret").unwrap();
        assert_eq!(
            convert(&row, &wrong, &oxydra(), Now::from_unix_secs(1)),
            Err(KeyImportError::Open(HydraKeyError::WrongSecret))
        );
    }

    #[test]
    fn the_token_key_round_trips() {
        let key = HydraTokenKey::from_system_secret(b"hydra-secret-0123456789").unwrap();
        let stored = token_key(&key, Now::from_unix_secs(1), &oxydra()).unwrap();
        let plain = oxydra().decrypt(&stored.encrypted, stored.row()).unwrap();
        let jwk: Jwk = serde_json::from_slice(&plain).unwrap();
        assert_eq!(token_key_from_jwk(&jwk), Some(key));
    }

    #[test]
    fn the_cookie_key_round_trips() {
        let key = HydraCookieKey::from_cookie_secret(b"a-raw-cookie-secret").unwrap();
        let stored = cookie_key(&key, Now::from_unix_secs(1), &oxydra()).unwrap();
        assert_eq!(stored.set, HYDRA_COOKIE_KEY_SET);
        let plain = oxydra().decrypt(&stored.encrypted, stored.row()).unwrap();
        let jwk: Jwk = serde_json::from_slice(&plain).unwrap();
        assert_eq!(cookie_key_from_jwk(&jwk), Some(key));
    }
}
