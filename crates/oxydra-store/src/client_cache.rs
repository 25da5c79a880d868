//! The client records of one process, kept in memory so that a token request reads no client
//! row: its only database work is the token insert.
//!
//! Freshness:
//! - a write through this store clears the cache once it has committed (and a read that raced
//!   with the write cannot put the old record back: see [`ClientCache::fill`]);
//! - writes by other instances on the same database move the one-row client revision (in the
//!   write's own transaction). Once the revision was last confirmed longer than `refresh` ago,
//!   the next lookup re-reads it (one indexed row) and clears the cache when it moved. So
//!   another instance's change is seen within `refresh` plus one query; `refresh = 0` checks
//!   on every lookup.
//!
//! Only records that exist are cached: lookups of unknown ids always reach the database, so
//! a client sending random ids cannot fill the memory. At most [`MAX_ENTRIES`] are kept.

use oxydra_core::service::refresh_claim::RefreshClaim;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use oxydra_core::client::Client;
use oxydra_core::store::StoreError;

/// How long a confirmed revision is trusted, by default (`OXYDRA_CLIENT_CACHE_REFRESH`).
pub const DEFAULT_CLIENT_CACHE_REFRESH: Duration = Duration::from_secs(1);

/// The most records kept; when full, the cache starts over (a fleet with more clients than
/// this pays a read on some requests, never unbounded memory).
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// What the cache holds besides the epoch.
#[derive(Debug, Default)]
struct Entries {
    clients: HashMap<String, Arc<Client>>,
    /// The client revision the entries are at least as new as; `None` until first read, and
    /// after a local write.
    revision: Option<i64>,
    /// When `revision` was last read from the database.
    confirmed_at: Option<Instant>,
}

/// In-memory client records, shared by every clone of one `SqlStore`.
#[derive(Debug)]
pub(crate) struct ClientCache {
    refresh: Duration,
    entries: RwLock<Entries>,
    /// Moved by every clear; a record read from the database in an older epoch is not kept.
    epoch: AtomicU64,
    /// Whether some lookup is re-reading the revision right now.
    checking: AtomicBool,
}

impl ClientCache {
    /// An empty cache whose revision is trusted for `refresh`.
    pub(crate) fn new(refresh: Duration) -> Self {
        Self {
            refresh,
            entries: RwLock::new(Entries::default()),
            epoch: AtomicU64::new(0),
            checking: AtomicBool::new(false),
        }
    }

    /// Confirms the entries are current, re-reading the revision with `read_revision` when it
    /// is older than `refresh`. While one caller re-reads, the others go on with the entries
    /// they have (the check is at most one query old).
    pub(crate) async fn confirm<F, Fut>(&self, read_revision: F) -> Result<(), StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<i64, StoreError>>,
    {
        let due = self
            .read()
            .confirmed_at
            .is_none_or(|at| at.elapsed() >= self.refresh);
        if !due {
            return Ok(());
        }
        let Some(_leader) = RefreshClaim::try_claim(&self.checking) else {
            return Ok(());
        };
        let started = Instant::now();
        match read_revision().await {
            Ok(revision) => {
                let mut entries = self.write();
                if entries.revision != Some(revision) {
                    self.clear(&mut entries);
                    entries.revision = Some(revision);
                }
                entries.confirmed_at = Some(started);
                Ok(())
            }
            Err(e) => {
                self.invalidate();
                Err(e)
            }
        }
    }

    /// The cached record of `id`.
    pub(crate) fn lookup(&self, id: &str) -> Option<Arc<Client>> {
        self.read().clients.get(id).cloned()
    }

    /// The current epoch: take it *before* reading a record from the database, and hand it to
    /// [`ClientCache::fill`].
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Keeps `client`, read from the database in `epoch` — unless the cache was cleared since,
    /// in which case the record may predate the write that cleared it and is dropped.
    pub(crate) fn fill(&self, epoch: u64, client: Client) {
        let mut entries = self.write();
        // Under the lock: `clear` moves the epoch while holding it too.
        if self.epoch() != epoch {
            return;
        }
        if entries.clients.len() >= MAX_ENTRIES {
            entries.clients.clear();
        }
        entries
            .clients
            .insert(client.id.as_str().to_owned(), Arc::new(client));
    }

    /// Forgets every record and the confirmed revision: after a write through this store, or
    /// when the revision could not be read.
    pub(crate) fn invalidate(&self) {
        let mut entries = self.write();
        self.clear(&mut entries);
        entries.revision = None;
        entries.confirmed_at = None;
    }

