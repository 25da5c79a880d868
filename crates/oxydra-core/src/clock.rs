//! The one place that reads the wall clock.
//!
//! Domain code receives [`Now`] values; adapters obtain them from a [`Clock`]. Tests use
//! [`FixedClock`] and move time forward instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::model::Now;

/// Source of the current time for adapters (the server's request handlers, background tasks).
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Now;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the single permitted wall-clock read
    fn now(&self) -> Now {
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Now::from_unix_micros(micros)
    }
}

/// A settable clock for tests: expiry is tested by advancing it, never by sleeping.
#[derive(Debug, Default)]
pub struct FixedClock {
    micros: AtomicI64,
}

impl FixedClock {
    /// A clock frozen at `now`.
    pub fn new(now: Now) -> Self {
        Self {
            micros: AtomicI64::new(now.unix_micros()),
        }
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance_secs(&self, seconds: i64) {
        self.micros
            .fetch_add(seconds.saturating_mul(1_000_000), Ordering::SeqCst);
    }

    /// Sets the clock to `now`.
    pub fn set(&self, now: Now) {
        self.micros.store(now.unix_micros(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Now {
        Now::from_unix_micros(self.micros.load(Ordering::SeqCst))
    }
}
