//! The binary against PostgreSQL (`TEST_DATABASE_URL`): migrate, then serve and manage clients.

use serde_json::Value;

use crate::support::{Server, clients, oxydra, postgres_schema};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_and_serve_on_postgres() {
    // A fresh schema of its own: whatever other runs left in the shared database (another
    // branch's migrations, say) cannot make this one fail.
    let Some((store, url)) = postgres_schema("migrate_and_serve_on_postgres").await else {
        return;
    };
    // The test kit migrates the schema it opens, so the first call may find nothing to do.
    let first = oxydra(&["migrate", "sql", &url], &[]).ok();
    assert!(
        first
            .lines()
            .all(|l| l.starts_with("applied ") || l == "database is up to date"),
        "{first}"
    );
    let second = oxydra(&["migrate", "sql", "-e"], &[("DATABASE_URL", &url)]).ok();
    assert_eq!(second.trim(), "database is up to date");

    let server = Server::start_with(&[("DATABASE_URL", &url)]);
    let random =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0);
    let id = format!("pg-cli-{random:016x}");
    let out = clients(&server, &["create", "--id", &id, "-n", "On PostgreSQL"]).ok();
    assert!(out.contains(&format!("OAuth 2.0 Client ID: {id}")), "{out}");
    let fetched: Value =
        serde_json::from_str(&clients(&server, &["get", &id, "--format", "json"]).ok()).unwrap();
    assert_eq!(fetched["client_name"], "On PostgreSQL");
    clients(&server, &["delete", &id]).ok();
    drop(server);
    store.cleanup().await;
}
