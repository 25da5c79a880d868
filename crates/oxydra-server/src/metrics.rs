//! Request counters behind the 0.x `GET /health/stats` (`shared/spec/api.md` §6.3).
//!
//! One [`Metrics`] per process, shared by both ports, filled by [`MetricsLayer`] on every request.
//! The hot path takes no lock and allocates nothing but the response future's box: each slice of
//! traffic (method, status code, response size, route) is a fixed block of atomics, and latencies
//! land in fixed histogram buckets. Routes are keyed by axum's route *template* (`/clients/{id}`),
//! never the raw path, so the table stays as small as the router; requests that match no route
//! share one bucket. The route table is open addressing over a fixed array whose keys are set once
//! (`OnceLock`), so a lookup is a hash and a few string compares.

use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::HttpBody;
use axum::extract::{MatchedPath, Request};
use axum::http::{Method, Response, StatusCode};
use oxydra_api::{HealthMetrics, HealthStats, MemoryStats};
use tower::{Layer, Service};

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

/// The smallest status code a response can have; codes are counted in `[100, 600)`.
const STATUS_MIN: u16 = 100;
/// Number of distinct status codes counted.
const STATUS_COUNT: usize = 500;
/// Capacity of the route table (the router has fewer than a hundred routes).
const ROUTE_SLOTS: usize = 256;

/// Counters of one slice of traffic.
struct Counters {
    requests: AtomicU64,
    responses: AtomicU64,
    latencies: [AtomicU64; LATENCY_BUCKETS_NS.len()],
}

