//! The binary against PostgreSQL (`TEST_DATABASE_URL`): migrate, then serve and manage clients.

use serde_json::Value;

use crate::support::{Server, clients, oxydra, postgres_url};

#[test]
fn migrate_and_serve_on_postgres() {
    let Some(url) = postgres_url("migrate_and_serve_on_postgres") else {
        return;
    };
    // The shared database may already be migrated by an earlier run, so only the second call's
    // output is certain.
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
}
