//! Route paths shared by the server, the CLI's admin client and tests, so a path is spelled once.

/// Admin: collection of OAuth 2.0 clients.
pub const CLIENTS: &str = "/clients";
/// Admin: one client (axum path syntax).
pub const CLIENT: &str = "/clients/{id}";
/// Admin: one JSON Web Key set (axum path syntax).
pub const KEY_SET: &str = "/keys/{set}";
/// Admin: one key of a set (axum path syntax).
pub const KEY: &str = "/keys/{set}/{kid}";
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
/// Public: OIDC RP-Initiated Logout (the `end_session_endpoint`), and where the browser comes
/// back with a `logout_verifier`.
pub const END_SESSION: &str = "/oauth2/sessions/logout";
/// Admin: one logout request, `?logout_challenge=` (Hydra 1.x).
pub const LOGOUT_REQUEST: &str = "/oauth2/auth/requests/logout";
/// Admin: accepts a logout request, `?logout_challenge=` (Hydra 1.x).
pub const LOGOUT_REQUEST_ACCEPT: &str = "/oauth2/auth/requests/logout/accept";
/// Admin: rejects a logout request, `?logout_challenge=` (Hydra 1.x).
pub const LOGOUT_REQUEST_REJECT: &str = "/oauth2/auth/requests/logout/reject";
/// Admin: [`LOGOUT_REQUEST`] under Hydra 2.x's `/admin` prefix.
pub const ADMIN_LOGOUT_REQUEST: &str = "/admin/oauth2/auth/requests/logout";
/// Admin: [`LOGOUT_REQUEST_ACCEPT`] under Hydra 2.x's `/admin` prefix.
pub const ADMIN_LOGOUT_REQUEST_ACCEPT: &str = "/admin/oauth2/auth/requests/logout/accept";
/// Admin: [`LOGOUT_REQUEST_REJECT`] under Hydra 2.x's `/admin` prefix.
pub const ADMIN_LOGOUT_REQUEST_REJECT: &str = "/admin/oauth2/auth/requests/logout/reject";
/// The query parameter naming the logout challenge (logout-app URL and admin routes).
pub const LOGOUT_CHALLENGE_PARAM: &str = "logout_challenge";
/// Public: the token endpoint (RFC 6749 §3.2).
pub const OAUTH2_TOKEN: &str = "/oauth2/token";
/// Public: token revocation (RFC 7009).
pub const OAUTH2_REVOKE: &str = "/oauth2/revoke";
/// Public: the device authorization endpoint (RFC 8628 §3.1).
pub const OAUTH2_DEVICE_AUTH: &str = "/oauth2/device/auth";
/// Public: pushed authorization requests (RFC 9126 §2).
pub const OAUTH2_PAR: &str = "/oauth2/par";
/// Public: dynamic client registration (RFC 7591 §3), served only when enabled.
pub const OAUTH2_REGISTER: &str = "/oauth2/register";
/// Public: one dynamically registered client, managed with its registration access token
/// (RFC 7592 §2).
pub const OAUTH2_REGISTERED_CLIENT: &str = "/oauth2/register/{id}";
/// Public: the device flow's verification page, where the user types the user code (RFC 8628
/// §3.3) and where the login and consent apps send the browser back to.
pub const OAUTH2_DEVICE_VERIFY: &str = "/oauth2/device/verify";
/// Admin: token introspection (RFC 7662).
pub const OAUTH2_INTROSPECT: &str = "/oauth2/introspect";
/// Admin: deletes expired tokens.
pub const OAUTH2_FLUSH: &str = "/oauth2/flush";
/// Admin: pagination default page size for list endpoints.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Admin: the largest page size list endpoints return.
pub const MAX_PAGE_SIZE: u32 = 500;
/// Admin: one login request (1.0.0-beta path form).
pub const LOGIN_REQUEST: &str = "/oauth2/auth/requests/login/{challenge}";
/// Admin: accepts a login request (1.0.0-beta path form).
pub const LOGIN_REQUEST_ACCEPT: &str = "/oauth2/auth/requests/login/{challenge}/accept";
/// Admin: rejects a login request (1.0.0-beta path form).
pub const LOGIN_REQUEST_REJECT: &str = "/oauth2/auth/requests/login/{challenge}/reject";
/// Admin: one login request, `?login_challenge=` (Hydra 1.x query form).
pub const LOGIN_REQUEST_BY_QUERY: &str = "/oauth2/auth/requests/login";
/// Admin: accepts a login request, `?login_challenge=` (Hydra 1.x query form).
pub const LOGIN_REQUEST_ACCEPT_BY_QUERY: &str = "/oauth2/auth/requests/login/accept";
/// Admin: rejects a login request, `?login_challenge=` (Hydra 1.x query form).
pub const LOGIN_REQUEST_REJECT_BY_QUERY: &str = "/oauth2/auth/requests/login/reject";
/// The query parameter naming the login challenge (login-app URL and Hydra 1.x admin routes).
pub const LOGIN_CHALLENGE_PARAM: &str = "login_challenge";
/// Admin: one consent request (1.0.0-beta path form).
pub const CONSENT_REQUEST: &str = "/oauth2/auth/requests/consent/{challenge}";
/// Admin: accepts a consent request (1.0.0-beta path form).
pub const CONSENT_REQUEST_ACCEPT: &str = "/oauth2/auth/requests/consent/{challenge}/accept";
/// Admin: rejects a consent request (1.0.0-beta path form).
pub const CONSENT_REQUEST_REJECT: &str = "/oauth2/auth/requests/consent/{challenge}/reject";
/// Admin: one consent request, `?consent_challenge=` (Hydra 1.x query form).
pub const CONSENT_REQUEST_BY_QUERY: &str = "/oauth2/auth/requests/consent";
/// Admin: accepts a consent request, `?consent_challenge=` (Hydra 1.x query form).
pub const CONSENT_REQUEST_ACCEPT_BY_QUERY: &str = "/oauth2/auth/requests/consent/accept";
/// Admin: rejects a consent request, `?consent_challenge=` (Hydra 1.x query form).
pub const CONSENT_REQUEST_REJECT_BY_QUERY: &str = "/oauth2/auth/requests/consent/reject";
/// The query parameter naming the consent challenge.
pub const CONSENT_CHALLENGE_PARAM: &str = "consent_challenge";
/// Admin: a subject's remembered consent sessions (list, revoke all).
pub const CONSENT_SESSIONS: &str = "/oauth2/auth/sessions/consent/{user}";
/// Admin: a subject's consent sessions with one client (revoke).
pub const CONSENT_SESSIONS_OF_CLIENT: &str = "/oauth2/auth/sessions/consent/{user}/{client}";
/// Admin: a subject's remembered login sessions (revoke).
pub const LOGIN_SESSIONS: &str = "/oauth2/auth/sessions/login/{user}";
/// Public: the server's public signing keys (RFC 7517 JWK Set).
pub const WELL_KNOWN_JWKS: &str = "/.well-known/jwks.json";
/// Public: the OpenID Connect userinfo endpoint.
pub const USERINFO: &str = "/userinfo";
/// Admin: collection of access-control policies (1.0.0-alpha1).
pub const POLICIES: &str = "/policies";
/// Admin: one access-control policy (axum path syntax).
pub const POLICY: &str = "/policies/{id}";
/// Admin (0.10): one legacy consent request by id (axum path syntax).
pub const LEGACY_CONSENT_REQUEST: &str = "/oauth2/consent/requests/{id}";
/// Admin (0.10): accepts a legacy consent request (`PATCH`).
pub const LEGACY_CONSENT_REQUEST_ACCEPT: &str = "/oauth2/consent/requests/{id}/accept";
/// Admin (0.10): rejects a legacy consent request (`PATCH`).
pub const LEGACY_CONSENT_REQUEST_REJECT: &str = "/oauth2/consent/requests/{id}/reject";
/// Public: the OpenID Provider metadata (OIDC Discovery 1.0 §4).
pub const WELL_KNOWN_OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
/// Both ports: 0.x (alpha1) health check, `{"status":"ok"}`.
pub const HEALTH: &str = "/health";
/// Both ports: 0.x (alpha1) instance statistics.
pub const HEALTH_STATS: &str = "/health/stats";
/// Prometheus exposition of this instance's counters (admin port; the public port too in 0.10 mode).
pub const METRICS_PROMETHEUS: &str = "/metrics/prometheus";
/// Hydra 2.x admin: the prefix every 2.x admin route carries (`/admin/clients`, ...).
pub const ADMIN_PREFIX: &str = "/admin";
/// Hydra 2.x admin: collection of OAuth 2.0 clients (`page_size`/`page_token` paging).
pub const ADMIN_CLIENTS: &str = "/admin/clients";
/// Hydra 2.x admin: one client (`GET`, `PUT`, `PATCH` with RFC 6902, `DELETE`).
pub const ADMIN_CLIENT: &str = "/admin/clients/{id}";
/// Hydra 2.x admin: replaces one client's token lifespans.
pub const ADMIN_CLIENT_LIFESPANS: &str = "/admin/clients/{id}/lifespans";
/// Hydra 2.x admin: trust relationships of the JWT-bearer grant (RFC 7523; list, create).
pub const ADMIN_TRUSTED_JWT_ISSUERS: &str = "/admin/trust/grants/jwt-bearer/issuers";
/// Hydra 2.x admin: one trust relationship of the JWT-bearer grant (`GET`, `DELETE`).
pub const ADMIN_TRUSTED_JWT_ISSUER: &str = "/admin/trust/grants/jwt-bearer/issuers/{id}";
/// Hydra 2.x admin: one JSON Web Key set.
pub const ADMIN_KEY_SET: &str = "/admin/keys/{set}";
/// Hydra 2.x admin: one key of a set.
pub const ADMIN_KEY: &str = "/admin/keys/{set}/{kid}";
/// Hydra 2.x admin: one login request, `?login_challenge=`.
pub const ADMIN_LOGIN_REQUEST: &str = "/admin/oauth2/auth/requests/login";
/// Hydra 2.x admin: accepts a login request, `?login_challenge=`.
pub const ADMIN_LOGIN_REQUEST_ACCEPT: &str = "/admin/oauth2/auth/requests/login/accept";
/// Hydra 2.x admin: rejects a login request, `?login_challenge=`.
pub const ADMIN_LOGIN_REQUEST_REJECT: &str = "/admin/oauth2/auth/requests/login/reject";
/// Hydra 2.x admin: one consent request, `?consent_challenge=`.
pub const ADMIN_CONSENT_REQUEST: &str = "/admin/oauth2/auth/requests/consent";
/// Hydra 2.x admin: accepts a consent request, `?consent_challenge=`.
pub const ADMIN_CONSENT_REQUEST_ACCEPT: &str = "/admin/oauth2/auth/requests/consent/accept";
/// Hydra 2.x admin: rejects a consent request, `?consent_challenge=`.
pub const ADMIN_CONSENT_REQUEST_REJECT: &str = "/admin/oauth2/auth/requests/consent/reject";
/// Hydra 2.x admin: consent sessions by `?subject=` (list; revoke with `client` or `all`).
pub const ADMIN_CONSENT_SESSIONS: &str = "/admin/oauth2/auth/sessions/consent";
/// Hydra 2.x admin: revokes login sessions by `?subject=` or `?sid=`.
pub const ADMIN_LOGIN_SESSIONS: &str = "/admin/oauth2/auth/sessions/login";
/// Hydra 2.x admin: token introspection (RFC 7662).
pub const ADMIN_INTROSPECT: &str = "/admin/oauth2/introspect";
/// Hydra 2.x admin: revokes every token of `?client_id=`.
pub const ADMIN_TOKENS: &str = "/admin/oauth2/tokens";
/// Hydra 1.x admin: revokes every token of `?client_id=` (the 2.x route without `/admin`).
pub const OAUTH2_TOKENS: &str = "/oauth2/tokens";
/// Hydra 1.x admin: consent sessions by `?subject=` (the 2.x route without `/admin`).
pub const CONSENT_SESSIONS_BY_QUERY: &str = "/oauth2/auth/sessions/consent";
/// Hydra 1.x admin: login sessions by `?subject=` (the 2.x route without `/admin`).
pub const LOGIN_SESSIONS_BY_QUERY: &str = "/oauth2/auth/sessions/login";
