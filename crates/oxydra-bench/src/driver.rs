//! A closed-loop load driver for journeys wrk cannot express: each virtual user runs one
//! journey (several dependent requests, e.g. a whole authorization-code flow) after another
//! until the run's time is up, and every journey's wall time is one latency sample.
//!
//! It runs on a multi-threaded runtime of its own (on its own OS thread), so the driver is not
//! limited to the benchmark's single-threaded main runtime; like wrk, it shares the machine's
//! cores with the server, which the printed CPU per journey accounts for.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

use crate::report::median;
use crate::wrk::Measurement;

/// Most failures whose messages are kept for the report.
const KEPT_FAILURES: usize = 3;

/// A boxed journey future.
pub type JourneyFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// One kind of journey; each virtual user owns a `State` (e.g. its current refresh token).
pub trait Journey: Send + Sync + 'static {
    /// What one virtual user carries from one journey to the next.
    type State: Send + 'static;

    /// Prepares one virtual user's state (not measured).
    fn prepare(&self, http: reqwest::Client) -> JourneyStateFuture<'_, Self::State>;

    /// Runs one journey.
    fn run<'a>(
        &'a self,
        http: &'a reqwest::Client,
        state: &'a mut Self::State,
    ) -> JourneyFuture<'a>;
}

/// A boxed future preparing a virtual user's state.
pub type JourneyStateFuture<'a, S> = Pin<Box<dyn Future<Output = anyhow::Result<S>> + Send + 'a>>;

/// What one driven run measured, before it becomes a [`Measurement`].
#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<f64>,
    failures: u64,
    messages: Vec<String>,
}

/// Runs `users` virtual users of `journey` for `duration`; a journey that fails counts as a
/// bad status (its first messages are printed).
pub fn drive<J: Journey>(
    journey: Arc<J>,
    users: u32,
    duration: Duration,
) -> anyhow::Result<Measurement> {
    let handle = std::thread::spawn(move || -> anyhow::Result<(Tally, Duration)> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("cannot build the driver's runtime")?;
        runtime.block_on(drive_on_runtime(journey, users, duration))
    });
    let (tally, elapsed) = handle
        .join()
        .map_err(|_| anyhow!("the load driver panicked"))??;
    for message in &tally.messages {
        eprintln!("  failed journey: {message}");
    }
    let ok = tally.latencies_us.len() as f64;
    let percentile = |p: f64| percentile_ms(&tally.latencies_us, p);
    Ok(Measurement {
        per_second: ok / elapsed.as_secs_f64().max(f64::EPSILON),
        requests: tally.latencies_us.len() as u64 + tally.failures,
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        bad_status: tally.failures,
        socket_errors: 0,
        cpu_us_per_request: None,
        driver_cpu_us_per_request: None,
    })
}

async fn drive_on_runtime<J: Journey>(
    journey: Arc<J>,
    users: u32,
    duration: Duration,
) -> anyhow::Result<(Tally, Duration)> {
    let http = crate::backend::http_client()?;
    let mut states = Vec::new();
    for _ in 0..users {
        states.push(journey.prepare(http.clone()).await?);
    }
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for mut state in states {
        let journey = journey.clone();
        let http = http.clone();
        tasks.spawn(async move {
            let mut tally = Tally::default();
            while Instant::now() < deadline {
                let began = Instant::now();
                match journey.run(&http, &mut state).await {
                    Ok(()) => tally.latencies_us.push(began.elapsed().as_secs_f64() * 1e6),
                    Err(e) => {
                        tally.failures += 1;
                        if tally.messages.len() < KEPT_FAILURES {
                            tally.messages.push(format!("{e:#}"));
                        }
                    }
                }
            }
            tally
        });
    }
    let mut total = Tally::default();
    while let Some(done) = tasks.join_next().await {
        let tally = done.map_err(|e| anyhow!("a virtual user failed: {e}"))?;
        total.latencies_us.extend(tally.latencies_us);
        total.failures += tally.failures;
        for message in tally.messages {
            if total.messages.len() < KEPT_FAILURES {
                total.messages.push(message);
            }
        }
    }
    Ok((total, start.elapsed()))
}

/// The `p` quantile (0..=1) of `samples` (microseconds), in milliseconds; 0 when empty.
fn percentile_ms(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    if (p - 0.5).abs() < f64::EPSILON {
        return median(samples.to_vec()) / 1000.0;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted.get(rank).copied().unwrap_or(0.0) / 1000.0
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A journey that sleeps a millisecond and fails every fourth time.
    struct Sleepy(AtomicU64);

    impl Journey for Sleepy {
        type State = u64;

        fn prepare(&self, _http: reqwest::Client) -> JourneyStateFuture<'_, u64> {
            Box::pin(async { Ok(0) })
        }

        fn run<'a>(&'a self, _http: &'a reqwest::Client, state: &'a mut u64) -> JourneyFuture<'a> {
            Box::pin(async move {
                *state += 1;
                tokio::time::sleep(Duration::from_millis(1)).await;
                if self.0.fetch_add(1, Ordering::Relaxed) % 4 == 3 {
                    anyhow::bail!("every fourth fails");
                }
                Ok(())
            })
        }
    }

    #[test]
    fn counts_journeys_failures_and_latencies() {
        let m = drive(
            Arc::new(Sleepy(AtomicU64::new(0))),
            4,
            Duration::from_millis(200),
        )
        .unwrap();
        assert!(m.requests > 20, "{m:?}");
        assert!(m.bad_status > 0 && m.bad_status < m.requests, "{m:?}");
        assert!(m.p50_ms >= 1.0 && m.p99_ms >= m.p50_ms, "{m:?}");
        assert!(m.per_second > 0.0);
    }

    #[test]
    fn percentiles_of_known_samples() {
        let samples: Vec<f64> = (1..=100).map(|i| f64::from(i) * 1000.0).collect();
        assert_eq!(percentile_ms(&samples, 0.99), 99.0);
        assert_eq!(percentile_ms(&samples, 0.5), 50.5);
        assert_eq!(percentile_ms(&[], 0.99), 0.0);
    }
}
