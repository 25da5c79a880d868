//! `LegacyConsentStore`: the 0.10 consent requests — round trip, re-answering until use,
//! single use and expiry decided by the database, a redemption race with one winner, deletion
//! with the client, and the flush.

use std::time::Duration;

use oxydra_core::flow::legacy::{LegacyConsentRequest, LegacyConsentUse, LegacyOutcome};
use oxydra_core::model::Now;
use oxydra_core::store::{ClientStore, LegacyConsentStore, StoreError};
use oxydra_core::token::FlushCriteria;
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;
use serde_json::{Map, json};

use crate::cid;
use crate::token_races::{RACERS, race, racing_file_store};
use crate::tokens::seed_client;

/// Created at 1 000 s, expiring at 1 600 s.
fn request() -> LegacyConsentRequest {
    LegacyConsentRequest::new(
        cid("c1"),
        vec!["openid".into(), "offline".into()],
        "https://issuer.example/oauth2/auth?client_id=c1&state=abcdefgh",
        Now::from_unix_secs(1_000),
        Duration::from_secs(600),
    )
}

fn accepted(subject: &str) -> LegacyOutcome {
    let extra =
        |v: serde_json::Value| -> Map<String, serde_json::Value> { v.as_object().unwrap().clone() };
    LegacyOutcome::Accepted {
        subject: subject.into(),
        grant_scopes: vec!["openid".into()],
        access_extra: extra(json!({"team": "blue", "n": 1})),
        id_token_extra: extra(json!({"email": "ünï@example.com"})),
    }
}

fn at(secs: i64) -> Now {
    Now::from_unix_secs(secs)
}

store_test! {
    async fn requests_round_trip_and_take_new_answers_until_used(store: SqlStore) {
        seed_client(&store, "c1").await;
        let r = request();
        store.create_legacy_consent(&r).await.unwrap();
        assert_eq!(store.get_legacy_consent(&r.id).await.unwrap(), Some(r.clone()));
        assert_eq!(store.get_legacy_consent("nope").await.unwrap(), None);
        assert!(matches!(
            store.create_legacy_consent(&r).await,
            Err(StoreError::Conflict { .. })
        ));

        // Unanswered: nothing to redeem yet.
        assert_eq!(
            store.use_legacy_consent(&r.id, at(1_100)).await.unwrap(),
            LegacyConsentUse::Unanswered
        );
        let rejected = LegacyOutcome::Rejected { reason: "no".into() };
        let answered = store.answer_legacy_consent(&r.id, &rejected, at(1_100)).await.unwrap();
        assert_eq!(answered.outcome, Some(rejected));
        assert_eq!(answered.handled_at, Some(at(1_100)));
        // A later answer replaces it (Hydra 0.10 overwrites).
        let answered = store.answer_legacy_consent(&r.id, &accepted("alice"), at(1_200)).await.unwrap();
        assert_eq!(answered.outcome, Some(accepted("alice")));
        assert_eq!(answered.handled_at, Some(at(1_200)));

        let LegacyConsentUse::Fresh(used) = store.use_legacy_consent(&r.id, at(1_300)).await.unwrap() else {
            panic!("the first redemption is fresh");
        };
        assert!(used.used);
        assert_eq!(used.outcome, Some(accepted("alice")));
        assert_eq!(
            store.use_legacy_consent(&r.id, at(1_300)).await.unwrap(),
            LegacyConsentUse::AlreadyUsed
        );
        // Once used it can no longer be answered.
        assert!(matches!(
            store.answer_legacy_consent(&r.id, &accepted("mallory"), at(1_301)).await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            store.answer_legacy_consent("nope", &accepted("x"), at(1_301)).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.use_legacy_consent("nope", at(1_301)).await.unwrap(),
            LegacyConsentUse::Unknown
        );
    }

    async fn expiry_is_decided_at_the_callers_instant(store: SqlStore) {
        seed_client(&store, "c1").await;
        let r = request();
        store.create_legacy_consent(&r).await.unwrap();
        // Not answerable at or after 1 600 s.
        assert!(matches!(
            store.answer_legacy_consent(&r.id, &accepted("alice"), at(1_600)).await,
            Err(StoreError::Conflict { .. })
        ));
        store.answer_legacy_consent(&r.id, &accepted("alice"), at(1_599)).await.unwrap();
        assert_eq!(
            store.use_legacy_consent(&r.id, at(1_600)).await.unwrap(),
            LegacyConsentUse::Expired
        );
        // Expiry did not consume it: still expired, not "used", on a second look.
        assert_eq!(
            store.use_legacy_consent(&r.id, at(1_700)).await.unwrap(),
            LegacyConsentUse::Expired
        );
    }

    async fn deleting_the_client_deletes_its_requests(store: SqlStore) {
        seed_client(&store, "c1").await;
        let r = request();
        store.create_legacy_consent(&r).await.unwrap();
        assert!(store.delete_client(&cid("c1")).await.unwrap());
        assert_eq!(store.get_legacy_consent(&r.id).await.unwrap(), None);
    }

    async fn flush_deletes_expired_requests_a_batch_at_a_time(store: SqlStore) {
        seed_client(&store, "c1").await;
        let mut ids = Vec::new();
        for created in [1_000, 1_000, 1_000, 5_000] {
            let mut r = request();
            r.requested_at = at(created);
            r.expires_at = at(created + 600);
            store.create_legacy_consent(&r).await.unwrap();
            ids.push(r.id);
        }
        let criteria = |batch| FlushCriteria {
            issued_before: at(10_000),
            expired_before: at(2_000),
            batch_size: batch,
        };
        assert_eq!(store.flush_legacy_consents(criteria(2)).await.unwrap(), 2);
        assert_eq!(store.flush_legacy_consents(criteria(2)).await.unwrap(), 1);
        assert_eq!(store.flush_legacy_consents(criteria(2)).await.unwrap(), 0);
        assert!(store.get_legacy_consent(&ids[3]).await.unwrap().is_some(), "not expired yet");
        // notAfter keeps requests created at or after it, expired or not.
        let keep = FlushCriteria { issued_before: at(5_000), expired_before: at(9_000), batch_size: 10 };
        assert_eq!(store.flush_legacy_consents(keep).await.unwrap(), 0);
    }

    async fn concurrent_redemptions_have_one_winner(store: SqlStore) {
        seed_client(&store, "c1").await;
        race_redemptions(&store).await;
    }
}

/// `RACERS` tasks redeem one answered request at once: exactly one gets it.
async fn race_redemptions(store: &SqlStore) {
    let r = request();
    store.create_legacy_consent(&r).await.unwrap();
    store
        .answer_legacy_consent(&r.id, &accepted("alice"), at(1_100))
        .await
        .unwrap();
    let id = r.id.clone();
    let outcomes = race(store, RACERS, |store, _| {
        let id = id.clone();
        async move { store.use_legacy_consent(&id, at(1_200)).await.unwrap() }
    })
    .await;
    let fresh = outcomes
        .iter()
        .filter(|o| matches!(o, LegacyConsentUse::Fresh(_)))
        .count();
    let used = outcomes
        .iter()
        .filter(|o| **o == LegacyConsentUse::AlreadyUsed)
        .count();
    assert_eq!((fresh, used), (1, RACERS - 1), "{outcomes:?}");
}

#[tokio::test]
async fn redemption_race_on_a_multi_connection_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = racing_file_store(&dir).await;
    seed_client(&store, "c1").await;
    for _ in 0..3 {
        race_redemptions(&store).await;
    }
}
