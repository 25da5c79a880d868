//! One poll of the token endpoint with a device code (RFC 8628 §3.4–3.5): what the device gets,
//! decided from the stored grant, the polling client and the time.

use crate::flow::device::{DeviceApproval, DeviceGrant, DeviceState, SLOW_DOWN_STEP};
use crate::model::{ClientId, Now};
use crate::{OAuthError, OAuthErrorKind};

/// The decision for one poll.
#[derive(Debug, Clone, PartialEq)]
pub enum Poll<'g> {
    /// Approved and not yet redeemed: issue the tokens (and mark the grant used).
    Redeem(&'g DeviceApproval),
    /// Redeemed before: a replay, which revokes what was issued (as a reused code does).
    Replayed,
    /// Still waiting for the user: record this poll with `interval_secs` as the new minimum
    /// interval, then answer `slow_down` (when the device polled too early) or
    /// `authorization_pending`.
    Wait {
        /// The device polled sooner than the interval allows.
        slow_down: bool,
        /// The interval from now on.
        interval_secs: i64,
    },
}

/// Decides one poll by `client` at `now`. A grant of another client is `invalid_grant` (a
/// device code is bound to the client that asked for it, RFC 8628 §3.4); an expired one
/// `expired_token`; a denied one `access_denied`.
pub fn poll<'g>(
    grant: &'g DeviceGrant,
    client: &ClientId,
    now: Now,
) -> Result<Poll<'g>, OAuthError> {
    if grant.client_id != *client {
        return Err(OAuthError::new(OAuthErrorKind::InvalidGrant)
            .hint("The device code was issued to another client."));
    }
    if let DeviceState::Used(_) = grant.state {
        return Ok(Poll::Replayed);
    }
    if !grant.is_live_at(now) {
        return Err(OAuthError::new(OAuthErrorKind::ExpiredToken)
            .hint("The device code has expired; start a new device authorization."));
    }
    match &grant.state {
        DeviceState::Authorized(approval) => Ok(Poll::Redeem(approval)),
        DeviceState::Denied => Err(OAuthError::new(OAuthErrorKind::AccessDenied)
            .hint("The user denied the device authorization request.")),
        DeviceState::Pending | DeviceState::Used(_) => {
            let interval = std::time::Duration::from_secs(grant.interval_secs.unsigned_abs());
            let early = grant
                .last_polled_at
                .is_some_and(|last| now < last.plus(interval));
            let step = i64::try_from(SLOW_DOWN_STEP.as_secs()).unwrap_or(5);
            Ok(Poll::Wait {
                slow_down: early,
                interval_secs: if early {
                    grant.interval_secs.saturating_add(step)
                } else {
                    grant.interval_secs
                },
            })
        }
    }
}

/// The error a waiting poll answers with.
pub fn wait_error(slow_down: bool) -> OAuthError {
    if slow_down {
        OAuthError::new(OAuthErrorKind::SlowDown)
            .hint("Polling too fast: wait 5 seconds longer between polls from now on.")
    } else {
        OAuthError::new(OAuthErrorKind::AuthorizationPending)
            .hint("The user has not yet approved the device at the verification page.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::FlowId;
    use crate::token::{TokenSession, TokenSignature};

    const T0: Now = Now::from_unix_secs(1_700_000_000);

    fn grant(state: DeviceState, last: Option<i64>) -> DeviceGrant {
        DeviceGrant {
            signature: TokenSignature::from_stored("sig"),
            user_code_hash: "hash".into(),
            challenge: FlowId::generate(),
            client_id: ClientId::parse("tv").unwrap(),
            requested_scope: vec!["openid".into()],
            requested_at: T0,
            expires_at: Now::from_unix_secs(1_700_000_600),
            interval_secs: 5,
            last_polled_at: last.map(Now::from_unix_secs),
            state,
        }
    }

    fn approval() -> DeviceApproval {
        DeviceApproval {
            request_id: "req".into(),
            subject: "alice".into(),
            granted_scope: vec!["openid".into()],
            session: TokenSession::default(),
        }
    }

    fn kind(r: Result<Poll<'_>, OAuthError>) -> OAuthErrorKind {
        r.unwrap_err().kind
    }

    #[test]
    fn pending_grants_wait_and_slow_down_when_polled_early() {
        let at = |s| Now::from_unix_secs(s);
        let tv = ClientId::parse("tv").unwrap();
        let g = grant(DeviceState::Pending, None);
        assert_eq!(
            poll(&g, &tv, at(1_700_000_001)).unwrap(),
            Poll::Wait {
                slow_down: false,
                interval_secs: 5
            }
        );
        let g = grant(DeviceState::Pending, Some(1_700_000_010));
        assert_eq!(
            poll(&g, &tv, at(1_700_000_014)).unwrap(),
            Poll::Wait {
                slow_down: true,
                interval_secs: 10
            }
        );
        assert_eq!(
            poll(&g, &tv, at(1_700_000_015)).unwrap(),
            Poll::Wait {
                slow_down: false,
                interval_secs: 5
            }
        );
    }

    #[test]
    fn every_end_of_a_grant_has_its_answer() {
        let tv = ClientId::parse("tv").unwrap();
        let now = Now::from_unix_secs(1_700_000_100);
        let a = approval();
        let authorized = grant(DeviceState::Authorized(Box::new(a.clone())), None);
        assert_eq!(poll(&authorized, &tv, now).unwrap(), Poll::Redeem(&a));
        let used = grant(DeviceState::Used(Box::new(a.clone())), None);
        assert_eq!(poll(&used, &tv, now).unwrap(), Poll::Replayed);
        assert_eq!(
            kind(poll(&grant(DeviceState::Denied, None), &tv, now)),
            OAuthErrorKind::AccessDenied
        );
        let late = Now::from_unix_secs(1_700_000_600);
        assert_eq!(
            kind(poll(&authorized, &tv, late)),
            OAuthErrorKind::ExpiredToken
        );
        assert_eq!(
            kind(poll(&grant(DeviceState::Pending, None), &tv, late)),
            OAuthErrorKind::ExpiredToken
        );
    }

    #[test]
    fn another_client_cannot_poll() {
        let other = ClientId::parse("other").unwrap();
        let now = Now::from_unix_secs(1_700_000_100);
        let authorized = grant(DeviceState::Authorized(Box::new(approval())), None);
        assert_eq!(
            kind(poll(&authorized, &other, now)),
            OAuthErrorKind::InvalidGrant
        );
    }
}
