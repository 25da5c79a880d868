//! `GET /metrics/prometheus`: the counters of [`Metrics`], plus what the state knows at scrape
//! time ([`Gauges`]), encoded by `prometheus-client`, the official Prometheus client for Rust.
//!
//! **Collectors over the existing atomics.** The counters are the sharded atomics that
//! `/health/stats` also reads, written by the request layer and the protocol handlers. The
//! crate's own `Counter`/`Histogram`/`Family` types would be a second set of counters, with a
//! `Family`'s locked map lookup on every response, so instead two [`Collector`]s read our
//! atomics when Prometheus scrapes: [`CounterCollector`] (build info, uptime, the (route,
//! method, status class) cells of `series.rs`, the events of `events.rs`) and [`Gauges`]
//! (pool, query latency, key-cache ages). The request path is unchanged; the crate does the
//! naming (`_total` on counters, `_info`, the `_seconds` unit), the label escaping and the
//! number formatting. The [`Registry`] holding the two is assembled per scrape: the gauges are
//! a snapshot of the state taken by the handler, and a registry of two collectors costs two
//! small allocations, next to a body of several kilobytes.
//!
//! **Prometheus text format 0.0.4, not OpenMetrics.** The crate's default encoder
//! (`encoding::text`) writes OpenMetrics 1.0 text (`# EOF`, counters typed under their name
//! without `_total`, `# TYPE ... info`), to be served as `application/openmetrics-text`. We
//! use its `encoding::prometheus_text` encoder and [`CONTENT_TYPE`] instead, whatever the
//! `Accept` header asks, as this endpoint always answered: every Prometheus version reads 0.0.4
//! (Prometheus 3 picks the parser by the `Content-Type`, which must be valid, and 0.0.4 is one
//! of its scrape protocols), and so does every other scraper, while not every reader of this
//! endpoint understands OpenMetrics; e.g. the `prometheus-parse` reader our tests use would
//! file the counters' samples under no declared type. OpenMetrics would add nothing we
//! record (exemplars, creation times).
//!
//! **Bounded cardinality.** Every label value comes from the router's templates (a fixed
//! table: `(other)` once it is full) or a fixed enum, so the output's size is bounded by the
//! code, never by the traffic.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet, prometheus_text,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::{Registry, Unit};

use super::series::{CellTotals, SERIES_SLOTS, class_label};
use super::{LATENCY_BUCKETS_NS, METHODS, Metrics, OTHER_ROUTES, ROUTE_SLOTS, UNROUTED};

/// The content type of the exposition: Prometheus text format 0.0.4
/// (`text/plain; version=0.0.4; charset=utf-8`).
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// The database pool's figures at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolGauges {
    /// Open connections (in use and idle).
    pub size: u32,
    /// Open connections no query holds.
    pub idle: u32,
    /// The pool's cap.
    pub max: u32,
}

/// What the state knows at scrape time that the counters do not. It is the collector of these
/// figures: the scrape handler reads them, the registry encodes them.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    /// The database pool, when it can be read.
    pub pool: Option<PoolGauges>,
    /// Per signing set: seconds since its cached copy was read from storage (absent while
    /// never loaded).
    pub key_cache_ages: Vec<(&'static str, f64)>,
    /// Store query latency: bucket upper bounds in seconds with cumulative counts, the sum in
    /// seconds and the count.
    pub query_latency: Option<QueryLatency>,
}

/// A latency histogram measured outside this module (the store's queries).
#[derive(Debug, Clone, Default)]
pub struct QueryLatency {
    /// `(upper bound in seconds, cumulative count)`, ascending, without `+Inf`.
    pub buckets: Vec<(f64, u64)>,
    /// The sum of every latency, in seconds.
    pub sum_seconds: f64,
    /// The number of queries.
    pub count: u64,
}

/// A histogram whose figures were read from counters at scrape time (the crate has constant
/// counters and gauges, not histograms).
struct ConstHistogram {
    /// `(upper bound in seconds, count of this bucket alone)`, ascending, without `+Inf`: the
    /// encoder accumulates them and adds `+Inf` = `count`.
    buckets: Vec<(f64, u64)>,
    sum_seconds: f64,
    count: u64,
}

