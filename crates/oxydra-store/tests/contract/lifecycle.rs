//! `Store::ping`, closing, migrations and the statement test, per backend.

use oxydra_core::store::{ClientStore, Store, StoreError};
use oxydra_store::{Dsn, DsnError, OpenOptions, SqlStore};
use oxydra_testkit::store_test;

use crate::{cid, full_client};

store_test! {
    async fn ping_answers(store: SqlStore) {
        store.ping().await.unwrap();
    }

    async fn closed_store_is_unavailable_not_absent(store: SqlStore) {
        store.close().await;
        let err = store.ping().await.unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        let err = store.get_client(&cid("x")).await.unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        let err = store.delete_client(&cid("x")).await.unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        let err = store.create_client(&full_client("x")).await.unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        let err = store.list_clients(1, 0).await.unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    }

    async fn migrate_is_idempotent(store: SqlStore) {
        // The matrix hands out migrated stores.
        assert!(store.pending_migrations().await.unwrap().is_empty());
        assert!(store.migrate().await.unwrap().is_empty());
        assert!(store.migrate().await.unwrap().is_empty());
        assert!(store.pending_migrations().await.unwrap().is_empty());
    }

    async fn every_statement_prepares(store: SqlStore) {
        let checks = store.check_statements().await;
        assert!(checks.len() >= 39, "the registry lists too few statements: {}", checks.len());
        let failures: Vec<String> = checks
            .iter()
            .filter_map(|c| c.result.as_ref().err().map(|e| format!("{}: {e}", c.name)))
            .collect();
        assert!(failures.is_empty(), "{} statements failed on {}:\n{}",
            failures.len(), store.backend(), failures.join("\n"));
    }

    async fn clones_share_one_database(store: SqlStore) {
        let other = store.clone();
        other.create_client(&full_client("shared")).await.unwrap();
        assert!(store.get_client(&cid("shared")).await.unwrap().is_some());
    }
}

#[tokio::test]
async fn memory_stores_are_independent_and_migrated_on_open() {
    let dsn = Dsn::parse("memory").unwrap();
    let a = SqlStore::open(&dsn, &OpenOptions::default()).await.unwrap();
    let b = SqlStore::open(&dsn, &OpenOptions::default()).await.unwrap();
    assert!(a.newly_created && b.newly_created);
    assert!(a.store.pending_migrations().await.unwrap().is_empty());
    a.store.create_client(&full_client("only-a")).await.unwrap();
    assert!(b.store.get_client(&cid("only-a")).await.unwrap().is_none());
}

#[tokio::test]
async fn broken_postgres_is_unavailable() {
    // A loopback listener that hangs up on every connection: the driver fails at once with an
    // I/O error (a refused connection would be retried until the acquire timeout).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    let dsn = Dsn::parse(&format!("postgres://nobody:pw@127.0.0.1:{port}/none")).unwrap();
    let err = SqlStore::open(&dsn, &OpenOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(!format!("{err}").contains(":pw@"), "{err}");
    server.abort();
}

#[test]
fn mysql_dsns_parse_in_hydras_form_too() {
    for raw in [
        "mysql://root:pw@localhost:3306/hydra",
        "mysql://root:pw@tcp(localhost:3306)/hydra?parseTime=true",
    ] {
        let dsn = Dsn::parse(raw).unwrap();
        assert_eq!(dsn.backend(), oxydra_store::Backend::Mysql);
        assert!(!dsn.to_string().contains("pw"), "{dsn}");
    }
    assert!(matches!(
        Dsn::parse("mysql://root@tcp(localhost)/hydra?nonsense=1"),
        Err(DsnError::Invalid { .. })
    ));
}
