//! `GET /metrics/prometheus`: the counters of [`Metrics`] in the Prometheus text exposition
//! format, version 0.0.4. Written directly rather than through a client crate's registry: the
//! counters already exist as sharded atomics (shared with `/health/stats`), so a registry
//! would only re-wrap them in collectors, and the format is a few line shapes. Every label
//! value comes from the router's templates or a fixed enum, so the output's size is bounded.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::series::{CellTotals, SERIES_SLOTS, class_label};
use super::{LATENCY_BUCKETS_NS, METHODS, Metrics, OTHER_ROUTES, ROUTE_SLOTS, UNROUTED};

/// The content type of the exposition (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

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

/// What the state knows at scrape time that the counters do not.
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

/// Appends metric families to a text buffer.
struct Writer(String);

impl Writer {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (n, (key, val)) in labels.iter().enumerate() {
                if n > 0 {
                    self.0.push(',');
                }
                let _ = write!(self.0, "{key}=\"{}\"", escape(val));
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {value}");
    }

    /// `_bucket` (cumulative, then `+Inf`), `_sum` and `_count` of one labelled histogram.
    fn histogram(&mut self, name: &str, labels: &[(&str, &str)], h: &QueryLatency) {
        let bucket = format!("{name}_bucket");
        for (le, count) in &h.buckets {
            let le = format!("{le}");
            self.sample(&bucket, &with(labels, ("le", &le)), count);
        }
        self.sample(&bucket, &with(labels, ("le", "+Inf")), h.count);
        self.sample(&format!("{name}_sum"), labels, h.sum_seconds);
        self.sample(&format!("{name}_count"), labels, h.count);
    }
}

fn with<'a>(labels: &[(&'a str, &'a str)], extra: (&'a str, &'a str)) -> Vec<(&'a str, &'a str)> {
    let mut all = labels.to_vec();
    all.push(extra);
    all
}

/// A label value with `\`, `"` and line feeds escaped, as the format requires.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Our buckets (lower bounds) as Prometheus's cumulative `le` buckets: bucket `i` holds
/// `[bound i, bound i+1)`, so `le = bound i+1` counts buckets `0..=i`; the last bucket (10 s
/// and slower) only reaches `+Inf`.
fn cumulative(totals: &CellTotals) -> QueryLatency {
    let mut running = 0;
    let buckets = LATENCY_BUCKETS_NS
        .iter()
        .skip(1)
        .zip(totals.buckets)
        .map(|(upper, count)| {
            running += count;
            // Bounds are exact in f64 (all below 2^53).
            #[allow(clippy::cast_precision_loss)]
            let le = *upper as f64 / 1e9;
            (le, running)
        })
        .collect();
    QueryLatency {
        buckets,
        sum_seconds: totals.sum_seconds,
        count: totals.count(),
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

    /// The whole exposition: the counters, then `gauges`.
    pub fn prometheus(&self, gauges: &Gauges) -> String {
        let mut w = Writer(String::with_capacity(16 * 1024));
        w.family(
            "oxydra_build_info",
            "gauge",
            "Always 1; the labels name the build.",
        );
        w.sample(
            "oxydra_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1,
        );
        w.family(
            "oxydra_uptime_seconds",
            "gauge",
            "Seconds since this process started.",
        );
        w.sample(
            "oxydra_uptime_seconds",
            &[],
            self.started.elapsed().as_secs_f64(),
        );
        self.write_http(&mut w);
        self.write_events(&mut w);
        write_gauges(&mut w, gauges);
        w.0
    }

    fn write_http(&self, w: &mut Writer) {
        let series = self.series_totals();
        let requests = "oxydra_http_requests_total";
        w.family(
            requests,
            "counter",
            "HTTP responses by route template, method and status class.",
        );
        for ((route, method, class), totals) in &series {
            let labels = [
                ("route", route.as_str()),
                ("method", method),
                ("status_class", class),
            ];
            w.sample(requests, &labels, totals.count());
        }
        let duration = "oxydra_http_request_duration_seconds";
        w.family(
            duration,
            "histogram",
            "Time until the response head was ready, in seconds.",
        );
        for ((route, method, class), totals) in &series {
            let labels = [
                ("route", route.as_str()),
                ("method", method),
                ("status_class", class),
            ];
            w.histogram(duration, &labels, &cumulative(totals));
        }
    }

    fn write_events(&self, w: &mut Writer) {
        let tokens = "oxydra_tokens_issued_total";
        w.family(
            tokens,
            "counter",
            "Tokens issued, by grant type and token kind.",
        );
        for (grant, kind, count) in self.events.tokens() {
            let labels = [("grant_type", grant.label()), ("token_kind", kind.label())];
            w.sample(tokens, &labels, count);
        }
        let failures = "oxydra_client_authentication_failures_total";
        w.family(
            failures,
            "counter",
            "Failed client authentications (invalid_client), by endpoint.",
        );
        for (endpoint, count) in self.events.auth_failures() {
            w.sample(failures, &[("endpoint", endpoint.label())], count);
        }
        let flows = "oxydra_flow_requests_total";
        w.family(
            flows,
            "counter",
            "Login and consent requests started, accepted, rejected and expired.",
        );
        for (flow, outcome, count) in self.events.flows() {
            w.sample(
                flows,
                &[("flow", flow.label()), ("outcome", outcome.label())],
                count,
            );
        }
    }
}

fn write_gauges(w: &mut Writer, gauges: &Gauges) {
    if let Some(pool) = gauges.pool {
        let name = "oxydra_db_pool_connections";
        w.family(name, "gauge", "Open database connections, in use or idle.");
        let in_use = pool.size.saturating_sub(pool.idle);
        w.sample(name, &[("state", "in_use")], in_use);
        w.sample(name, &[("state", "idle")], pool.idle);
        let max = "oxydra_db_pool_max_connections";
        w.family(max, "gauge", "The database pool's connection cap.");
        w.sample(max, &[], pool.max);
    }
    if let Some(latency) = &gauges.query_latency {
        let name = "oxydra_db_query_duration_seconds";
        w.family(
            name,
            "histogram",
            "Time of each store statement, in seconds.",
        );
        w.histogram(name, &[], latency);
    }
    let name = "oxydra_signing_key_cache_age_seconds";
    w.family(
        name,
        "gauge",
        "Seconds since a signing key set's cached copy was read from storage.",
    );
    for (set, age) in &gauges.key_cache_ages {
        w.sample(name, &[("set", set)], age);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn buckets_become_cumulative_upper_bounds() {
        let mut totals = CellTotals {
            buckets: [0; LATENCY_BUCKETS_NS.len()],
            sum_seconds: 1.5,
        };
        totals.buckets[0] = 2;
        totals.buckets[2] = 3;
        totals.buckets[LATENCY_BUCKETS_NS.len() - 1] = 1;
        let h = cumulative(&totals);
        assert_eq!(h.buckets.len(), LATENCY_BUCKETS_NS.len() - 1);
        assert_eq!(h.buckets[0], (0.0001, 2));
        assert_eq!(h.buckets[2], (0.0005, 5));
        assert_eq!(h.buckets.last().copied(), Some((10.0, 5)));
        assert_eq!(h.count, 6);
    }
}
