//! The right to refresh a shared cache, held by one caller at a time, so that a burst of
//! requests finding the cache due sends one query to the database instead of one each.

use std::sync::atomic::{AtomicBool, Ordering};

/// A claim on `flag`; released on drop, also when the holder's future is cancelled mid-way.
#[derive(Debug)]
pub struct RefreshClaim<'a>(&'a AtomicBool);

impl<'a> RefreshClaim<'a> {
    /// Claims `flag`, or `None` when another caller holds it.
    pub fn try_claim(flag: &'a AtomicBool) -> Option<Self> {
        flag.compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .ok()
            .map(|_| Self(flag))
    }
}

impl Drop for RefreshClaim<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_until_dropped() {
        let flag = AtomicBool::new(false);
        let first = RefreshClaim::try_claim(&flag).unwrap();
        assert!(RefreshClaim::try_claim(&flag).is_none());
        drop(first);
        assert!(RefreshClaim::try_claim(&flag).is_some());
    }
}
