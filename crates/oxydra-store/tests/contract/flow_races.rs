//! Races on the flow: concurrent redemptions of one verifier and concurrent answers to one
//! request have exactly one winner, and the losers get an answer, not an error. Runs on the
//! matrix and on a multi-connection SQLite file.

use std::future::Future;

use oxydra_core::flow::{FlowId, VerifierUse};
use oxydra_core::model::Now;
use oxydra_core::store::{FlowStore, StoreError};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::flows::{consent, consent_accepted, login, login_accepted};
use crate::token_races::{RACERS, race, racing_file_store};
use crate::tokens::seed_client;

/// Counts `(fresh, already used)` redemptions; anything else fails the test.
fn tally<T: std::fmt::Debug>(outcomes: &[VerifierUse<T>]) -> (usize, usize) {
    let fresh = outcomes
        .iter()
        .filter(|o| matches!(o, VerifierUse::Fresh(_)))
        .count();
    let used = outcomes
        .iter()
        .filter(|o| matches!(o, VerifierUse::AlreadyUsed))
        .count();
    assert_eq!(fresh + used, outcomes.len(), "{outcomes:?}");
    (fresh, used)
}

/// `RACERS` tasks redeem `verifier` at once through `redeem`: one gets it fresh.
async fn race_redemptions<T, Fut>(
    store: &SqlStore,
    verifier: String,
    redeem: fn(SqlStore, FlowId) -> Fut,
) where
    T: std::fmt::Debug + Send + 'static,
    Fut: Future<Output = Result<VerifierUse<T>, StoreError>> + Send + 'static,
{
    let verifier = FlowId::from_stored(verifier);
    let outcomes = race(store, RACERS, |store, _| redeem(store, verifier.clone())).await;
    let outcomes: Vec<_> = outcomes.into_iter().map(Result::unwrap).collect();
    assert_eq!(tally(&outcomes), (1, RACERS - 1));
}

/// `RACERS` tasks redeem one answered login verifier, then one answered consent verifier.
async fn race_verifiers(store: &SqlStore, round: usize) {
    let (l, k) = (format!("l{round}"), format!("k{round}"));
    store.create_login_request(&login(&l)).await.unwrap();
    let challenge = FlowId::from_stored(l.as_str());
    store
        .handle_login_request(&challenge, &login_accepted())
        .await
        .unwrap();
    race_redemptions(
        store,
        format!("{l}-verifier"),
        |store, verifier| async move { store.use_login_verifier(&verifier).await },
    )
    .await;

    store.create_consent_request(&consent(&k)).await.unwrap();
    let challenge = FlowId::from_stored(k.as_str());
    let now = Now::from_unix_secs(1_700_000_000);
    store
        .handle_consent_request(&challenge, &consent_accepted(true, 0), now)
        .await
        .unwrap();
    race_redemptions(
        store,
        format!("{k}-verifier"),
        |store, verifier| async move { store.use_consent_verifier(&verifier).await },
    )
    .await;
}

/// `RACERS` tasks answer one consent request at once, each with its own `remember_for`: one
/// succeeds, the others conflict, and the stored answer is the winner's.
async fn race_answers(store: &SqlStore, round: usize) {
    let k = format!("answer{round}");
    store.create_consent_request(&consent(&k)).await.unwrap();
    let challenge = FlowId::from_stored(k.as_str());
    let results = race(store, RACERS, |store, i| {
        let challenge = challenge.clone();
        let outcome = consent_accepted(true, i64::try_from(i).unwrap());
        async move {
            let now = Now::from_unix_secs(1_700_000_000);
            store
                .handle_consent_request(&challenge, &outcome, now)
                .await
        }
    })
    .await;
    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let losers = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict { .. })))
        .count();
    assert_eq!(losers, RACERS - 1, "{results:?}");
    let stored = store.get_consent_request(&challenge).await.unwrap();
    assert_eq!(stored.as_ref(), Some(winners[0]));
}

store_test! {
    async fn concurrent_verifier_redemptions_have_one_winner(store: SqlStore) {
        seed_client(&store, "c1").await;
        race_verifiers(&store, 0).await;
    }

    async fn concurrent_answers_have_one_winner(store: SqlStore) {
        seed_client(&store, "c1").await;
        race_answers(&store, 0).await;
    }
}

/// A file database with a connection per racer makes SQLite's locking (and `busy_timeout`)
/// settle the races, not the one connection of the in-memory matrix store.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn flow_races_on_a_multi_connection_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = racing_file_store(&dir).await;
    seed_client(&store, "c1").await;
    for round in 0..5 {
        race_verifiers(&store, round).await;
        race_answers(&store, round).await;
    }
    store.close().await;
}
