//! `TokenStore`: grant revocation, the expired-token flush and client-assertion `jti` claims.

use oxydra_core::model::{ClientId, Now};
use oxydra_core::store::TokenStore;
use oxydra_core::token::{FlushCriteria, RequestId, StoredToken, TokenKind};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::cid;
use crate::tokens::{get, seed_client, token};

use TokenKind::{AccessToken as AT, AuthorizeCode as AC, RefreshToken as RT};

/// A token issued and expiring at the given Unix seconds.
fn timed(sig: &str, kind: TokenKind, issued: i64, expires: Option<i64>) -> StoredToken {
    let mut t = token(sig, kind, "r");
    t.issued_at = Now::from_unix_secs(issued);
    t.expires_at = expires.map(Now::from_unix_secs);
    t
}

/// Rows issued before 1000 s that expired before 2000 s, `batch` at a time.
fn criteria(batch: u32) -> FlushCriteria {
    FlushCriteria {
        issued_before: Now::from_unix_secs(1000),
        expired_before: Now::from_unix_secs(2000),
        batch_size: batch,
    }
}

pub async fn claim(store: &SqlStore, client: &ClientId, jti: &str, expires: i64, now: i64) -> bool {
    store
        .claim_jti(
            client,
            jti,
            Now::from_unix_secs(expires),
            Now::from_unix_secs(now),
        )
        .await
        .unwrap()
}

/// Rows in `oxydra_jti`.
pub async fn jti_rows(store: &SqlStore) -> i64 {
    let sql = "SELECT COUNT(*) FROM oxydra_jti";
    if let Some(pool) = store.sqlite_pool() {
        sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
    } else if let Some(pool) = store.mysql_pool() {
        sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
    } else {
        sqlx::query_scalar(sql)
            .fetch_one(store.postgres_pool().unwrap())
            .await
            .unwrap()
    }
}

