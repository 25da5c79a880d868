//! Start-up side of imported Hydra tokens: `oxydra import hydra` stores Hydra's token HMAC key
//! as an `oct` key (`token::hydra::HYDRA_TOKEN_KEY_SET`, sealed like every key); the server
//! installs it into its [`TokenKeys`] so imported tokens verify. Without the set nothing is
//! installed and Hydra-shaped tokens are refused like any unknown token. Hydra's login-cookie
//! key is stored and loaded the same way ([`load_cookie_key`]).

use crate::Error;
use crate::import::hydra::keys::{cookie_key_from_jwk, token_key_from_jwk};
use crate::import::hydra::session_cookie::{
    HYDRA_COOKIE_KEY_ID, HYDRA_COOKIE_KEY_SET, HydraCookieKey,
};
use crate::jwk::{Jwk, KeyCipher};
use crate::store::KeyStore;
use crate::token::TokenKeys;
use crate::token::hydra::{HYDRA_TOKEN_KEY_ID, HYDRA_TOKEN_KEY_SET};

/// Loads the imported key (if any) into `keys`; tells whether one was installed.
pub async fn load<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    keys: &TokenKeys,
) -> Result<bool, Error> {
    let stored = store
        .get_key(HYDRA_TOKEN_KEY_SET, HYDRA_TOKEN_KEY_ID)
        .await
        .map_err(|e| Error::from_store("key", e))?;
    let Some(stored) = stored else {
        keys.set_imported_key(None);
        return Ok(false);
    };
    let plain = cipher.decrypt(&stored.encrypted, stored.row())?;
    let key = serde_json::from_slice::<Jwk>(&plain)
        .ok()
        .as_ref()
        .and_then(token_key_from_jwk)
        .ok_or_else(|| {
            Error::invalid(
                "hydra_token_key",
                "the imported Hydra token key is not a 32-byte oct key",
            )
        })?;
    keys.set_imported_key(Some(key));
    Ok(true)
}

/// The imported key of Hydra's login cookie, if `oxydra import hydra` stored one.
pub async fn load_cookie_key<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
) -> Result<Option<HydraCookieKey>, Error> {
    let stored = store
        .get_key(HYDRA_COOKIE_KEY_SET, HYDRA_COOKIE_KEY_ID)
        .await
        .map_err(|e| Error::from_store("key", e))?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    let plain = cipher.decrypt(&stored.encrypted, stored.row())?;
    serde_json::from_slice::<Jwk>(&plain)
        .ok()
        .as_ref()
        .and_then(cookie_key_from_jwk)
        .map(Some)
        .ok_or_else(|| {
            Error::invalid(
                "hydra_cookie_key",
                "the imported Hydra cookie key is not an oct key",
            )
        })
}
