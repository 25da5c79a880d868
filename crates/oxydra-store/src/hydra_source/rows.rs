//! Row shapes of the read queries (decoded alike from PostgreSQL and MySQL rows: every column
//! is text or BIGINT, see `dialect.rs`) and their conversion into core's Hydra rows.

use oxydra_core::Now;
use oxydra_core::import::hydra::{
    ClientRow, ConsentRow, HandledConsentRow, KeyRow, LoginSessionRow, PolicyRow, TokenRow,
    TokenTable,
};

/// A `hydra_client` row as read.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct SrcClient {
    id: String,
    client_name: String,
    client_secret: String,
    redirect_uris: String,
    grant_types: String,
    response_types: String,
    scope: String,
    owner: String,
    policy_uri: String,
    tos_uri: String,
    client_uri: String,
    logo_uri: String,
    contacts: String,
    /// -1 when the column does not exist (1.0.0-beta).
    public: i64,
    client_secret_expires_at: i64,
    sector_identifier_uri: String,
    jwks: String,
    jwks_uri: String,
    token_endpoint_auth_method: String,
    request_uris: String,
    request_object_signing_alg: String,
    userinfo_signed_response_alg: String,
    subject_type: String,
    allowed_cors_origins: String,
}

impl From<SrcClient> for ClientRow {
    fn from(r: SrcClient) -> Self {
        ClientRow {
            id: r.id,
            name: r.client_name,
            secret_hash: r.client_secret,
            redirect_uris: r.redirect_uris,
            grant_types: r.grant_types,
            response_types: r.response_types,
            scope: r.scope,
            owner: r.owner,
            policy_uri: r.policy_uri,
            tos_uri: r.tos_uri,
            client_uri: r.client_uri,
            logo_uri: r.logo_uri,
            contacts: r.contacts,
            public: (r.public >= 0).then_some(r.public == 1),
            secret_expires_at: r.client_secret_expires_at,
            sector_identifier_uri: r.sector_identifier_uri,
            jwks: r.jwks,
            jwks_uri: r.jwks_uri,
            token_endpoint_auth_method: r.token_endpoint_auth_method,
            request_uris: r.request_uris,
            request_object_signing_alg: r.request_object_signing_alg,
            userinfo_signed_response_alg: r.userinfo_signed_response_alg,
            subject_type: r.subject_type,
            allowed_cors_origins: r.allowed_cors_origins,
        }
    }
}

/// A `hydra_jwk` row as read.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct SrcKey {
    sid: String,
    kid: String,
    created_at: Option<i64>,
    keydata: String,
}

impl From<SrcKey> for KeyRow {
    fn from(r: SrcKey) -> Self {
        KeyRow {
            set: r.sid,
            kid: r.kid,
            created_at: r.created_at.map(Now::from_unix_micros),
            keydata: r.keydata,
        }
    }
}

/// A fosite token row as read.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct SrcToken {
    signature: String,
    request_id: String,
    requested_at: i64,
    client_id: String,
    scope: String,
    granted_scope: String,
    form_data: String,
    session_data: String,
    subject: String,
    active: i64,
}

impl SrcToken {
    /// The core row, from `table`.
    pub(super) fn into_row(self, table: TokenTable) -> TokenRow {
        TokenRow {
            table,
            signature: self.signature,
            request_id: self.request_id,
            requested_at: Now::from_unix_micros(self.requested_at),
            client_id: self.client_id,
            scope: self.scope,
            granted_scope: self.granted_scope,
            form_data: self.form_data,
            session_data: self.session_data,
            subject: self.subject,
            active: self.active == 1,
        }
    }
}

/// A `hydra_oauth2_authentication_session` row as read.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct SrcLoginSession {
    id: String,
    subject: String,
    authenticated_at: i64,
}

impl From<SrcLoginSession> for LoginSessionRow {
    fn from(r: SrcLoginSession) -> Self {
        LoginSessionRow {
            id: r.id,
            subject: r.subject,
            authenticated_at: Now::from_unix_micros(r.authenticated_at),
        }
    }
}

/// A consent request joined with its answer, as read.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct SrcConsent {
    challenge: String,
    verifier: String,
    csrf: String,
    client_id: String,
    subject: String,
    request_url: String,
    skip: i64,
    requested_scope: String,
    oidc_context: String,
    login_challenge: String,
    login_session_id: String,
    requested_at: i64,
    authenticated_at: Option<i64>,
    handled: i64,
    granted_scope: String,
    remember: i64,
    remember_for: i64,
    error: String,
    session_access_token: String,
    session_id_token: String,
    handled_at: Option<i64>,
}

impl From<SrcConsent> for ConsentRow {
    fn from(r: SrcConsent) -> Self {
        let handled = (r.handled == 1).then(|| HandledConsentRow {
            granted_scope: r.granted_scope,
            remember: r.remember == 1,
            remember_for: r.remember_for,
            error: r.error,
            session_access_token: r.session_access_token,
            session_id_token: r.session_id_token,
            handled_at: Now::from_unix_micros(r.handled_at.unwrap_or(r.requested_at)),
        });
        ConsentRow {
            challenge: r.challenge,
            verifier: r.verifier,
            csrf: r.csrf,
            client_id: r.client_id,
            subject: r.subject,
            request_url: r.request_url,
            skip: r.skip == 1,
            requested_scope: r.requested_scope,
            oidc_context: r.oidc_context,
            login_challenge: r.login_challenge,
            login_session_id: r.login_session_id,
            requested_at: Now::from_unix_micros(r.requested_at),
            authenticated_at: r.authenticated_at.map(Now::from_unix_micros),
            handled,
        }
    }
}

/// A `ladon_policy` row as read (its templates are read separately).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct SrcPolicy {
    id: String,
    description: String,
    effect: String,
    conditions: String,
}

impl From<SrcPolicy> for PolicyRow {
    fn from(r: SrcPolicy) -> Self {
        PolicyRow {
            id: r.id,
            description: r.description,
            effect: r.effect,
            conditions: r.conditions,
            ..PolicyRow::default()
        }
    }
}
