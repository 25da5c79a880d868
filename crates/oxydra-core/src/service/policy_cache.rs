//! The compiled policies every guarded admin request is decided against, loaded from the store
//! and kept in memory, so a decision never scans the policy table.
//!
//! Freshness:
//! - a write through this process calls [`PolicyCache::invalidate`]: the next decision reloads;
//! - writes by other instances of a fleet are noticed within the TTL: after it, one request
//!   asks the store for the policy revision (one row) and reloads only when it moved. While it
//!   does, concurrent requests keep using the set they have.

use crate::service::refresh_claim::RefreshClaim;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::error::Error;
use crate::model::Now;
use crate::policy::PolicySet;
use crate::store::{PolicyStore, StoreError};

/// How long a loaded set is used before the revision is checked again, by default.
pub const DEFAULT_POLICY_CACHE_TTL: Duration = Duration::from_secs(5);

/// A loaded, compiled set and what it was loaded at.
#[derive(Debug)]
struct Loaded {
    /// The store revision the rows are at least as new as.
    revision: i64,
    /// When the revision was last confirmed.
    checked_at: Now,
    /// The [`PolicyCache::invalidate`] epoch the load started in.
    epoch: u64,
    set: Arc<PolicySet>,
}

/// The in-memory policy set of one process.
#[derive(Debug)]
pub struct PolicyCache {
    ttl: Duration,
    loaded: RwLock<Option<Loaded>>,
    /// Bumped by every local write; a set loaded in an older epoch is re-checked at once.
    epoch: AtomicU64,
    /// Whether some request is re-checking the revision right now.
    refreshing: AtomicBool,
}

impl PolicyCache {
    /// An empty cache that re-checks the store every `ttl` (zero: on every decision).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            loaded: RwLock::new(None),
            epoch: AtomicU64::new(0),
            refreshing: AtomicBool::new(false),
        }
    }

    /// Forgets that the current set is fresh (after a write through this process).
    pub fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// The current policy set, reloaded first when it may be stale. Stored policies that no
    /// longer compile fail the call (`Corrupt`, 500): guarded requests fail closed.
    pub async fn current<S: PolicyStore>(
        &self,
        store: &S,
        now: Now,
    ) -> Result<Arc<PolicySet>, Error> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        let (fresh, stale) = self.peek(now, epoch);
        if let Some(set) = fresh {
            return Ok(set);
        }
        // Someone else is re-checking: use what we have rather than pile on the database.
        let leader = RefreshClaim::try_claim(&self.refreshing);
        if leader.is_none()
            && let Some((set, _)) = &stale
        {
            return Ok(set.clone());
        }
        // `leader` is released on drop, also when this future is cancelled mid-way.
        let result = self.refresh(store, now, epoch, stale).await;
        drop(leader);
        result
    }

    /// The set when it is fresh, else the stale set and its revision (if any).
    #[allow(clippy::type_complexity)]
    fn peek(
        &self,
        now: Now,
        epoch: u64,
    ) -> (Option<Arc<PolicySet>>, Option<(Arc<PolicySet>, i64)>) {
        let guard = match self.loaded.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        match guard.as_ref() {
            Some(l) if l.epoch == epoch && now < l.checked_at.plus(self.ttl) => {
                (Some(l.set.clone()), None)
            }
            Some(l) => (None, Some((l.set.clone(), l.revision))),
            None => (None, None),
        }
    }

    async fn refresh<S: PolicyStore>(
        &self,
        store: &S,
        now: Now,
        epoch: u64,
        stale: Option<(Arc<PolicySet>, i64)>,
    ) -> Result<Arc<PolicySet>, Error> {
        let store_err = |e| Error::from_store("policy", e);
        if let Some((set, revision)) = stale {
            let current = store.policy_revision().await.map_err(store_err)?;
            if current == revision {
                self.put(Loaded {
                    revision,
                    checked_at: now,
                    epoch,
                    set: set.clone(),
                });
                return Ok(set);
            }
        }
        let (revision, policies) = store.load_policies().await.map_err(store_err)?;
        let set = PolicySet::new(&policies).map_err(|e| {
            Error::Store(StoreError::Corrupt(format!(
                "a stored policy does not compile: {e}"
            )))
        })?;
        let set = Arc::new(set);
        self.put(Loaded {
            revision,
            checked_at: now,
            epoch,
            set: set.clone(),
        });
        Ok(set)
    }

    fn put(&self, loaded: Loaded) {
        let mut guard = match self.loaded.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Never replace a set loaded in a newer epoch with an older one.
        if guard.as_ref().is_none_or(|l| l.epoch <= loaded.epoch) {
            *guard = Some(loaded);
        }
    }
}

