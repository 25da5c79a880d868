//! `TokenStore::rotate_refresh`: rotation under a grace window, the repeated presentation
//! answered with the sealed pair, the cases that are replays, and concurrent presentations.

use std::time::Duration;

use oxydra_core::model::Now;
use oxydra_core::store::TokenStore;
use oxydra_core::token::{
    GraceRule, RotateOutcome, StoredToken, Successor, TokenKind, TokenSignature,
};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::cid;
use crate::token_races::{RACERS, race};
use crate::tokens::{get, seed_client, token};

use TokenKind::{AccessToken as AT, RefreshToken as RT};

/// When the fixture rotations happen.
const ROTATED: Now = Now::from_unix_secs(1_700_000_000);
/// The fixture window.
const WINDOW: Duration = Duration::from_secs(30);

fn rule(client: &str, secs_after: i64) -> GraceRule {
    GraceRule {
        window: WINDOW,
        presenter: cid(client),
        now: Now::from_unix_secs(ROTATED.unix_secs() + secs_after),
    }
}

/// The access and refresh token a rotation of grant `req` tagged `tag` issues.
fn pair(req: &str, tag: &str) -> [StoredToken; 2] {
    [
        token(&format!("{tag}-at"), AT, req),
        token(&format!("{tag}-rt"), RT, req),
    ]
}

/// Presents `sig`, rotating it to `pair(req, tag)` sealed as `sealed:<tag>`.
async fn rotate(
    store: &SqlStore,
    sig: &str,
    req: &str,
    tag: &str,
    rule: &GraceRule,
) -> RotateOutcome {
    let rows = pair(req, tag);
    let (refresh, sealed) = (
        TokenSignature::from_stored(format!("{tag}-rt")),
        format!("sealed:{tag}"),
    );
    let successor = Successor {
        rows: &rows,
        refresh: &refresh,
        sealed: &sealed,
        rotated_at: ROTATED,
    };
    store
        .rotate_refresh(&TokenSignature::from_stored(sig), Some(successor), rule)
        .await
        .unwrap()
}

/// Presents the rotated `sig` again, minting nothing.
async fn again(store: &SqlStore, sig: &str, rule: &GraceRule) -> RotateOutcome {
    store
        .rotate_refresh(&TokenSignature::from_stored(sig), None, rule)
        .await
        .unwrap()
}

/// A grant with an active refresh token `rt1` and an access token `at1`.
async fn grant(store: &SqlStore) {
    seed_client(store, "c1").await;
    store
        .insert_tokens(&[token("at1", AT, "g"), token("rt1", RT, "g")])
        .await
        .unwrap();
}

async fn grant_is_revoked(store: &SqlStore) -> bool {
    get(store, RT, "a-rt").await.is_none() && get(store, AT, "a-at").await.is_none()
}

store_test! {
    async fn a_repeated_presentation_within_the_window_gets_the_same_pair(store: SqlStore) {
        grant(&store).await;
        assert_eq!(rotate(&store, "rt1", "g", "a", &rule("c1", 0)).await, RotateOutcome::Rotated);
        assert_eq!(get(&store, AT, "at1").await, None, "the rotated grant's access token died");
        for secs in [1, 29] {
            let outcome = rotate(&store, "rt1", "g", &format!("x{secs}"), &rule("c1", secs)).await;
            assert_eq!(outcome, RotateOutcome::Graced("sealed:a".into()));
            assert_eq!(again(&store, "rt1", &rule("c1", secs)).await, RotateOutcome::Graced("sealed:a".into()));
        }
        assert!(get(&store, RT, "x1-rt").await.is_none(), "a graced presentation stores nothing");
        assert!(get(&store, RT, "a-rt").await.unwrap().active);
    }

    async fn after_the_window_a_presentation_revokes_the_grant(store: SqlStore) {
        grant(&store).await;
        rotate(&store, "rt1", "g", "a", &rule("c1", 0)).await;
        assert_eq!(again(&store, "rt1", &rule("c1", 30)).await, RotateOutcome::Replayed);
        assert!(grant_is_revoked(&store).await);
    }

    async fn another_client_is_not_answered_and_the_grant_is_revoked(store: SqlStore) {
        grant(&store).await;
        rotate(&store, "rt1", "g", "a", &rule("c1", 0)).await;
        assert_eq!(again(&store, "rt1", &rule("c2", 1)).await, RotateOutcome::Replayed);
        assert!(grant_is_revoked(&store).await);
    }

    async fn a_token_whose_successor_rotated_is_a_replay(store: SqlStore) {
        grant(&store).await;
        rotate(&store, "rt1", "g", "a", &rule("c1", 0)).await;
        assert_eq!(rotate(&store, "a-rt", "g", "b", &rule("c1", 1)).await, RotateOutcome::Rotated);
        assert_eq!(again(&store, "rt1", &rule("c1", 2)).await, RotateOutcome::Replayed);
        assert!(get(&store, RT, "b-rt").await.is_none() && get(&store, AT, "b-at").await.is_none());
    }

    async fn a_later_rotation_erases_the_earlier_sealed_pair(store: SqlStore) {
        grant(&store).await;
        rotate(&store, "rt1", "g", "a", &rule("c1", 0)).await;
        rotate(&store, "a-rt", "g", "b", &rule("c1", 1)).await;
        let sealed = crate::exec_raw_pairs(
            &store,
            "signature",
            "grace_sealed",
            "FROM oxydra_token WHERE kind = 'refresh_token' ORDER BY signature",
        )
        .await;
        assert_eq!(
            sealed,
            vec![
                ("a-rt".into(), Some("sealed:b".into())),
                ("b-rt".into(), None),
                ("rt1".into(), None),
            ]
        );
    }

    async fn unknown_tokens_are_unknown(store: SqlStore) {
        seed_client(&store, "c1").await;
        assert_eq!(again(&store, "nope", &rule("c1", 0)).await, RotateOutcome::Unknown);
        assert_eq!(rotate(&store, "nope", "g", "a", &rule("c1", 0)).await, RotateOutcome::Unknown);
    }

    async fn concurrent_presentations_all_get_the_one_pair(store: SqlStore) {
        grant(&store).await;
        let outcomes = race(&store, RACERS, |store, i| async move {
            (i, rotate(&store, "rt1", "g", &format!("p{i}"), &rule("c1", 0)).await)
        })
        .await;
        let rotated: Vec<usize> = outcomes
            .iter()
            .filter(|(_, o)| *o == RotateOutcome::Rotated)
            .map(|(i, _)| *i)
            .collect();
        let [winner] = rotated[..] else {
            panic!("exactly one rotation: {outcomes:?}");
        };
        let sealed = RotateOutcome::Graced(format!("sealed:p{winner}"));
        for (i, outcome) in &outcomes {
            let i = *i;
            if i != winner {
                assert_eq!(*outcome, sealed, "racer {i}: {outcomes:?}");
                assert!(get(&store, RT, &format!("p{i}-rt")).await.is_none());
            }
        }
        assert!(get(&store, RT, &format!("p{winner}-rt")).await.unwrap().active);
        assert!(get(&store, AT, &format!("p{winner}-at")).await.is_some());
    }
}
