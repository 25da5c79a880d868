//! JSON Web Key set management (Hydra's `/keys` admin API, `shared/spec/api.md` §2.2).
//!
//! Keys are validated ([`Jwk::validate`]) before they are stored and encrypted with the
//! [`KeyCipher`]; the store sees ciphertext only.

use std::collections::HashSet;

use crate::error::Error;
use crate::jwk::{GenerateOptions, Jwk, JwkAlgorithm, KeyCipher, KeyRow, StoredKey, generate_with};
use crate::model::Now;
use crate::store::{KeyStore, RewriteError};

/// What `POST /keys/{set}` asks for (Hydra's `JsonWebKeySetGeneratorRequest`).
#[derive(Debug, Clone, Default)]
pub struct GenerateRequest {
    /// JWS algorithm name; unknown → `Error::Invalid`.
    pub alg: String,
    /// Key id; empty → a UUID v4.
    pub kid: String,
    /// `sig` (default when empty) or `enc`.
    pub key_use: String,
}

/// Encrypts one key into its stored row.
pub(crate) fn seal_key(
    cipher: &KeyCipher,
    set: &str,
    now: Now,
    jwk: &Jwk,
) -> Result<StoredKey, Error> {
    let json = serde_json::to_vec(jwk)
        .map_err(|e| Error::invalid("jwk", format!("cannot encode the key: {e}")))?;
    Ok(StoredKey {
        set: set.to_owned(),
        kid: jwk.kid.clone(),
        alg: jwk.alg.clone(),
        key_use: jwk.key_use.clone(),
        created_at: now,
        encrypted: cipher.encrypt(&json, KeyRow { set, kid: &jwk.kid })?,
    })
}

/// Decrypts one stored row back into its key.
pub(crate) fn open_key(cipher: &KeyCipher, key: &StoredKey) -> Result<Jwk, Error> {
    let plain = cipher.decrypt(&key.encrypted, key.row())?;
    serde_json::from_slice(&plain).map_err(|e| {
        Error::Store(crate::store::StoreError::Corrupt(format!(
            "stored key {}/{} is not a JWK: {e}",
            key.set, key.kid
        )))
    })
}

fn check_set_name(set: &str) -> Result<(), Error> {
    if set.is_empty() {
        return Err(Error::invalid("set", "the key set name is empty"));
    }
    Ok(())
}

fn check_import(jwk: &Jwk) -> Result<(), Error> {
    if jwk.kid.is_empty() {
        return Err(Error::invalid("kid", "every key needs a kid"));
    }
    if !matches!(jwk.key_use.as_str(), "" | "sig" | "enc") {
        return Err(Error::invalid("use", "use must be sig or enc"));
    }
    jwk.validate()
}

/// Generates a key pair (or an HMAC key) into `set`; 409 when the kid exists there.
pub async fn generate<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    options: GenerateOptions,
    now: Now,
    set: &str,
    request: GenerateRequest,
) -> Result<Vec<Jwk>, Error> {
    check_set_name(set)?;
    let alg = JwkAlgorithm::parse(&request.alg)
        .ok_or_else(|| Error::invalid("alg", format!("unsupported alg {:?}", request.alg)))?;
    if !matches!(request.key_use.as_str(), "" | "sig" | "enc") {
        return Err(Error::invalid("use", "use must be sig or enc"));
    }
    let keys = generate_with(alg, &request.kid, &request.key_use, options)?;
    let stored = keys
        .iter()
        .map(|k| seal_key(cipher, set, now, k))
        .collect::<Result<Vec<_>, _>>()?;
    store
        .create_keys(&stored)
        .await
        .map_err(|e| Error::from_store("key", e))?;
    Ok(keys)
}

