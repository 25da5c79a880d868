//! Access-token rows of one process, kept in memory so that introspecting (or presenting at
//! `/userinfo`) a token that was looked up moments ago reads no row.
//!
//! Only access tokens are kept: their rows are written once and then only ever deleted
//! (revoked, rotated away, flushed, or with their client), never updated, so a kept row is
//! the stored row until it is deleted. Refresh tokens and codes change in place and are always
//! read from the database.
//!
//! Freshness:
//! - every store method that can delete access-token rows clears the cache once it has
//!   finished (committed or not), so a revocation through this instance is seen by the next
//!   lookup, and a read that raced with the deletion cannot put the row back (see
//!   [`TokenCache::fill`]);
//! - a row kept longer than `refresh` is read again, so a revocation through another instance
//!   on the same database is seen within `refresh`. `refresh = 0` turns the cache off.
//!
//! Only rows that exist are kept, so lookups of made-up tokens always reach the database and
//! cannot fill the memory; at most [`MAX_ENTRIES`] are kept. An expired row may be kept: the
//! services judge expiry by their own clock, as they do for a row read from the database, and
//! a flush clears the cache like any other deletion.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use oxydra_core::token::StoredToken;

/// How long a kept access-token row is used before it is read again, by default
/// (`OXYDRA_TOKEN_CACHE_REFRESH`): how late this instance sees another's revocation.
pub const DEFAULT_TOKEN_CACHE_REFRESH: Duration = Duration::from_secs(1);

/// The most rows kept; when full, the cache starts over (memory stays bounded whatever the
/// traffic, at the price of a read for some lookups when more tokens than this are hot).
pub(crate) const MAX_ENTRIES: usize = 4_096;

/// A kept row and when it was read.
#[derive(Debug)]
struct Entry {
    read_at: Instant,
    token: StoredToken,
}

/// In-memory access-token rows, shared by every clone of one `SqlStore`.
#[derive(Debug)]
pub(crate) struct TokenCache {
    refresh: Duration,
    entries: RwLock<HashMap<String, Entry>>,
    /// Moved by every clear; a row read from the database in an older epoch is not kept.
    epoch: AtomicU64,
}

impl TokenCache {
    /// An empty cache whose rows are used for `refresh` after they were read; zero keeps none.
    pub(crate) fn new(refresh: Duration) -> Self {
        Self {
            refresh,
            entries: RwLock::new(HashMap::new()),
            epoch: AtomicU64::new(0),
        }
    }

    /// Whether rows are kept at all.
    pub(crate) fn enabled(&self) -> bool {
        !self.refresh.is_zero()
    }

    /// The kept row under `signature`, if it was read less than `refresh` ago.
    pub(crate) fn lookup(&self, signature: &str) -> Option<StoredToken> {
        let entries = self.read();
        let entry = entries.get(signature)?;
        (entry.read_at.elapsed() < self.refresh).then(|| entry.token.clone())
    }

    /// The current epoch: take it *before* reading a row from the database, and hand it to
    /// [`TokenCache::fill`].
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Keeps `token`, read from the database in `epoch` (at `read_at`) — unless the cache was
    /// cleared since, in which case the row may predate the deletion that cleared it and is
    /// dropped.
    pub(crate) fn fill(&self, epoch: u64, read_at: Instant, token: &StoredToken) {
        if !self.enabled() {
            return;
        }
        let mut entries = self.write();
        // Under the lock: `invalidate` moves the epoch while holding it too.
        if self.epoch() != epoch {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            token.signature.as_str().to_owned(),
            Entry {
                read_at,
                token: token.clone(),
            },
        );
    }

    /// Forgets every row: after a store method that may have deleted access tokens.
    pub(crate) fn invalidate(&self) {
        let mut entries = self.write();
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }

    /// A guard that clears the cache when dropped: taken at the start of a store method that
    /// may delete access tokens, so the clear follows the commit on every path out of it
    /// (success, error, or the caller giving up on the future).
    pub(crate) fn revoking(&self) -> Revoking<'_> {
        Revoking {
            cache: self,
            armed: true,
        }
    }

    /// Number of kept rows, for tests.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.read().len()
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<String, Entry>> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<String, Entry>> {
        self.entries.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Clears a [`TokenCache`] when dropped, unless disarmed (see [`TokenCache::revoking`]).
#[derive(Debug)]
pub(crate) struct Revoking<'a> {
    cache: &'a TokenCache,
    armed: bool,
}

impl Revoking<'_> {
    /// The method ended without deleting any access token: nothing to clear.
    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for Revoking<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.cache.invalidate();
        }
    }
}

#[cfg(test)]
mod tests {
    use oxydra_core::model::{ClientId, Now};
    use oxydra_core::token::{RequestId, TokenKind, TokenSession, TokenSignature};

    use super::*;

    fn token(signature: &str) -> StoredToken {
        StoredToken {
            signature: TokenSignature::from_stored(signature),
            kind: TokenKind::AccessToken,
            request_id: RequestId::from_stored("request"),
            client_id: ClientId::parse("client").unwrap(),
            subject: "subject".into(),
            granted_scope: vec![],
            granted_audience: vec![],
            issued_at: Now::from_unix_secs(0),
            expires_at: None,
            active: true,
            session: TokenSession::default(),
        }
    }

    fn kept(cache: &TokenCache, signature: &str) {
        cache.fill(cache.epoch(), Instant::now(), &token(signature));
    }

    #[test]
    fn a_row_is_kept_until_invalidated() {
        let cache = TokenCache::new(Duration::from_secs(60));
        kept(&cache, "a");
        assert_eq!(cache.lookup("a").unwrap().signature.as_str(), "a");
        cache.invalidate();
        assert!(cache.lookup("a").is_none());
    }

    #[test]
    fn a_revoking_guard_clears_when_dropped_unless_disarmed() {
        let cache = TokenCache::new(Duration::from_secs(60));
        kept(&cache, "a");
        cache.revoking().disarm();
        assert!(cache.lookup("a").is_some());
        drop(cache.revoking());
        assert!(cache.lookup("a").is_none());
    }

    #[test]
    fn a_row_older_than_the_refresh_interval_is_not_used() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let long_ago = Instant::now()
            .checked_sub(Duration::from_secs(61))
            .expect("the clock is past one minute");
        cache.fill(cache.epoch(), long_ago, &token("a"));
        assert!(cache.lookup("a").is_none());
    }

    #[test]
    fn a_read_that_raced_with_a_deletion_is_not_kept() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let epoch = cache.epoch();
        // The revocation commits and clears while the read is in flight ...
        cache.invalidate();
        // ... so the (possibly revoked) row the read returns is dropped.
        cache.fill(epoch, Instant::now(), &token("a"));
        assert!(cache.lookup("a").is_none());
    }

    #[test]
    fn a_zero_interval_keeps_nothing() {
        let off = TokenCache::new(Duration::ZERO);
        assert!(!off.enabled());
        kept(&off, "a");
        assert_eq!(off.len(), 0);
    }

    #[test]
    fn the_cache_never_holds_more_than_its_bound() {
        let cache = TokenCache::new(Duration::from_secs(60));
        for i in 0..=MAX_ENTRIES {
            kept(&cache, &format!("t{i}"));
        }
        assert!(cache.len() <= MAX_ENTRIES);
        assert!(cache.lookup(&format!("t{MAX_ENTRIES}")).is_some());
    }
}
