//! DPoP (RFC 9449): `OXYDRA_DPOP`, `OXYDRA_DPOP_PROOF_MAX_AGE`, `OXYDRA_DPOP_NONCE` and
//! `OXYDRA_DPOP_NONCE_LIFESPAN`.

use std::time::Duration;

use oxydra_core::service::dpop::DpopRules;

use super::duration::parse_duration;
use super::env::{EnvSource, Reader};

/// The shortest and longest proof age accepted: under 5 s honest clients with a little clock
/// drift fail; over 10 min a captured proof stays useful too long (and the replay cache grows).
const MAX_AGE_RANGE: (Duration, Duration) = (Duration::from_secs(5), Duration::from_secs(600));

/// Nonce lifespans from 10 s to 1 h.
const NONCE_RANGE: (Duration, Duration) = (Duration::from_secs(10), Duration::from_secs(3600));

pub(super) fn dpop<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> DpopRules {
    let within = |(min, max): (Duration, Duration), text: &'static str| {
        move |s: &str| match parse_duration(s)? {
            d if (min..=max).contains(&d) => Ok(d),
            _ => Err(text.to_owned()),
        }
    };
    let enabled = r.bool_documented("OXYDRA_DPOP");
    let proof_max_age = r.parse_documented(
        "OXYDRA_DPOP_PROOF_MAX_AGE",
        within(MAX_AGE_RANGE, "must be from 5s to 10m"),
    );
    let nonce = r.bool_documented("OXYDRA_DPOP_NONCE");
    let nonce_lifespan = r.parse_documented(
        "OXYDRA_DPOP_NONCE_LIFESPAN",
        within(NONCE_RANGE, "must be from 10s to 1h"),
    );
    if nonce && !enabled {
        r.problem(
            "OXYDRA_DPOP_NONCE",
            "requires OXYDRA_DPOP=true: there are no proofs to carry a nonce",
        );
    }
    DpopRules {
        enabled,
        proof_max_age,
        nonce_lifespan: nonce.then_some(nonce_lifespan),
    }
}
