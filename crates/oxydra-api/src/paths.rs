//! Route paths shared by the server, the CLI's admin client and tests, so a path is spelled once.

/// Admin: collection of OAuth 2.0 clients.
pub const CLIENTS: &str = "/clients";
/// Admin: one client (axum path syntax).
pub const CLIENT: &str = "/clients/{id}";
/// Both ports: liveness.
pub const HEALTH_ALIVE: &str = "/health/alive";
/// Both ports: readiness (checks the database).
pub const HEALTH_READY: &str = "/health/ready";
/// Both ports: legacy alias that redirects to [`HEALTH_ALIVE`].
pub const HEALTH_STATUS: &str = "/health/status";
/// Both ports: build version.
pub const VERSION: &str = "/version";
/// Public: the authorization endpoint (RFC 6749 §3.1).
pub const OAUTH2_AUTH: &str = "/oauth2/auth";
/// Public: logs this browser out (forgets its login session), then redirects.
pub const LOGIN_SESSION_REVOKE: &str = "/oauth2/auth/sessions/login/revoke";
/// Public: the token endpoint (RFC 6749 §3.2).
pub const OAUTH2_TOKEN: &str = "/oauth2/token";
/// Public: token revocation (RFC 7009).
pub const OAUTH2_REVOKE: &str = "/oauth2/revoke";
/// Admin: token introspection (RFC 7662).
pub const OAUTH2_INTROSPECT: &str = "/oauth2/introspect";
/// Admin: deletes expired tokens.
pub const OAUTH2_FLUSH: &str = "/oauth2/flush";
/// Admin: pagination default page size for list endpoints.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Admin: the largest page size list endpoints return.
pub const MAX_PAGE_SIZE: u32 = 500;
