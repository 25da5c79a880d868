//! `DeviceStore`: RFC 8628 device grants — round trip by each key, unique user codes, polls,
//! the consent step with its verifier in one transaction, denial, single redemption with
//! replay revocation, a redemption race with one winner, deletion with the client, the flush.

use oxydra_core::flow::device::{DeviceApproval, DeviceDecision, DeviceGrant, DeviceState};
use oxydra_core::flow::{FlowId, VerifierUse};
use oxydra_core::model::Now;
use oxydra_core::store::{ClientStore, DeviceStore, FlowStore, StoreError};
use oxydra_core::token::{FlushCriteria, TokenKind, TokenSession, TokenSignature, UseOutcome};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::cid;
use crate::flow_intents::answered_consent;
use crate::token_races::{RACERS, race};
use crate::tokens::{get, seed_client, token};

const T0: i64 = 1_700_000_000;

fn at(secs: i64) -> Now {
    Now::from_unix_secs(secs)
}

/// A pending grant `n` of client `c1`, created at `T0`, expiring 600 s later.
fn grant(n: &str) -> DeviceGrant {
    DeviceGrant {
        signature: TokenSignature::from_stored(format!("sig-{n}")),
        user_code_hash: format!("user-{n}"),
        challenge: FlowId::from_stored(format!("dev-{n}")),
        client_id: cid("c1"),
        requested_scope: vec!["openid".into(), "offline".into()],
        requested_at: at(T0),
        expires_at: at(T0 + 600),
        interval_secs: 5,
        last_polled_at: None,
        state: DeviceState::Pending,
    }
}

fn approval(request: &str) -> DeviceApproval {
    DeviceApproval {
        request_id: request.into(),
        subject: "alice".into(),
        granted_scope: vec!["openid".into()],
        session: TokenSession {
            auth_time: Some(T0),
            ..TokenSession::default()
        },
    }
}

/// Runs the consent step for grant `n` with `verifier` and `decision` at `now`.
async fn consent_step(
    store: &SqlStore,
    verifier: &str,
    n: &str,
    decision: DeviceDecision,
    now: Now,
) -> VerifierUse<bool> {
    let (verifier, challenge) = (
        FlowId::from_stored(verifier),
        FlowId::from_stored(format!("dev-{n}")),
    );
    store
        .consent_to_device(&verifier, &challenge, &decision, now)
        .await
        .unwrap()
}

async fn load(store: &SqlStore, n: &str) -> DeviceGrant {
    let sig = TokenSignature::from_stored(format!("sig-{n}"));
    store.get_device_grant(&sig).await.unwrap().unwrap()
}

/// Stores grant `n` already approved (through the consent step) with request id `r1`.
async fn approved(store: &SqlStore, n: &str) {
    store.create_device_grant(&grant(n)).await.unwrap();
    let verifier = answered_consent(store, &format!("k-{n}")).await;
    let decision = DeviceDecision::Approve(Box::new(approval("r1")));
    let used = consent_step(store, verifier.as_str(), n, decision, at(T0 + 10));
    assert_eq!(used.await, VerifierUse::Fresh(true));
}

