//! Connection hygiene of both listeners: how long a client may take to send its request
//! headers and body, how long an idle (keep-alive) connection stays open, and how many
//! connections each listener holds at once. Hydra 1.0.0-beta has no such keys (Go's server
//! defaults to no timeouts); these are Oxydra's.

use std::collections::BTreeMap;
use std::time::Duration;

use super::duration::parse_duration;
use super::env::{EnvSource, Reader};

/// Timeouts and caps of the listeners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// From a request's first byte until its headers are complete (`OXYDRA_HEADER_READ_TIMEOUT`).
    pub header_read_timeout: Duration,
    /// From a request's headers until its whole body is read (`OXYDRA_BODY_READ_TIMEOUT`).
    pub body_read_timeout: Duration,
    /// How long a connection may sit without a request, or a write without progress
    /// (`OXYDRA_IDLE_TIMEOUT`).
    pub idle_timeout: Duration,
    /// Connections the public listener holds at once (`OXYDRA_PUBLIC_MAX_CONNECTIONS`).
    pub public_max_connections: usize,
    /// Connections the admin listener holds at once (`OXYDRA_ADMIN_MAX_CONNECTIONS`).
    pub admin_max_connections: usize,
}

impl Default for ConnectionConfig {
    /// The documented defaults (the key table's).
    fn default() -> Self {
        connections(&mut Reader::new(&BTreeMap::new(), &[]))
    }
}

pub(super) fn connections<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> ConnectionConfig {
    ConnectionConfig {
        header_read_timeout: r.parse_documented("OXYDRA_HEADER_READ_TIMEOUT", positive),
        body_read_timeout: r.parse_documented("OXYDRA_BODY_READ_TIMEOUT", positive),
        idle_timeout: r.parse_documented("OXYDRA_IDLE_TIMEOUT", positive),
        public_max_connections: r.parse_documented("OXYDRA_PUBLIC_MAX_CONNECTIONS", count),
        admin_max_connections: r.parse_documented("OXYDRA_ADMIN_MAX_CONNECTIONS", count),
    }
}

/// A timeout: turning one off would reopen the slow-client hole, so 0 is refused.
fn positive(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err("must be longer than 0 (timeouts cannot be turned off)".to_owned()),
        d => Ok(d),
    }
}

fn count(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{s:?} is not a connection count (1 or more)")),
    }
}
