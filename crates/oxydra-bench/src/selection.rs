//! Which scenarios a run measures (`--scenario`, repeatable or comma-separated; all when
//! absent), so one scenario can be re-measured alone.

use clap::ValueEnum;

/// A scenario that can be selected on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScenarioName {
    /// `client_credentials` token issuance (wrk).
    Token,
    /// Introspection of a valid access token (wrk).
    Introspect,
    /// The discovery document (wrk).
    Discovery,
    /// The published signing keys (wrk).
    Jwks,
    /// `GET /health/alive`, the cheapest route: the yardstick of CPU per request (wrk).
    Health,
    /// The whole authorization-code flow with an RS256 ID token (driver).
    FlowRs256,
    /// The whole authorization-code flow with an ES256 ID token (driver).
    FlowEs256,
    /// Refresh-token rotation (driver).
    Refresh,
    /// Revocation of a refresh token, paired with one rotation (driver).
    Revoke,
}

/// The scenarios to run: the ones named, or every one when none is.
pub fn resolve(named: &[ScenarioName]) -> Vec<ScenarioName> {
    if named.is_empty() {
        ScenarioName::value_variants().to_vec()
    } else {
        named.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_named_means_all() {
        assert_eq!(resolve(&[]).len(), ScenarioName::value_variants().len());
        assert_eq!(
            resolve(&[ScenarioName::Refresh]),
            vec![ScenarioName::Refresh]
        );
    }
}