impl Counters {
    fn new() -> Self {
        Self {
            requests: AtomicU64::new(0),
            responses: AtomicU64::new(0),
            latencies: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    fn response(&self, bucket: usize) {
        self.responses.fetch_add(1, Ordering::Relaxed);
        if let Some(count) = self.latencies.get(bucket) {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a response in a slice that only exists once the response does (status, size).
    fn request_and_response(&self, bucket: usize) {
        self.request();
        self.response(bucket);
    }

    fn histogram(&self) -> std::collections::BTreeMap<u64, u64> {
        LATENCY_BUCKETS_NS
            .iter()
            .zip(&self.latencies)
            .map(|(bound, count)| (*bound, count.load(Ordering::Relaxed)))
            .filter(|(_, count)| *count > 0)
            .collect()
    }

    /// The slice's figures, `None` while it saw no traffic.
    fn snapshot(&self) -> Option<HealthMetrics> {
        let requests = self.requests.load(Ordering::Relaxed);
        let responses = self.responses.load(Ordering::Relaxed);
        (requests > 0 || responses > 0).then(|| HealthMetrics {
            requests,
            responses,
            latencies: self.histogram(),
        })
    }
}

/// One entry of the route table: a template, set once, and its counters.
struct RouteSlot {
    template: OnceLock<Box<str>>,
    counters: Counters,
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

/// What the layer remembers about a request between its arrival and its response.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    method: usize,
    route: RouteKey,
    started: Instant,
}

/// The counters of this process since it started.
pub struct Metrics {
    id: String,
    started: Instant,
    total: Counters,
    methods: [Counters; METHODS.len() + 1],
    status: Box<[Counters]>,
    sizes: [Counters; SIZE_BUCKETS.len()],
    routes: Box<[RouteSlot]>,
    unrouted: Counters,
    other_routes: Counters,
    hasher: std::hash::RandomState,
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
            total: Counters::new(),
            methods: std::array::from_fn(|_| Counters::new()),
            status: (0..STATUS_COUNT).map(|_| Counters::new()).collect(),
            sizes: std::array::from_fn(|_| Counters::new()),
            routes: (0..ROUTE_SLOTS)
                .map(|_| RouteSlot {
                    template: OnceLock::new(),
                    counters: Counters::new(),
                })
                .collect(),
            unrouted: Counters::new(),
            other_routes: Counters::new(),
            hasher: std::hash::RandomState::new(),
        }
    }

    /// This instance's id (a UUID chosen at start).
    pub fn instance_id(&self) -> &str {
        &self.id
    }

    /// Finds (or claims) the table slot of `template`: linear probing from its hash; a free slot
    /// is claimed with `OnceLock::get_or_init`, so two requests racing for it agree on its key.
    fn route(&self, template: &str) -> RouteKey {
        let start = usize::try_from(self.hasher.hash_one(template) % ROUTE_SLOTS as u64)
            .unwrap_or_default();
        for probe in 0..ROUTE_SLOTS {
            let index = (start + probe) % ROUTE_SLOTS;
            let Some(slot) = self.routes.get(index) else {
                break;
            };
            let key = slot.template.get_or_init(|| template.into());
            if &**key == template {
                return RouteKey::Slot(index);
            }
        }
        RouteKey::Other
    }

    fn route_counters(&self, key: RouteKey) -> &Counters {
        match key {
            RouteKey::Slot(index) => self
                .routes
                .get(index)
                .map_or(&self.other_routes, |slot| &slot.counters),
            RouteKey::Unrouted => &self.unrouted,
            RouteKey::Other => &self.other_routes,
        }
    }

    /// Counts an arriving request.
    fn arrive(&self, request: &Request) -> InFlight {
        let method = method_index(request.method());
        let route = match request.extensions().get::<MatchedPath>() {
            Some(path) => self.route(path.as_str()),
            None => RouteKey::Unrouted,
        };
        self.total.request();
        if let Some(counters) = self.methods.get(method) {
            counters.request();
        }
        self.route_counters(route).request();
        InFlight {
            method,
            route,
            started: Instant::now(),
        }
    }

    /// Counts the response to a request counted by [`Self::arrive`]; `size` is the body length
    /// when it is known up front.
    fn depart(&self, request: InFlight, status: StatusCode, size: Option<u64>) {
        let bucket = latency_bucket(request.started.elapsed());
        self.total.response(bucket);
        if let Some(counters) = self.methods.get(request.method) {
            counters.response(bucket);
        }
        self.route_counters(request.route).response(bucket);
        let code = usize::from(status.as_u16().saturating_sub(STATUS_MIN));
        if let Some(counters) = self.status.get(code) {
            counters.request_and_response(bucket);
        }
        if let Some(counters) = size.and_then(|len| self.sizes.get(size_bucket(len))) {
            counters.request_and_response(bucket);
        }
    }

    /// Every counter now, in the 0.x `HealthStats` shape.
    pub fn snapshot(&self) -> HealthStats {
        let methods = METHODS
            .iter()
            .map(Method::as_str)
            .chain(["OTHER"])
            .zip(&self.methods)
            .filter_map(|(name, c)| Some((name.to_owned(), c.snapshot()?)))
            .collect();
        let status = (STATUS_MIN..)
            .zip(self.status.iter())
            .filter_map(|(code, c)| Some((code, c.snapshot()?)))
            .collect();
        let sizes = SIZE_BUCKETS
            .iter()
            .zip(&self.sizes)
            .filter_map(|(bound, c)| Some((*bound, c.snapshot()?)))
            .collect();
        let paths = self
            .routes
            .iter()
            .filter_map(|slot| Some((slot.template.get()?.to_string(), slot.counters.snapshot()?)))
            .chain(
                [
                    (UNROUTED, &self.unrouted),
                    (OTHER_ROUTES, &self.other_routes),
                ]
                .into_iter()
                .filter_map(|(key, c)| Some((key.to_owned(), c.snapshot()?))),
            )
            .collect();
        HealthStats {
            id: self.id.clone(),
            uptime: self.started.elapsed().as_secs(),
            requests: self.total.requests.load(Ordering::Relaxed),
            responses: self.total.responses.load(Ordering::Relaxed),
            latencies: self.total.histogram(),
            methods,
            status,
            sizes,
            paths,
            memory: memory(),
        }
    }
}

/// Process memory from `/proc/self/status` (kB figures, so no page-size assumption). Read
/// synchronously: procfs is served from kernel memory, never from a disk.
#[cfg(target_os = "linux")]
fn memory() -> MemoryStats {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return MemoryStats::default();
    };
    parse_proc_status(&status)
}

/// No portable source of these figures elsewhere: every field is omitted.
#[cfg(not(target_os = "linux"))]
fn memory() -> MemoryStats {
    MemoryStats::default()
}

/// `VmRSS`, `VmHWM` and `VmSize` of a `/proc/<pid>/status` text, in bytes.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_proc_status(text: &str) -> MemoryStats {
    let field = |name: &str| {
        text.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix(':')?;
            let kb = rest.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
            kb.checked_mul(1024)
        })
    };
    MemoryStats {
        rss: field("VmRSS"),
        peak_rss: field("VmHWM"),
        virtual_size: field("VmSize"),
    }
}

