//! Client-secret hashing for the server: bcrypt/PBKDF2 run on tokio's blocking pool (bcrypt at
//! cost 10 takes tens of milliseconds, which would stall every request sharing an async
//! worker), and successful token-endpoint verifications are remembered so a busy client does
//! not pay one bcrypt per request.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use oxydra_core::client::secret::{SecretHasher, SecretHashing};
use oxydra_core::{ClientId, Error, OAuthError, OAuthErrorKind, Secret};

/// A [`SecretHasher`] whose work runs off the async workers.
#[derive(Debug, Clone, Copy)]
pub struct OffloadedHasher(pub SecretHasher);

impl SecretHashing for OffloadedHasher {
    async fn hash(&self, secret: Secret<String>) -> Result<String, Error> {
        let hasher = self.0;
        tokio::task::spawn_blocking(move || hasher.hash(&secret))
            .await
            .map_err(|e| {
                Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string()))
            })?
    }

    async fn verify(&self, secret: Secret<String>, hash: String) -> bool {
        let hasher = self.0;
        tokio::task::spawn_blocking(move || hasher.verify(&secret, &hash))
            .await
            .unwrap_or(false)
    }
}

/// Remembered successful verifications, bounded in memory.
///
/// An entry is the HMAC, under a key drawn at start-up and never stored, of
/// `(client id, stored hash, presented secret)`. So:
/// - the cache holds nothing from which a secret can be recovered or tested offline;
/// - a rotated secret changes the stored hash every instance reads from the database, and a
///   deleted client is not found, so neither can be served from any instance's cache;
/// - only *successful* verifications are remembered: a wrong secret always costs a full hash,
///   so the cache does not speed up guessing.
///
/// Two generations bound memory: when the current set is full it becomes the previous one and
/// a fresh set starts; a hit in the previous set is promoted. That approximates LRU at the
/// cost of two hash-set probes.
pub struct SecretCache {
    key: hmac::Key,
    capacity: usize,
    sets: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    current: HashSet<[u8; 32]>,
    previous: HashSet<[u8; 32]>,
}

impl std::fmt::Debug for SecretCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretCache")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

/// Default number of remembered verifications per generation.
pub const DEFAULT_SECRET_CACHE_CAPACITY: usize = 10_000;

impl SecretCache {
    /// An empty cache holding at most `capacity` entries per generation.
    pub fn new(capacity: usize) -> Result<Self, Error> {
        let mut key = [0u8; 32];
        SystemRandom::new().fill(&mut key).map_err(|_| {
            Error::OAuth(
                OAuthError::new(OAuthErrorKind::ServerError)
                    .debug("the system random number generator failed"),
            )
        })?;
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
            capacity: capacity.max(1),
            sets: Mutex::new(Generations::default()),
        })
    }

    fn entry(&self, client: &ClientId, hash: &str, secret: &Secret<String>) -> [u8; 32] {
        let mut ctx = hmac::Context::with_key(&self.key);
        for part in [client.as_str(), hash, secret.expose().as_str()] {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part.as_bytes());
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }

    fn contains(&self, entry: &[u8; 32]) -> bool {
        let Ok(mut sets) = self.sets.lock() else {
            return false;
        };
        if sets.current.contains(entry) {
            return true;
        }
        if sets.previous.remove(entry) {
            Self::insert_into(&mut sets, *entry, self.capacity);
            return true;
        }
        false
    }

    fn insert(&self, entry: [u8; 32]) {
        if let Ok(mut sets) = self.sets.lock() {
            Self::insert_into(&mut sets, entry, self.capacity);
        }
    }

    fn insert_into(sets: &mut Generations, entry: [u8; 32], capacity: usize) {
        if sets.current.len() >= capacity {
            sets.previous = std::mem::take(&mut sets.current);
        }
        sets.current.insert(entry);
    }

    /// How many verifications are remembered (both generations).
    pub fn len(&self) -> usize {
        self.sets
            .lock()
            .map(|s| s.current.len() + s.previous.len())
            .unwrap_or(0)
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The hasher the server uses: offloaded hashing plus the [`SecretCache`] for token-endpoint
/// verifications. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ServerHasher {
    inner: OffloadedHasher,
    cache: Arc<SecretCache>,
    hashes_run: Arc<AtomicU64>,
}

