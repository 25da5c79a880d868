//! Which scenarios a run measures (`--scenario`, repeatable or comma-separated; all but the
//! volume scenarios when absent), so one scenario can be re-measured alone.

use clap::ValueEnum;

/// A scenario that can be selected on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScenarioName {
    /// `client_credentials` token issuance (wrk).
    Token,
    /// `client_credentials` token issuance with a fresh RFC 9449 DPoP proof in every request
    /// (wrk; proofs signed before each run).
    TokenDpop,
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
    /// Token issuance and introspection with `--growth-rows` rows seeded in the token table
    /// (wrk); only when named.
    Growth,
    /// `POST /oauth2/flush` of `--flush-rows` seeded expired tokens while wrk issues tokens;
    /// only when named.
    Flush,
}

impl ScenarioName {
    /// Whether the scenario seeds millions of rows: it runs only when named, since seeding
    /// takes minutes and leaves the rows behind.
    pub fn is_volume(self) -> bool {
        matches!(self, Self::Growth | Self::Flush)
    }
}

/// The scenarios to run: the ones named, or every one but the volume scenarios when none is.
pub fn resolve(named: &[ScenarioName]) -> Vec<ScenarioName> {
    if named.is_empty() {
        ScenarioName::value_variants()
            .iter()
            .copied()
            .filter(|s| !s.is_volume())
            .collect()
    } else {
        named.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_named_means_all_but_the_volume_scenarios() {
        let all = resolve(&[]);
        assert_eq!(all.len(), ScenarioName::value_variants().len() - 2);
        assert!(!all.contains(&ScenarioName::Growth) && !all.contains(&ScenarioName::Flush));
        assert_eq!(
            resolve(&[ScenarioName::Growth, ScenarioName::Flush]),
            vec![ScenarioName::Growth, ScenarioName::Flush]
        );
        assert_eq!(
            resolve(&[ScenarioName::Refresh]),
            vec![ScenarioName::Refresh]
        );
    }
}
