//! The flow's intent methods, `FlowStore::login_to_consent` and `FlowStore::consent_to_code`:
//! each does its whole step, redeems its verifier once under concurrency, and leaves nothing
//! behind when a write inside it fails (the verifier stays unused, no session changes).

use oxydra_core::flow::login::SessionChange;
use oxydra_core::flow::{ConsentRequest, FlowId, LoginRequest, LoginSession, VerifierUse};
use oxydra_core::store::{FlowStore, StoreError, TokenStore};
use oxydra_core::token::{StoredToken, TokenKind};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::flows::{AUTHENTICATED, consent, consent_accepted, has_consent, login, login_accepted};
use crate::token_races::{RACERS, race, racing_file_store};
use crate::tokens::{get, seed_client, token};

/// A remembered login session `id` of `alice`.
fn session(id: &str) -> LoginSession {
    LoginSession {
        id: id.into(),
        subject: "alice".into(),
        authenticated_at: AUTHENTICATED,
        expires_at: crate::tokens::EXPIRES,
    }
}

/// Stores login request `l`, answered, and returns its verifier.
async fn answered_login(store: &SqlStore, l: &str) -> FlowId {
    store.create_login_request(&login(l)).await.unwrap();
    store
        .handle_login_request(&FlowId::from_stored(l), &login_accepted())
        .await
        .unwrap();
    FlowId::from_stored(format!("{l}-verifier"))
}

/// Stores consent request `k`, answered, and returns its verifier.
pub(crate) async fn answered_consent(store: &SqlStore, k: &str) -> FlowId {
    store.create_consent_request(&consent(k)).await.unwrap();
    let now = oxydra_core::model::Now::from_unix_secs(1_700_000_000);
    store
        .handle_consent_request(&FlowId::from_stored(k), &consent_accepted(true, 0), now)
        .await
        .unwrap();
    FlowId::from_stored(format!("{k}-verifier"))
}

/// Whether login request `l`'s verifier has been redeemed.
async fn login_used(store: &SqlStore, l: &str) -> bool {
    let found = store.get_login_request(&FlowId::from_stored(l)).await;
    found.unwrap().unwrap().verifier_used
}

/// Whether consent request `k`'s verifier has been redeemed.
async fn consent_used(store: &SqlStore, k: &str) -> bool {
    let found = store.get_consent_request(&FlowId::from_stored(k)).await;
    found.unwrap().unwrap().verifier_used
}

/// Whether login session `id` is stored.
async fn has_session(store: &SqlStore, id: &str) -> bool {
    store.get_login_session(id).await.unwrap().is_some()
}

/// The login step as the flow runs it.
async fn to_consent(
    store: &SqlStore,
    verifier: &FlowId,
    change: SessionChange,
    next: Option<&ConsentRequest>,
) -> Result<VerifierUse<LoginRequest>, StoreError> {
    store.login_to_consent(verifier, &change, next).await
}

/// An authorization code of consent request `k`.
fn code(sig: &str, k: &str) -> StoredToken {
    token(sig, TokenKind::AuthorizeCode, k)
}

