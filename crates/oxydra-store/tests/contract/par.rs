//! `PushedRequestStore`: RFC 9126 pushed authorization requests — round trip, single use (also
//! under a race with one winner), no use after expiry, deletion with the client, the flush.

use oxydra_core::model::Now;
use oxydra_core::oauth2::authorize::AuthorizeParams;
use oxydra_core::oauth2::par::PushedRequest;
use oxydra_core::store::{ClientStore, PushedRequestStore, StoreError};
use oxydra_core::token::FlushCriteria;
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::cid;
use crate::token_races::{RACERS, race};
use crate::tokens::seed_client;

const T0: i64 = 1_700_000_000;

fn at(secs: i64) -> Now {
    Now::from_unix_secs(secs)
}

/// An unused request `n` of client `c1`, pushed at `T0`, expiring 60 s later.
fn pushed(n: &str) -> PushedRequest {
    let params: AuthorizeParams = [
        ("client_id", "c1"),
        ("response_type", "code"),
        ("scope", "openid offline"),
        ("state", "state-with-ünïcode & = ?"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    PushedRequest {
        key_hash: format!("hash-{n}"),
        client_id: cid("c1"),
        params,
        requested_at: at(T0),
        expires_at: at(T0 + 60),
        used: false,
    }
}

store_test! {
    async fn pushed_requests_round_trip_and_are_used_once(store: SqlStore) {
        seed_client(&store, "c1").await;
        let p = pushed("a");
        store.create_pushed_request(&p).await.unwrap();
        assert_eq!(store.get_pushed_request("hash-a").await.unwrap(), Some(p.clone()));
        assert_eq!(store.get_pushed_request("hash-x").await.unwrap(), None);

        assert!(store.use_pushed_request("hash-a", at(T0 + 1)).await.unwrap());
        assert!(!store.use_pushed_request("hash-a", at(T0 + 2)).await.unwrap());
        assert!(!store.use_pushed_request("hash-x", at(T0 + 2)).await.unwrap());
        let used = store.get_pushed_request("hash-a").await.unwrap().unwrap();
        assert!(used.used);
        assert_eq!(used.params, p.params);

        // A client deleted meanwhile: NotFound.
        let mut orphan = pushed("b");
        orphan.client_id = cid("gone");
        assert!(matches!(
            store.create_pushed_request(&orphan).await,
            Err(StoreError::NotFound)
        ));
    }

    async fn an_expired_request_is_not_used(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_pushed_request(&pushed("a")).await.unwrap();
        assert!(!store.use_pushed_request("hash-a", at(T0 + 60)).await.unwrap());
        assert!(!store.get_pushed_request("hash-a").await.unwrap().unwrap().used);
    }

    async fn of_concurrent_uses_exactly_one_wins(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_pushed_request(&pushed("a")).await.unwrap();
        let wins = race(&store, RACERS, |store, _| async move {
            store.use_pushed_request("hash-a", at(T0 + 1)).await.unwrap()
        })
        .await;
        assert_eq!(wins.iter().filter(|w| **w).count(), 1);
    }

    async fn requests_go_with_their_client_and_expired_ones_are_flushed(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_pushed_request(&pushed("a")).await.unwrap();
        let mut young = pushed("b");
        young.expires_at = at(T0 + 6_000);
        store.create_pushed_request(&young).await.unwrap();
        let criteria = FlushCriteria {
            issued_before: at(T0 + 10_000),
            expired_before: at(T0 + 1_000),
            batch_size: 10,
        };
        assert_eq!(store.flush_pushed_requests(criteria).await.unwrap(), 1);
        assert_eq!(store.get_pushed_request("hash-a").await.unwrap(), None);
        assert!(store.delete_client(&cid("c1")).await.unwrap());
        assert_eq!(store.get_pushed_request("hash-b").await.unwrap(), None);
    }
}