/// The tower layer that feeds [`Metrics`]; added once per router in `middleware::wrap`.
#[derive(Debug, Clone)]
pub struct MetricsLayer {
    metrics: Arc<Metrics>,
}

impl MetricsLayer {
    /// A layer counting into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service [`MetricsLayer`] wraps each route in.
#[derive(Debug, Clone)]
pub struct MetricsService<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, B> Service<Request> for MetricsService<S>
where
    S: Service<Request, Response = Response<B>>,
    S::Future: Send + 'static,
    B: HttpBody,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<B>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let in_flight = self.metrics.arrive(&request);
        let metrics = self.metrics.clone();
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await?;
            let size = response.body().size_hint().exact();
            metrics.depart(in_flight, response.status(), size);
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_fall_in_the_bucket_of_their_lower_bound() {
        assert_eq!(latency_bucket(Duration::ZERO), 0);
        assert_eq!(latency_bucket(Duration::from_nanos(99_999)), 0);
        assert_eq!(latency_bucket(Duration::from_micros(100)), 1);
        assert_eq!(latency_bucket(Duration::from_millis(3)), 5);
        assert_eq!(
            latency_bucket(Duration::from_secs(3600)),
            LATENCY_BUCKETS_NS.len() - 1
        );
    }

    #[test]
    fn sizes_are_capped_at_5120() {
        assert_eq!(size_bucket(0), 0);
        assert_eq!(size_bucket(127), 0);
        assert_eq!(size_bucket(128), 1);
        assert_eq!(size_bucket(5119), 6);
        assert_eq!(size_bucket(1 << 40), SIZE_BUCKETS.len() - 1);
    }

    #[test]
    fn routes_are_interned_once_and_overflow_into_one_bucket() {
        let metrics = Metrics::new();
        let a = metrics.route("/clients/{id}");
        assert_eq!(metrics.route("/clients/{id}"), a);
        assert_ne!(metrics.route("/clients"), a);
        for n in 0..ROUTE_SLOTS {
            metrics.route(&format!("/r{n}"));
        }
        assert_eq!(metrics.route("/one-too-many"), RouteKey::Other);
        assert_eq!(metrics.route("/clients/{id}"), a);
    }

    #[test]
    fn concurrent_lookups_agree_on_a_slot() {
        let metrics = Arc::new(Metrics::new());
        let keys: Vec<RouteKey> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| metrics.route("/keys/{set}")))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        let taken = metrics
            .routes
            .iter()
            .filter(|s| s.template.get().is_some())
            .count();
        assert_eq!(taken, 1);
    }

    #[test]
    fn methods_outside_the_table_are_other() {
        assert_eq!(method_index(&Method::GET), 0);
        let custom = Method::from_bytes(b"PROPFIND").unwrap();
        assert_eq!(method_index(&custom), METHODS.len());
    }

    #[test]
    fn proc_status_is_read_in_bytes() {
        let text = "Name:\toxydra\nVmPeak:\t  9000 kB\nVmSize:\t  8000 kB\nVmHWM:\t  3000 kB\n\
                    VmRSS:\t  2000 kB\nThreads:\t4\n";
        assert_eq!(
            parse_proc_status(text),
            MemoryStats {
                rss: Some(2000 * 1024),
                peak_rss: Some(3000 * 1024),
                virtual_size: Some(8000 * 1024),
            }
        );
        assert_eq!(parse_proc_status("garbage"), MemoryStats::default());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_a_resident_set() {
        let memory = memory();
        assert!(memory.rss.is_some_and(|rss| rss > 0), "{memory:?}");
    }
}
