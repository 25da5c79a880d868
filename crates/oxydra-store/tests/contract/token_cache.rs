//! The access-token cache: every operation that deletes access tokens is seen by the very next
//! lookup on the same store, even when the row was kept in memory; another instance on the same
//! database sees a revocation once its kept row is older than the refresh interval.

use std::time::{Duration, Instant};

use oxydra_core::model::Now;
use oxydra_core::store::{ClientStore, TokenStore};
use oxydra_core::token::{
    FlushCriteria, GraceRule, RequestId, Successor, TokenKind, TokenSignature, UseOutcome,
};
use oxydra_store::{OpenOptions, SqlStore};
use oxydra_testkit::backend::TestBackend;
use oxydra_testkit::store_test;

use crate::cid;
use crate::fleet::{Fleet, fleet_tests};
use crate::tokens::{EXPIRES, get, seed_client, token, use_};

use TokenKind::{AccessToken as AT, AuthorizeCode as AC, RefreshToken as RT};

/// Stores `sigs` as access tokens of `request` and looks each up once, so that each is kept.
async fn kept_access_tokens(store: &SqlStore, request: &str, sigs: &[&str]) {
    let rows: Vec<_> = sigs.iter().map(|s| token(s, AT, request)).collect();
    store.insert_tokens(&rows).await.unwrap();
    for sig in sigs {
        assert!(get(store, AT, sig).await.is_some(), "{sig}");
    }
}

/// Deletes `sig`'s row behind the store's back (raw SQL does not clear the cache).
async fn delete_behind_the_back(store: &SqlStore, sig: &str) {
    crate::exec_raw(
        store,
        &format!("DELETE FROM oxydra_token WHERE signature = '{sig}'"),
    )
    .await;
}

store_test! {
    async fn a_looked_up_access_token_is_answered_from_memory(store: SqlStore) {
        seed_client(&store, "c1").await;
        kept_access_tokens(&store, "r1", &["at1"]).await;
        store.insert_tokens(&[token("rt1", RT, "r1")]).await.unwrap();
        assert!(get(&store, RT, "rt1").await.is_some());
        delete_behind_the_back(&store, "at1").await;
        delete_behind_the_back(&store, "rt1").await;
        // The access token's row is kept; refresh tokens are always read.
        assert!(get(&store, AT, "at1").await.is_some());
        assert_eq!(get(&store, RT, "rt1").await, None);
        // A kept row is never served as another kind.
        assert_eq!(get(&store, AC, "at1").await, None);
    }

    async fn revoking_a_grant_or_a_clients_tokens_is_seen_at_once(store: SqlStore) {
        seed_client(&store, "c1").await;
        kept_access_tokens(&store, "r1", &["at1"]).await;
        kept_access_tokens(&store, "r2", &["at2"]).await;
        store.revoke_request(&RequestId::from_stored("r1")).await.unwrap();
        assert_eq!(get(&store, AT, "at1").await, None);
        assert!(get(&store, AT, "at2").await.is_some());
        store.revoke_client_tokens(&cid("c1")).await.unwrap();
        assert_eq!(get(&store, AT, "at2").await, None);
    }

    async fn deleting_the_client_is_seen_at_once(store: SqlStore) {
        seed_client(&store, "c1").await;
        kept_access_tokens(&store, "r1", &["at1"]).await;
        assert!(store.delete_client(&cid("c1")).await.unwrap());
        assert_eq!(get(&store, AT, "at1").await, None);
    }

    async fn a_refresh_rotation_is_seen_at_once(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.insert_tokens(&[token("rt1", RT, "r1")]).await.unwrap();
        kept_access_tokens(&store, "r1", &["at1"]).await;
        let next = [token("at2", AT, "r1"), token("rt2", RT, "r1")];
        assert_eq!(use_(&store, RT, "rt1", &next).await.unwrap(), UseOutcome::Used);
        assert_eq!(get(&store, AT, "at1").await, None);
        assert!(get(&store, AT, "at2").await.is_some());

        // Under a grace window too.
        let rule = GraceRule {
            window: Duration::from_secs(60),
            presenter: cid("c1"),
            now: Now::from_unix_secs(1_700_000_100),
        };
        let rows = [token("at3", AT, "r1"), token("rt3", RT, "r1")];
        let refresh = TokenSignature::from_stored("rt3");
        let successor = Successor {
            rows: &rows,
            refresh: &refresh,
            sealed: "sealed",
            rotated_at: Now::from_unix_secs(1_700_000_050),
        };
        store
            .rotate_refresh(&TokenSignature::from_stored("rt2"), Some(successor), &rule)
            .await
            .unwrap();
        assert_eq!(get(&store, AT, "at2").await, None);
    }

    async fn a_reused_code_revoking_its_grant_is_seen_at_once(store: SqlStore) {
        seed_client(&store, "c1").await;
        kept_access_tokens(&store, "r0", &["other"]).await;
        store.insert_tokens(&[token("code", AC, "r1")]).await.unwrap();
        let issued = [token("at1", AT, "r1")];
        assert_eq!(use_(&store, AC, "code", &issued).await.unwrap(), UseOutcome::Used);
        // A first exchange deletes no access token: what was kept stays kept.
        delete_behind_the_back(&store, "other").await;
        assert!(get(&store, AT, "other").await.is_some());
        assert!(get(&store, AT, "at1").await.is_some());
        assert_eq!(use_(&store, AC, "code", &[]).await.unwrap(), UseOutcome::Replayed);
        assert_eq!(get(&store, AT, "at1").await, None);
    }

    async fn a_flush_is_seen_at_once(store: SqlStore) {
        seed_client(&store, "c1").await;
        kept_access_tokens(&store, "r1", &["at1"]).await;
        let after = Now::from_unix_micros(EXPIRES.unix_micros() + 1);
        let criteria = FlushCriteria {
            issued_before: after,
            expired_before: after,
            batch_size: 100,
        };
        assert_eq!(store.flush_tokens(AT, criteria).await.unwrap(), 1);
        assert_eq!(get(&store, AT, "at1").await, None);
    }
}

