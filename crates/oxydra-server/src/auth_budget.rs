//! Budgets of failed client authentications, per client id and per client IP address.
//!
//! A wrong client secret costs a full bcrypt or PBKDF2 run, so a burst of them could take the
//! server's CPU. Each key (client id, IP address) may fail a configured number of times per
//! fixed window (`OXYDRA_AUTH_FAILURE_WINDOW`); once spent, the endpoints answer `429` with
//! `Retry-After` until the window ends and the budget refills, so nobody is locked out for
//! longer than one window after the failures stop.
//!
//! Memory is bounded: counters live in two generations of at most `capacity` entries each;
//! when the current one is full it replaces the previous one (whose counters are forgotten).
//! State is per process: behind a load balancer each instance keeps its own budget.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use oxydra_core::model::{ClientId, Now};

use crate::config::AuthBudgetConfig;

/// Counters kept per generation and per kind of key (client ids, IP addresses).
pub const DEFAULT_TRACKED_KEYS: usize = 10_000;

/// Who is asking: the client id the request names (if any) and the client's IP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<'a> {
    /// The client id the credentials name.
    pub client: Option<&'a str>,
    /// The client's address (see `crate::client_ip`).
    pub ip: Option<IpAddr>,
}

impl<'a> Caller<'a> {
    /// The caller a request names. An id that is not a valid client id (over 255 bytes, say)
    /// is not counted per client, since no client has it: that keeps every tracked key small,
    /// and the IP budget still counts the attempt.
    pub fn new(client: Option<&'a str>, ip: Option<IpAddr>) -> Self {
        let client = client.filter(|id| ClientId::parse(*id).is_ok());
        Self { client, ip }
    }
}

/// What the budget allows for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Authenticate as usual.
    Open,
    /// The client id's budget is spent: no hashing, only a remembered secret may pass; the
    /// budget refills after this many seconds.
    ClientSpent(u64),
    /// The IP address's budget is spent: refuse without any work for this many seconds.
    IpSpent(u64),
}

/// The failure counters of the token and revocation endpoints. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct FailureBudget {
    config: AuthBudgetConfig,
    clients: Mutex<Counters<String>>,
    ips: Mutex<Counters<IpAddr>>,
}

impl FailureBudget {
    /// Empty counters for `config`, keeping at most `capacity` keys per generation and kind.
    pub fn new(config: AuthBudgetConfig, capacity: usize) -> Self {
        Self {
            config,
            clients: Mutex::new(Counters::new(capacity)),
            ips: Mutex::new(Counters::new(capacity)),
        }
    }

    /// Whether `caller` may authenticate at `now`; the IP budget is checked first.
    pub fn standing(&self, caller: Caller<'_>, now: Now) -> Standing {
        let window = self.config.window;
        if let Some(ip) = caller.ip
            && let Some(wait) = spent(&self.ips, &ip, self.config.per_ip, window, now)
        {
            return Standing::IpSpent(wait);
        }
        if let Some(client) = caller.client
            && let Some(wait) = spent(&self.clients, client, self.config.per_client, window, now)
        {
            return Standing::ClientSpent(wait);
        }
        Standing::Open
    }

    /// Counts one failed authentication of `caller` at `now`.
    pub fn record_failure(&self, caller: Caller<'_>, now: Now) {
        let window = self.config.window;
        if self.config.per_ip > 0
            && let Some(ip) = caller.ip
            && let Ok(mut ips) = self.ips.lock()
        {
            ips.record(&ip, window, now);
        }
        if self.config.per_client > 0
            && let Some(client) = caller.client
            && let Ok(mut clients) = self.clients.lock()
        {
            clients.record(client, window, now);
        }
    }
}

/// Seconds until `key`'s budget refills, when `limit` (> 0) failures were counted in its window.
fn spent<K, Q>(
    counters: &Mutex<Counters<K>>,
    key: &Q,
    limit: u32,
    window: Duration,
    now: Now,
) -> Option<u64>
where
    K: Hash + Eq + std::borrow::Borrow<Q>,
    Q: Hash + Eq + ?Sized,
{
    if limit == 0 {
        return None;
    }
    let counters = counters.lock().ok()?;
    let counter = counters.get(key)?;
    let ends = counter.started.plus(window);
    if counter.failures < limit || now >= ends {
        return None;
    }
    let micros = ends.unix_micros().saturating_sub(now.unix_micros());
    Some(
        u64::try_from(micros)
            .unwrap_or(0)
            .div_ceil(1_000_000)
            .max(1),
    )
}

