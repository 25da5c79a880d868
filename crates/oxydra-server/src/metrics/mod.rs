//! Request counters behind the 0.x `GET /health/stats` (`shared/spec/api.md` §6.3).
//!
//! One [`Metrics`] per process, shared by both ports, filled by [`MetricsLayer`] on every request.
//! The hot path takes no lock and allocates nothing but the response future's box: each slice of
//! traffic (method, route, status code, response size) is a fixed block of atomics, and latencies
//! land in fixed histogram buckets whose sum is the response count. Counters are sharded: each
//! thread writes its own shard, so the cores do not bounce cache lines; a snapshot adds the
//! shards up. A request costs eight relaxed atomic increments (six measured in
//! `docs/benchmarks.md`, plus the two of its Prometheus cell).
//! Routes are keyed by axum's route *template* (`/clients/{id}`), never the raw path, so the
//! table stays as small as the router; requests that match no route share one bucket. The route
//! and status tables are open addressing over fixed arrays whose keys are set once (`OnceLock`,
//! compare-and-swap), so a lookup is a hash and a few compares.
//!
//! The same counters feed `GET /metrics/prometheus`, together with the (route, method, status
//! class) cells of `series.rs` and the protocol events of `events.rs`: `prometheus.rs` reads
//! them at scrape time in `prometheus-client` collectors, so a request pays nothing for
//! Prometheus beyond the two increments of its cell.

mod events;
mod layer;
mod memory;
mod prometheus;
mod series;

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use oxydra_api::{HealthMetrics, HealthStats};

pub use events::{AuthEndpoint, Events, Flow, Grant, Outcome, TokenKind};
pub use layer::{MetricsFuture, MetricsLayer, MetricsService};
use memory::memory;
pub use prometheus::{CONTENT_TYPE, Gauges, PoolGauges, QueryLatency};
use series::{Cell, SeriesKey, SeriesKeys};

/// Lower bounds of the latency buckets, in nanoseconds: a latency `l` is counted in the last
/// bucket whose bound is `<= l`, so the last one (10 s) holds everything slower.
pub const LATENCY_BUCKETS_NS: [u64; 17] = [
    0,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

/// Lower bounds of the response-size buckets, in bytes; the last (5120, 0.x's cap) holds every
/// larger body.
pub const SIZE_BUCKETS: [u64; 8] = [0, 128, 256, 512, 1024, 2048, 4096, 5120];

/// The route key of requests that matched no route (404 fallback).
pub const UNROUTED: &str = "(unrouted)";

/// The route key used if the route table ever fills up (it is sized far above the router's).
pub const OTHER_ROUTES: &str = "(other)";

/// Methods with their own counters; anything else is counted as `OTHER`.
const METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
    Method::CONNECT,
    Method::TRACE,
];

/// Capacity of the route table (the router has fewer than a hundred routes).
const ROUTE_SLOTS: usize = 128;
/// Capacity of the status-code table (a server answers a few dozen distinct codes).
const STATUS_SLOTS: usize = 64;
/// The `status` key of codes that found the status table full.
pub const OVERFLOW_STATUS: u16 = 0;
/// Counter shards: each thread counts into one, so the two cores rarely write the same cache
/// line; a snapshot adds them up.
const SHARDS: usize = 4;

/// A latency histogram; its total is the number of responses.
struct Histogram([AtomicU64; LATENCY_BUCKETS_NS.len()]);

impl Histogram {
    fn new() -> Self {
        Self(std::array::from_fn(|_| AtomicU64::new(0)))
    }