impl Default for PolicyCache {
    fn default() -> Self {
        Self::new(DEFAULT_POLICY_CACHE_TTL)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::policy::{Policy, PolicyInput};

    /// A store holding policies in memory, counting the calls the cache makes.
    #[derive(Default)]
    struct Fake {
        policies: Mutex<(i64, Vec<Policy>)>,
        revision_reads: AtomicUsize,
        loads: AtomicUsize,
    }

    impl Fake {
        fn write(&self, id: &str) {
            let policy = PolicyInput {
                id: id.into(),
                effect: "allow".into(),
                ..PolicyInput::default()
            }
            .validate()
            .unwrap();
            let mut guard = self.policies.lock().unwrap();
            guard.0 += 1;
            guard.1.push(policy);
        }
    }

    impl PolicyStore for Fake {
        async fn create_policy(&self, _: &Policy) -> Result<(), StoreError> {
            Err(StoreError::Corrupt("not used by the cache".into()))
        }
        async fn get_policy(&self, _: &str) -> Result<Option<Policy>, StoreError> {
            Err(StoreError::Corrupt("not used by the cache".into()))
        }
        async fn list_policies(&self, _: u32, _: u32) -> Result<Vec<Policy>, StoreError> {
            Err(StoreError::Corrupt("not used by the cache".into()))
        }
        async fn update_policy(&self, _: &Policy) -> Result<(), StoreError> {
            Err(StoreError::Corrupt("not used by the cache".into()))
        }
        async fn delete_policy(&self, _: &str) -> Result<bool, StoreError> {
            Err(StoreError::Corrupt("not used by the cache".into()))
        }
        async fn policy_revision(&self) -> Result<i64, StoreError> {
            self.revision_reads.fetch_add(1, Ordering::SeqCst);
            Ok(self.policies.lock().unwrap().0)
        }
        async fn load_policies(&self) -> Result<(i64, Vec<Policy>), StoreError> {
            self.loads.fetch_add(1, Ordering::SeqCst);
            Ok(self.policies.lock().unwrap().clone())
        }
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn loads_once_then_rechecks_the_revision_after_the_ttl() {
        block(async {
            let store = Fake::default();
            store.write("a");
            let cache = PolicyCache::new(Duration::from_secs(5));
            let t0 = Now::from_unix_secs(100);
            assert_eq!(cache.current(&store, t0).await.unwrap().len(), 1);
            assert_eq!(
                cache
                    .current(&store, t0.plus(Duration::from_secs(4)))
                    .await
                    .unwrap()
                    .len(),
                1
            );
            assert_eq!(store.loads.load(Ordering::SeqCst), 1);
            assert_eq!(store.revision_reads.load(Ordering::SeqCst), 0);

            // Another instance writes: unseen until the TTL passes, then one revision read and
            // one reload.
            store.write("b");
            assert_eq!(
                cache
                    .current(&store, t0.plus(Duration::from_secs(4)))
                    .await
                    .unwrap()
                    .len(),
                1
            );
            let t1 = t0.plus(Duration::from_secs(5));
            assert_eq!(cache.current(&store, t1).await.unwrap().len(), 2);
            assert_eq!(store.revision_reads.load(Ordering::SeqCst), 1);
            assert_eq!(store.loads.load(Ordering::SeqCst), 2);

            // Unchanged revision after the TTL: a revision read, no reload.
            let t2 = t1.plus(Duration::from_secs(6));
            assert_eq!(cache.current(&store, t2).await.unwrap().len(), 2);
            assert_eq!(store.revision_reads.load(Ordering::SeqCst), 2);
            assert_eq!(store.loads.load(Ordering::SeqCst), 2);
        });
    }

    #[test]
    fn a_local_write_is_seen_at_once() {
        block(async {
            let store = Fake::default();
            let cache = PolicyCache::new(Duration::from_secs(3600));
            let now = Now::from_unix_secs(1);
            assert!(cache.current(&store, now).await.unwrap().is_empty());
            store.write("a");
            cache.invalidate();
            assert_eq!(cache.current(&store, now).await.unwrap().len(), 1);
            assert_eq!(store.loads.load(Ordering::SeqCst), 2);
        });
    }
}
