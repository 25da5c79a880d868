//! The current instant, passed into domain code as a value.

use std::time::Duration;

/// An instant in Unix microseconds, UTC — the unit every SQL time column uses.
///
/// Domain functions take a `Now` instead of reading the clock, so expiry is tested by choosing
/// the value, not by sleeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Now(i64);

impl Now {
    /// Wraps a Unix timestamp in microseconds.
    pub const fn from_unix_micros(micros: i64) -> Self {
        Self(micros)
    }

    /// Wraps a Unix timestamp in whole seconds.
    pub const fn from_unix_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1_000_000))
    }

    /// Unix microseconds.
    pub const fn unix_micros(self) -> i64 {
        self.0
    }

    /// Unix seconds (truncated), as used in token claims.
    pub const fn unix_secs(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// This instant plus `d` (saturating).
    pub fn plus(self, d: Duration) -> Self {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(micros))
    }

    /// This instant minus `d` (saturating).
    pub fn minus(self, d: Duration) -> Self {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(micros))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_between_units() {
        let now = Now::from_unix_secs(10);
        assert_eq!(now.unix_micros(), 10_000_000);
        assert_eq!(now.plus(Duration::from_millis(1500)).unix_secs(), 11);
        assert_eq!(now.minus(Duration::from_secs(11)).unix_secs(), -1);
    }
}