/// `RACERS` tasks finish one login step at once (`race` answers in completion order, so each
/// racer reports its index), each remembering its own session and
/// creating its own consent request: one wins, and only its writes are stored.
async fn race_login_to_consent(store: &SqlStore, round: usize) {
    let verifier = answered_login(store, &format!("race-l{round}")).await;
    let outcomes = race(store, RACERS, |store, i| {
        let verifier = verifier.clone();
        async move {
            let change = SessionChange::Remember(session(&format!("s{round}-{i}")));
            let next = consent(&format!("race-k{round}-{i}"));
            (i, to_consent(&store, &verifier, change, Some(&next)).await)
        }
    })
    .await;
    let mut winners = Vec::new();
    for (i, outcome) in outcomes {
        match outcome.unwrap() {
            VerifierUse::Fresh(_) => winners.push(i),
            VerifierUse::AlreadyUsed => {}
            VerifierUse::Unknown => panic!("racer {i}: unknown"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    for i in 0..RACERS {
        let won = winners.contains(&i);
        let (s, k) = (format!("s{round}-{i}"), format!("race-k{round}-{i}"));
        assert_eq!(has_session(store, &s).await, won, "session of racer {i}");
        assert_eq!(has_consent(store, &k).await, won, "consent of racer {i}");
    }
}

/// `RACERS` tasks finish one consent step at once, each with its own code: one wins.
async fn race_consent_to_code(store: &SqlStore, round: usize) {
    let k = format!("race-c{round}");
    let verifier = answered_consent(store, &k).await;
    let outcomes = race(store, RACERS, |store, i| {
        let (verifier, k) = (verifier.clone(), k.clone());
        async move {
            let rows = [code(&format!("code{round}-{i}"), &k)];
            (i, store.consent_to_code(&verifier, &rows).await)
        }
    })
    .await;
    let fresh: Vec<usize> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Ok(VerifierUse::Fresh(_))))
        .map(|(i, _)| *i)
        .collect();
    let used = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Ok(VerifierUse::AlreadyUsed)))
        .count();
    assert_eq!((fresh.len(), used), (1, RACERS - 1), "{outcomes:?}");
    for i in 0..RACERS {
        let stored = get(store, TokenKind::AuthorizeCode, &format!("code{round}-{i}")).await;
        assert_eq!(stored.is_some(), fresh.contains(&i), "code of racer {i}");
    }
}

