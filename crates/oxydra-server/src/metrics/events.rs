//! Counters of protocol events for `GET /metrics/prometheus`: tokens issued, failed client
//! authentications, login and consent requests. Every label comes from a fixed enum below, so
//! the number of series is bounded by the code, never by the traffic (no client id or subject
//! is ever a label). Events are rare next to requests, so one unsharded atomic each is enough.

use std::sync::atomic::{AtomicU64, Ordering};

/// How a token was obtained (the `grant_type` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The authorization code grant (the code itself, and the token endpoint's exchange).
    AuthorizationCode,
    /// The refresh token grant.
    RefreshToken,
    /// The client credentials grant.
    ClientCredentials,
    /// Tokens handed out by the authorization endpoint itself (implicit and hybrid flows).
    Implicit,
    /// The device authorization grant (RFC 8628).
    DeviceCode,
    /// Token exchange (RFC 8693).
    TokenExchange,
    /// The JWT-bearer grant (RFC 7523 §2.1).
    JwtBearer,
}

impl Grant {
    /// Every grant, in label order.
    pub const ALL: [Self; 7] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
        Self::Implicit,
        Self::DeviceCode,
        Self::TokenExchange,
        Self::JwtBearer,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
            Self::Implicit => "implicit",
            Self::DeviceCode => "device_code",
            Self::TokenExchange => "token_exchange",
            Self::JwtBearer => "jwt_bearer",
        }
    }
}

/// What was issued (the `token_kind` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An access token.
    AccessToken,
    /// A refresh token.
    RefreshToken,
    /// An ID token.
    IdToken,
    /// An authorization code.
    AuthorizationCode,
}

impl TokenKind {
    /// Every kind, in label order.
    pub const ALL: [Self; 4] = [
        Self::AccessToken,
        Self::RefreshToken,
        Self::IdToken,
        Self::AuthorizationCode,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
            Self::IdToken => "id_token",
            Self::AuthorizationCode => "authorization_code",
        }
    }
}

/// Where a client failed to authenticate (the `endpoint` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEndpoint {
    /// `POST /oauth2/token`.
    Token,
    /// `POST /oauth2/revoke`.
    Revoke,
    /// `POST /oauth2/device/auth`.
    DeviceAuthorization,
    /// `POST /oauth2/par`.
    PushedAuthorization,
}

impl AuthEndpoint {
    /// Every endpoint, in label order.
    pub const ALL: [Self; 4] = [
        Self::Token,
        Self::Revoke,
        Self::DeviceAuthorization,
        Self::PushedAuthorization,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Revoke => "revoke",
            Self::DeviceAuthorization => "device_authorization",
            Self::PushedAuthorization => "pushed_authorization",
        }
    }
}

/// Which half of the user-facing flow (the `flow` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Login requests.
    Login,
    /// Consent requests (the 1.0 flow and 0.10's consent-by-id flow).
    Consent,
}

impl Flow {
    /// Every flow, in label order.
    pub const ALL: [Self; 2] = [Self::Login, Self::Consent];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Consent => "consent",
        }
    }
}

/// What happened to a login or consent request (the `outcome` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The browser was sent to the login or consent app.
    Started,
    /// The app accepted it.
    Accepted,
    /// The app rejected it.
    Rejected,
    /// The browser came back after the round trip's time ran out.
    Expired,
}

impl Outcome {
    /// Every outcome, in label order.
    pub const ALL: [Self; 4] = [Self::Started, Self::Accepted, Self::Rejected, Self::Expired];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }
}

/// The event counters of one process.
#[derive(Debug, Default)]
pub struct Events {
    tokens: [[AtomicU64; TokenKind::ALL.len()]; Grant::ALL.len()],
    auth_failures: [AtomicU64; AuthEndpoint::ALL.len()],
    flows: [[AtomicU64; Outcome::ALL.len()]; Flow::ALL.len()],
}

fn bump(counter: Option<&AtomicU64>) {
    if let Some(counter) = counter {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

impl Events {
    /// Counts one token of `kind` issued through `grant`.
    pub fn token_issued(&self, grant: Grant, kind: TokenKind) {
        bump(
            self.tokens
                .get(grant as usize)
                .and_then(|k| k.get(kind as usize)),
        );
    }

    /// Counts one failed client authentication at `endpoint`.
    pub fn client_auth_failed(&self, endpoint: AuthEndpoint) {
        bump(self.auth_failures.get(endpoint as usize));
    }

    /// Counts one `outcome` of a `flow` request.
    pub fn flow(&self, flow: Flow, outcome: Outcome) {
        bump(
            self.flows
                .get(flow as usize)
                .and_then(|o| o.get(outcome as usize)),
        );
    }

    /// Tokens issued so far, every (grant, kind) pair, zeros included.
    pub fn tokens(&self) -> impl Iterator<Item = (Grant, TokenKind, u64)> + '_ {
        Grant::ALL.into_iter().flat_map(move |grant| {
            TokenKind::ALL
                .into_iter()
                .map(move |kind| (grant, kind, self.tokens_of(grant, kind)))
        })
    }

    fn tokens_of(&self, grant: Grant, kind: TokenKind) -> u64 {
        load(
            self.tokens
                .get(grant as usize)
                .and_then(|k| k.get(kind as usize)),
        )
    }

    /// Failed client authentications so far, per endpoint.
    pub fn auth_failures(&self) -> impl Iterator<Item = (AuthEndpoint, u64)> + '_ {
        AuthEndpoint::ALL
            .into_iter()
            .map(|e| (e, load(self.auth_failures.get(e as usize))))
    }

    /// Login and consent request outcomes so far, every pair, zeros included.
    pub fn flows(&self) -> impl Iterator<Item = (Flow, Outcome, u64)> + '_ {
        Flow::ALL.into_iter().flat_map(move |flow| {
            Outcome::ALL.into_iter().map(move |outcome| {
                let count = load(
                    self.flows
                        .get(flow as usize)
                        .and_then(|o| o.get(outcome as usize)),
                );
                (flow, outcome, count)
            })
        })
    }
}

fn load(counter: Option<&AtomicU64>) -> u64 {
    counter.map_or(0, |c| c.load(Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_counted_under_their_labels() {
        let events = Events::default();
        events.token_issued(Grant::Implicit, TokenKind::IdToken);
        events.token_issued(Grant::Implicit, TokenKind::IdToken);
        events.client_auth_failed(AuthEndpoint::Revoke);
        events.flow(Flow::Consent, Outcome::Expired);
        let ids = events
            .tokens()
            .find(|(g, k, _)| *g == Grant::Implicit && *k == TokenKind::IdToken);
        assert_eq!(ids.map(|t| t.2), Some(2));
        assert_eq!(events.tokens().map(|t| t.2).sum::<u64>(), 2);
        assert_eq!(
            events.auth_failures().map(|f| f.1).collect::<Vec<_>>(),
            [0, 1, 0, 0]
        );
        let expired = events.flows().filter(|f| f.2 > 0).collect::<Vec<_>>();
        assert_eq!(expired, [(Flow::Consent, Outcome::Expired, 1)]);
    }
}
