//! The server's own signing key sets (`shared/spec/behaviour.md` §4.4): `hydra.openid.id-token`
//! signs ID tokens and signed userinfo, `hydra.jwt.access-token` signs JWT access tokens.
//!
//! A set is created on first use (and at start-up) when missing, once even when several
//! instances race ([`KeyStore::create_set_if_empty`]). The newest private key signs; every
//! public key of the set verifies and is published, so a rotation (a new key added through
//! `/keys`) never breaks a verifier holding an older token. The parsed set is cached and
//! re-read from storage every [`SigningKeys::refresh`], which is how an instance notices a
//! rotation made by another; a local change calls [`SigningKeys::invalidate`].

use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::Error;
use crate::jwk::{
    GenerateOptions, Jwk, JwkAlgorithm, KeyCipher, KeyPair, Signer as _, StoredKey, generate_with,
    public_part,
};
use crate::model::Now;
use crate::service::keys::open_key;
use crate::store::KeyStore;
use crate::{OAuthError, OAuthErrorKind};

/// The ID-token (and userinfo) signing set.
pub const ID_TOKEN_SET: &str = "hydra.openid.id-token";
/// The JWT access-token signing set.
pub const ACCESS_TOKEN_SET: &str = "hydra.jwt.access-token";
/// How long an instance trusts its cached copy of a set before re-reading it.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(5);

/// The key that signs, with the `kid` its JWTs carry (the public key's id, as published).
pub struct SigningKey {
    /// The published key id (`public:<uuid>` for a generated pair).
    pub kid: String,
    /// The private key.
    pub key: KeyPair,
}

/// One parsed state of a set: who signs, and what verifies.
pub struct KeySetView {
    /// The newest private signing key.
    pub signer: Arc<SigningKey>,
    /// Every public key of the set (private material removed), oldest first.
    pub public: Vec<Jwk>,
    /// The public keys parsed, by published kid, for verifying this server's own JWTs.
    pub verifiers: Vec<(String, KeyPair)>,
    fingerprint: Vec<(String, i64, String)>,
}

/// The published id of a key: a generated pair's `private:<id>` signs as `public:<id>`.
pub fn public_kid(kid: &str) -> String {
    match kid.strip_prefix("private:") {
        Some(rest) => format!("public:{rest}"),
        None => kid.to_owned(),
    }
}

/// A cached signing set.
pub struct SigningKeys {
    set: &'static str,
    alg: JwkAlgorithm,
    options: GenerateOptions,
    /// How long a loaded view is used before storage is asked again.
    pub refresh: Duration,
    cached: RwLock<Option<(Now, Arc<KeySetView>)>>,
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
            options,
            refresh,
            cached: RwLock::new(None),
        }
    }

    /// The set's name.
    pub fn set(&self) -> &'static str {
        self.set
    }

    /// The algorithm the set signs with (what a replacement must keep a private key of).
    pub fn alg(&self) -> JwkAlgorithm {
        self.alg
    }

    /// Forgets the cached view: the next use re-reads storage (after a local change).
    pub fn invalidate(&self) {
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The current view, from cache while fresh, else from storage (creating the set when
    /// it is missing).
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
        if rows.is_empty() {
            self.create(store, cipher, now).await?;
            rows = self.read(store).await?;
        }
        let fingerprint = fingerprint(&rows);
        let view = match cached {
            Some((_, view)) if view.fingerprint == fingerprint => view,
            _ => {
                let keys = rows
                    .iter()
                    .map(|row| Ok((row.created_at, open_key(cipher, row)?)))
                    .collect::<Result<Vec<_>, Error>>()?;
                let mut view = KeySetView::from_keys(self.set, self.alg, &keys)?;
                view.fingerprint = fingerprint;
                Arc::new(view)
            }
        };
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some((now, view.clone()));
        Ok(view)
    }

    async fn read<S: KeyStore>(&self, store: &S) -> Result<Vec<StoredKey>, Error> {
        store
            .get_set(self.set)
            .await
            .map_err(|e| Error::from_store("key set", e))
    }

    /// Generates a pair and stores it unless another instance created the set meanwhile.
    async fn create<S: KeyStore>(
        &self,
        store: &S,
        cipher: &KeyCipher,
        now: Now,
    ) -> Result<(), Error> {
        let keys = generate_with(self.alg, "", "sig", self.options)?;
        let stored = keys
            .iter()
            .map(|k| crate::service::keys::seal_key(cipher, self.set, now, k))
            .collect::<Result<Vec<_>, _>>()?;
        store
            .create_set_if_empty(self.set, &stored)
            .await
            .map_err(|e| Error::from_store("key set", e))?;
        Ok(())
    }
}

fn fingerprint(rows: &[StoredKey]) -> Vec<(String, i64, String)> {
    rows.iter()
        .map(|r| {
            (
                r.kid.clone(),
                r.created_at.unix_micros(),
                r.encrypted.clone(),
            )
        })
        .collect()
}

impl KeySetView {
    /// The view of a set holding `keys` (each with its creation time): the newest private
    /// signing key of algorithm `alg` signs (what discovery advertises and clients expect),
    /// every public half verifies.
    pub fn from_keys(set: &str, alg: JwkAlgorithm, keys: &[(Now, Jwk)]) -> Result<Self, Error> {
        let mut public: Vec<Jwk> = Vec::new();
        let mut verifiers = Vec::new();
        let mut signer: Option<(Now, &Jwk)> = None;
        for (created_at, jwk) in keys {
            let Some(mut half) = public_part(jwk) else {
                continue;
            };
            if !matches!(jwk.key_use.as_str(), "" | "sig") {
                continue;
            }
            let parsed = KeyPair::from_jwk(&half)?;
            if jwk.is_private()
                && parsed.algorithm() == alg
                && signer.is_none_or(|(at, _)| *created_at >= at)
            {
                signer = Some((*created_at, jwk));
            }
            half.kid = public_kid(&half.kid);
            if public.iter().any(|p| p.kid == half.kid) {
                continue;
            }
            verifiers.push((half.kid.clone(), parsed));
            public.push(half);
        }
        let (_, private) = signer.ok_or_else(|| {
            Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(format!(
                "the key set {set} holds no private {} key",
                alg.name()
            )))
        })?;
        Ok(Self {
            signer: Arc::new(SigningKey {
                kid: public_kid(&private.kid),
                key: KeyPair::from_jwk(private)?,
            }),
            public,
            verifiers,
            fingerprint: Vec::new(),
        })
    }
}
