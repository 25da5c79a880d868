//! `FlowStore` sessions: remembered consents (filters, expiry, order, pages), revoking consent
//! sessions with their tokens, and login-session CRUD.

use oxydra_core::flow::{ConsentOutcome, ConsentRequest, LoginSession, Rejection};
use oxydra_core::model::{ClientId, Now};
use oxydra_core::store::{FlowStore, StoreError, TokenStore};
use oxydra_core::token::{FlushCriteria, StoredToken, TokenKind};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::cid;
use crate::flows::{consent, consent_accepted, has_consent};
use crate::tokens::{get, seed_client, token};

use TokenKind::{AccessToken as AT, AuthorizeCode as AC, RefreshToken as RT};

/// Stores a consent of `subject` at `client`, requested at 1000.5 s, answered with `outcome`
/// at `handled` seconds (unanswered when `None`).
async fn seed_consent(
    store: &SqlStore,
    challenge: &str,
    (subject, client): (&str, &str),
    outcome: Option<ConsentOutcome>,
    handled: i64,
) -> ConsentRequest {
    let mut c = consent(challenge);
    c.subject = subject.into();
    c.client_id = cid(client);
    c.requested_at = Now::from_unix_micros(1_000_500_000);
    store.create_consent_request(&c).await.unwrap();
    match outcome {
        Some(o) => store
            .handle_consent_request(&c.challenge, &o, Now::from_unix_secs(handled))
            .await
            .unwrap(),
        None => c,
    }
}

/// The challenges of `subject`'s remembered consents at `now` seconds.
async fn remembered(
    store: &SqlStore,
    subject: &str,
    client: Option<&ClientId>,
    now: Now,
    (limit, offset): (u32, u32),
) -> Vec<String> {
    store
        .remembered_consents(subject, client, now, limit, offset)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.challenge.as_str().to_owned())
        .collect()
}

/// A token of the grant `request` (a consent challenge) issued to `client`.
fn grant_token(sig: &str, kind: TokenKind, request: &str, client: &str) -> StoredToken {
    let mut t = token(sig, kind, request);
    t.client_id = cid(client);
    t
}

/// A login session of `subject`.
fn session(id: &str, subject: &str) -> LoginSession {
    LoginSession {
        id: id.into(),
        subject: subject.into(),
        authenticated_at: Now::from_unix_micros(1_700_000_000_123_456),
        expires_at: Now::from_unix_micros(1_700_086_400_123_457),
    }
}

