//! `LogoutStore`: logout requests round trip, accept and reject, and `complete_logout` — one
//! redemption, the session's clients listed, its consents no longer remembered (their tokens
//! kept), the login session deleted — with a redemption race that has one winner.

use oxydra_core::flow::logout::LogoutRequest;
use oxydra_core::flow::{FlowId, LoginSession, VerifierUse};
use oxydra_core::model::Now;
use oxydra_core::store::{FlowStore, LogoutStore, StoreError, TokenStore};
use oxydra_core::token::TokenKind;
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::cid;
use crate::flows::{consent, consent_accepted};
use crate::tokens::{get, seed_client, token};

fn request(challenge: &str, sid: &str) -> LogoutRequest {
    LogoutRequest {
        challenge: FlowId::from_stored(challenge),
        verifier: FlowId::from_stored(format!("{challenge}-verifier")),
        subject: "alice".into(),
        session_id: sid.into(),
        client_id: Some(cid("c1")),
        request_url: "https://op.example/oauth2/sessions/logout?id_token_hint=x".into(),
        rp_initiated: true,
        redirect_to: "https://rp.example/bye?state=s".into(),
        requested_at: Now::from_unix_micros(1_700_000_000_123_456),
        accepted: false,
        verifier_used: false,
    }
}

/// Seeds the login session `sid` of alice and an accepted, remembered consent of it at
/// `client` (challenge `challenge`), plus an access token of that grant.
async fn seed_session_consent(store: &SqlStore, sid: &str, challenge: &str, client: &str) {
    let mut c = consent(challenge);
    c.subject = "alice".into();
    c.client_id = cid(client);
    c.login_session_id = Some(sid.into());
    c.requested_at = Now::from_unix_secs(1_000);
    store.create_consent_request(&c).await.unwrap();
    store
        .handle_consent_request(
            &c.challenge,
            &consent_accepted(true, 0),
            Now::from_unix_secs(1_001),
        )
        .await
        .unwrap();
    let mut t = token(
        &format!("at-{challenge}"),
        TokenKind::AccessToken,
        challenge,
    );
    t.client_id = cid(client);
    store.insert_tokens(&[t]).await.unwrap();
}

async fn seed_login_session(store: &SqlStore, sid: &str) {
    let session = LoginSession {
        id: sid.into(),
        subject: "alice".into(),
        authenticated_at: Now::from_unix_secs(1_000),
        expires_at: Now::from_unix_secs(1_000_000),
    };
    store.create_login_session(&session).await.unwrap();
}

store_test! {
    async fn logout_requests_round_trip_and_are_accepted_or_rejected(store: SqlStore) {
        seed_client(&store, "c1").await;
        let r = request("lc1", "sid-1");
        store.create_logout_request(&r).await.unwrap();
        assert_eq!(store.get_logout_request(&r.challenge).await.unwrap(), Some(r.clone()));
        assert_eq!(
            store.get_logout_request_by_verifier(&r.verifier).await.unwrap(),
            Some(r.clone())
        );
        let mut op = request("lc2", "sid-1");
        op.client_id = None;
        op.rp_initiated = false;
        store.create_logout_request(&op).await.unwrap();
        assert_eq!(store.get_logout_request(&op.challenge).await.unwrap(), Some(op.clone()));

        let accepted = store.accept_logout_request(&r.challenge).await.unwrap();
        assert!(accepted.accepted);
        assert!(store.accept_logout_request(&r.challenge).await.unwrap().accepted);
        assert!(matches!(
            store.accept_logout_request(&FlowId::from_stored("nope")).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.reject_logout_request(&op.challenge).await.unwrap());
        assert!(!store.reject_logout_request(&op.challenge).await.unwrap());
        assert_eq!(store.get_logout_request(&op.challenge).await.unwrap(), None);
    }

    async fn completing_a_logout_ends_the_session_once(store: SqlStore) {
        seed_client(&store, "c1").await;
        seed_client(&store, "c2").await;
        seed_client(&store, "c3").await;
        seed_login_session(&store, "sid-1").await;
        seed_login_session(&store, "sid-2").await;
        seed_session_consent(&store, "sid-1", "k1", "c2").await;
        seed_session_consent(&store, "sid-1", "k2", "c1").await;
        seed_session_consent(&store, "sid-1", "k3", "c1").await;
        seed_session_consent(&store, "sid-2", "k4", "c3").await;
        let r = request("lc1", "sid-1");
        store.create_logout_request(&r).await.unwrap();

        // Not accepted yet: nothing to redeem, nothing changed.
        assert!(matches!(
            store.complete_logout(&r.verifier).await.unwrap(),
            VerifierUse::Unknown
        ));
        assert!(store.get_login_session("sid-1").await.unwrap().is_some());

        store.accept_logout_request(&r.challenge).await.unwrap();
        let VerifierUse::Fresh(ended) = store.complete_logout(&r.verifier).await.unwrap() else {
            panic!("the first redemption is fresh");
        };
        assert_eq!(ended.request.challenge, r.challenge);
        assert!(ended.request.verifier_used);
        assert_eq!(ended.clients, vec![cid("c1"), cid("c2")]);
        assert!(store.get_login_session("sid-1").await.unwrap().is_none());
        assert!(store.get_login_session("sid-2").await.unwrap().is_some());
        let now = Now::from_unix_secs(2_000);
        let remembered = store.remembered_consents("alice", None, now, 10, 0).await.unwrap();
        let left: Vec<&str> = remembered.iter().map(|c| c.challenge.as_str()).collect();
        assert_eq!(left, ["k4"], "only the other session's consent is still remembered");
        assert!(get(&store, TokenKind::AccessToken, "at-k1").await.is_some(), "Hydra's logout revokes no token");

        assert!(matches!(
            store.complete_logout(&r.verifier).await.unwrap(),
            VerifierUse::AlreadyUsed
        ));
        assert!(matches!(
            store.accept_logout_request(&r.challenge).await,
            Err(StoreError::NotFound)
        ));
        assert!(!store.reject_logout_request(&r.challenge).await.unwrap());
    }
}
