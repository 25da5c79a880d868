//! The JWT-bearer grant (RFC 7523 §2.1): `OXYDRA_JWT_BEARER_GRANT` and Hydra's
//! `oauth2.grant.jwt.*` settings (`OAUTH2_GRANT_JWT_MAX_TTL`, `…_JTI_OPTIONAL`,
//! `…_IAT_OPTIONAL`).

use std::time::Duration;

use super::duration::parse_duration;
use super::env::{EnvSource, Reader};

/// How the JWT-bearer grant is configured. Off, the token endpoint refuses the grant and
/// discovery does not advertise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwtBearerConfig {
    /// Serve the grant (`OXYDRA_JWT_BEARER_GRANT`).
    pub enabled: bool,
    /// The farthest an assertion's `exp` may be ahead (`OAUTH2_GRANT_JWT_MAX_TTL`).
    pub max_ttl: Duration,
    /// Accept assertions without `jti` (`OAUTH2_GRANT_JWT_JTI_OPTIONAL`).
    pub jti_optional: bool,
    /// Accept assertions without `iat` (`OAUTH2_GRANT_JWT_IAT_OPTIONAL`).
    pub iat_optional: bool,
}

pub(super) fn jwt_bearer<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> JwtBearerConfig {
    JwtBearerConfig {
        enabled: r.bool_documented("OXYDRA_JWT_BEARER_GRANT"),
        max_ttl: r.parse_documented("OAUTH2_GRANT_JWT_MAX_TTL", |s| match parse_duration(s)? {
            d if d < Duration::from_secs(1) => Err("must be at least 1s".to_owned()),
            d => Ok(d),
        }),
        jti_optional: r.bool_documented("OAUTH2_GRANT_JWT_JTI_OPTIONAL"),
        iat_optional: r.bool_documented("OAUTH2_GRANT_JWT_IAT_OPTIONAL"),
    }
}
