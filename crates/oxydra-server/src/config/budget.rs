//! The failed-client-authentication budget: `OXYDRA_AUTH_FAILURE_WINDOW`,
//! `OXYDRA_AUTH_FAILURES_PER_CLIENT` and `OXYDRA_AUTH_FAILURES_PER_IP`.

use std::collections::BTreeMap;
use std::time::Duration;

use super::duration::parse_duration;
use super::env::{EnvSource, Reader};

/// How many failed client authentications are answered with a full secret hash before the
/// token and revocation endpoints answer `429` instead: a wrong secret costs a bcrypt or
/// PBKDF2 run, so an unbounded burst of them would take the server's CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthBudgetConfig {
    /// The counting window; a spent budget refills when its window ends.
    pub window: Duration,
    /// Failures per client id and window; 0 = no per-client limit.
    pub per_client: u32,
    /// Failures per client IP address and window; 0 = no per-IP limit.
    pub per_ip: u32,
}

impl Default for AuthBudgetConfig {
    /// The documented defaults (the key table's).
    fn default() -> Self {
        auth_budget(&mut Reader::new(&BTreeMap::new(), &[]))
    }
}

pub(super) fn auth_budget<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> AuthBudgetConfig {
    let count = |s: &str| {
        s.parse::<u32>()
            .map_err(|_| format!("{s:?} is not a count (0 = no limit)"))
    };
    AuthBudgetConfig {
        window: r.parse_documented("OXYDRA_AUTH_FAILURE_WINDOW", |s| match parse_duration(s)? {
            d if d < Duration::from_secs(1) => Err("must be at least 1s".to_owned()),
            d => Ok(d),
        }),
        per_client: r.parse_documented("OXYDRA_AUTH_FAILURES_PER_CLIENT", count),
        per_ip: r.parse_documented("OXYDRA_AUTH_FAILURES_PER_IP", count),
    }
}
