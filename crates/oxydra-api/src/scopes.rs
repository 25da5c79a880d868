//! The OAuth 2.0 scopes Hydra 0.x required of an admin caller's access token, per area, when
//! the admin API is guarded by policies (`ADMIN_ACCESS_CONTROL=policies`). Shared by the
//! server's route table, the root-client bootstrap and the CLI, which asks for exactly the
//! scope of the operation it performs.

/// `/clients`.
pub const CLIENTS: &str = "hydra.clients";
/// `GET /keys/...`.
pub const KEYS_GET: &str = "hydra.keys.get";
/// `POST /keys/{set}`.
pub const KEYS_CREATE: &str = "hydra.keys.create";
/// `PUT /keys/...`.
pub const KEYS_UPDATE: &str = "hydra.keys.update";
/// `DELETE /keys/...`.
pub const KEYS_DELETE: &str = "hydra.keys.delete";
/// `/policies`.
pub const POLICIES: &str = "hydra.policies";
/// The login and consent requests and sessions (`/oauth2/auth/...`, 0.10 `/oauth2/consent/...`).
pub const CONSENT: &str = "hydra.consent";
/// `POST /oauth2/introspect`.
pub const INTROSPECT: &str = "hydra.introspect";
/// `POST /oauth2/flush` (Hydra 0.11).
pub const FLUSH: &str = "hydra.oauth2.flush";
/// `/health/stats` (1.0.0-alpha1).
pub const HEALTH: &str = "hydra.health";

/// Every administrative scope: what the root client (`FORCE_ROOT_CLIENT_CREDENTIALS`) holds.
pub const ALL: [&str; 10] = [
    CLIENTS,
    KEYS_GET,
    KEYS_CREATE,
    KEYS_UPDATE,
    KEYS_DELETE,
    POLICIES,
    CONSENT,
    INTROSPECT,
    FLUSH,
    HEALTH,
];
