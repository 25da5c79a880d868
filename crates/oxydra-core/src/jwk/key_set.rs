//! A parsed signing key set: per algorithm, the newest private key signs; every public key
//! verifies and is published (`shared/spec/behaviour.md` §4.4). Pure: the cache that loads
//! and refreshes a set from storage is `service::signing_keys`.

use std::sync::Arc;

use super::{Jwk, JwkAlgorithm, KeyPair, Signer as _, StoredKey, public_part};
use crate::model::Now;
use crate::{Error, OAuthError, OAuthErrorKind};

/// The key that signs, with the `kid` its JWTs carry (the public key's id, as published).
pub struct SigningKey {
    /// The published key id (`public:<uuid>` for a generated pair).
    pub kid: String,
    /// The private key.
    pub key: KeyPair,
}

/// One parsed state of a set: who signs, and what verifies.
pub struct KeySetView {
    /// The newest private signing key of the set's default algorithm.
    pub signer: Arc<SigningKey>,
    /// The newest private signing key of each algorithm the set holds one of.
    pub signers: Vec<Arc<SigningKey>>,
    /// Every public key of the set (private material removed), oldest first.
    pub public: Vec<Jwk>,
    /// The public keys parsed, by published kid, for verifying this server's own JWTs.
    pub verifiers: Vec<(String, KeyPair)>,
    /// What the view was built from (kid, creation time, ciphertext per row), so a cache
    /// can tell whether storage changed since.
    pub(crate) fingerprint: Vec<(String, i64, String)>,
}

/// The published id of a key: a generated pair's `private:<id>` signs as `public:<id>`.
pub fn public_kid(kid: &str) -> String {
    match kid.strip_prefix("private:") {
        Some(rest) => format!("public:{rest}"),
        None => kid.to_owned(),
    }
}

/// The identity of stored rows: a view built from the same rows is the same view.
pub(crate) fn fingerprint(rows: &[StoredKey]) -> Vec<(String, i64, String)> {
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
    /// The view of a set holding `keys` (each with its creation time): per algorithm, the
    /// newest private signing key signs; the one of `alg` (what discovery advertises first
    /// and clients get by default) is [`Self::signer`]; every public half verifies.
    pub fn from_keys(set: &str, alg: JwkAlgorithm, keys: &[(Now, Jwk)]) -> Result<Self, Error> {
        let mut public: Vec<Jwk> = Vec::new();
        let mut verifiers = Vec::new();
        let mut newest: Vec<(JwkAlgorithm, Now, &Jwk)> = Vec::new();
        for (created_at, jwk) in keys {
            let Some(mut half) = public_part(jwk) else {
                continue;
            };
            if !matches!(jwk.key_use.as_str(), "" | "sig") {
                continue;
            }
            let parsed = KeyPair::from_jwk(&half)?;
            if jwk.is_private() {
                let key_alg = parsed.algorithm();
                match newest.iter_mut().find(|(a, _, _)| *a == key_alg) {
                    Some(slot) if *created_at >= slot.1 => *slot = (key_alg, *created_at, jwk),
                    Some(_) => {}
                    None => newest.push((key_alg, *created_at, jwk)),
                }
            }
            half.kid = public_kid(&half.kid);
            if public.iter().any(|p| p.kid == half.kid) {
                continue;
            }
            verifiers.push((half.kid.clone(), parsed));
            public.push(half);
        }
        let signers = newest
            .iter()
            .map(|(_, _, private)| {
                Ok(Arc::new(SigningKey {
                    kid: public_kid(&private.kid),
                    key: KeyPair::from_jwk(private)?,
                }))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let signer = signers
            .iter()
            .find(|s| s.key.algorithm() == alg)
            .cloned()
            .ok_or_else(|| {
                Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(format!(
                    "the key set {set} holds no private {} key",
                    alg.name()
                )))
            })?;
        Ok(Self {
            signer,
            signers,
            public,
            verifiers,
            fingerprint: Vec::new(),
        })
    }

    /// The key that signs with `alg`, `None` when the set holds no private key of it.
    pub fn signer_for(&self, alg: JwkAlgorithm) -> Option<&Arc<SigningKey>> {
        self.signers.iter().find(|s| s.key.algorithm() == alg)
    }
}