impl EncodeMetric for ConstHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> fmt::Result {
        encoder.encode_histogram::<NoLabelSet>(self.sum_seconds, self.count, &self.buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

/// Writes the unlabelled metric `name`: HELP, TYPE and its one sample.
fn single(
    encoder: &mut DescriptorEncoder,
    name: &str,
    unit: Option<&Unit>,
    help: &str,
    metric: &impl EncodeMetric,
) -> fmt::Result {
    metric.encode(encoder.encode_descriptor(name, help, unit, metric.metric_type())?)
}

/// Writes the family `name` (HELP and TYPE from `metric_type`), then one sample per label set.
fn family<L: EncodeLabelSet, M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    unit: Option<&Unit>,
    help: &str,
    metric_type: MetricType,
    samples: impl IntoIterator<Item = (L, M)>,
) -> fmt::Result {
    let mut family = encoder.encode_descriptor(name, help, unit, metric_type)?;
    for (labels, metric) in samples {
        metric.encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

impl ConstHistogram {
    /// A cell's latencies. Our buckets have lower bounds: bucket `i` holds `[bound i,
    /// bound i+1)`, so its upper bound is bound `i+1` (a bound counts latencies strictly below
    /// it); the last bucket (10 s and slower) has none and is counted in `+Inf` only.
    fn of_cell(totals: &CellTotals) -> Self {
        let buckets = LATENCY_BUCKETS_NS
            .iter()
            .skip(1)
            .zip(totals.buckets)
            .map(|(upper, count)| {
                // Bounds are exact in f64 (all below 2^53).
                #[allow(clippy::cast_precision_loss)]
                let le = *upper as f64 / 1e9;
                (le, count)
            })
            .collect();
        Self {
            buckets,
            sum_seconds: totals.sum_seconds,
            count: totals.count(),
        }
    }

    /// The store's statement timings, whose buckets are cumulative.
    fn of_queries(latency: &QueryLatency) -> Self {
        let mut below = 0;
        let buckets = latency
            .buckets
            .iter()
            .map(|&(le, cumulative)| {
                let own = cumulative.saturating_sub(below);
                below = below.max(cumulative);
                (le, own)
            })
            .collect();
        Self {
            buckets,
            sum_seconds: latency.sum_seconds,
            count: latency.count,
        }
    }
}

/// Build info, uptime, HTTP cells and protocol events, read from [`Metrics`] at scrape time.
#[derive(Debug)]
struct CounterCollector(Arc<Metrics>);

impl Collector for CounterCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let metrics = &self.0;
        let help = "Always 1; the labels name the build.";
        encoder
            .encode_descriptor("oxydra_build", help, None, MetricType::Info)?
            .encode_info(&[("version", env!("CARGO_PKG_VERSION"))])?;
        let uptime = ConstGauge::new(metrics.started.elapsed().as_secs_f64());
        let help = "Seconds since this process started.";
        let seconds = Some(&Unit::Seconds);
        single(&mut encoder, "oxydra_uptime", seconds, help, &uptime)?;
        metrics.encode_http(&mut encoder)?;
        metrics.encode_events(&mut encoder)
    }
}

impl Collector for Gauges {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        if let Some(pool) = self.pool {
            let in_use = pool.size.saturating_sub(pool.idle);
            let name = "oxydra_db_pool_connections";
            let help = "Open database connections, in use or idle.";
            let states = [("in_use", in_use), ("idle", pool.idle)];
            let samples = states.map(|(state, n)| ([("state", state)], ConstGauge::new(n)));
            family(&mut encoder, name, None, help, MetricType::Gauge, samples)?;
            let name = "oxydra_db_pool_max_connections";
            let help = "The database pool's connection cap.";
            single(&mut encoder, name, None, help, &ConstGauge::new(pool.max))?;
        }
        if let Some(latency) = &self.query_latency {
            let histogram = ConstHistogram::of_queries(latency);
            let name = "oxydra_db_query_duration";
            let help = "Time of each store statement, in seconds.";
            single(&mut encoder, name, Some(&Unit::Seconds), help, &histogram)?;
        }
        let name = "oxydra_signing_key_cache_age";
        let help = "Seconds since a signing key set's cached copy was read from storage.";
        let samples = self
            .key_cache_ages
            .iter()
            .map(|&(set, age)| ([("set", set)], ConstGauge::new(age)));
        let unit = Some(&Unit::Seconds);
        family(&mut encoder, name, unit, help, MetricType::Gauge, samples)
    }
}

impl Metrics {
    /// The route label of a route counter index.
    fn route_label(&self, index: usize) -> String {
        match index {
            ROUTE_SLOTS => UNROUTED.to_owned(),
            i if i > ROUTE_SLOTS => OTHER_ROUTES.to_owned(),
            i => self
                .routes
                .get(i)
                .and_then(|slot| slot.get())
                .map_or_else(|| OTHER_ROUTES.to_owned(), |t| t.to_string()),
        }
    }

