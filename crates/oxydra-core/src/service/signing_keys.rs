//! The server's own signing key sets (`shared/spec/behaviour.md` §4.4): `hydra.openid.id-token`
//! signs ID tokens and signed userinfo, `hydra.jwt.access-token` signs JWT access tokens.
//!
//! A set holds a private key for every algorithm it signs with (the ID-token set: RS256,
//! ES256 and EdDSA, one per `id_token_signed_response_alg` a client may choose). A missing
//! one is generated on first use (and at start-up), once even when several instances race
//! ([`KeyStore::extend_set`]). Per algorithm, the newest private key signs; every public key
//! of the set verifies and is published, so a rotation (a new key added through `/keys`)
//! never breaks a verifier holding an older token. The parsed set is cached and
//! re-read from storage every [`SigningKeys::refresh`], which is how an instance notices a
//! rotation made by another; a local change calls [`SigningKeys::invalidate`].

use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::Error;
use crate::jwk::key_set_fingerprint as fingerprint;
use crate::jwk::{
    GenerateOptions, Jwk, JwkAlgorithm, KeyCipher, KeyPair, Signer as _, StoredKey, generate_with,
    public_part,
};
use crate::model::Now;
use crate::service::keys::open_key;
use crate::store::{KeyStore, RewriteError};

pub use crate::jwk::{KeySetView, SigningKey, public_kid};

/// The ID-token (and userinfo) signing set.
pub const ID_TOKEN_SET: &str = "hydra.openid.id-token";
/// The JWT access-token signing set.
pub const ACCESS_TOKEN_SET: &str = "hydra.jwt.access-token";
/// How long an instance trusts its cached copy of a set before re-reading it.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(5);

/// A cached signing set.
pub struct SigningKeys {
    set: &'static str,
    alg: JwkAlgorithm,
    algs: Vec<JwkAlgorithm>,
    options: GenerateOptions,
    /// How long a loaded view is used before storage is asked again.
    pub refresh: Duration,
    cached: RwLock<Option<(Now, Arc<KeySetView>)>>,
    /// When storage last said the set has no keys ([`Self::existing`]).
    absent: RwLock<Option<Now>>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("set", &self.set)
            .finish_non_exhaustive()
    }
}

impl SigningKeys {
    /// A cache of `set`, generating `alg` keys (with `options`) when the set is missing.
    pub fn new(
        set: &'static str,
        alg: JwkAlgorithm,
        options: GenerateOptions,
        refresh: Duration,
    ) -> Self {
        Self {
            set,
            alg,
            algs: vec![alg],
            options,
            refresh,
            cached: RwLock::new(None),
            absent: RwLock::new(None),
        }
    }

    /// The same cache, also keeping a private key of each of `algs` (generated when
    /// missing), so that a client may ask for any of them.
    pub fn with_algorithms(mut self, algs: &[JwkAlgorithm]) -> Self {
        for alg in algs {
            if !self.algs.contains(alg) {
                self.algs.push(*alg);
            }
        }
        self
    }

    /// Every algorithm the set keeps a signing key of, the default first.
    pub fn algorithms(&self) -> &[JwkAlgorithm] {
        &self.algs
    }

