//! Pushed authorization requests (RFC 9126): `OXYDRA_PAR`, `OXYDRA_PAR_LIFESPAN` and
//! `OXYDRA_PAR_REQUIRED`.

use std::time::Duration;

use oxydra_core::oauth2::par::{MAX_LIFESPAN, MIN_LIFESPAN};

use super::duration::parse_duration;
use super::env::{EnvSource, Reader};

/// How pushed authorization requests are configured. Off, `/oauth2/par` is not served and
/// discovery does not advertise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParConfig {
    /// Serve `POST /oauth2/par` (`OXYDRA_PAR`).
    pub enabled: bool,
    /// How long a `request_uri` is valid (`OXYDRA_PAR_LIFESPAN`), from 1 s to 10 min.
    pub lifespan: Duration,
    /// Every authorization request must be pushed first (`OXYDRA_PAR_REQUIRED`).
    pub required: bool,
}

pub(super) fn par<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> ParConfig {
    let config = ParConfig {
        enabled: r.bool_documented("OXYDRA_PAR"),
        lifespan: r.parse_documented("OXYDRA_PAR_LIFESPAN", |s| match parse_duration(s)? {
            d if (MIN_LIFESPAN..=MAX_LIFESPAN).contains(&d) => Ok(d),
            _ => Err("must be from 1s to 10m".to_owned()),
        }),
        required: r.bool_documented("OXYDRA_PAR_REQUIRED"),
    };
    if config.required && !config.enabled {
        r.problem(
            "OXYDRA_PAR_REQUIRED",
            "requires OXYDRA_PAR=true: no authorization request could be made",
        );
    }
    config
}
