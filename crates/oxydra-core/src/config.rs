//! Typed configuration sections the domain consumes. Parsing and validation of the environment
//! happen in the server; these are plain data.

use std::time::Duration;

use crate::model::SubjectType;

/// Rules applied to client registrations (`shared/spec/behaviour.md` §12).
#[derive(Debug, Clone)]
pub struct ClientPolicy {
    /// Scope given to clients registered without one (`OIDC_DYNAMIC_CLIENT_REGISTRATION_DEFAULT_SCOPE`).
    pub default_scope: String,
    /// Subject types clients may choose; the first is the default (`OIDC_SUBJECT_TYPES_SUPPORTED`).
    pub subject_types: Vec<SubjectType>,
    /// Development mode (`--dangerous-force-http`): a `sector_identifier_uri` may be plain
    /// `http` on a loopback host, so tests and local setups can serve one.
    pub loopback_http_documents: bool,
}

impl Default for ClientPolicy {
    fn default() -> Self {
        Self {
            default_scope: String::new(),
            subject_types: vec![SubjectType::Public],
            loopback_http_documents: false,
        }
    }
}

/// Token and flow lifespans (`ACCESS_TOKEN_LIFESPAN`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifespans {
    /// Access tokens.
    pub access_token: Duration,
    /// ID tokens.
    pub id_token: Duration,
    /// Authorization codes.
    pub auth_code: Duration,
    /// Login/consent challenges (legacy consent requests).
    pub challenge: Duration,
    /// Remembered logins with `remember_for = 0` (for the browser session), server-side.
    pub browser_session: Duration,
}

impl Default for Lifespans {
    fn default() -> Self {
        Self {
            access_token: Duration::from_secs(3600),
            id_token: Duration::from_secs(3600),
            auth_code: Duration::from_secs(600),
            challenge: Duration::from_secs(600),
            browser_session: Duration::from_secs(24 * 3600),
        }
    }
}

/// How requested scopes are matched against allowed ones (`SCOPE_STRATEGY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScopeStrategy {
    /// `a.*` matches `a.b`; `*` matches anything (Hydra's default).
    #[default]
    Wildcard,
    /// `a` also covers `a.b` (`DEPRECATED_HIERARCHICAL_SCOPE_STRATEGY`).
    Hierarchical,
}

/// Format of issued access tokens (`OAUTH2_ACCESS_TOKEN_STRATEGY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessTokenStrategy {
    /// HMAC-signed opaque tokens, only their signature stored.
    #[default]
    Opaque,
    /// RS256-signed JWTs, still stored for revocation and introspection.
    Jwt,
}
