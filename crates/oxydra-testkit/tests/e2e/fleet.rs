//! Two servers on one database, as two instances of a fleet behind a load balancer: a client
//! deleted or given a new secret through one stops working on the other within
//! `OXYDRA_CLIENT_CACHE_REFRESH` (default one second), although the other caches clients; a
//! token revoked through one introspects as inactive there at once and on the other within
//! `OXYDRA_TOKEN_CACHE_REFRESH` (default one second), although the other keeps looked-up rows.

use std::time::{Duration, Instant};

use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, TokenResponse, TokenUrl};
use oxydra_store::{
    DEFAULT_CLIENT_CACHE_REFRESH, DEFAULT_TOKEN_CACHE_REFRESH, Dsn, OpenOptions, SqlStore,
};
use oxydra_testkit::backend::{TestBackend, TestStore, open_store};
use oxydra_testkit::server::TestServer;
use serde_json::json;

use crate::oauth2_client::{introspect, register, send};

const OLD: &str = "the first secret of the fleet client";
const NEW: &str = "the rotated secret of the fleet client";

/// What keeps the shared database alive for the test.
enum Database {
    File(#[allow(dead_code)] tempfile::TempDir),
    Server(#[allow(dead_code)] Box<TestStore>),
}

/// Two stores on one database, the second trusting its cached clients for `refresh`; `None`
/// when the backend is not configured.
async fn two_stores(
    backend: TestBackend,
    refresh: Duration,
) -> Option<(SqlStore, SqlStore, Database)> {
    let opts = OpenOptions::default();
    let second = OpenOptions {
        client_cache_refresh: Some(refresh),
        ..OpenOptions::default()
    };
    match backend {
        TestBackend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fleet.db");
            let dsn = Dsn::parse(&format!("sqlite://{}", path.display())).unwrap();
            let a = SqlStore::open(&dsn, &opts).await.unwrap().store;
            a.migrate().await.unwrap();
            let b = SqlStore::open(&dsn, &second).await.unwrap().store;
            Some((a, b, Database::File(dir)))
        }
        TestBackend::Postgres | TestBackend::Mysql => {
            let first = open_store(backend).await?;
            let b = first.another_instance(&second).await?;
            Some((first.store.clone(), b, Database::Server(Box::new(first))))
        }
    }
}

/// Whether `secret` gets a client-credentials token from `server`.
async fn token_works(server: &TestServer, secret: &str) -> bool {
    BasicClient::new(ClientId::new("fleet".into()))
        .set_client_secret(ClientSecret::new(secret.into()))
        .set_token_uri(TokenUrl::new(server.public("/oauth2/token")).unwrap())
        .exchange_client_credentials()
        .request_async(&send)
        .await
        .is_ok()
}

/// Polls until `secret` stops working on `server`; returns how long that took.
async fn until_refused(server: &TestServer, secret: &str) -> Duration {
    let start = Instant::now();
    let limit = DEFAULT_CLIENT_CACHE_REFRESH + Duration::from_secs(3);
    while token_works(server, secret).await {
        assert!(start.elapsed() < limit, "still accepted after {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

/// Serves each store on a server of its own and registers the client through the first.
async fn serve_with_client(a: SqlStore, b: SqlStore) -> (TestServer, TestServer) {
    let one = TestServer::start(a, &[]).await;
    let two = TestServer::start(b, &[]).await;
    let extra = json!({"grant_types": ["client_credentials"]});
    register(&one, "fleet", OLD, extra).await;
    (one, two)
}

/// Deletes the client through `server`'s admin API.
async fn delete_client(server: &TestServer) {
    let res = reqwest::Client::new()
        .delete(server.admin("/clients/fleet"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

async fn changes_reach_the_other_instance(backend: TestBackend) {
    let refresh = DEFAULT_CLIENT_CACHE_REFRESH;
    let Some((a, b, _db)) = two_stores(backend, refresh).await else {
        return;
    };
    let (one, two) = serve_with_client(a, b).await;
    // The second instance caches the client on its first token request.
    assert!(token_works(&two, OLD).await);

    let res = reqwest::Client::new()
        .put(one.admin("/clients/fleet"))
        .json(&json!({
            "client_id": "fleet",
            "client_secret": NEW,
            "grant_types": ["client_credentials"],
            "scope": "read write offline",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rotated = until_refused(&two, OLD).await;
    assert!(token_works(&two, NEW).await);

    delete_client(&one).await;
    let deleted = until_refused(&two, NEW).await;
    println!(
        "{}: the other instance refused the old secret after {rotated:?}, the deleted client after {deleted:?}",
        backend.name()
    );
}

/// A deleted client still cached by another instance: its token insert names a client row that
/// is gone, which is an unknown client (401), not a storage outage (503).
async fn a_deleted_client_is_refused_before_the_cache_notices(backend: TestBackend) {
    let hour = Duration::from_secs(3600);
    let Some((a, b, _db)) = two_stores(backend, hour).await else {
        return;
    };
    let (one, two) = serve_with_client(a, b).await;
    assert!(token_works(&two, OLD).await);
    delete_client(&one).await;
    for _ in 0..2 {
        let res = reqwest::Client::new()
            .post(two.public("/oauth2/token"))
            .basic_auth("fleet", Some(OLD))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
    }
}

/// A token revoked through the first instance, after the second looked it up: inactive on the
/// first at once, on the second within the token cache's interval.
async fn a_revocation_reaches_the_other_instance(backend: TestBackend) {
    let Some((a, b, _db)) = two_stores(backend, DEFAULT_CLIENT_CACHE_REFRESH).await else {
        return;
    };
    let (one, two) = serve_with_client(a, b).await;
    let token = BasicClient::new(ClientId::new("fleet".into()))
        .set_client_secret(ClientSecret::new(OLD.into()))
        .set_token_uri(TokenUrl::new(one.public("/oauth2/token")).unwrap())
        .exchange_client_credentials()
        .request_async(&send)
        .await
        .unwrap();
    let access = token.access_token().secret();
    assert_eq!(introspect(&two, access).await["active"], true);
    let res = reqwest::Client::new()
        .post(one.public("/oauth2/revoke"))
        .basic_auth("fleet", Some(OLD))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let revoked = Instant::now();
    assert_eq!(introspect(&one, access).await, json!({"active": false}));
    let limit = DEFAULT_TOKEN_CACHE_REFRESH + Duration::from_secs(3);
    while introspect(&two, access).await["active"] == true {
        assert!(revoked.elapsed() < limit, "still active after {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "{}: the other instance saw the revocation after {:?}",
        backend.name(),
        revoked.elapsed()
    );
}

#[tokio::test]
async fn a_revocation_reaches_the_other_instance_sqlite_file() {
    a_revocation_reaches_the_other_instance(TestBackend::Sqlite).await;
}

#[tokio::test]
async fn a_revocation_reaches_the_other_instance_postgres() {
    a_revocation_reaches_the_other_instance(TestBackend::Postgres).await;
}

#[tokio::test]
async fn a_revocation_reaches_the_other_instance_mysql() {
    a_revocation_reaches_the_other_instance(TestBackend::Mysql).await;
}

#[tokio::test]
async fn a_deleted_client_is_refused_before_the_cache_notices_sqlite_file() {
    a_deleted_client_is_refused_before_the_cache_notices(TestBackend::Sqlite).await;
}

#[tokio::test]
async fn a_deleted_client_is_refused_before_the_cache_notices_postgres() {
    a_deleted_client_is_refused_before_the_cache_notices(TestBackend::Postgres).await;
}

#[tokio::test]
async fn a_rotated_secret_and_a_deleted_client_stop_working_on_every_instance_sqlite_file() {
    changes_reach_the_other_instance(TestBackend::Sqlite).await;
}

#[tokio::test]
async fn a_rotated_secret_and_a_deleted_client_stop_working_on_every_instance_postgres() {
    changes_reach_the_other_instance(TestBackend::Postgres).await;
}

#[tokio::test]
async fn a_deleted_client_is_refused_before_the_cache_notices_mysql() {
    a_deleted_client_is_refused_before_the_cache_notices(TestBackend::Mysql).await;
}

#[tokio::test]
async fn a_rotated_secret_and_a_deleted_client_stop_working_on_every_instance_mysql() {
    changes_reach_the_other_instance(TestBackend::Mysql).await;
}