/// Every key of `set`, private material included; `NotFound` when the set is empty or absent.
pub async fn get_set<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    set: &str,
) -> Result<Vec<Jwk>, Error> {
    let rows = store
        .get_set(set)
        .await
        .map_err(|e| Error::from_store("key set", e))?;
    if rows.is_empty() {
        return Err(Error::NotFound { what: "key set" });
    }
    rows.iter().map(|k| open_key(cipher, k)).collect()
}

/// One key; `NotFound` when absent.
pub async fn get_key<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    set: &str,
    kid: &str,
) -> Result<Jwk, Error> {
    let row = store
        .get_key(set, kid)
        .await
        .map_err(|e| Error::from_store("key", e))?
        .ok_or(Error::NotFound { what: "key" })?;
    open_key(cipher, &row)
}

/// Replaces the whole set with operator-supplied keys, each validated; duplicate kids → 409.
pub async fn replace_set<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    now: Now,
    set: &str,
    keys: Vec<Jwk>,
) -> Result<Vec<Jwk>, Error> {
    check_set_name(set)?;
    let mut seen = HashSet::new();
    for jwk in &keys {
        check_import(jwk)?;
        if !seen.insert(jwk.kid.as_str()) {
            return Err(Error::Conflict { what: "key" });
        }
    }
    let stored = keys
        .iter()
        .map(|k| seal_key(cipher, set, now, k))
        .collect::<Result<Vec<_>, _>>()?;
    store
        .replace_set(set, &stored)
        .await
        .map_err(|e| Error::from_store("key", e))?;
    Ok(keys)
}

/// Inserts or overwrites one key; its `kid` must equal the path's (stricter than Hydra).
pub async fn replace_key<S: KeyStore>(
    store: &S,
    cipher: &KeyCipher,
    now: Now,
    set: &str,
    kid: &str,
    jwk: Jwk,
) -> Result<Jwk, Error> {
    check_set_name(set)?;
    if jwk.kid != kid {
        return Err(Error::invalid(
            "kid",
            "the body's kid must equal the path's",
        ));
    }
    check_import(&jwk)?;
    store
        .replace_key(&seal_key(cipher, set, now, &jwk)?)
        .await
        .map_err(|e| Error::from_store("key", e))?;
    Ok(jwk)
}

/// Deletes a set; `NotFound` when it has no keys (stricter than Hydra's always-204).
pub async fn delete_set<S: KeyStore>(store: &S, set: &str) -> Result<(), Error> {
    match store.delete_set(set).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::NotFound { what: "key set" }),
        Err(e) => Err(Error::from_store("key set", e)),
    }
}

/// Deletes one key; `NotFound` when absent.
pub async fn delete_key<S: KeyStore>(store: &S, set: &str, kid: &str) -> Result<(), Error> {
    match store.delete_key(set, kid).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::NotFound { what: "key" }),
        Err(e) => Err(Error::from_store("key", e)),
    }
}

/// Re-encrypts every stored key under the cipher's first (current) secret, bound to its row,
/// for `oxydra migrate secret`: each key is opened with whichever configured secret sealed it
/// (bound or in the older unbound form) and sealed again, all in one transaction. A key that no secret opens aborts the whole rotation
/// (`Error::Invalid` naming it) and nothing changes. Returns how many keys were re-encrypted.
pub async fn reencrypt_all<S: KeyStore>(store: &S, cipher: &KeyCipher) -> Result<u64, Error> {
    let resealed = store
        .rewrite_all_keys(|key| {
            let plain = cipher.decrypt(&key.encrypted, key.row()).map_err(|_| {
                Error::invalid(
                    "system_secret",
                    format!(
                        "key {:?} of set {:?} does not decrypt with any of the given system secrets",
                        key.kid, key.set
                    ),
                )
            })?;
            cipher.encrypt(&plain, key.row())
        })
        .await;
    match resealed {
        Ok(count) => Ok(count),
        Err(RewriteError::Rejected(e)) => Err(e),
        Err(RewriteError::Store(e)) => Err(Error::from_store("key", e)),
    }
}