/// Both instances keeping access-token rows for `refresh`, and an access token `at1` of
/// grant `r1` that the reader has looked up.
async fn fleet_with_a_kept_token(backend: TestBackend, refresh: Duration) -> Option<Fleet> {
    let opts = OpenOptions {
        token_cache_refresh: Some(refresh),
        ..OpenOptions::default()
    };
    let f = crate::fleet::fleet(backend, opts).await?;
    seed_client(&f.writer, "c1").await;
    f.writer
        .insert_tokens(&[token("at1", AT, "r1")])
        .await
        .unwrap();
    assert!(get(&f.reader, AT, "at1").await.is_some());
    Some(f)
}

async fn another_instances_revocation_is_seen_within_the_refresh(backend: TestBackend) {
    let refresh = Duration::from_millis(300);
    let Some(f) = fleet_with_a_kept_token(backend, refresh).await else {
        return;
    };
    let revoked = Instant::now();
    f.writer
        .revoke_request(&RequestId::from_stored("r1"))
        .await
        .unwrap();
    // Kept on the other instance for at most the interval (a loaded machine gets a margin).
    while get(&f.reader, AT, "at1").await.is_some() {
        assert!(
            revoked.elapsed() < refresh + Duration::from_secs(2),
            "a revoked token still served after {:?}",
            revoked.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn a_zero_refresh_reads_every_time(backend: TestBackend) {
    let Some(f) = fleet_with_a_kept_token(backend, Duration::ZERO).await else {
        return;
    };
    f.writer
        .revoke_request(&RequestId::from_stored("r1"))
        .await
        .unwrap();
    assert_eq!(get(&f.reader, AT, "at1").await, None);
}

fleet_tests!(
    another_instances_revocation_is_seen_within_the_refresh,
    a_zero_refresh_reads_every_time
);