    fn record(&self, bucket: usize) {
        if let Some(count) = self.0.get(bucket) {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Adds this histogram into `into` (one slot per bucket).
    fn add_to(&self, into: &mut [u64; LATENCY_BUCKETS_NS.len()]) {
        for (sum, count) in into.iter_mut().zip(&self.0) {
            *sum += count.load(Ordering::Relaxed);
        }
    }
}

/// Counters of a slice whose requests are counted on arrival (methods, routes).
struct Counters {
    requests: AtomicU64,
    latencies: Histogram,
}

impl Counters {
    fn new() -> Self {
        Self {
            requests: AtomicU64::new(0),
            latencies: Histogram::new(),
        }
    }
}

/// One shard: every slice's counters, indexed like the key tables.
struct Shard {
    methods: [Counters; METHODS.len() + 1],
    /// `ROUTE_SLOTS` routes, then [`RouteKey::Unrouted`], then [`RouteKey::Other`].
    routes: Box<[Counters]>,
    /// `STATUS_SLOTS` codes, then the overflow slot.
    status: Box<[Histogram]>,
    sizes: [Histogram; SIZE_BUCKETS.len()],
    /// The (route, method, status class) cells, indexed like [`Metrics::series`].
    series: Box<[Cell]>,
}

impl Shard {
    fn new() -> Self {
        Self {
            methods: std::array::from_fn(|_| Counters::new()),
            routes: (0..ROUTE_SLOTS + 2).map(|_| Counters::new()).collect(),
            status: (0..=STATUS_SLOTS).map(|_| Histogram::new()).collect(),
            sizes: std::array::from_fn(|_| Histogram::new()),
            series: series::shard_cells(),
        }
    }
}

/// Sums of one slice over every shard.
#[derive(Default)]
struct Totals {
    requests: u64,
    latencies: [u64; LATENCY_BUCKETS_NS.len()],
}

impl Totals {
    fn add(&mut self, counters: &Counters) {
        self.requests += counters.requests.load(Ordering::Relaxed);
        counters.latencies.add_to(&mut self.latencies);
    }

    fn responses(&self) -> u64 {
        self.latencies.iter().sum()
    }

    fn histogram(&self) -> BTreeMap<u64, u64> {
        LATENCY_BUCKETS_NS
            .iter()
            .zip(self.latencies)
            .filter(|(_, count)| *count > 0)
            .map(|(bound, count)| (*bound, count))
            .collect()
    }

    /// The slice's figures, `None` while it saw no traffic. `requests` is `None` for slices
    /// that only exist once there is a response (status, size): they equal the responses.
    fn metrics(&self, requests: Option<u64>) -> Option<HealthMetrics> {
        let responses = self.responses();
        let requests = requests.unwrap_or(responses);
        (requests > 0 || responses > 0).then(|| HealthMetrics {
            requests,
            responses,
            latencies: self.histogram(),
        })
    }
}

/// Which route counters a request uses, found once when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteKey {
    /// An index into the route table.
    Slot(usize),
    /// No route matched.
    Unrouted,
    /// The table was full.
    Other,
}

impl RouteKey {
    /// The index of this key's counters in [`Shard::routes`].
    fn index(self) -> usize {
        match self {
            Self::Slot(index) => index,
            Self::Unrouted => ROUTE_SLOTS,
            Self::Other => ROUTE_SLOTS + 1,
        }
    }
}

/// What the layer remembers about a request between its arrival and its response.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InFlight {
    method: usize,
    route: RouteKey,
    started: Instant,
}

/// Round-robin source of shard numbers for new threads.
static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's shard, chosen on its first request.
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

