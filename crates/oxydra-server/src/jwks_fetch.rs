//! Fetches and caches clients' `jwks_uri` key sets for `private_key_jwt` (OIDC Core §9,
//! RFC 7591 §2): the I/O half of `oxydra_core::oauth2::client_assertion`, which stays pure.
//!
//! Safety limits: HTTPS only (plain HTTP only to a loopback host, for tests and development), a
//! request timeout, a response-size cap, at most [`MAX_REDIRECTS`] redirects (each to an allowed
//! URL), a per-URI cache with a TTL, and re-fetches — for a `kid` the cached set lacks, or after
//! a failure — at most once per `refetch_interval`, so an attacker cannot turn token requests
//! into a stream of outbound requests. Concurrent requests for one URI share one fetch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use oxydra_core::client::Client;
use oxydra_core::oauth2::client_assertion::{KeySource, assertion_key_id, jwk_set_has_key_id};
use oxydra_core::{OAuthError, OAuthErrorKind};
use reqwest::header::ACCEPT;
use serde_json::Value;
use tokio::time::Instant;
use url::{Host, Url};

#[cfg(test)]
mod tests;

/// Redirects followed when fetching a `jwks_uri`; each target must pass the same URL check.
pub const MAX_REDIRECTS: usize = 3;

/// Limits and cache timings of a [`JwksFetcher`].
#[derive(Debug, Clone)]
pub struct JwksFetchConfig {
    /// Whole-request timeout (connect, headers and body).
    pub timeout: Duration,
    /// Largest accepted response body, in bytes.
    pub max_bytes: usize,
    /// How long a fetched set is served from the cache.
    pub ttl: Duration,
    /// Minimum time between two fetches of one URI when the cache would otherwise be used (an
    /// unknown `kid`) or the last fetch failed.
    pub refetch_interval: Duration,
    /// Cache entries kept before idle, stale ones are dropped.
    pub max_entries: usize,
}

impl Default for JwksFetchConfig {
    /// 5 s timeout, 256 KiB cap, 5 min TTL, one forced re-fetch per 10 s per URI.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            max_bytes: 256 * 1024,
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
    http: reqwest::Client,
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
    /// A fetcher with its own HTTP client (rustls, no proxy surprises beyond reqwest's defaults).
    pub fn new(config: JwksFetchConfig) -> Result<Self, reqwest::Error> {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if allowed_url(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error("redirect to a URL that is neither https nor loopback")
            }
        });
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(policy)
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                slots: Mutex::new(HashMap::new()),
            }),
        })
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
    /// Errors are `invalid_client` with a hint: a URI that is not https/loopback, an unreachable
    /// URI, a non-2xx answer, an oversized body, or a body that is not a JWK set.
    pub async fn get(&self, uri: &str, kid: Option<&str>) -> Result<Arc<Value>, OAuthError> {
        let url = Url::parse(uri)
            .ok()
            .filter(allowed_url)
            .ok_or_else(|| {
                invalid_client(
                    "The client's jwks_uri must be an absolute https URL (http only for a loopback host).",
                )
            })?;
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
        match self.download(url).await {
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

    async fn download(&self, url: Url) -> Result<Value, OAuthError> {
        let max = self.inner.config.max_bytes;
        let mut response = self
            .inner
            .http
            .get(url)
            .header(ACCEPT, "application/jwk-set+json, application/json")
            .send()
            .await
            .map_err(|e| unreachable("The client's jwks_uri could not be fetched.", &e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(invalid_client(format!(
                "The client's jwks_uri answered with HTTP status {}.",
                status.as_u16()
            )));
        }
        let too_large = || {
            invalid_client(format!(
                "The client's jwks_uri returned more than {max} bytes."
            ))
        };
        if response
            .content_length()
            .is_some_and(|len| len > u64::try_from(max).unwrap_or(u64::MAX))
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreachable("The client's jwks_uri response could not be read.", &e))?
        {
            if body.len().saturating_add(chunk.len()) > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let keys: Value = serde_json::from_slice(&body).map_err(|e| {
            invalid_client("The client's jwks_uri did not return JSON.").debug(e.to_string())
        })?;
        if !keys.get("keys").is_some_and(Value::is_array) {
            return Err(invalid_client(
                "The client's jwks_uri did not return a JSON Web Key Set (an object with a 'keys' array).",
            ));
        }
        Ok(keys)
    }
}

/// `https`, or `http` to `localhost` / a loopback address.
fn allowed_url(url: &Url) -> bool {
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

fn unreachable(hint: &'static str, error: &reqwest::Error) -> OAuthError {
    let hint = if error.is_timeout() {
        "The client's jwks_uri did not answer in time."
    } else {
        hint
    };
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    invalid_client(hint).debug(detail)
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