store_test! {
    async fn login_to_consent_redeems_changes_the_session_and_creates_the_consent(store: SqlStore) {
        seed_client(&store, "c1").await;
        let verifier = answered_login(&store, "l1").await;
        store.create_login_session(&session("old")).await.unwrap();
        let next = consent("k1");
        let forget = SessionChange::Forget(Some("old".into()));
        let used = to_consent(&store, &verifier, forget.clone(), Some(&next)).await;
        let VerifierUse::Fresh(redeemed) = used.unwrap() else { panic!("not fresh") };
        assert!(redeemed.verifier_used);
        assert_eq!(redeemed.outcome, Some(login_accepted()));
        assert!(!has_session(&store, "old").await);
        let stored = store.get_consent_request(&next.challenge).await.unwrap();
        assert_eq!(stored, Some(next.clone()));
        // Single use: a second redemption writes nothing.
        let k2 = consent("k2");
        let again = to_consent(&store, &verifier, SessionChange::Remember(session("new")), Some(&k2));
        assert_eq!(again.await.unwrap(), VerifierUse::AlreadyUsed);
        assert!(!has_session(&store, "new").await);
        assert!(!has_consent(&store, "k2").await);
        // Remembering a session; ending the flow without a consent request.
        let verifier = answered_login(&store, "l2").await;
        let remember = SessionChange::Remember(session("new"));
        assert!(matches!(to_consent(&store, &verifier, remember, None).await.unwrap(), VerifierUse::Fresh(_)));
        assert_eq!(store.get_login_session("new").await.unwrap(), Some(session("new")));
        // Extending a remembered session (Hydra 2.x `extend_session_lifespan`) moves its
        // expiry and nothing else.
        let verifier = answered_login(&store, "l3").await;
        let later = oxydra_core::model::Now::from_unix_micros(crate::tokens::EXPIRES.unix_micros() + 60_000_000);
        let extend = SessionChange::Extend { id: "new".into(), expires_at: later };
        assert!(matches!(to_consent(&store, &verifier, extend, None).await.unwrap(), VerifierUse::Fresh(_)));
        let extended = LoginSession { expires_at: later, ..session("new") };
        assert_eq!(store.get_login_session("new").await.unwrap(), Some(extended));
        // Unknown verifiers are unknown.
        let unknown = FlowId::from_stored("nope");
        assert_eq!(to_consent(&store, &unknown, SessionChange::Keep, None).await.unwrap(), VerifierUse::Unknown);
    }

    async fn login_to_consent_leaves_nothing_when_its_last_write_fails(store: SqlStore) {
        seed_client(&store, "c1").await;
        let verifier = answered_login(&store, "l1").await;
        store.create_consent_request(&consent("taken")).await.unwrap();
        store.create_login_session(&session("old")).await.unwrap();
        // The consent request's challenge exists already: the step fails after the redemption
        // and the session change, and takes both back.
        let remember = SessionChange::Remember(session("new"));
        let failed = to_consent(&store, &verifier, remember, Some(&consent("taken"))).await;
        assert!(matches!(failed, Err(StoreError::Conflict { .. })), "{failed:?}");
        assert!(!login_used(&store, "l1").await);
        assert!(!has_session(&store, "new").await);
        let forget = SessionChange::Forget(Some("old".into()));
        let failed = to_consent(&store, &verifier, forget.clone(), Some(&consent("taken"))).await;
        assert!(matches!(failed, Err(StoreError::Conflict { .. })), "{failed:?}");
        assert!(!login_used(&store, "l1").await);
        assert!(has_session(&store, "old").await);
        // The verifier still works.
        let retried = to_consent(&store, &verifier, forget, Some(&consent("k1"))).await;
        assert!(matches!(retried.unwrap(), VerifierUse::Fresh(_)));
        assert!(login_used(&store, "l1").await);
        assert!(!has_session(&store, "old").await);
        assert!(has_consent(&store, "k1").await);
    }

    async fn concurrent_login_to_consent_has_one_winner(store: SqlStore) {
        seed_client(&store, "c1").await;
        race_login_to_consent(&store, 0).await;
    }

    async fn consent_to_code_redeems_and_stores_the_tokens(store: SqlStore) {
        seed_client(&store, "c1").await;
        let verifier = answered_consent(&store, "k1").await;
        let rows = [code("code1", "k1"), token("at1", TokenKind::AccessToken, "k1")];
        let VerifierUse::Fresh(redeemed) = store.consent_to_code(&verifier, &rows).await.unwrap() else {
            panic!("not fresh")
        };
        assert!(redeemed.verifier_used);
        assert_eq!(get(&store, TokenKind::AuthorizeCode, "code1").await, Some(rows[0].clone()));
        assert_eq!(get(&store, TokenKind::AccessToken, "at1").await, Some(rows[1].clone()));
        let again = store.consent_to_code(&verifier, &[code("code2", "k1")]).await;
        assert_eq!(again.unwrap(), VerifierUse::AlreadyUsed);
        assert!(get(&store, TokenKind::AuthorizeCode, "code2").await.is_none());
        // No rows: only the redemption (a flow ending with an error).
        let verifier = answered_consent(&store, "k2").await;
        assert!(matches!(store.consent_to_code(&verifier, &[]).await.unwrap(), VerifierUse::Fresh(_)));
        assert!(consent_used(&store, "k2").await);
        let unknown = FlowId::from_stored("nope");
        assert_eq!(store.consent_to_code(&unknown, &[]).await.unwrap(), VerifierUse::Unknown);
    }

    async fn consent_to_code_leaves_nothing_when_its_last_write_fails(store: SqlStore) {
        seed_client(&store, "c1").await;
        let verifier = answered_consent(&store, "k1").await;
        store.insert_tokens(&[code("taken", "other")]).await.unwrap();
        // The second row's signature exists already: the first row and the redemption go too.
        let rows = [token("at1", TokenKind::AccessToken, "k1"), code("taken", "k1")];
        let failed = store.consent_to_code(&verifier, &rows).await;
        assert!(failed.is_err(), "{failed:?}");
        assert!(!consent_used(&store, "k1").await);
        assert!(get(&store, TokenKind::AccessToken, "at1").await.is_none());
        let stored = get(&store, TokenKind::AuthorizeCode, "taken").await.unwrap();
        assert_eq!(stored.request_id.as_str(), "other");
        // The verifier still works.
        let retried = store.consent_to_code(&verifier, &rows[..1]).await;
        assert!(matches!(retried.unwrap(), VerifierUse::Fresh(_)));
        assert!(get(&store, TokenKind::AccessToken, "at1").await.is_some());
    }

    async fn concurrent_consent_to_code_has_one_winner(store: SqlStore) {
        seed_client(&store, "c1").await;
        race_consent_to_code(&store, 0).await;
    }
}

/// The same races on a file database with a connection per racer, so SQLite's locking
/// (`BEGIN IMMEDIATE`, `busy_timeout`) settles them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn intent_races_on_a_multi_connection_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = racing_file_store(&dir).await;
    seed_client(&store, "c1").await;
    for round in 0..3 {
        race_login_to_consent(&store, round).await;
        race_consent_to_code(&store, round).await;
    }
    store.close().await;
}