store_test! {
    async fn revoke_request_touches_only_its_grant(store: SqlStore) {
        seed_client(&store, "c1").await;
        store
            .insert_tokens(&[
                token("code", AC, "r1"),
                token("at", AT, "r1"),
                token("rt", RT, "r1"),
                token("rt-old", RT, "r1"),
                token("code2", AC, "r2"),
                token("at2", AT, "r2"),
                token("rt2", RT, "r2"),
            ])
            .await
            .unwrap();
        let revoked = store.revoke_request(&RequestId::from_stored("r1")).await.unwrap();
        assert_eq!(revoked, 3);
        for (kind, sig) in [(AT, "at"), (RT, "rt"), (RT, "rt-old")] {
            assert_eq!(get(&store, kind, sig).await, None, "{sig}");
        }
        // Codes are deactivated, not deleted, so a later exchange is detected as reuse.
        assert!(!get(&store, AC, "code").await.unwrap().active);
        assert!(get(&store, AC, "code2").await.unwrap().active);
        assert!(get(&store, AT, "at2").await.is_some());
        assert!(get(&store, RT, "rt2").await.is_some());
        assert_eq!(store.revoke_request(&RequestId::from_stored("r1")).await.unwrap(), 0);
        assert_eq!(store.revoke_request(&RequestId::from_stored("none")).await.unwrap(), 0);
    }

    async fn flush_deletes_only_expired_rows_of_the_kind_before_the_cutoffs(store: SqlStore) {
        seed_client(&store, "c1").await;
        store
            .insert_tokens(&[
                timed("old-expired", AT, 500, Some(1500)),
                timed("young-expired", AT, 1000, Some(1500)),
                timed("old-valid", AT, 500, Some(2000)),
                timed("old-expired-code", AC, 500, Some(1500)),
                timed("old-refresh", RT, 500, None),
            ])
            .await
            .unwrap();
        assert_eq!(store.flush_tokens(AT, criteria(100)).await.unwrap(), 1);
        assert_eq!(get(&store, AT, "old-expired").await, None);
        assert!(get(&store, AT, "young-expired").await.is_some());
        assert!(get(&store, AT, "old-valid").await.is_some());
        assert!(get(&store, AC, "old-expired-code").await.is_some());
        assert_eq!(store.flush_tokens(AC, criteria(100)).await.unwrap(), 1);
        assert_eq!(get(&store, AC, "old-expired-code").await, None);
        // Refresh tokens have no expiry and are never flushed, whatever the cutoffs.
        let everything = FlushCriteria {
            issued_before: Now::from_unix_micros(i64::MAX),
            expired_before: Now::from_unix_micros(i64::MAX),
            batch_size: u32::MAX,
        };
        assert_eq!(store.flush_tokens(RT, everything).await.unwrap(), 0);
        assert!(get(&store, RT, "old-refresh").await.is_some());
    }

    async fn flush_respects_the_batch_size(store: SqlStore) {
        seed_client(&store, "c1").await;
        let rows: Vec<_> = (0..6)
            .map(|i| timed(&format!("e{i}"), AT, 100 + i, Some(1000 + i)))
            .chain([timed("keep", AT, 100, Some(5000))])
            .collect();
        store.insert_tokens(&rows).await.unwrap();
        assert_eq!(store.flush_tokens(AT, criteria(4)).await.unwrap(), 4);
        assert_eq!(store.flush_tokens(AT, criteria(4)).await.unwrap(), 2);
        assert_eq!(store.flush_tokens(AT, criteria(4)).await.unwrap(), 0);
        assert_eq!(store.flush_tokens(AT, criteria(0)).await.unwrap(), 0);
        assert!(get(&store, AT, "keep").await.is_some());
    }

    async fn jti_claims_detect_replay_until_expiry(store: SqlStore) {
        let (a, b) = (cid("client-a"), cid("client-b"));
        assert!(claim(&store, &a, "jti-1", 100, 50).await);
        assert!(!claim(&store, &a, "jti-1", 200, 60).await, "replay before expiry");
        assert!(!claim(&store, &a, "jti-1", 200, 99).await);
        // Another client's jti is independent, and jtis are case-sensitive.
        assert!(claim(&store, &b, "jti-1", 100, 60).await);
        assert!(claim(&store, &a, "JTI-1", 100, 60).await);
        // At its expiry instant the record is gone: the jti may be claimed again, until the
        // new expiry.
        assert!(claim(&store, &a, "jti-1", 300, 100).await);
        assert!(!claim(&store, &a, "jti-1", 400, 299).await);
        assert!(claim(&store, &a, "jti-1", 400, 300).await);
    }

    async fn jti_claims_clean_up_a_bounded_batch_of_expired_records(store: SqlStore) {
        let a = cid("client-a");
        for i in 0..150 {
            assert!(claim(&store, &a, &format!("old-{i}"), 10, 0).await);
        }
        assert_eq!(jti_rows(&store).await, 150);
        // Of any sixteen claims (here by another client, later), one removes at most 100
        // expired records.
        for i in 0..16 {
            assert!(claim(&store, &cid("client-b"), &format!("fresh-{i}"), 2000, 1000).await);
        }
        assert_eq!(jti_rows(&store).await, 150 + 16 - 100);
        assert!(claim(&store, &cid("client-b"), "fresh", 2000, 1000).await);
        for i in 16..31 {
            assert!(claim(&store, &cid("client-b"), &format!("fresh-{i}"), 2000, 1000).await);
        }
        assert_eq!(jti_rows(&store).await, 66 + 16 - 50);
        // The unexpired records survive the cleanup.
        assert!(!claim(&store, &cid("client-b"), "fresh", 2000, 1500).await);
    }
}

store_test! {
    async fn flush_batches_suit_the_backend(store: SqlStore) {
        // PostgreSQL pays a durable commit per statement, so it flushes in larger batches.
        let expected = match store.backend() {
            oxydra_store::Backend::Postgres | oxydra_store::Backend::Mysql => 10_000,
            oxydra_store::Backend::Sqlite => oxydra_core::service::revoke::FLUSH_BATCH_SIZE,
        };
        assert_eq!(oxydra_core::store::TokenStore::flush_batch_size(&store), expected);
    }
}
