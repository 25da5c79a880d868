//! The storage contract: every `oxydra_core::store` method, on every configured backend.
//!
//! `store_test!` runs each body as `<name>::sqlite` (fresh in-memory database),
//! `<name>::postgres` (fresh schema in `TEST_DATABASE_URL`) and `<name>::mysql` (fresh database
//! on the server of `TEST_MYSQL_URL`); a server backend is skipped when its variable is unset
//! unless `OXYDRA_TEST_REQUIRE` names it (e.g. `postgres,mysql`).

// A test binary: failing by panicking is the point (clippy only exempts `#[test]` fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_cache;
mod clients;
mod device;
mod fleet;
mod flow_intents;
mod flow_maintenance;
mod flow_races;
mod flow_sessions;
mod flows;
mod import;
mod keys;
mod legacy_consent;
mod lifecycle;
mod logout;
mod par;
mod policies;
mod registration;
mod schema;
mod sqlite_file;
mod token_cache;
mod token_grace;
mod token_maintenance;
mod token_races;
mod tokens;
mod trust;

use oxydra_core::client::{AuthMethod, Client, GrantType, SubjectType};
use oxydra_core::model::{ClientId, Now};
use oxydra_store::SqlStore;

/// Runs one raw statement (test-only tampering or inspection) on whichever backend `store` is.
pub async fn exec_raw(store: &SqlStore, sql: &str) {
    if let Some(pool) = store.sqlite_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    } else if let Some(pool) = store.postgres_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    } else if let Some(pool) = store.mysql_pool() {
        sqlx::query(sql).execute(pool).await.unwrap();
    } else {
        unreachable!("a store has one backend");
    }
}

/// `SELECT a, b <rest>` of two text columns (`b` nullable) directly on the store's pool
/// (MySQL reads the binary-collated columns as text).
pub async fn exec_raw_pairs(
    store: &SqlStore,
    a: &str,
    b: &str,
    rest: &str,
) -> Vec<(String, Option<String>)> {
    let sql = format!("SELECT {a}, {b} {rest}");
    if let Some(pool) = store.sqlite_pool() {
        sqlx::query_as(&sql).fetch_all(pool).await.unwrap()
    } else if let Some(pool) = store.postgres_pool() {
        sqlx::query_as(&sql).fetch_all(pool).await.unwrap()
    } else if let Some(pool) = store.mysql_pool() {
        let sql = format!("SELECT CONVERT({a} USING utf8mb4), CONVERT({b} USING utf8mb4) {rest}");
        sqlx::query_as(&sql).fetch_all(pool).await.unwrap()
    } else {
        unreachable!("a store has one backend");
    }
}

/// A client with every field set to a non-default value.
pub fn full_client(id: &str) -> Client {
    Client {
        id: ClientId::parse(id).unwrap(),
        name: "Full client — ünïcødé".into(),
        secret_hash: Some("$2b$04$abcdefghijklmnopqrstuuJjK0lL1mM2nN3oO4pP5qQ6rR7sS8tT9".into()),
        redirect_uris: vec![
            "https://app.example/cb".into(),
            "http://127.0.0.1:8080/callback?x=1&y=\"2\"".into(),
        ],
        grant_types: vec![
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::ClientCredentials,
            GrantType::Implicit,
        ],
        response_types: vec!["code".into(), "code id_token".into(), "token".into()],
        scope: "openid offline photos.read".into(),
        owner: "team-a".into(),
        policy_uri: "https://app.example/policy".into(),
        tos_uri: "https://app.example/tos".into(),
        client_uri: "https://app.example".into(),
        logo_uri: "https://app.example/logo.png".into(),
        contacts: vec!["admin@app.example".into(), "Ops <ops@app.example>".into()],
        subject_type: SubjectType::Pairwise,
        sector_identifier_uri: "https://app.example/sector.json".into(),
        jwks_uri: "https://app.example/jwks.json".into(),
        jwks: Some(serde_json::json!({
            "keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "x": "f83O", "y": "x_FE", "use": "sig"}]
        })),
        token_endpoint_auth_method: AuthMethod::PrivateKeyJwt,
        request_uris: vec!["https://app.example/request.jwt".into()],
        request_object_signing_alg: "ES256".into(),
        userinfo_signed_response_alg: "RS256".into(),
        id_token_signed_response_alg: "ES256".into(),
        skip_consent: true,
        skip_logout_consent: true,
        metadata: Some(serde_json::json!({"tier": "gold", "n": [1, 2]})),
        access_token_strategy: "jwt".into(),
        token_lifespans: oxydra_core::client::ClientLifespans {
            client_credentials_grant_access_token_lifespan: Some(std::time::Duration::from_secs(
                90,
            )),
            refresh_token_grant_refresh_token_lifespan: Some(std::time::Duration::from_micros(
                1_500,
            )),
            ..Default::default()
        },
        post_logout_redirect_uris: vec!["https://app.example/logged-out".into()],
        frontchannel_logout_uri: "https://app.example/fc".into(),
        frontchannel_logout_session_required: true,
        backchannel_logout_uri: "https://app.example/bc".into(),
        backchannel_logout_session_required: true,
        require_pushed_authorization_requests: true,
        audience: vec!["https://api.example".into(), "billing".into()],
        dpop_bound_access_tokens: true,
        created_at: Now::from_unix_micros(1_700_000_000_123_456),
        updated_at: Now::from_unix_micros(1_700_000_100_654_321),
    }
}

/// A client with every optional field empty or absent.
pub fn minimal_client(id: &str) -> Client {
    Client {
        id: ClientId::parse(id).unwrap(),
        name: String::new(),
        secret_hash: None,
        redirect_uris: vec![],
        grant_types: vec![],
        response_types: vec![],
        scope: String::new(),
        owner: String::new(),
        policy_uri: String::new(),
        tos_uri: String::new(),
        client_uri: String::new(),
        logo_uri: String::new(),
        contacts: vec![],
        subject_type: SubjectType::Public,
        sector_identifier_uri: String::new(),
        jwks_uri: String::new(),
        jwks: None,
        token_endpoint_auth_method: AuthMethod::None,
        request_uris: vec![],
        request_object_signing_alg: String::new(),
        userinfo_signed_response_alg: String::new(),
        id_token_signed_response_alg: String::new(),
        skip_consent: false,
        skip_logout_consent: false,
        metadata: None,
        access_token_strategy: String::new(),
        token_lifespans: Default::default(),
        post_logout_redirect_uris: vec![],
        frontchannel_logout_uri: String::new(),
        frontchannel_logout_session_required: false,
        backchannel_logout_uri: String::new(),
        backchannel_logout_session_required: false,
        require_pushed_authorization_requests: false,
        audience: vec![],
        dpop_bound_access_tokens: false,
        created_at: Now::from_unix_secs(0),
        updated_at: Now::from_unix_secs(0),
    }
}

/// Shorthand for a client id in assertions.
pub fn cid(id: &str) -> ClientId {
    ClientId::parse(id).unwrap()
}