store_test! {
    async fn remembered_consents_are_accepted_remembered_unskipped_and_valid(store: SqlStore) {
        seed_client(&store, "c1").await;
        seed_client(&store, "c2").await;
        let alice = ("alice", "c1");
        let mut all = vec![
            seed_consent(&store, "forever", alice, Some(consent_accepted(true, 0)), 1010).await,
            seed_consent(&store, "negative", alice, Some(consent_accepted(true, -5)), 1011).await,
            seed_consent(&store, "until", alice, Some(consent_accepted(true, 100)), 1020).await,
            seed_consent(&store, "huge", alice, Some(consent_accepted(true, i64::MAX)), 1005).await,
            seed_consent(&store, "expired", alice, Some(consent_accepted(true, 99)), 1030).await,
            seed_consent(&store, "once", alice, Some(consent_accepted(false, 0)), 1040).await,
            seed_consent(&store, "pending", alice, None, 0).await,
            seed_consent(&store, "other", ("alice", "c2"), Some(consent_accepted(true, 0)), 1050)
                .await,
            seed_consent(&store, "bobs", ("bob", "c1"), Some(consent_accepted(true, 0)), 1060)
                .await,
        ];
        let rejected = ConsentOutcome::Rejected(Rejection::default());
        all.push(seed_consent(&store, "rejected", alice, Some(rejected), 1070).await);
        let mut skipped = consent("skipped");
        skipped.skip = true;
        skipped.requested_at = Now::from_unix_secs(1000);
        store.create_consent_request(&skipped).await.unwrap();
        let now = Now::from_unix_secs(1100);
        let skipped = store
            .handle_consent_request(&skipped.challenge, &consent_accepted(true, 0), now)
            .await
            .unwrap();
        all.push(skipped);

        // Newest answer first; `until` is still valid at its last second, `expired` is not.
        let page = (100, 0);
        let c1 = cid("c1");
        assert_eq!(
            remembered(&store, "alice", None, now, page).await,
            ["other", "until", "negative", "forever", "huge"]
        );
        assert_eq!(
            remembered(&store, "alice", Some(&c1), now, page).await,
            ["until", "negative", "forever", "huge"]
        );
        assert_eq!(remembered(&store, "alice", Some(&cid("c2")), now, page).await, ["other"]);
        assert_eq!(remembered(&store, "bob", None, now, page).await, ["bobs"]);
        assert!(remembered(&store, "carol", None, now, page).await.is_empty());
        assert!(remembered(&store, "alice", Some(&cid("c3")), now, page).await.is_empty());
        // The store agrees with the domain rule on every row, at the second boundary too.
        for at in [1099, 1100, 1101].map(Now::from_unix_secs) {
            let mut expected: Vec<&ConsentRequest> = all
                .iter()
                .filter(|c| c.subject == "alice" && c.is_remembered_at(at))
                .collect();
            expected.sort_by_key(|c| std::cmp::Reverse(c.handled_at));
            let expected: Vec<&str> = expected.iter().map(|c| c.challenge.as_str()).collect();
            assert_eq!(remembered(&store, "alice", None, at, page).await, expected, "{at:?}");
        }
        let late = Now::from_unix_micros(1_100_999_999);
        assert_eq!(remembered(&store, "alice", Some(&c1), late, page).await.len(), 4);
        // Pages.
        assert_eq!(remembered(&store, "alice", None, now, (2, 0)).await, ["other", "until"]);
        assert_eq!(remembered(&store, "alice", None, now, (2, 2)).await, ["negative", "forever"]);
        assert_eq!(remembered(&store, "alice", None, now, (2, 4)).await, ["huge"]);
        assert!(remembered(&store, "alice", None, now, (2, 6)).await.is_empty());
        assert!(remembered(&store, "alice", None, now, (0, 0)).await.is_empty());
    }

    async fn remembered_consents_answered_at_once_order_by_challenge(store: SqlStore) {
        seed_client(&store, "c1").await;
        for name in ["tie2", "tie3", "tie1"] {
            seed_consent(&store, name, ("alice", "c1"), Some(consent_accepted(true, 0)), 1010)
                .await;
        }
        let now = Now::from_unix_secs(2000);
        let list = store.remembered_consents("alice", None, now, 10, 0).await.unwrap();
        let names: Vec<&str> = list.iter().map(|c| c.challenge.as_str()).collect();
        assert_eq!(names, ["tie1", "tie2", "tie3"]);
        // Full requests come back, outcome included.
        assert_eq!(list[0].outcome, Some(consent_accepted(true, 0)));
        assert_eq!(list[0].handled_at, Some(Now::from_unix_secs(1010)));
    }

    async fn revoking_consent_sessions_deletes_their_tokens(store: SqlStore) {
        seed_client(&store, "c1").await;
        seed_client(&store, "c2").await;
        let accept = || Some(consent_accepted(true, 0));
        seed_consent(&store, "g1", ("alice", "c1"), accept(), 1010).await;
        seed_consent(&store, "g2", ("alice", "c1"), Some(consent_accepted(false, 0)), 1020).await;
        seed_consent(&store, "g3", ("alice", "c2"), accept(), 1030).await;
        seed_consent(&store, "g4", ("alice", "c1"), None, 0).await;
        seed_consent(&store, "g5", ("bob", "c1"), accept(), 1040).await;
        store
            .insert_tokens(&[
                grant_token("g1-code", AC, "g1", "c1"),
                grant_token("g1-at", AT, "g1", "c1"),
                grant_token("g1-rt", RT, "g1", "c1"),
                grant_token("g2-at", AT, "g2", "c1"),
                grant_token("g2-rt", RT, "g2", "c1"),
                grant_token("g3-at", AT, "g3", "c2"),
                grant_token("g3-rt", RT, "g3", "c2"),
                grant_token("g5-at", AT, "g5", "c1"),
                grant_token("unrelated", AT, "r-other", "c1"),
            ])
            .await
            .unwrap();
        // Looked up first, so a row kept in memory (the token cache) would show up below.
        for sig in ["g1-at", "g2-at", "g3-at"] {
            assert!(get(&store, AT, sig).await.is_some(), "{sig}");
        }

        // One client only.
        assert_eq!(store.revoke_consent_sessions("alice", Some(&cid("c2"))).await.unwrap(), 1);
        assert_eq!(get(&store, AT, "g3-at").await, None);
        assert_eq!(get(&store, RT, "g3-rt").await, None);
        assert!(!has_consent(&store, "g3").await);
        assert!(get(&store, AT, "g1-at").await.is_some());
        assert!(has_consent(&store, "g1").await);

        // Every answered consent of the subject, remembered or not, and all of its tokens.
        assert_eq!(store.revoke_consent_sessions("alice", None).await.unwrap(), 2);
        let gone = [(AC, "g1-code"), (AT, "g1-at"), (RT, "g1-rt"), (AT, "g2-at"), (RT, "g2-rt")];
        for (kind, sig) in gone {
            assert_eq!(get(&store, kind, sig).await, None, "{sig}");
        }
        assert!(!has_consent(&store, "g1").await);
        assert!(!has_consent(&store, "g2").await);
        // Unanswered requests, other subjects and other grants are untouched.
        assert!(has_consent(&store, "g4").await);
        assert!(has_consent(&store, "g5").await);
        assert!(get(&store, AT, "g5-at").await.is_some());
        assert!(get(&store, AT, "unrelated").await.is_some());
        assert_eq!(store.revoke_consent_sessions("alice", None).await.unwrap(), 0);
        assert_eq!(store.revoke_consent_sessions("nobody", Some(&cid("c1"))).await.unwrap(), 0);
    }

    async fn login_sessions_are_created_read_and_deleted(store: SqlStore) {
        let s = session("sid-1", "alice");
        store.create_login_session(&s).await.unwrap();
        assert_eq!(store.get_login_session("sid-1").await.unwrap(), Some(s.clone()));
        assert_eq!(store.get_login_session("SID-1").await.unwrap(), None);
        let err = store.create_login_session(&session("sid-1", "bob")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert_eq!(store.get_login_session("sid-1").await.unwrap(), Some(s));

        assert!(store.delete_login_session("sid-1").await.unwrap());
        assert!(!store.delete_login_session("sid-1").await.unwrap());
        assert_eq!(store.get_login_session("sid-1").await.unwrap(), None);

        for id in ["a1", "a2", "a3"] {
            store.create_login_session(&session(id, "alice")).await.unwrap();
        }
        store.create_login_session(&session("b1", "bob")).await.unwrap();
        assert_eq!(store.delete_login_sessions_of("alice").await.unwrap(), 3);
        assert_eq!(store.delete_login_sessions_of("alice").await.unwrap(), 0);
        assert_eq!(store.get_login_session("a2").await.unwrap(), None);
        assert_eq!(store.get_login_session("b1").await.unwrap(), Some(session("b1", "bob")));
    }

    async fn expired_login_sessions_are_flushed_a_batch_at_a_time(store: SqlStore) {
        let at = |secs: i64| Now::from_unix_secs(secs);
        for (id, authenticated, expires) in
            [("e1", 100, 200), ("e2", 100, 300), ("e3", 100, 400), ("late", 900, 300), ("live", 100, 10_000)]
        {
            let mut s = session(id, "alice");
            s.authenticated_at = at(authenticated);
            s.expires_at = at(expires);
            store.create_login_session(&s).await.unwrap();
            assert_eq!(store.get_login_session(id).await.unwrap(), Some(s));
        }
        let criteria = |batch| FlushCriteria {
            issued_before: at(500),
            expired_before: at(1_000),
            batch_size: batch,
        };
        assert_eq!(store.flush_login_sessions(criteria(2)).await.unwrap(), 2);
        assert_eq!(store.flush_login_sessions(criteria(2)).await.unwrap(), 1);
        assert_eq!(store.flush_login_sessions(criteria(2)).await.unwrap(), 0);
        for gone in ["e1", "e2", "e3"] {
            assert_eq!(store.get_login_session(gone).await.unwrap(), None, "{gone}");
        }
        // Authenticated after notAfter, or not expired yet: kept.
        assert!(store.get_login_session("late").await.unwrap().is_some());
        assert!(store.get_login_session("live").await.unwrap().is_some());
    }
}