    /// Number of cached records, for tests.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.read().clients.len()
    }

    fn clear(&self, entries: &mut Entries) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.clients.clear();
    }

    fn read(&self) -> RwLockReadGuard<'_, Entries> {
        match self.entries.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn write(&self) -> RwLockWriteGuard<'_, Entries> {
        match self.entries.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use oxydra_core::client::{AuthMethod, SubjectType};
    use oxydra_core::model::{ClientId, Now};

    use super::*;

    fn client(id: &str) -> Client {
        Client {
            id: ClientId::parse(id).unwrap(),
            name: String::new(),
            secret_hash: None,
            redirect_uris: vec![],
            grant_types: vec![],
            response_types: vec![],
            scope: String::new(),
            owner: String::new(),
            policy_uri: String::new(),
            tos_uri: String::new(),
            client_uri: String::new(),
            logo_uri: String::new(),
            contacts: vec![],
            subject_type: SubjectType::Public,
            sector_identifier_uri: String::new(),
            jwks_uri: String::new(),
            jwks: None,
            token_endpoint_auth_method: AuthMethod::None,
            request_uris: vec![],
            request_object_signing_alg: String::new(),
            userinfo_signed_response_alg: String::new(),
            id_token_signed_response_alg: String::new(),
            skip_consent: false,
            skip_logout_consent: false,
            metadata: None,
            access_token_strategy: String::new(),
            token_lifespans: Default::default(),
            post_logout_redirect_uris: vec![],
            frontchannel_logout_uri: String::new(),
            frontchannel_logout_session_required: false,
            backchannel_logout_uri: String::new(),
            backchannel_logout_session_required: false,
            require_pushed_authorization_requests: false,
            audience: vec![],
            dpop_bound_access_tokens: false,
            created_at: Now::from_unix_secs(0),
            updated_at: Now::from_unix_secs(0),
        }
    }

    async fn confirm_at(cache: &ClientCache, revision: i64) {
        cache.confirm(|| async { Ok(revision) }).await.unwrap();
    }

    #[tokio::test]
    async fn a_record_is_kept_until_the_revision_moves() {
        let cache = ClientCache::new(Duration::ZERO);
        confirm_at(&cache, 1).await;
        cache.fill(cache.epoch(), client("a"));
        confirm_at(&cache, 1).await;
        assert!(cache.lookup("a").is_some());
        confirm_at(&cache, 2).await;
        assert!(cache.lookup("a").is_none());
    }

    #[tokio::test]
    async fn the_revision_is_not_reread_within_the_refresh_interval() {
        let cache = ClientCache::new(Duration::from_secs(3600));
        confirm_at(&cache, 1).await;
        cache.fill(cache.epoch(), client("a"));
        // Not due: the reader is never called, so a moved revision goes unnoticed.
        cache
            .confirm(|| async { panic!("read within the refresh interval") })
            .await
            .unwrap();
        assert!(cache.lookup("a").is_some());
    }

    #[tokio::test]
    async fn a_read_that_raced_with_a_write_is_not_kept() {
        let cache = ClientCache::new(Duration::ZERO);
        confirm_at(&cache, 1).await;
        let epoch = cache.epoch();
        // The write commits and clears while the read is in flight ...
        cache.invalidate();
        // ... so the (possibly old) record the read returns is dropped.
        cache.fill(epoch, client("a"));
        assert!(cache.lookup("a").is_none());
        cache.fill(cache.epoch(), client("a"));
        assert!(cache.lookup("a").is_some());
    }

    #[tokio::test]
    async fn a_failed_revision_read_clears_the_cache_and_reports() {
        let cache = ClientCache::new(Duration::ZERO);
        confirm_at(&cache, 1).await;
        cache.fill(cache.epoch(), client("a"));
        let result = cache
            .confirm(|| async { Err(StoreError::Unavailable("down".into())) })
            .await;
        assert!(result.is_err());
        assert!(cache.lookup("a").is_none());
    }

    #[tokio::test]
    async fn the_cache_never_holds_more_than_its_bound() {
        let cache = ClientCache::new(Duration::ZERO);
        confirm_at(&cache, 1).await;
        for i in 0..=MAX_ENTRIES {
            cache.fill(cache.epoch(), client(&format!("c{i}")));
        }
        assert!(cache.len() <= MAX_ENTRIES);
        assert!(cache.lookup(&format!("c{MAX_ENTRIES}")).is_some());
    }

    #[tokio::test]
    async fn only_one_caller_rereads_at_a_time() {
        let cache = ClientCache::new(Duration::ZERO);
        let _held = RefreshClaim::try_claim(&cache.checking).unwrap();
        // Another caller is checking: this one goes on without reading.
        cache
            .confirm(|| async { panic!("second concurrent read") })
            .await
            .unwrap();
    }
}
