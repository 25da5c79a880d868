//! How long this process's store statements take, for the `oxydra_db_query_duration_seconds`
//! histogram: every statement run through `db.rs` is timed into fixed buckets of atomics (a
//! clock read and three relaxed increments per statement, no lock). Process-wide, like the
//! process's other metrics: every store of the process counts here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the buckets, in microseconds (the last bucket, above them, is `+Inf`).
pub const QUERY_BUCKET_BOUNDS_US: [u64; 12] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
];

/// The process's statement timings.
struct Timings {
    /// Statements per bucket (not cumulative); the last one is above every bound.
    buckets: [AtomicU64; QUERY_BUCKET_BOUNDS_US.len() + 1],
    sum_us: AtomicU64,
    count: AtomicU64,
}

static TIMINGS: Timings = Timings {
    buckets: [const { AtomicU64::new(0) }; QUERY_BUCKET_BOUNDS_US.len() + 1],
    sum_us: AtomicU64::new(0),
    count: AtomicU64::new(0),
};

/// Counts one statement that took `elapsed`.
pub(crate) fn record(elapsed: Duration) {
    let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    let index = QUERY_BUCKET_BOUNDS_US
        .iter()
        .position(|&bound| us <= bound)
        .unwrap_or(QUERY_BUCKET_BOUNDS_US.len());
    if let Some(bucket) = TIMINGS.buckets.get(index) {
        bucket.fetch_add(1, Ordering::Relaxed);
    }
    TIMINGS.sum_us.fetch_add(us, Ordering::Relaxed);
    TIMINGS.count.fetch_add(1, Ordering::Relaxed);
}

/// A copy of the statement timings so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTimings {
    /// `(upper bound in µs, statements at or under it)`, cumulative, ascending, without `+Inf`.
    pub cumulative_us: Vec<(u64, u64)>,
    /// Every statement's time added up, in µs.
    pub sum_us: u64,
    /// Statements timed.
    pub count: u64,
}

/// The statement timings of this process so far.
pub fn query_timings() -> QueryTimings {
    let mut running = 0;
    let cumulative_us = QUERY_BUCKET_BOUNDS_US
        .iter()
        .zip(&TIMINGS.buckets)
        .map(|(&bound, bucket)| {
            running += bucket.load(Ordering::Relaxed);
            (bound, running)
        })
        .collect();
    QueryTimings {
        cumulative_us,
        sum_us: TIMINGS.sum_us.load(Ordering::Relaxed),
        count: TIMINGS.count.load(Ordering::Relaxed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_land_in_cumulative_buckets() {
        let before = query_timings();
        record(Duration::from_micros(90));
        record(Duration::from_millis(3));
        record(Duration::from_secs(5));
        let after = query_timings();
        assert!(after.count - before.count >= 3);
        let under = |t: &QueryTimings, bound: u64| {
            t.cumulative_us.iter().find(|(b, _)| *b == bound).unwrap().1
        };
        // Other tests may record concurrently, so only lower bounds hold.
        assert!(under(&after, 100) - under(&before, 100) >= 1);
        assert!(under(&after, 5_000) - under(&before, 5_000) >= 2);
        assert!(after.sum_us - before.sum_us >= 5_003_090);
        assert!(after.cumulative_us.windows(2).all(|w| w[0].1 <= w[1].1));
    }
}