/// The counters of this process since it started. Aligned to 128 bytes so that, inside an `Arc`,
/// the reference counts (touched by every request's clone) never share a cache line, or an
/// adjacent-line prefetch pair, with the fields every request reads.
#[repr(align(128))]
pub struct Metrics {
    id: String,
    started: Instant,
    /// Route templates, set once each (open addressing, linear probing).
    routes: Box<[OnceLock<Box<str>>]>,
    /// Status codes, claimed once each; 0 marks a free slot.
    status: Box<[AtomicU16]>,
    /// Keys of the (route, method, status class) cells.
    series: SeriesKeys,
    shards: Box<[Shard]>,
    /// Protocol events (tokens, failed client authentications, login and consent requests).
    pub events: Events,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The histogram bucket of a latency.
fn latency_bucket(elapsed: Duration) -> usize {
    let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
    LATENCY_BUCKETS_NS
        .partition_point(|bound| *bound <= ns)
        .saturating_sub(1)
}

/// The size bucket of a body length.
fn size_bucket(len: u64) -> usize {
    SIZE_BUCKETS
        .partition_point(|bound| *bound <= len)
        .saturating_sub(1)
}

/// FNV-1a of a route template: keys are the router's own templates, not attacker-chosen, so a
/// fast non-keyed hash is enough.
fn fnv1a(text: &str) -> usize {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // Only the low bits pick a slot.
    hash as usize
}

/// The counters index of a method (the last one is `OTHER`).
fn method_index(method: &Method) -> usize {
    METHODS
        .iter()
        .position(|m| m == method)
        .unwrap_or(METHODS.len())
}

impl Metrics {
    /// Fresh counters and a new random instance id; the uptime clock starts now.
    pub fn new() -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            started: Instant::now(),
            routes: (0..ROUTE_SLOTS).map(|_| OnceLock::new()).collect(),
            status: (0..STATUS_SLOTS).map(|_| AtomicU16::new(0)).collect(),
            series: SeriesKeys::new(),
            shards: (0..SHARDS).map(|_| Shard::new()).collect(),
            events: Events::default(),
        }
    }

    /// This instance's id (a UUID chosen at start).
    pub fn instance_id(&self) -> &str {
        &self.id
    }

    /// This thread's shard.
    fn shard(&self) -> Option<&Shard> {
        self.shards.get(SHARD.with(|s| *s))
    }

    /// Finds (or claims) the table slot of `template`: linear probing from its hash; a free slot
    /// is claimed with `OnceLock::get_or_init`, so two requests racing for it agree on its key.
    fn route(&self, template: &str) -> RouteKey {
        let start = fnv1a(template);
        for probe in 0..ROUTE_SLOTS {
            let index = start.wrapping_add(probe) % ROUTE_SLOTS;
            let Some(slot) = self.routes.get(index) else {
                break;
            };
            if &**slot.get_or_init(|| template.into()) == template {
                return RouteKey::Slot(index);
            }
        }
        RouteKey::Other
    }

    /// The table slot of a status code, claimed by compare-and-swap when new; the overflow slot
    /// (`STATUS_SLOTS`) if the table is full. A known code costs plain loads only, so the table's
    /// cache line is shared by the cores, never bounced.
    fn status_slot(&self, code: u16) -> usize {
        let start = usize::from(code) % STATUS_SLOTS;
        for probe in 0..STATUS_SLOTS {
            let index = (start + probe) % STATUS_SLOTS;
            let Some(slot) = self.status.get(index) else {
                break;
            };
            let mut current = slot.load(Ordering::Relaxed);
            if current == 0 {
                current = match slot.compare_exchange(0, code, Ordering::Relaxed, Ordering::Relaxed)
                {
                    Ok(_) => code,
                    Err(existing) => existing,
                };
            }
            if current == code {
                return index;
            }
        }
        STATUS_SLOTS
    }

    /// Counts an arriving request.
    fn arrive(&self, request: &Request) -> InFlight {
        let method = method_index(request.method());
        let route = match request.extensions().get::<MatchedPath>() {
            Some(path) => self.route(path.as_str()),
            None => RouteKey::Unrouted,
        };
        if let Some(shard) = self.shard() {
            for counters in [shard.methods.get(method), shard.routes.get(route.index())]
                .into_iter()
                .flatten()
            {
                counters.requests.fetch_add(1, Ordering::Relaxed);
            }
        }
        InFlight {
            method,
            route,
            started: Instant::now(),
        }
    }

    /// Counts the response to a request counted by [`Self::arrive`]; `size` is the body length
    /// when it is known up front.
    fn depart(&self, request: InFlight, status: StatusCode, size: Option<u64>) {
        let elapsed = request.started.elapsed();
        let bucket = latency_bucket(elapsed);
        let cell = self.series.slot(SeriesKey {
            route: request.route.index(),
            method: request.method,
            class: series::status_class(status.as_u16()),
        });
        let status = self.status_slot(status.as_u16());
        let Some(shard) = self.shard() else {
            return;
        };
        if let Some(cell) = shard.series.get(cell) {
            cell.latencies.record(bucket);
            let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
            cell.sum_ns.fetch_add(ns, Ordering::Relaxed);
        }
        let histograms = [
            shard.methods.get(request.method).map(|c| &c.latencies),
            shard
                .routes
                .get(request.route.index())
                .map(|c| &c.latencies),
            shard.status.get(status),
            size.and_then(|len| shard.sizes.get(size_bucket(len))),
        ];
        for histogram in histograms.into_iter().flatten() {
            histogram.record(bucket);
        }
    }

    /// The sums over every shard of the slice `pick` selects.
    fn totals<T>(
        &self,
        pick: impl Fn(&Shard) -> Option<&T>,
        add: impl Fn(&mut Totals, &T),
    ) -> Totals {
        let mut totals = Totals::default();
        for item in self.shards.iter().filter_map(pick) {
            add(&mut totals, item);
        }
        totals
    }

    fn counters_totals(&self, pick: impl Fn(&Shard) -> Option<&Counters>) -> Totals {
        self.totals(pick, Totals::add)
    }

    fn histogram_totals(&self, pick: impl Fn(&Shard) -> Option<&Histogram>) -> Totals {
        self.totals(pick, |t, h| h.add_to(&mut t.latencies))
    }

    /// Every counter now, in the 0.x `HealthStats` shape.
    pub fn snapshot(&self) -> HealthStats {
        let mut all = Totals::default();
        let mut methods = BTreeMap::new();
        let names = METHODS.iter().map(Method::as_str).chain(["OTHER"]);
        for (index, name) in names.enumerate() {
            let t = self.counters_totals(|s| s.methods.get(index));
            all.requests += t.requests;
            for (sum, count) in all.latencies.iter_mut().zip(t.latencies) {
                *sum += count;
            }
            if let Some(m) = t.metrics(Some(t.requests)) {
                methods.insert(name.to_owned(), m);
            }
        }
        let mut status = BTreeMap::new();
        // Key 0 holds the overflow slot (codes beyond the table's 64, never seen in practice).
        let codes = self.status.iter().map(|slot| slot.load(Ordering::Relaxed));
        for (index, code) in codes.chain([OVERFLOW_STATUS]).enumerate() {
            let t = self.histogram_totals(|s| s.status.get(index));
            if let Some(m) = t.metrics(None) {
                status.insert(code, m);
            }
        }
        let sizes = SIZE_BUCKETS
            .iter()
            .enumerate()
            .filter_map(|(index, bound)| {
                let t = self.histogram_totals(|s| s.sizes.get(index));
                Some((*bound, t.metrics(None)?))
            })
            .collect();
        let named = self
            .routes
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| Some((slot.get()?.to_string(), RouteKey::Slot(index))));
        let special = [
            (UNROUTED, RouteKey::Unrouted),
            (OTHER_ROUTES, RouteKey::Other),
        ]
        .map(|(name, key)| (name.to_owned(), key));
        let paths = named
            .chain(special)
            .filter_map(|(name, key)| {
                let t = self.counters_totals(|s| s.routes.get(key.index()));
                Some((name, t.metrics(Some(t.requests))?))
            })
            .collect();
        HealthStats {
            id: self.id.clone(),
            uptime: self.started.elapsed().as_secs(),
            requests: all.requests,
            responses: all.responses(),
            latencies: all.histogram(),
            methods,
            status,
            sizes,
            paths,
            memory: memory(),
        }
    }
}

#[cfg(test)]
mod tests;