/// Failures of one key in its current window.
#[derive(Debug, Clone, Copy)]
struct Counter {
    started: Now,
    failures: u32,
}

/// Two generations of counters, bounding memory (see the module docs).
#[derive(Debug)]
struct Counters<K> {
    current: HashMap<K, Counter>,
    previous: HashMap<K, Counter>,
    capacity: usize,
}

impl<K: Hash + Eq> Counters<K> {
    fn new(capacity: usize) -> Self {
        Self {
            current: HashMap::new(),
            previous: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    fn get<Q>(&self, key: &Q) -> Option<&Counter>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.current.get(key).or_else(|| self.previous.get(key))
    }

    /// Adds a failure, starting a new window when the key's has ended.
    fn record<Q>(&mut self, key: &Q, window: Duration, now: Now)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let mut counter = self
            .current
            .remove(key)
            .or_else(|| self.previous.remove(key))
            .filter(|c| now < c.started.plus(window))
            .unwrap_or(Counter {
                started: now,
                failures: 0,
            });
        counter.failures = counter.failures.saturating_add(1);
        if self.current.len() >= self.capacity {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key.to_owned(), counter);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Now = Now::from_unix_secs(1_700_000_000);

    fn budget(per_client: u32, per_ip: u32) -> FailureBudget {
        let config = AuthBudgetConfig {
            window: Duration::from_secs(60),
            per_client,
            per_ip,
        };
        FailureBudget::new(config, 100)
    }

    fn caller(client: &str, ip: [u8; 4]) -> Caller<'_> {
        Caller {
            client: Some(client),
            ip: Some(IpAddr::from(ip)),
        }
    }

    #[test]
    fn a_spent_budget_refills_when_its_window_ends() {
        let b = budget(3, 100);
        let c = caller("svc", [10, 0, 0, 1]);
        for _ in 0..3 {
            assert_eq!(b.standing(c, T0), Standing::Open);
            b.record_failure(c, T0);
        }
        assert_eq!(b.standing(c, T0), Standing::ClientSpent(60));
        let later = T0.plus(Duration::from_millis(59_500));
        assert_eq!(b.standing(c, later), Standing::ClientSpent(1));
        // Another client from the same address is not affected.
        assert_eq!(
            b.standing(caller("other", [10, 0, 0, 1]), T0),
            Standing::Open
        );
        assert_eq!(
            b.standing(c, T0.plus(Duration::from_secs(60))),
            Standing::Open
        );
        // A failure after the window starts a fresh one.
        b.record_failure(c, T0.plus(Duration::from_secs(61)));
        assert_eq!(
            b.standing(c, T0.plus(Duration::from_secs(61))),
            Standing::Open
        );
    }

    #[test]
    fn the_ip_budget_spans_client_ids_and_wins() {
        let b = budget(100, 2);
        b.record_failure(caller("a", [192, 0, 2, 1]), T0);
        b.record_failure(caller("b", [192, 0, 2, 1]), T0);
        assert_eq!(
            b.standing(caller("c", [192, 0, 2, 1]), T0),
            Standing::IpSpent(60)
        );
        assert_eq!(b.standing(caller("c", [192, 0, 2, 2]), T0), Standing::Open);
    }

    #[test]
    fn only_valid_client_ids_are_tracked() {
        let long = "x".repeat(1000);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert_eq!(Caller::new(Some(&long), ip).client, None);
        assert_eq!(Caller::new(Some("svc"), ip).client, Some("svc"));
        let b = budget(1, 100);
        b.record_failure(Caller::new(Some(&long), ip), T0);
        assert_eq!(b.clients.lock().unwrap().len(), 0);
        assert_eq!(b.ips.lock().unwrap().len(), 1);
    }

    #[test]
    fn zero_means_no_limit() {
        let b = budget(0, 0);
        let c = caller("svc", [10, 0, 0, 1]);
        for _ in 0..10 {
            b.record_failure(c, T0);
        }
        assert_eq!(b.standing(c, T0), Standing::Open);
        assert_eq!(b.clients.lock().unwrap().len(), 0);
    }

    #[test]
    fn memory_is_bounded_by_two_generations() {
        let b = FailureBudget::new(AuthBudgetConfig::default(), 4);
        for i in 0..50u8 {
            b.record_failure(caller(&format!("c{i}"), [10, 0, 0, i]), T0);
        }
        assert!(b.clients.lock().unwrap().len() <= 8);
        assert!(b.ips.lock().unwrap().len() <= 8);
    }
}
