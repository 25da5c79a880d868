//! Refresh-token rotation with a grace window (RFC 9700 §4.14.2 allows "a short grace
//! period"; Hydra 2.x's `oauth2.grant.refresh_token.rotation_grace_period`): a client that
//! lost the response to a rotation may present the rotated token again for a little while
//! and gets the *same* successor pair back, instead of having its grant revoked as a replay.
//!
//! The store settles each presentation inside one transaction and asks [`GraceRule::allows`]
//! with the facts it read under lock ([`RotatedFacts`]), so the rule is written once, here,
//! and the race (two presentations at once, or a presentation while the successor rotates)
//! is settled where the rows are locked.

use std::time::Duration;

use crate::model::{ClientId, Now};
use crate::token::{StoredToken, TokenSignature};

/// The longest grace window a server accepts (Hydra 2.x's limit without a reuse count).
pub const MAX_ROTATION_GRACE: Duration = Duration::from_secs(5 * 60);

/// The associated-data label of a sealed successor pair (see `jwk::SealedFor`).
pub const GRACE_SEAL_LABEL: &str = "oxydra/refresh-grace/v1";

/// Who presents a rotated refresh token, when, and how long rotations stay forgivable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraceRule {
    /// The grace window; zero means every reuse is a replay.
    pub window: Duration,
    /// The authenticated client presenting the token.
    pub presenter: ClientId,
    /// The time of the presentation.
    pub now: Now,
}

/// What the store knows, under lock, about a rotated (inactive) refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotatedFacts {
    /// The client the token was issued to.
    pub client_id: ClientId,
    /// When it was rotated with a grace window; `None` when rotated without one.
    pub rotated_at: Option<Now>,
    /// Whether the successor pair's values are still kept (cleared once the successor is
    /// rotated in turn).
    pub sealed: bool,
    /// Whether the successor refresh token exists and is still active (not rotated, not
    /// revoked).
    pub successor_active: bool,
}

impl GraceRule {
    /// Whether this presentation of a rotated token is answered with its successor pair:
    /// by the same client, within the window after the rotation, while the successor is the
    /// grant's current refresh token. Anything else is a replay, and the grant is revoked.
    pub fn allows(&self, facts: &RotatedFacts) -> bool {
        let within = |at: Now| self.now.minus(self.window) < at;
        !self.window.is_zero()
            && facts.client_id == self.presenter
            && facts.sealed
            && facts.successor_active
            && facts.rotated_at.is_some_and(within)
    }
}

/// A rotation with a grace window: the new tokens, and the successor pair sealed for a
/// repeated presentation of the rotated token.
#[derive(Debug, Clone, Copy)]
pub struct Successor<'a> {
    /// The rows to store (the new access and refresh tokens).
    pub rows: &'a [StoredToken],
    /// The new refresh token's signature (one of `rows`).
    pub refresh: &'a TokenSignature,
    /// The pair's values, encrypted and bound to the rotated token's signature.
    pub sealed: &'a str,
    /// When the rotation happens.
    pub rotated_at: Now,
}

/// The result of presenting a refresh token under a grace window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was active: it is rotated and the successor is stored.
    Rotated,
    /// The token had just been rotated and [`GraceRule::allows`] this presentation: nothing
    /// changed, and these are the sealed values of the successor pair to answer with.
    Graced(String),
    /// A replay: every token of the grant was revoked (committed).
    Replayed,
    /// No refresh token with that signature exists.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROTATED: Now = Now::from_unix_secs(1_000);

    fn rule(client: &str, secs_after: i64) -> GraceRule {
        GraceRule {
            window: Duration::from_secs(30),
            presenter: ClientId::parse(client).unwrap(),
            now: Now::from_unix_secs(1_000 + secs_after),
        }
    }

    fn facts() -> RotatedFacts {
        RotatedFacts {
            client_id: ClientId::parse("c").unwrap(),
            rotated_at: Some(ROTATED),
            sealed: true,
            successor_active: true,
        }
    }

    #[test]
    fn within_the_window_the_same_client_is_forgiven() {
        assert!(rule("c", 0).allows(&facts()));
        assert!(rule("c", 29).allows(&facts()));
    }

    #[test]
    fn after_the_window_it_is_a_replay() {
        assert!(!rule("c", 30).allows(&facts()));
        assert!(!rule("c", 3_600).allows(&facts()));
    }

    #[test]
    fn another_client_is_never_forgiven() {
        assert!(!rule("d", 1).allows(&facts()));
    }

    #[test]
    fn a_successor_rotated_or_revoked_makes_it_a_replay() {
        let rotated_twice = RotatedFacts {
            successor_active: false,
            ..facts()
        };
        assert!(!rule("c", 1).allows(&rotated_twice));
        let cleared = RotatedFacts {
            sealed: false,
            ..facts()
        };
        assert!(!rule("c", 1).allows(&cleared));
    }

    #[test]
    fn a_rotation_without_a_window_or_a_zero_window_is_never_forgiven() {
        let no_window = RotatedFacts {
            rotated_at: None,
            ..facts()
        };
        assert!(!rule("c", 1).allows(&no_window));
        let off = GraceRule {
            window: Duration::ZERO,
            ..rule("c", 0)
        };
        assert!(!off.allows(&facts()));
    }
}
