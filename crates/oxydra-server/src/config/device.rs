//! The device authorization grant (RFC 8628): `OXYDRA_DEVICE_FLOW` and the `OXYDRA_DEVICE_*`
//! settings — code lifetime, polling interval, user-code length, the published verification
//! URI, and the limit on wrong user codes at the verification page.

use std::time::Duration;

use oxydra_core::flow::device::user_code::{MAX_LENGTH, MIN_LENGTH};
use url::Url;

use super::duration::parse_duration;
use super::env::{EnvSource, Reader};
use super::urls::url;

/// How the device flow is configured. Off, its routes are not served and discovery does not
/// advertise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFlowConfig {
    /// Serve `/oauth2/device/auth` and `/oauth2/device/verify` (`OXYDRA_DEVICE_FLOW`).
    pub enabled: bool,
    /// How long a device code and its user code are valid (`OXYDRA_DEVICE_CODE_LIFESPAN`).
    pub code_lifespan: Duration,
    /// The polling interval devices are told (`OXYDRA_DEVICE_POLLING_INTERVAL`).
    pub polling_interval: Duration,
    /// Characters of a user code (`OXYDRA_DEVICE_USER_CODE_LENGTH`).
    pub user_code_length: usize,
    /// The `verification_uri` devices show (`OXYDRA_DEVICE_VERIFICATION_URL`); `None` only
    /// when the issuer is unusable (a problem recorded already).
    pub verification_url: Option<Url>,
    /// Wrong user codes allowed at the verification page.
    pub guesses: UserCodeGuesses,
}

/// The limit on wrong user codes (`OXYDRA_DEVICE_USER_CODE_FAILURE*`): per client IP address
/// and across all addresses, per fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserCodeGuesses {
    /// The counting window; a spent budget refills when it ends.
    pub window: Duration,
    /// Wrong codes per client IP and window; 0 = no per-IP limit.
    pub per_ip: u32,
    /// Wrong codes from all addresses together per window; 0 = no global limit.
    pub global: u32,
}

pub(super) fn device_flow<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    issuer: Option<&Url>,
) -> DeviceFlowConfig {
    let count = |s: &str| {
        s.parse::<u32>()
            .map_err(|_| format!("{s:?} is not a count (0 = no limit)"))
    };
    let at_least_a_second = |s: &str| match parse_duration(s)? {
        d if d < Duration::from_secs(1) => Err("must be at least 1s".to_owned()),
        d => Ok(d),
    };
    DeviceFlowConfig {
        enabled: r.bool_documented("OXYDRA_DEVICE_FLOW"),
        code_lifespan: r.parse_documented("OXYDRA_DEVICE_CODE_LIFESPAN", at_least_a_second),
        polling_interval: r.parse_documented("OXYDRA_DEVICE_POLLING_INTERVAL", |s| {
            match at_least_a_second(s)? {
                d if d.subsec_nanos() != 0 => Err("must be whole seconds".to_owned()),
                d => Ok(d),
            }
        }),
        user_code_length: r.parse_documented("OXYDRA_DEVICE_USER_CODE_LENGTH", |s| {
            match s.parse::<usize>() {
                Ok(n) if (MIN_LENGTH..=MAX_LENGTH).contains(&n) => Ok(n),
                _ => Err(format!(
                    "{s:?} is not a length from {MIN_LENGTH} to {MAX_LENGTH}"
                )),
            }
        }),
        verification_url: url(r, issuer, "OXYDRA_DEVICE_VERIFICATION_URL", None),
        guesses: UserCodeGuesses {
            window: r.parse_documented("OXYDRA_DEVICE_USER_CODE_FAILURE_WINDOW", at_least_a_second),
            per_ip: r.parse_documented("OXYDRA_DEVICE_USER_CODE_FAILURES_PER_IP", count),
            global: r.parse_documented("OXYDRA_DEVICE_USER_CODE_FAILURES", count),
        },
    }
}
