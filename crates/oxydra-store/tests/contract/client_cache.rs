//! The client cache: writes through a store are seen at once; writes by another instance on
//! the same database within the refresh interval (SQLite file, PostgreSQL and MySQL).

use std::time::{Duration, Instant};

use oxydra_core::store::{ClientStore, SecretChange};
use oxydra_store::{OpenOptions, SqlStore};
use oxydra_testkit::backend::TestBackend;
use oxydra_testkit::store_test;

use crate::fleet::{Fleet, fleet_tests};
use crate::{cid, full_client};

store_test! {
    async fn a_write_through_the_store_is_seen_at_once(store: SqlStore) {
        store.create_client(&full_client("c")).await.unwrap();
        // Warm the cache, then change the client every way a token request would notice.
        assert!(store.get_client(&cid("c")).await.unwrap().is_some());
        store
            .update_client(&full_client("c"), SecretChange::Set("new-hash".into()))
            .await
            .unwrap();
        let got = store.get_client(&cid("c")).await.unwrap().unwrap();
        assert_eq!(got.secret_hash.as_deref(), Some("new-hash"));
        assert!(store.delete_client(&cid("c")).await.unwrap());
        assert!(store.get_client(&cid("c")).await.unwrap().is_none());
        store.create_client(&full_client("c")).await.unwrap();
        assert!(store.get_client(&cid("c")).await.unwrap().is_some());
    }
}

/// Both instances caching clients for `refresh`.
async fn fleet(backend: TestBackend, refresh: Duration) -> Option<Fleet> {
    let opts = OpenOptions {
        client_cache_refresh: Some(refresh),
        ..OpenOptions::default()
    };
    crate::fleet::fleet(backend, opts).await
}

/// How long until `reader` no longer finds client `id` (at most `limit`).
async fn time_until_gone(reader: &SqlStore, id: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    while reader.get_client(&cid(id)).await.unwrap().is_some() {
        assert!(start.elapsed() < limit, "{id} still served after {limit:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    start.elapsed()
}

async fn another_instances_delete_is_seen_within_the_refresh(backend: TestBackend) {
    let refresh = Duration::from_millis(200);
    let Some(f) = fleet(backend, refresh).await else {
        return;
    };
    f.writer.create_client(&full_client("gone")).await.unwrap();
    assert!(f.reader.get_client(&cid("gone")).await.unwrap().is_some());
    assert!(f.writer.delete_client(&cid("gone")).await.unwrap());
    // The bound: the refresh interval plus one query (with a margin for a loaded machine).
    let took = time_until_gone(&f.reader, "gone", refresh + Duration::from_secs(2)).await;
    println!(
        "{}: another instance's delete seen after {took:?}",
        backend.name()
    );
}

async fn another_instances_secret_rotation_is_seen_within_the_refresh(backend: TestBackend) {
    let refresh = Duration::from_millis(200);
    let Some(f) = fleet(backend, refresh).await else {
        return;
    };
    f.writer.create_client(&full_client("rot")).await.unwrap();
    let before = f.reader.get_client(&cid("rot")).await.unwrap().unwrap();
    f.writer
        .update_client(&full_client("rot"), SecretChange::Set("rotated".into()))
        .await
        .unwrap();
    let start = Instant::now();
    loop {
        let now = f.reader.get_client(&cid("rot")).await.unwrap().unwrap();
        if now.secret_hash.as_deref() == Some("rotated") {
            break;
        }
        assert_eq!(now.secret_hash, before.secret_hash);
        assert!(
            start.elapsed() < refresh + Duration::from_secs(2),
            "old secret still served"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn the_reader_serves_from_memory_within_the_refresh(backend: TestBackend) {
    // A refresh longer than the test: the reader's cached record outlives the other
    // instance's delete, which proves lookups are answered without reading the row.
    let Some(f) = fleet(backend, Duration::from_secs(3600)).await else {
        return;
    };
    f.writer.create_client(&full_client("kept")).await.unwrap();
    assert!(f.reader.get_client(&cid("kept")).await.unwrap().is_some());
    assert!(f.writer.delete_client(&cid("kept")).await.unwrap());
    assert!(f.reader.get_client(&cid("kept")).await.unwrap().is_some());
    // Unknown ids are never cached: a client created elsewhere is found at once.
    assert!(f.reader.get_client(&cid("later")).await.unwrap().is_none());
    f.writer.create_client(&full_client("later")).await.unwrap();
    assert!(f.reader.get_client(&cid("later")).await.unwrap().is_some());
}

fleet_tests!(
    another_instances_delete_is_seen_within_the_refresh,
    another_instances_secret_rotation_is_seen_within_the_refresh,
    the_reader_serves_from_memory_within_the_refresh
);
