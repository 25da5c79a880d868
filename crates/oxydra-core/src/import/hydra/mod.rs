//! ORY Hydra's database as `oxydra import hydra` reads it, and its conversion into Oxydra's
//! aggregates. Facts about Hydra's schemas come from its migration source (`client/manager_sql.go`,
//! `jwk/manager_sql.go`, `consent/sql_helper.go`, `oauth2/fosite_store_sql.go`,
//! `oauth2/consent_manager_sql.go` at the v0.10.x, v0.11.x and v1.0.0-beta.x tags).
//!
//! The rows here are plain data: lists still `|`-joined as Hydra stored them, JSON still text,
//! times already Unix microseconds (the reader converts them in SQL, Hydra stored UTC).

pub mod aead;
pub mod clients;
pub mod flows;
pub mod go_time;
pub mod gob;
pub mod keys;
pub mod policies;
pub mod session_cookie;
pub mod tokens;

use crate::model::Now;

/// The schema generation, told apart by Hydra's own `sql-migrate` bookkeeping tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// 1.0.0-beta: login and consent requests, remembered sessions
    /// (`hydra_oauth2_authentication_consent_migration`).
    V1Beta,
    /// 0.10 and 0.11: the consent-by-id flow (`hydra_consent_request_migration`), policies.
    V0x,
}

impl Generation {
    /// How the report names it.
    pub fn name(self) -> &'static str {
        match self {
            Generation::V1Beta => "1.0.0-beta",
            Generation::V0x => "0.10/0.11",
        }
    }
}

/// A `hydra_client` row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRow {
    /// `id`.
    pub id: String,
    /// `client_name`.
    pub name: String,
    /// `client_secret`: a bcrypt hash (empty for public clients).
    pub secret_hash: String,
    /// `redirect_uris`, `|`-joined.
    pub redirect_uris: String,
    /// `grant_types`, `|`-joined.
    pub grant_types: String,
    /// `response_types`, `|`-joined.
    pub response_types: String,
    /// `scope`, space-separated.
    pub scope: String,
    /// `owner`.
    pub owner: String,
    /// `policy_uri`.
    pub policy_uri: String,
    /// `tos_uri`.
    pub tos_uri: String,
    /// `client_uri`.
    pub client_uri: String,
    /// `logo_uri`.
    pub logo_uri: String,
    /// `contacts`, `|`-joined.
    pub contacts: String,
    /// `public` (0.10/0.11 only; 1.0.0-beta turned it into `token_endpoint_auth_method=none`).
    pub public: Option<bool>,
    /// `client_secret_expires_at` (1.0.0-beta), 0 = never.
    pub secret_expires_at: i64,
    /// `sector_identifier_uri` (1.0.0-beta).
    pub sector_identifier_uri: String,
    /// `jwks` as JSON text (1.0.0-beta), empty when none.
    pub jwks: String,
    /// `jwks_uri` (1.0.0-beta).
    pub jwks_uri: String,
    /// `token_endpoint_auth_method` (1.0.0-beta).
    pub token_endpoint_auth_method: String,
    /// `request_uris`, `|`-joined (1.0.0-beta).
    pub request_uris: String,
    /// `request_object_signing_alg` (1.0.0-beta).
    pub request_object_signing_alg: String,
    /// `userinfo_signed_response_alg` (1.0.0-beta).
    pub userinfo_signed_response_alg: String,
    /// `subject_type` (1.0.0-beta).
    pub subject_type: String,
    /// `allowed_cors_origins`, `|`-joined (1.0.0-beta).
    pub allowed_cors_origins: String,
}

/// A `hydra_jwk` row: one key (a pair is two rows, `public:<id>` and `private:<id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// `sid`: the set.
    pub set: String,
    /// `kid`.
    pub kid: String,
    /// `created_at` (1.0.0-beta; 0.10/0.11 kept no time: the import time is used).
    pub created_at: Option<Now>,
    /// `keydata`: the encrypted JWK JSON.
    pub keydata: String,
}

/// Which fosite table a token row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTable {
    /// `hydra_oauth2_access`.
    Access,
    /// `hydra_oauth2_refresh`.
    Refresh,
}

