//! The load generator: `concurrency` tokio tasks share one keep-alive connection pool and take
//! request numbers from a shared counter until `requests` have been sent or `max_duration` has
//! passed, whichever comes first. Each request's latency is recorded; the outcome is summarised
//! as throughput and nearest-rank percentiles.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

/// Latency slots reserved up front per worker; a huge `requests` with a short `max_duration` must
/// not reserve memory it will never use.
const MAX_PREALLOCATED: usize = 1 << 16;

/// One kind of request, prepared once so the generator does no per-request encoding.
#[derive(Debug, Clone)]
pub struct Probe {
    client: reqwest::Client,
    url: String,
    authorization: Option<HeaderValue>,
    body: String,
    /// When set, a 200 whose body lacks these bytes counts as an error too.
    expect: Option<&'static [u8]>,
}

impl Probe {
    /// A form `POST` to `url` with `body`, optionally with an `Authorization` header.
    pub fn form_post(
        client: reqwest::Client,
        url: String,
        authorization: Option<HeaderValue>,
        body: String,
        expect: Option<&'static [u8]>,
    ) -> Probe {
        Probe {
            client,
            url,
            authorization,
            body,
            expect,
        }
    }

    /// Sends the request and reads the whole body; `true` when it succeeded.
    pub async fn send(&self) -> bool {
        let mut request = self
            .client
            .post(&self.url)
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .body(self.body.clone());
        if let Some(value) = &self.authorization {
            request = request.header(AUTHORIZATION, value.clone());
        }
        let Ok(response) = request.send().await else {
            return false;
        };
        let ok = response.status() == reqwest::StatusCode::OK;
        match response.bytes().await {
            Ok(body) => ok && self.expect.is_none_or(|needle| contains(&body, needle)),
            Err(_) => false,
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The bounds of one scenario.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests to send in total.
    pub requests: usize,
    /// Stop sending new requests after this long, even if `requests` is not reached.
    pub max_duration: Duration,
}

/// What one scenario measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests completed (answered or failed).
    pub requests: usize,
    /// Requests that failed: transport error, non-200 status, or unexpected body.
    pub errors: usize,
    /// From the first request sent to the last answer.
    pub wall: Duration,
    /// Whether `max_duration` stopped the run before `requests` were sent.
    pub hit_time_limit: bool,
    /// Per-request latencies, sorted ascending.
    pub latencies: Vec<Duration>,
}

impl Outcome {
    /// Completed requests per second of wall time.
    pub fn per_second(&self) -> f64 {
        let secs = self.wall.as_secs_f64();
        if secs > 0.0 {
            self.requests as f64 / secs
        } else {
            0.0
        }
    }

    /// The nearest-rank percentile `p` (0 < p <= 100) in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let n = self.latencies.len();
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        let index = rank.clamp(1, n) - 1;
        self.latencies
            .get(index)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// Runs `probe` within `bounds` and returns what was measured.
pub async fn run(probe: &Probe, bounds: Bounds) -> anyhow::Result<Outcome> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + bounds.max_duration;
    let mut workers = Vec::with_capacity(bounds.concurrency);
    for _ in 0..bounds.concurrency.max(1) {
        let probe = probe.clone();
        let next = Arc::clone(&next);
        let requests = bounds.requests;
        workers.push(tokio::spawn(async move {
            let expected = requests / bounds.concurrency.max(1) + 1;
            let mut latencies = Vec::with_capacity(expected.min(MAX_PREALLOCATED));
            let mut errors = 0usize;
            let mut hit_time_limit = false;
            loop {
                if Instant::now() >= deadline {
                    hit_time_limit = true;
                    break;
                }
                if next.fetch_add(1, Ordering::Relaxed) >= requests {
                    break;
                }
                let sent = Instant::now();
                let ok = probe.send().await;
                latencies.push(sent.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors, hit_time_limit)
        }));
    }
    let mut outcome = Outcome {
        concurrency: bounds.concurrency,
        requests: 0,
        errors: 0,
        wall: Duration::ZERO,
        hit_time_limit: false,
        latencies: Vec::new(),
    };
    for worker in workers {
        let (latencies, errors, hit_time_limit) = worker.await?;
        outcome.latencies.extend(latencies);
        outcome.errors += errors;
        outcome.hit_time_limit |= hit_time_limit;
    }
    outcome.wall = started.elapsed();
    outcome.requests = outcome.latencies.len();
    outcome.latencies.sort_unstable();
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(millis: &[u64]) -> Outcome {
        Outcome {
            concurrency: 1,
            requests: millis.len(),
            errors: 0,
            wall: Duration::from_secs(2),
            hit_time_limit: false,
            latencies: millis.iter().map(|m| Duration::from_millis(*m)).collect(),
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        let o = outcome(&(1..=100).collect::<Vec<_>>());
        assert_eq!(o.percentile_ms(50.0), 50.0);
        assert_eq!(o.percentile_ms(99.0), 99.0);
        assert_eq!(o.percentile_ms(100.0), 100.0);
        assert_eq!(o.per_second(), 50.0);
        assert_eq!(outcome(&[]).percentile_ms(50.0), 0.0);
        assert_eq!(outcome(&[7]).percentile_ms(1.0), 7.0);
    }

    #[test]
    fn finds_expected_bytes() {
        assert!(contains(br#"{"active":true,"x":1}"#, br#""active":true"#));
        assert!(!contains(br#"{"active":false}"#, br#""active":true"#));
    }
}