    /// Every (route, method, status class) cell with traffic, summed over the shards; the
    /// overflow cell is merged into `((other), OTHER, other)`.
    fn series_totals(&self) -> BTreeMap<(String, &'static str, &'static str), CellTotals> {
        let keyed = self.series.claimed().map(|(index, key)| {
            let method = METHODS.get(key.method).map_or("OTHER", |m| m.as_str());
            let labels = (self.route_label(key.route), method, class_label(key.class));
            (index, labels)
        });
        let overflow = (SERIES_SLOTS, (OTHER_ROUTES.to_owned(), "OTHER", "other"));
        let mut out: BTreeMap<_, CellTotals> = BTreeMap::new();
        for (index, labels) in keyed.chain([overflow]) {
            let totals = CellTotals::of(self.shards.iter().filter_map(|s| s.series.get(index)));
            if totals.count() == 0 {
                continue;
            }
            match out.get_mut(&labels) {
                Some(sum) => {
                    for (a, b) in sum.buckets.iter_mut().zip(totals.buckets) {
                        *a += b;
                    }
                    sum.sum_seconds += totals.sum_seconds;
                }
                None => {
                    out.insert(labels, totals);
                }
            }
        }
        out
    }

    /// The whole exposition: the counters, then `gauges`. Fails only if the encoder does.
    pub fn prometheus(self: &Arc<Self>, gauges: Gauges) -> Result<String, fmt::Error> {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(CounterCollector(Arc::clone(self))));
        registry.register_collector(Box::new(gauges));
        let mut body = String::with_capacity(16 * 1024);
        prometheus_text::encode(&mut body, &registry)?;
        Ok(body)
    }

    fn encode_http(&self, encoder: &mut DescriptorEncoder) -> fmt::Result {
        let series = self.series_totals();
        let labelled = || {
            series.iter().map(|((route, method, class), totals)| {
                let labels = [
                    ("route", route.as_str()),
                    ("method", *method),
                    ("status_class", *class),
                ];
                (labels, totals)
            })
        };
        let name = "oxydra_http_requests";
        let help = "HTTP responses by route template, method and status class.";
        let counts = labelled().map(|(labels, t)| (labels, ConstCounter::new(t.count())));
        family(encoder, name, None, help, MetricType::Counter, counts)?;
        let name = "oxydra_http_request_duration";
        let help = "Time until the response head was ready, in seconds.";
        let unit = Some(&Unit::Seconds);
        let latencies = labelled().map(|(labels, t)| (labels, ConstHistogram::of_cell(t)));
        family(encoder, name, unit, help, MetricType::Histogram, latencies)
    }

    fn encode_events(&self, encoder: &mut DescriptorEncoder) -> fmt::Result {
        let name = "oxydra_tokens_issued";
        let help = "Tokens issued, by grant type and token kind.";
        let tokens = self.events.tokens().map(|(grant, kind, count)| {
            let labels = [("grant_type", grant.label()), ("token_kind", kind.label())];
            (labels, ConstCounter::new(count))
        });
        family(encoder, name, None, help, MetricType::Counter, tokens)?;
        let name = "oxydra_client_authentication_failures";
        let help = "Failed client authentications (invalid_client), by endpoint.";
        let failures = self
            .events
            .auth_failures()
            .map(|(endpoint, count)| ([("endpoint", endpoint.label())], ConstCounter::new(count)));
        family(encoder, name, None, help, MetricType::Counter, failures)?;
        let name = "oxydra_flow_requests";
        let help = "Login and consent requests started, accepted, rejected and expired.";
        let flows = self.events.flows().map(|(flow, outcome, count)| {
            let labels = [("flow", flow.label()), ("outcome", outcome.label())];
            (labels, ConstCounter::new(count))
        });
        family(encoder, name, None, help, MetricType::Counter, flows)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use axum::http::StatusCode;
    use prometheus_parse::{Scrape, Value};

    use super::super::{Grant, InFlight, TokenKind};
    use super::*;

    fn parse(text: &str) -> Scrape {
        let lines = text.lines().map(|l| Ok(l.to_owned()));
        Scrape::parse(lines).expect("a Prometheus text exposition")
    }

    #[test]
    fn cell_buckets_become_upper_bounds() {
        let mut totals = CellTotals {
            buckets: [0; LATENCY_BUCKETS_NS.len()],
            sum_seconds: 1.5,
        };
        totals.buckets[0] = 2;
        totals.buckets[2] = 3;
        totals.buckets[LATENCY_BUCKETS_NS.len() - 1] = 1;
        let h = ConstHistogram::of_cell(&totals);
        assert_eq!(h.buckets.len(), LATENCY_BUCKETS_NS.len() - 1);
        assert_eq!(h.buckets[0], (0.0001, 2));
        assert_eq!(h.buckets[2], (0.0005, 3));
        assert_eq!(h.buckets.last().copied(), Some((10.0, 0)));
        assert_eq!((h.count, h.sum_seconds), (6, 1.5));
    }

    #[test]
    fn query_buckets_are_no_longer_cumulative() {
        let latency = QueryLatency {
            buckets: vec![(0.001, 2), (0.01, 2), (0.1, 7)],
            sum_seconds: 0.25,
            count: 8,
        };
        let h = ConstHistogram::of_queries(&latency);
        assert_eq!(h.buckets, [(0.001, 2), (0.01, 0), (0.1, 5)]);
        assert_eq!(h.count, 8);
    }

    #[test]
    fn the_exposition_is_prometheus_text_with_every_family() {
        let metrics = Arc::new(Metrics::new());
        // No `{id}` template: `prometheus-parse` reads no label value holding a `}`.
        let clients = metrics.route("/clients");
        for status in [StatusCode::OK, StatusCode::OK, StatusCode::NOT_FOUND] {
            let started = Instant::now();
            let request = InFlight {
                method: 0,
                route: clients,
                started,
            };
            metrics.depart(request, status, Some(10));
        }
        // The router has no template the format must escape, but the encoder would escape one.
        let odd = InFlight {
            method: 2,
            route: metrics.route("/a\"b\\c"),
            started: Instant::now(),
        };
        metrics.depart(odd, StatusCode::CREATED, None);
        metrics
            .events
            .token_issued(Grant::RefreshToken, TokenKind::AccessToken);
        let gauges = Gauges {
            pool: Some(PoolGauges {
                size: 5,
                idle: 3,
                max: 10,
            }),
            key_cache_ages: vec![("hydra.openid.id-token", 1.5)],
            query_latency: Some(QueryLatency {
                buckets: vec![(0.001, 2), (0.01, 5)],
                sum_seconds: 0.02,
                count: 6,
            }),
        };
        let text = metrics.prometheus(gauges).unwrap();

        // Prometheus 0.0.4 text, not OpenMetrics: counters are typed under their `_total`
        // name, info as a gauge, no `# EOF`.
        assert!(!text.contains("# EOF"), "{text}");
        for line in [
            "# TYPE oxydra_build_info gauge",
            "# TYPE oxydra_uptime_seconds gauge",
            "# TYPE oxydra_http_requests_total counter",
            "# TYPE oxydra_http_request_duration_seconds histogram",
            "# TYPE oxydra_tokens_issued_total counter",
            "# TYPE oxydra_client_authentication_failures_total counter",
            "# TYPE oxydra_flow_requests_total counter",
            "# TYPE oxydra_db_pool_connections gauge",
            "# TYPE oxydra_db_pool_max_connections gauge",
            "# TYPE oxydra_db_query_duration_seconds histogram",
            "# TYPE oxydra_signing_key_cache_age_seconds gauge",
        ] {
            assert!(text.lines().any(|l| l == line), "{line}:\n{text}");
        }
        let odd =
            r#"oxydra_http_requests_total{route="/a\"b\\c",method="POST",status_class="2xx"} 1"#;
        assert!(text.lines().any(|l| l == odd), "{text}");

        let m = parse(&text);
        let value = |metric: &str, labels: &[(&str, &str)]| {
            let found: Vec<_> = m
                .samples
                .iter()
                .filter(|s| s.metric == metric)
                .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
                .collect();
            assert_eq!(found.len(), 1, "{metric} {labels:?}: {found:?}");
            found[0].value.clone()
        };
        let ok = [
            ("route", "/clients"),
            ("method", "GET"),
            ("status_class", "2xx"),
        ];
        assert!(matches!(
            value("oxydra_http_requests_total", &ok),
            Value::Counter(2.0)
        ));
        let Value::Histogram(buckets) = value("oxydra_http_request_duration_seconds", &ok) else {
            panic!("{text}");
        };
        assert_eq!(buckets.len(), LATENCY_BUCKETS_NS.len());
        assert_eq!(buckets.last().map(|b| b.count), Some(2.0));
        let tokens = [
            ("grant_type", "refresh_token"),
            ("token_kind", "access_token"),
        ];
        assert!(matches!(
            value("oxydra_tokens_issued_total", &tokens),
            Value::Counter(1.0)
        ));
        let in_use = value("oxydra_db_pool_connections", &[("state", "in_use")]);
        assert!(matches!(in_use, Value::Gauge(2.0)), "{in_use:?}");
        let max = value("oxydra_db_pool_max_connections", &[]);
        assert!(matches!(max, Value::Gauge(10.0)), "{max:?}");
        let Value::Histogram(queries) = value("oxydra_db_query_duration_seconds", &[]) else {
            panic!("{text}");
        };
        let cumulative: Vec<_> = queries.iter().map(|b| (b.less_than, b.count)).collect();
        assert_eq!(
            cumulative,
            [(0.001, 2.0), (0.01, 5.0), (f64::INFINITY, 6.0)]
        );
        let age = value(
            "oxydra_signing_key_cache_age_seconds",
            &[("set", "hydra.openid.id-token")],
        );
        assert!(matches!(age, Value::Gauge(1.5)), "{age:?}");
    }
}
