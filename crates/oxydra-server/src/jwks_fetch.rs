//! Fetches and caches clients' `jwks_uri` key sets for `private_key_jwt` (OIDC Core §9,
//! RFC 7591 §2): the I/O half of `oxydra_core::oauth2::client_assertion`, which stays pure.
//!
//! The download goes through [`RemoteFetcher`] (https and public addresses only outside
//! development mode, a timeout, a size cap, checked redirects). On top of it: a per-URI cache
//! with a TTL, and re-fetches — for a `kid` the cached set lacks, or after a failure — at most
//! once per `refetch_interval`, so an attacker cannot turn token requests into a stream of
//! outbound requests. Concurrent requests for one URI share one fetch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use oxydra_core::client::Client;
use oxydra_core::oauth2::client_assertion::{KeySource, assertion_key_id, jwk_set_has_key_id};
use oxydra_core::{OAuthError, OAuthErrorKind};
use serde_json::Value;
use tokio::time::Instant;

use crate::remote_fetch::RemoteFetcher;

#[cfg(test)]
mod tests;

/// Cache timings of a [`JwksFetcher`] (the download limits are the [`RemoteFetcher`]'s).
#[derive(Debug, Clone)]
pub struct JwksFetchConfig {
    /// How long a fetched set is served from the cache.
    pub ttl: Duration,
    /// Minimum time between two fetches of one URI when the cache would otherwise be used (an
    /// unknown `kid`) or the last fetch failed.
    pub refetch_interval: Duration,
    /// Cache entries kept before idle, stale ones are dropped.
    pub max_entries: usize,
}

impl Default for JwksFetchConfig {
    /// 5 min TTL, one forced re-fetch per 10 s per URI.
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(300),
            refetch_interval: Duration::from_secs(10),
            max_entries: 10_000,
        }
    }
}

/// Fetches `jwks_uri` documents with caching; cheap to clone (shared state), for `AppState`.
#[derive(Debug, Clone)]
pub struct JwksFetcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    remote: RemoteFetcher,
    config: JwksFetchConfig,
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
}

/// One URI's cache state; its async mutex makes concurrent callers share one fetch.
#[derive(Debug, Default)]
struct Slot {
    keys: Option<Arc<Value>>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    last_error: Option<OAuthError>,
}

impl JwksFetcher {
    /// A caching fetcher downloading through `remote`.
    pub fn new(config: JwksFetchConfig, remote: RemoteFetcher) -> Self {
        Self {
            inner: Arc::new(Inner {
                remote,
                config,
                slots: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The verification keys for `client`'s `assertion`: its inline `jwks`, or its `jwks_uri`
    /// set (re-fetched when the assertion's `kid` is not in the cached copy).
    pub async fn client_keys(
        &self,
        client: &Client,
        assertion: &str,
    ) -> Result<Arc<Value>, OAuthError> {
        match KeySource::of(client) {
            KeySource::Inline(jwks) => Ok(Arc::new(jwks.clone())),
            KeySource::Uri(uri) => self.get(uri, assertion_key_id(assertion).as_deref()).await,
            KeySource::None => Err(invalid_client(
                "The client has neither jwks nor jwks_uri registered, so it cannot use private_key_jwt.",
            )),
        }
    }

    /// The JWK set at `uri`, from the cache when fresh and (if `kid` is given) containing `kid`.
    ///
    /// Errors are `invalid_client` with a hint: a URI this server does not fetch (see
    /// [`RemoteFetcher`]), an unreachable URI, a non-2xx answer, an oversized body, or a body
    /// that is not a JWK set.
    pub async fn get(&self, uri: &str, kid: Option<&str>) -> Result<Arc<Value>, OAuthError> {
        let slot = self.slot(uri);
        let mut slot = slot.lock().await;
        let now = Instant::now();
        let config = &self.inner.config;
        let recently_tried = slot
            .last_attempt
            .is_some_and(|t| now.duration_since(t) < config.refetch_interval);
        if let Some(keys) = &slot.keys {
            let fresh = slot
                .fetched_at
                .is_some_and(|t| now.duration_since(t) < config.ttl);
            let has_kid = kid.is_none_or(|kid| jwk_set_has_key_id(keys, kid));
            if fresh && (has_kid || recently_tried) {
                return Ok(Arc::clone(keys));
            }
        }
        if recently_tried && let Some(error) = &slot.last_error {
            return Err(error.clone());
        }
        slot.last_attempt = Some(now);
        match self.download(uri).await {
            Ok(keys) => {
                let keys = Arc::new(keys);
                slot.keys = Some(Arc::clone(&keys));
                slot.fetched_at = Some(now);
                slot.last_error = None;
                Ok(keys)
            }
            Err(error) => {
                slot.last_error = Some(error.clone());
                Err(error)
            }
        }
    }

    /// The cache slot for `uri`, created on first use; when the map is full, slots that are
    /// neither in use nor fresh are dropped first.
    fn slot(&self, uri: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self
            .inner
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get(uri) {
            return Arc::clone(slot);
        }
        if slots.len() >= self.inner.config.max_entries {
            let now = Instant::now();
            let ttl = self.inner.config.ttl;
            slots.retain(|_, slot| {
                Arc::strong_count(slot) > 1
                    || slot
                        .try_lock()
                        .is_ok_and(|s| s.fetched_at.is_some_and(|t| now.duration_since(t) < ttl))
            });
        }
        Arc::clone(slots.entry(uri.to_owned()).or_default())
    }

    async fn download(&self, uri: &str) -> Result<Value, OAuthError> {
        let body = self
            .inner
            .remote
            .get(uri, "application/jwk-set+json, application/json")
            .await
            .map_err(|e| invalid_client(format!("The client's jwks_uri {}.", e.reason())))?;
        let keys: Value = serde_json::from_slice(&body)
            .map_err(|_| invalid_client("The client's jwks_uri did not return JSON."))?;
        if !keys.get("keys").is_some_and(Value::is_array) {
            return Err(invalid_client(
                "The client's jwks_uri did not return a JSON Web Key Set (an object with a 'keys' array).",
            ));
        }
        Ok(keys)
    }
}

fn invalid_client(hint: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClient).hint(hint)
}

impl oxydra_core::service::client_auth::ClientKeys for JwksFetcher {
    async fn client_keys(
        &self,
        client: &Client,
        assertion: &str,
    ) -> Result<Arc<Value>, OAuthError> {
        JwksFetcher::client_keys(self, client, assertion).await
    }
}
