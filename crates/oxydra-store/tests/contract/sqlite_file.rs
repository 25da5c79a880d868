//! A file-backed SQLite database: creation, WAL and connection settings, explicit migration,
//! and data surviving a reopen.

use oxydra_core::store::{ClientStore, Store};
use sqlx::Row;

use oxydra_store::{AppliedMigration, Backend, Dsn, OpenOptions, SqlStore};

use crate::{cid, full_client};

async fn pragma(store: &SqlStore, name: &str) -> String {
    let pool = store.sqlite_pool().unwrap();
    let row = sqlx::query(&format!("PRAGMA {name}"))
        .fetch_one(pool)
        .await
        .unwrap();
    match row.try_get::<i64, _>(0) {
        Ok(n) => n.to_string(),
        Err(_) => row.get::<String, _>(0),
    }
}

#[tokio::test]
async fn file_database_is_created_migrated_on_request_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oxydra.db");
    let dsn = Dsn::parse(&format!("sqlite://{}", path.display())).unwrap();
    assert_eq!(dsn.backend(), Backend::Sqlite);
    assert!(!dsn.is_memory());

    let opened = SqlStore::open(&dsn, &OpenOptions::default()).await.unwrap();
    assert!(opened.newly_created);
    assert!(path.exists());
    let store = opened.store;
    // Files are not migrated by `open`: the server decides.
    let expected = vec![
        AppliedMigration {
            version: 1,
            description: "clients".into(),
        },
        AppliedMigration {
            version: 2,
            description: "tokens".into(),
        },
        AppliedMigration {
            version: 3,
            description: "flows".into(),
        },
        AppliedMigration {
            version: 4,
            description: "keys".into(),
        },
        AppliedMigration {
            version: 5,
            description: "key set locks".into(),
        },
        AppliedMigration {
            version: 6,
            description: "policies".into(),
        },
        AppliedMigration {
            version: 7,
            description: "legacy consent".into(),
        },
        AppliedMigration {
            version: 8,
            description: "login session expiry".into(),
        },
        AppliedMigration {
            version: 9,
            description: "client revision".into(),
        },
        AppliedMigration {
            version: 10,
            description: "client id token alg".into(),
        },
        AppliedMigration {
            version: 11,
            description: "consent remembered idx".into(),
        },
        AppliedMigration {
            version: 12,
            description: "client v2 fields".into(),
        },
        AppliedMigration {
            version: 13,
            description: "logout".into(),
        },
        AppliedMigration {
            version: 14,
            description: "refresh rotation grace".into(),
        },
        AppliedMigration {
            version: 15,
            description: "login context amr".into(),
        },
        AppliedMigration {
            version: 16,
            description: "import ledger".into(),
        },
        AppliedMigration {
            version: 17,
            description: "device grants".into(),
        },
        AppliedMigration {
            version: 18,
            description: "pushed authorization requests".into(),
        },
        AppliedMigration {
            version: 19,
            description: "jwt bearer trust".into(),
        },
        AppliedMigration {
            version: 20,
            description: "client audience".into(),
        },
        AppliedMigration {
            version: 21,
            description: "client registration token".into(),
        },
        AppliedMigration {
            version: 22,
            description: "client dpop bound access tokens".into(),
        },
        AppliedMigration {
            version: 23,
            description: "token request kind idx".into(),
        },
    ];
    assert_eq!(store.pending_migrations().await.unwrap(), expected);
    assert_eq!(store.migrate().await.unwrap(), expected);
    assert!(store.migrate().await.unwrap().is_empty());
    assert!(store.pending_migrations().await.unwrap().is_empty());

    assert_eq!(pragma(&store, "journal_mode").await, "wal");
    assert_eq!(pragma(&store, "synchronous").await, "1"); // NORMAL
    assert_eq!(pragma(&store, "busy_timeout").await, "5000");
    assert_eq!(pragma(&store, "foreign_keys").await, "1");

    store.create_client(&full_client("durable")).await.unwrap();
    store.close().await;

    let reopened = SqlStore::open(
        &dsn,
        &OpenOptions {
            max_connections: Some(2),
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    assert!(!reopened.newly_created);
    let store = reopened.store;
    store.ping().await.unwrap();
    assert!(store.pending_migrations().await.unwrap().is_empty());
    assert_eq!(
        store.get_client(&cid("durable")).await.unwrap(),
        Some(full_client("durable"))
    );
    store.close().await;
}

#[tokio::test]
async fn sqlite_colon_form_and_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("colon.db");
    let dsn = Dsn::parse(&format!("sqlite:{}", path.display())).unwrap();
    let opened = SqlStore::open(&dsn, &OpenOptions::default()).await.unwrap();
    assert!(opened.newly_created);
    opened.store.close().await;
    assert!(path.exists());

    // A file in a directory that does not exist cannot be created: an error, not a panic.
    let dsn = Dsn::parse(&format!(
        "sqlite://{}/no/such/dir/x.db",
        dir.path().display()
    ))
    .unwrap();
    assert!(SqlStore::open(&dsn, &OpenOptions::default()).await.is_err());
}