impl ServerHasher {
    /// Wraps `hasher` with a cache of `capacity` entries per generation.
    pub fn new(hasher: SecretHasher, capacity: usize) -> Result<Self, Error> {
        Ok(Self {
            inner: OffloadedHasher(hasher),
            cache: Arc::new(SecretCache::new(capacity)?),
            hashes_run: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The verification cache (for tests and metrics).
    pub fn cache(&self) -> &SecretCache {
        &self.cache
    }

    /// How many full hashes (hashing or verifying) this process ran: the CPU cost that client
    /// authentication failures are budgeted against.
    pub fn hashes_run(&self) -> u64 {
        self.hashes_run.load(Ordering::Relaxed)
    }

    /// A view that answers token-endpoint verifications from the cache only and never hashes:
    /// used once a client's failure budget is spent, so the client's own remembered secret
    /// still works while guesses cost nothing.
    pub fn cache_only(&self) -> CacheOnly<'_> {
        CacheOnly(self)
    }

    fn counted(&self) -> &OffloadedHasher {
        self.hashes_run.fetch_add(1, Ordering::Relaxed);
        &self.inner
    }
}

impl SecretHashing for ServerHasher {
    async fn hash(&self, secret: Secret<String>) -> Result<String, Error> {
        self.counted().hash(secret).await
    }

    async fn verify(&self, secret: Secret<String>, hash: String) -> bool {
        self.counted().verify(secret, hash).await
    }

    async fn verify_client(&self, client: &ClientId, secret: Secret<String>, hash: String) -> bool {
        let entry = self.cache.entry(client, &hash, &secret);
        if self.cache.contains(&entry) {
            return true;
        }
        let ok = self.counted().verify(secret, hash).await;
        if ok {
            self.cache.insert(entry);
        }
        ok
    }
}

/// See [`ServerHasher::cache_only`].
#[derive(Debug, Clone, Copy)]
pub struct CacheOnly<'a>(&'a ServerHasher);

impl SecretHashing for CacheOnly<'_> {
    async fn hash(&self, secret: Secret<String>) -> Result<String, Error> {
        self.0.hash(secret).await
    }

    async fn verify(&self, _secret: Secret<String>, _hash: String) -> bool {
        false
    }

    async fn verify_client(&self, client: &ClientId, secret: Secret<String>, hash: String) -> bool {
        let cache = &self.0.cache;
        cache.contains(&cache.entry(client, &hash, &secret))
    }

    async fn verify_absent(&self, _secret: Secret<String>) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxydra_core::client::secret::HashAlgorithm;

    fn hasher(capacity: usize) -> ServerHasher {
        ServerHasher::new(
            SecretHasher::new(HashAlgorithm::Bcrypt { cost: 4 }),
            capacity,
        )
        .unwrap()
    }

    fn s(v: &str) -> Secret<String> {
        Secret::new(v.to_owned())
    }

    #[tokio::test]
    async fn remembers_only_successes_bound_to_client_and_hash() {
        let h = hasher(100);
        let hash = h.hash(s("right-secret")).await.unwrap();
        let a = ClientId::parse("a").unwrap();
        assert!(!h.verify_client(&a, s("wrong"), hash.clone()).await);
        assert!(h.cache().is_empty());
        assert!(h.verify_client(&a, s("right-secret"), hash.clone()).await);
        assert_eq!(h.cache().len(), 1);
        assert!(h.verify_client(&a, s("right-secret"), hash.clone()).await);
        assert_eq!(h.cache().len(), 1);
        // A rotated secret means a new stored hash: the old entry cannot match it.
        let rotated = h.hash(s("new-secret")).await.unwrap();
        assert!(!h.verify_client(&a, s("right-secret"), rotated).await);
        // Another client with the same hash string does not hit a's entry.
        let b = ClientId::parse("b").unwrap();
        assert!(
            !h.cache()
                .contains(&h.cache().entry(&b, &hash, &s("right-secret")))
        );
    }

    #[tokio::test]
    async fn cache_only_never_hashes_and_accepts_only_remembered_secrets() {
        let h = hasher(100);
        let hash = h.hash(s("right-secret")).await.unwrap();
        let a = ClientId::parse("a").unwrap();
        let before = h.hashes_run();
        assert!(
            !h.cache_only()
                .verify_client(&a, s("right-secret"), hash.clone())
                .await
        );
        assert!(h.verify_client(&a, s("right-secret"), hash.clone()).await);
        let after_one = h.hashes_run();
        assert_eq!(after_one, before + 1);
        let only = h.cache_only();
        assert!(
            only.verify_client(&a, s("right-secret"), hash.clone())
                .await
        );
        assert!(!only.verify_client(&a, s("wrong"), hash.clone()).await);
        only.verify_absent(s("wrong")).await;
        assert_eq!(h.hashes_run(), after_one);
    }

    #[tokio::test]
    async fn memory_is_bounded_by_two_generations() {
        let h = hasher(2);
        let hash = h.hash(s("secret-1")).await.unwrap();
        for i in 0..10 {
            let c = ClientId::parse(format!("c{i}")).unwrap();
            assert!(h.verify_client(&c, s("secret-1"), hash.clone()).await);
        }
        assert!(h.cache().len() <= 4);
    }
}
