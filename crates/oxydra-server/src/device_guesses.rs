//! The verification page's limit on wrong user codes (RFC 8628 §5.1): user codes are short
//! enough to guess, so each client IP address, and all addresses together, may submit only a
//! configured number of wrong codes per window before the page answers `429`.
//!
//! Built on the failure counters of [`crate::auth_budget`]: the per-IP budget is its IP budget,
//! and the global one its per-client budget under a single key that no client id can equal
//! (client ids never contain a space). Per process, like the client-authentication budget.

use std::net::IpAddr;

use oxydra_core::model::Now;

use crate::auth_budget::{Caller, FailureBudget, Standing};
use crate::config::{AuthBudgetConfig, UserCodeGuesses};

/// The one key every wrong guess is also counted under (the global budget).
const EVERYONE: &str = "all addresses";
/// Addresses tracked per generation: a guessing attack from many addresses is bounded by the
/// global budget, so forgetting old addresses early only loosens the per-IP one.
const TRACKED_ADDRESSES: usize = 10_000;

/// Wrong user codes counted per address and in total.
#[derive(Debug)]
pub struct GuessBudget(FailureBudget);

impl GuessBudget {
    /// Empty counters for `config`.
    pub fn new(config: UserCodeGuesses) -> Self {
        let budget = AuthBudgetConfig {
            window: config.window,
            per_client: config.global,
            per_ip: config.per_ip,
        };
        Self(FailureBudget::new(budget, TRACKED_ADDRESSES))
    }

    fn caller(ip: Option<IpAddr>) -> Caller<'static> {
        Caller {
            client: Some(EVERYONE),
            ip,
        }
    }

    /// `Some(seconds to wait)` when `ip` (or everyone) has no guesses left at `now`.
    pub fn spent(&self, ip: Option<IpAddr>, now: Now) -> Option<u64> {
        match self.0.standing(Self::caller(ip), now) {
            Standing::Open => None,
            Standing::IpSpent(wait) | Standing::ClientSpent(wait) => Some(wait),
        }
    }

    /// Counts one wrong code from `ip` at `now`.
    pub fn record_wrong(&self, ip: Option<IpAddr>, now: Now) {
        self.0.record_failure(Self::caller(ip), now);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const T0: Now = Now::from_unix_secs(1_700_000_000);

    #[test]
    fn each_address_and_everyone_together_have_a_budget() {
        let b = GuessBudget::new(UserCodeGuesses {
            window: Duration::from_secs(60),
            per_ip: 2,
            global: 3,
        });
        let (a, c) = (
            Some(IpAddr::from([10, 0, 0, 1])),
            Some(IpAddr::from([10, 0, 0, 2])),
        );
        b.record_wrong(a, T0);
        assert_eq!(b.spent(a, T0), None);
        b.record_wrong(a, T0);
        assert_eq!(b.spent(a, T0), Some(60));
        assert_eq!(b.spent(c, T0), None);
        b.record_wrong(c, T0);
        // Three wrong codes in all: every address now waits.
        assert_eq!(b.spent(c, T0), Some(60));
        assert_eq!(b.spent(Some(IpAddr::from([10, 0, 0, 3])), T0), Some(60));
        assert_eq!(b.spent(c, T0.plus(Duration::from_secs(60))), None);
    }
}