/// A `hydra_oauth2_access` or `hydra_oauth2_refresh` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// The table.
    pub table: TokenTable,
    /// `signature`: the token's HMAC part (a SHA-384 hex digest for JWT access tokens).
    pub signature: String,
    /// `request_id`: shared by the tokens of one grant.
    pub request_id: String,
    /// `requested_at`.
    pub requested_at: Now,
    /// `client_id`.
    pub client_id: String,
    /// `scope`, `|`-joined (requested).
    pub scope: String,
    /// `granted_scope`, `|`-joined.
    pub granted_scope: String,
    /// `form_data`: the token request's form, URL-encoded.
    pub form_data: String,
    /// `session_data`: the fosite session as JSON.
    pub session_data: String,
    /// `subject` (empty before 0.10's second migration).
    pub subject: String,
    /// `active` (1.0.0-beta; always true before it existed).
    pub active: bool,
}

/// A `hydra_oauth2_authentication_session` row (1.0.0-beta).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSessionRow {
    /// `id`: the cookie's session id.
    pub id: String,
    /// `subject`.
    pub subject: String,
    /// `authenticated_at`.
    pub authenticated_at: Now,
}

/// A `hydra_oauth2_consent_request` row with its `…_handled` answer, if any (1.0.0-beta).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    /// `challenge`.
    pub challenge: String,
    /// `verifier`.
    pub verifier: String,
    /// `csrf`.
    pub csrf: String,
    /// `client_id`.
    pub client_id: String,
    /// `subject`.
    pub subject: String,
    /// `request_url`.
    pub request_url: String,
    /// `skip`.
    pub skip: bool,
    /// `requested_scope`, `|`-joined.
    pub requested_scope: String,
    /// `oidc_context` JSON.
    pub oidc_context: String,
    /// `login_challenge` (NULL before the third migration: empty).
    pub login_challenge: String,
    /// `login_session_id`.
    pub login_session_id: String,
    /// `requested_at`.
    pub requested_at: Now,
    /// `authenticated_at`, if set.
    pub authenticated_at: Option<Now>,
    /// The answer (`hydra_oauth2_consent_request_handled`), if the consent app gave one.
    pub handled: Option<HandledConsentRow>,
}

/// A `hydra_oauth2_consent_request_handled` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandledConsentRow {
    /// `granted_scope`, `|`-joined.
    pub granted_scope: String,
    /// `remember`.
    pub remember: bool,
    /// `remember_for` seconds, 0 = forever.
    pub remember_for: i64,
    /// `error` JSON, `{}` when accepted.
    pub error: String,
    /// `session_access_token` JSON.
    pub session_access_token: String,
    /// `session_id_token` JSON.
    pub session_id_token: String,
    /// `requested_at` of the answer.
    pub handled_at: Now,
}

/// A Ladon policy of 0.10/0.11 (`ladon_policy` and its `ladon_policy_*_rel` templates).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyRow {
    /// `id`.
    pub id: String,
    /// `description`.
    pub description: String,
    /// `effect`: `allow` or `deny`.
    pub effect: String,
    /// `conditions`: Ladon's JSON, `{"key": {"type": "...", "options": {...}}}`.
    pub conditions: String,
    /// Subject templates (`ladon_subject.template`).
    pub subjects: Vec<String>,
    /// Action templates (`ladon_action.template`).
    pub actions: Vec<String>,
    /// Resource templates (`ladon_resource.template`).
    pub resources: Vec<String>,
}

/// Everything read from one Hydra database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HydraDump {
    /// The schema generation.
    pub generation: Generation,
    /// `hydra_client`.
    pub clients: Vec<ClientRow>,
    /// `hydra_jwk`.
    pub keys: Vec<KeyRow>,
    /// `hydra_oauth2_access` and `hydra_oauth2_refresh`.
    pub tokens: Vec<TokenRow>,
    /// How many authorization codes, OIDC and PKCE sessions there were: short-lived flow state
    /// that is not imported (the flows restart).
    pub flow_state_rows: usize,
    /// `hydra_oauth2_authentication_session` (1.0.0-beta).
    pub login_sessions: Vec<LoginSessionRow>,
    /// `hydra_oauth2_consent_request` with answers (1.0.0-beta).
    pub consents: Vec<ConsentRow>,
    /// How many 0.10/0.11 consent-by-id requests there were: dropped (unfinished flows).
    pub legacy_consents: usize,
    /// 0.10/0.11 access-control policies (Ladon's tables).
    pub policies: Vec<PolicyRow>,
}
