//! Races: concurrent uses of one authorization code and concurrent claims of one `jti` have
//! exactly one winner, and the losers get an answer, not an error (no `SQLITE_BUSY`, no
//! deadlock). Runs on the matrix and on a multi-connection SQLite file.

use std::future::Future;
use std::sync::Arc;

use oxydra_core::model::Now;
use oxydra_core::store::TokenStore;
use oxydra_core::token::{TokenKind, TokenSignature, UseOutcome};
use oxydra_store::{Dsn, OpenOptions, SqlStore};
use oxydra_testkit::store_test;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::cid;
use crate::tokens::{get, seed_client, token};

/// Concurrent callers per race.
pub const RACERS: usize = 8;

/// Runs `n` calls of `call(store, i)` at once (released together by a barrier), each on its
/// own task, and returns their results.
pub async fn race<T, F, Fut>(store: &SqlStore, n: usize, call: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(SqlStore, usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let mut tasks = JoinSet::new();
    for i in 0..n {
        let (call, barrier) = (call(store.clone(), i), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            call.await
        });
    }
    tasks.join_all().await
}

/// `RACERS` tasks exchange the same code at once, each issuing its own tokens.
async fn race_code_exchange(store: &SqlStore) {
    seed_client(store, "c1").await;
    store
        .insert_tokens(&[token("code", TokenKind::AuthorizeCode, "r1")])
        .await
        .unwrap();
    let outcomes = race(store, RACERS, |store, i| async move {
        let issued = [
            token(&format!("at-{i}"), TokenKind::AccessToken, "r1"),
            token(&format!("rt-{i}"), TokenKind::RefreshToken, "r1"),
        ];
        let code = TokenSignature::from_stored("code");
        store
            .use_token(TokenKind::AuthorizeCode, &code, &issued)
            .await
            .unwrap()
    })
    .await;
    let used = outcomes.iter().filter(|o| **o == UseOutcome::Used).count();
    let replayed = outcomes
        .iter()
        .filter(|o| **o == UseOutcome::Replayed)
        .count();
    assert_eq!((used, replayed), (1, RACERS - 1), "{outcomes:?}");
    // Every loser saw the code only after the winner committed, so its revocation removed the
    // winner's tokens too: a raced code leaves no usable token.
    assert!(
        !get(store, TokenKind::AuthorizeCode, "code")
            .await
            .unwrap()
            .active
    );
    for i in 0..RACERS {
        assert_eq!(
            get(store, TokenKind::AccessToken, &format!("at-{i}")).await,
            None
        );
        assert_eq!(
            get(store, TokenKind::RefreshToken, &format!("rt-{i}")).await,
            None
        );
    }
}

/// `RACERS` tasks claim the same fresh `jti` at once.
async fn race_jti_claim(store: &SqlStore) {
    let won = race(store, RACERS, |store, _| async move {
        let (exp, now) = (Now::from_unix_secs(200), Now::from_unix_secs(100));
        store.claim_jti(&cid("c1"), "jti", exp, now).await.unwrap()
    })
    .await;
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
}

/// Rounds of [`race_rotation_against_replay`]: each is a fresh grant, so timings vary.
const ROUNDS: usize = 10;

/// A thief replays a rotated refresh token while the current one is being rotated: whichever
/// commits first, no access or refresh token of the grant survives and nobody gets an error.
async fn race_rotation_against_replay(store: &SqlStore) {
    seed_client(store, "c1").await;
    for round in 0..ROUNDS {
        let req = format!("grant-{round}");
        let mut rotated = token(&format!("{req}-rt1"), TokenKind::RefreshToken, &req);
        rotated.active = false;
        let mut grant = vec![
            rotated,
            token(&format!("{req}-rt2"), TokenKind::RefreshToken, &req),
        ];
        grant.extend((0..4).map(|i| token(&format!("{req}-at{i}"), TokenKind::AccessToken, &req)));
        store.insert_tokens(&grant).await.unwrap();
        let outcomes = race(store, 2, |store, i| {
            let (sig, tag) = [("rt2", "legit"), ("rt1", "thief")][i];
            let sig = TokenSignature::from_stored(format!("{req}-{sig}"));
            let issued = [
                token(&format!("{req}-{tag}-at"), TokenKind::AccessToken, &req),
                token(&format!("{req}-{tag}-rt"), TokenKind::RefreshToken, &req),
            ];
            async move {
                (
                    tag,
                    store
                        .use_token(TokenKind::RefreshToken, &sig, &issued)
                        .await,
                )
            }
        })
        .await;
        for (tag, outcome) in outcomes {
            let outcome = outcome.unwrap_or_else(|e| panic!("{tag} in round {round}: {e}"));
            match tag {
                "thief" => assert_eq!(outcome, UseOutcome::Replayed, "round {round}"),
                _ => assert_ne!(outcome, UseOutcome::Replayed, "round {round}"),
            }
        }
        for (kind, sig) in [
            (TokenKind::AccessToken, "legit-at"),
            (TokenKind::RefreshToken, "legit-rt"),
            (TokenKind::RefreshToken, "rt2"),
            (TokenKind::AccessToken, "at0"),
        ] {
            let left = get(store, kind, &format!("{req}-{sig}")).await;
            assert_eq!(left, None, "round {round}: {sig} survived the replay");
        }
    }
}

store_test! {
    async fn concurrent_code_exchanges_have_one_winner(store: SqlStore) {
        race_code_exchange(&store).await;
    }

    async fn concurrent_jti_claims_have_one_winner(store: SqlStore) {
        race_jti_claim(&store).await;
    }

    async fn replay_during_rotation_revokes_the_rotated_tokens(store: SqlStore) {
        race_rotation_against_replay(&store).await;
    }
}

/// The in-memory matrix store has one connection, so it serialises the racers; a file database
/// with a connection per racer makes SQLite's locking (and `busy_timeout`) do the work.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_on_a_multi_connection_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = racing_file_store(&dir).await;
    for _ in 0..3 {
        exec_reset(&store).await;
        race_code_exchange(&store).await;
        race_jti_claim(&store).await;
        exec_reset(&store).await;
        race_rotation_against_replay(&store).await;
    }
    store.close().await;
}

/// A migrated SQLite file database in `dir` with a connection per racer.
pub async fn racing_file_store(dir: &tempfile::TempDir) -> SqlStore {
    let dsn = Dsn::parse(&format!(
        "sqlite://{}",
        dir.path().join("race.db").display()
    ))
    .unwrap();
    let opts = OpenOptions {
        max_connections: Some(u32::try_from(RACERS).unwrap()),
        ..OpenOptions::default()
    };
    let store = SqlStore::open(&dsn, &opts).await.unwrap().store;
    store.migrate().await.unwrap();
    store
}

/// Empties the tables a race writes, so it can run again on the same file.
async fn exec_reset(store: &SqlStore) {
    for sql in [
        "DELETE FROM oxydra_jti",
        "DELETE FROM oxydra_token",
        "DELETE FROM oxydra_client",
    ] {
        crate::exec_raw(store, sql).await;
    }
}