store_test! {
    async fn grants_round_trip_by_every_key_and_user_codes_are_unique(store: SqlStore) {
        seed_client(&store, "c1").await;
        let g = grant("a");
        store.create_device_grant(&g).await.unwrap();
        assert_eq!(load(&store, "a").await, g);
        assert_eq!(store.get_device_grant_by_user_code("user-a").await.unwrap(), Some(g.clone()));
        let challenge = FlowId::from_stored("dev-a");
        assert_eq!(store.get_device_grant_by_challenge(&challenge).await.unwrap(), Some(g.clone()));
        assert_eq!(store.get_device_grant_by_user_code("nope").await.unwrap(), None);

        let mut clash = grant("b");
        clash.user_code_hash = "user-a".into();
        assert!(matches!(
            store.create_device_grant(&clash).await,
            Err(StoreError::Conflict { .. })
        ));
        // A client deleted meanwhile: NotFound, not a conflict.
        let mut orphan = grant("c");
        orphan.client_id = cid("gone");
        assert!(matches!(
            store.create_device_grant(&orphan).await,
            Err(StoreError::NotFound)
        ));
    }

    async fn polls_are_recorded_on_pending_grants_only(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_device_grant(&grant("a")).await.unwrap();
        let sig = TokenSignature::from_stored("sig-a");
        store.record_device_poll(&sig, at(T0 + 3), 10).await.unwrap();
        let g = load(&store, "a").await;
        assert_eq!((g.last_polled_at, g.interval_secs), (Some(at(T0 + 3)), 10));
        assert!(store.deny_device_grant(&FlowId::from_stored("dev-a")).await.unwrap());
        assert!(!store.deny_device_grant(&FlowId::from_stored("dev-a")).await.unwrap());
        store.record_device_poll(&sig, at(T0 + 30), 15).await.unwrap();
        let g = load(&store, "a").await;
        assert_eq!(g.state, DeviceState::Denied);
        assert_eq!(g.interval_secs, 10);
    }

    async fn the_consent_step_redeems_its_verifier_with_the_decision(store: SqlStore) {
        seed_client(&store, "c1").await;
        approved(&store, "a").await;
        assert_eq!(load(&store, "a").await.state, DeviceState::Authorized(Box::new(approval("r1"))));

        // The verifier is spent, and the grant is no longer pending.
        let again = consent_step(&store, "k-a-verifier", "a", DeviceDecision::Deny, at(T0 + 20));
        assert_eq!(again.await, VerifierUse::AlreadyUsed);
        let unknown = consent_step(&store, "nope", "a", DeviceDecision::Deny, at(T0));
        assert_eq!(unknown.await, VerifierUse::Unknown);

        // A grant that expired meanwhile: nothing written, the verifier stays unused.
        store.create_device_grant(&grant("b")).await.unwrap();
        answered_consent(&store, "k-b").await;
        let late = consent_step(&store, "k-b-verifier", "b", DeviceDecision::Deny, at(T0 + 600));
        assert_eq!(late.await, VerifierUse::Fresh(false));
        assert_eq!(load(&store, "b").await.state, DeviceState::Pending);
        let consent = store.get_consent_request(&FlowId::from_stored("k-b")).await.unwrap();
        assert!(!consent.unwrap().verifier_used);
        let denied = consent_step(&store, "k-b-verifier", "b", DeviceDecision::Deny, at(T0 + 30));
        assert_eq!(denied.await, VerifierUse::Fresh(true));
        assert_eq!(load(&store, "b").await.state, DeviceState::Denied);
    }

    async fn a_grant_is_redeemed_once_and_a_replay_revokes_its_tokens(store: SqlStore) {
        seed_client(&store, "c1").await;
        let sig = TokenSignature::from_stored("sig-a");
        store.create_device_grant(&grant("a")).await.unwrap();
        // Pending: nothing to redeem.
        let issued = [token("at-1", TokenKind::AccessToken, "r1"), token("rt-1", TokenKind::RefreshToken, "r1")];
        assert_eq!(store.redeem_device_grant(&sig, &issued, at(T0 + 20)).await.unwrap(), UseOutcome::Unknown);
        assert!(get(&store, TokenKind::AccessToken, "at-1").await.is_none());

        answered_consent(&store, "k-a").await;
        let decision = DeviceDecision::Approve(Box::new(approval("r1")));
        consent_step(&store, "k-a-verifier", "a", decision, at(T0 + 10)).await;
        // Expired before redemption: refused, nothing stored.
        assert_eq!(store.redeem_device_grant(&sig, &issued, at(T0 + 600)).await.unwrap(), UseOutcome::Unknown);
        assert_eq!(store.redeem_device_grant(&sig, &issued, at(T0 + 20)).await.unwrap(), UseOutcome::Used);
        assert!(get(&store, TokenKind::AccessToken, "at-1").await.is_some());
        assert_eq!(load(&store, "a").await.state, DeviceState::Used(Box::new(approval("r1"))));

        let second = [token("at-2", TokenKind::AccessToken, "r1")];
        assert_eq!(store.redeem_device_grant(&sig, &second, at(T0 + 30)).await.unwrap(), UseOutcome::Replayed);
        assert!(get(&store, TokenKind::AccessToken, "at-1").await.is_none());
        assert!(get(&store, TokenKind::RefreshToken, "rt-1").await.is_none());
        assert!(get(&store, TokenKind::AccessToken, "at-2").await.is_none());
    }

    async fn concurrent_redemptions_have_one_winner(store: SqlStore) {
        seed_client(&store, "c1").await;
        approved(&store, "a").await;
        let outcomes = race(&store, RACERS, |store, i| async move {
            let issued = [token(&format!("at-{i}"), TokenKind::AccessToken, "r1")];
            let sig = TokenSignature::from_stored("sig-a");
            store.redeem_device_grant(&sig, &issued, at(T0 + 20)).await.unwrap()
        })
        .await;
        let used = outcomes.iter().filter(|o| **o == UseOutcome::Used).count();
        assert_eq!(used, 1, "{outcomes:?}");
        assert!(outcomes.iter().all(|o| matches!(o, UseOutcome::Used | UseOutcome::Replayed)));
    }

    async fn grants_go_with_their_client_and_expired_ones_are_flushed(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_device_grant(&grant("a")).await.unwrap();
        let mut young = grant("b");
        young.expires_at = at(T0 + 6_000);
        store.create_device_grant(&young).await.unwrap();
        let criteria = FlushCriteria {
            issued_before: at(T0 + 10_000),
            expired_before: at(T0 + 1_000),
            batch_size: 10,
        };
        assert_eq!(store.flush_device_grants(criteria).await.unwrap(), 1);
        assert_eq!(store.get_device_grant(&TokenSignature::from_stored("sig-a")).await.unwrap(), None);
        assert!(store.delete_client(&cid("c1")).await.unwrap());
        assert_eq!(store.get_device_grant(&TokenSignature::from_stored("sig-b")).await.unwrap(), None);
    }
}
