//! Keeps the server's own signing sets usable through the `/keys` admin API.
//!
//! `PUT /keys/{set}`, `PUT /keys/{set}/{kid}` and `DELETE /keys/{set}/{kid}` can leave a set
//! without a private key of the algorithm it signs with by default; every ID token (or JWT
//! access token) would then fail. Hydra accepts such changes; we refuse them with
//! `Error::Invalid` and change nothing. A change that drops the key of another algorithm the
//! set keeps (the ID-token set's ES256 or EdDSA key) is allowed: that key is generated again
//! on next use. Emptying a set with `DELETE /keys/{set}` stays allowed: an empty signing
//! set is regenerated on first use.

use crate::error::Error;
use crate::jwk::{Jwk, KeyCipher};
use crate::model::Now;
use crate::service::keys::open_key;
use crate::service::signing_keys::{KeySetView, SigningKeys};
use crate::store::KeyStore;

/// Refuses `keys` as the whole new content of `guard`'s set unless one of them can sign.
pub fn check_set(guard: &SigningKeys, keys: &[Jwk], now: Now) -> Result<(), Error> {
    let dated: Vec<(Now, Jwk)> = keys.iter().map(|k| (now, k.clone())).collect();
    KeySetView::from_keys(guard.set(), guard.alg(), &dated)
        .map(|_| ())
        .map_err(|_| {
            Error::invalid(
                "keys",
                format!(
                    "the key set {} signs tokens, so it must keep a private {} signing key; \
                     refusing a change that leaves none",
                    guard.set(),
                    guard.alg().name()
                ),
            )
        })
}

/// Refuses storing `jwk` (insert or overwrite by kid) when the set would lose its signer.
pub async fn check_put_key<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    guard: &SigningKeys,
    jwk: &Jwk,
    now: Now,
) -> Result<(), Error> {
    let mut keys = current(store, cipher, guard).await?;
    keys.retain(|k| k.kid != jwk.kid);
    keys.push(jwk.clone());
    check_set(guard, &keys, now)
}

/// Refuses deleting `kid` when the keys left (if any) could not sign.
pub async fn check_delete_key<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    guard: &SigningKeys,
    kid: &str,
    now: Now,
) -> Result<(), Error> {
    let mut keys = current(store, cipher, guard).await?;
    keys.retain(|k| k.kid != kid);
    if keys.is_empty() {
        return Ok(());
    }
    check_set(guard, &keys, now)
}

async fn current<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    guard: &SigningKeys,
) -> Result<Vec<Jwk>, Error> {
    let rows = store
        .get_set(guard.set())
        .await
        .map_err(|e| Error::from_store("key set", e))?;
    rows.iter().map(|row| open_key(cipher, row)).collect()
}