    /// The set's name.
    pub fn set(&self) -> &'static str {
        self.set
    }

    /// The algorithm the set signs with by default (what a replacement must keep a private
    /// key of; the others are regenerated when missing).
    pub fn alg(&self) -> JwkAlgorithm {
        self.alg
    }

    /// When the cached view was last read from (or checked against) storage; `None` while
    /// nothing is cached.
    pub fn cached_at(&self) -> Option<Now> {
        self.cached
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|(checked, _)| *checked)
    }

    /// Forgets the cached view: the next use re-reads storage (after a local change).
    pub fn invalidate(&self) {
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = None;
        *self.absent.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The current view if the set has keys, without creating any: for a set used only when
    /// something chose it (the access-token set under per-client `access_token_strategy`).
    /// An empty set is remembered as such for [`Self::refresh`], like a loaded view.
    pub async fn existing<S: KeyStore>(
        &self,
        store: &S,
        cipher: &KeyCipher,
        now: Now,
    ) -> Result<Option<Arc<KeySetView>>, Error> {
        let fresh = |at: Now| now < at.plus(self.refresh);
        if let Some((checked, view)) = &*self.cached.read().unwrap_or_else(|p| p.into_inner())
            && fresh(*checked)
        {
            return Ok(Some(view.clone()));
        }
        if self
            .absent
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(fresh)
        {
            return Ok(None);
        }
        if self.read(store).await?.is_empty() {
            *self.absent.write().unwrap_or_else(|p| p.into_inner()) = Some(now);
            return Ok(None);
        }
        self.current(store, cipher, now).await.map(Some)
    }

    /// The current view, from cache while fresh, else from storage (first adding a key of
    /// each algorithm the set lacks).
    pub async fn current<S: KeyStore>(
        &self,
        store: &S,
        cipher: &KeyCipher,
        now: Now,
    ) -> Result<Arc<KeySetView>, Error> {
        let cached = self
            .cached
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some((checked, view)) = &cached
            && now < checked.plus(self.refresh)
        {
            return Ok(view.clone());
        }
        let mut rows = self.read(store).await?;
        let view = match cached {
            Some((_, view)) if view.fingerprint == fingerprint(&rows) => view,
            _ => {
                let mut keys = open_all(cipher, &rows)?;
                let missing = missing_algorithms(&self.algs, &keys);
                if !missing.is_empty() {
                    self.add_missing(store, cipher, now, &missing).await?;
                    rows = self.read(store).await?;
                    keys = open_all(cipher, &rows)?;
                }
                let mut view = KeySetView::from_keys(self.set, self.alg, &keys)?;
                view.fingerprint = fingerprint(&rows);
                Arc::new(view)
            }
        };
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some((now, view.clone()));
        *self.absent.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(view)
    }

    async fn read<S: KeyStore>(&self, store: &S) -> Result<Vec<StoredKey>, Error> {
        store
            .get_set(self.set)
            .await
            .map_err(|e| Error::from_store("key set", e))
    }

    /// Generates a pair per algorithm in `missing` and stores those still missing once the
    /// set is locked (another instance may have added some meanwhile). Generation happens
    /// before the lock is taken, so an RSA key never holds it.
    async fn add_missing<S: KeyStore>(
        &self,
        store: &S,
        cipher: &KeyCipher,
        now: Now,
        missing: &[JwkAlgorithm],
    ) -> Result<(), Error> {
        let mut generated = Vec::new();
        for alg in missing {
            let stored = generate_with(*alg, "", "sig", self.options)?
                .iter()
                .map(|k| crate::service::keys::seal_key(cipher, self.set, now, k))
                .collect::<Result<Vec<_>, _>>()?;
            generated.push((*alg, stored));
        }
        let algs = &self.algs;
        let choose = move |held: &[StoredKey]| -> Result<Vec<StoredKey>, Error> {
            let still = missing_algorithms(algs, &open_all(cipher, held)?);
            Ok(generated
                .into_iter()
                .filter(|(alg, _)| still.contains(alg))
                .flat_map(|(_, keys)| keys)
                .collect())
        };
        match store.extend_set(self.set, choose).await {
            Ok(_) => Ok(()),
            Err(RewriteError::Rejected(e)) => Err(e),
            Err(RewriteError::Store(e)) => Err(Error::from_store("key set", e)),
        }
    }
}

/// Decrypts stored keys, each with its creation time.
fn open_all(cipher: &KeyCipher, rows: &[StoredKey]) -> Result<Vec<(Now, Jwk)>, Error> {
    rows.iter()
        .map(|row| Ok((row.created_at, open_key(cipher, row)?)))
        .collect()
}

/// The algorithms of `wanted` that no private signing key among `keys` is for.
fn missing_algorithms(wanted: &[JwkAlgorithm], keys: &[(Now, Jwk)]) -> Vec<JwkAlgorithm> {
    let held: Vec<JwkAlgorithm> = keys
        .iter()
        .filter(|(_, jwk)| jwk.is_private() && matches!(jwk.key_use.as_str(), "" | "sig"))
        .filter_map(|(_, jwk)| public_part(jwk))
        .filter_map(|half| KeyPair::from_jwk(&half).ok())
        .map(|pair| pair.algorithm())
        .collect();
    wanted
        .iter()
        .copied()
        .filter(|alg| !held.contains(alg))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwk::OIDC_SIGNING_ALGS;

    fn pair(alg: JwkAlgorithm, key_use: &str) -> Vec<(Now, Jwk)> {
        generate_with(alg, "", key_use, GenerateOptions { rsa_bits: 2048 })
            .unwrap()
            .into_iter()
            .map(|k| (Now::from_unix_secs(1), k))
            .collect()
    }

    #[test]
    fn only_private_signing_keys_count_as_held() {
        assert_eq!(
            missing_algorithms(&OIDC_SIGNING_ALGS, &[]),
            OIDC_SIGNING_ALGS
        );
        let mut keys = pair(JwkAlgorithm::Rs256, "sig");
        // A public-only ES256 key and an EdDSA key for encryption do not sign.
        keys.extend(pair(JwkAlgorithm::Es256, "sig").into_iter().skip(1));
        keys.extend(pair(JwkAlgorithm::EdDsa, "enc"));
        assert_eq!(
            missing_algorithms(&OIDC_SIGNING_ALGS, &keys),
            [JwkAlgorithm::Es256, JwkAlgorithm::EdDsa]
        );
        keys.extend(pair(JwkAlgorithm::Es256, "sig"));
        keys.extend(pair(JwkAlgorithm::EdDsa, ""));
        assert!(missing_algorithms(&OIDC_SIGNING_ALGS, &keys).is_empty());
    }

    #[test]
    fn the_default_algorithm_comes_first_and_is_not_repeated() {
        let keys = SigningKeys::new(
            ID_TOKEN_SET,
            JwkAlgorithm::EdDsa,
            GenerateOptions::default(),
            DEFAULT_REFRESH,
        )
        .with_algorithms(&OIDC_SIGNING_ALGS);
        assert_eq!(
            keys.algorithms(),
            [
                JwkAlgorithm::EdDsa,
                JwkAlgorithm::Rs256,
                JwkAlgorithm::Es256
            ]
        );
        assert_eq!(keys.alg(), JwkAlgorithm::EdDsa);
    }
}
