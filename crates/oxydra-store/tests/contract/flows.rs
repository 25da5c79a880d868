//! `FlowStore`: login and consent requests round-trip every field, are answered once and their
//! verifiers redeemed once; undecodable rows are corrupt; deleting a client deletes its flows.

use oxydra_core::flow::{
    ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, OidcContext, Rejection,
    VerifierUse,
};
use oxydra_core::model::Now;
use oxydra_core::oauth2::authorize::ClaimsRequest;
use oxydra_core::store::{ClientStore, FlowStore, StoreError, TokenStore};
use oxydra_core::token::TokenKind;
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;
use serde_json::{Map, Value, json};

use crate::tokens::{get, seed_client, token};
use crate::{cid, exec_raw};

/// When every fixture flow started.
pub const REQUESTED: Now = Now::from_unix_micros(1_700_000_000_000_001);
/// When the fixture user authenticated.
pub const AUTHENTICATED: Now = Now::from_unix_micros(1_699_999_000_000_002);

/// A JSON object literal as a map.
pub fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// An OIDC context with every field set, including nested hint claims.
fn full_context() -> OidcContext {
    OidcContext {
        acr_values: vec!["urn:acr:silver".into(), "urn:acr:gold".into()],
        display: "popup".into(),
        id_token_hint_claims: Some(object(json!({
            "sub": "alice", "aud": ["c1", "c2"], "exp": 1_700_000_000, "amr": {"pwd": true},
        }))),
        login_hint: "älice@example.org".into(),
        ui_locales: vec!["de-CH".into(), "en".into()],
        claims: Some(
            ClaimsRequest::parse(
                r#"{"userinfo":{"email":{"essential":true},"nickname":null},
                    "id_token":{"acr":{"values":["1","0"]},"name":{"value":"Älice"}}}"#,
            )
            .unwrap(),
        ),
    }
}

/// An unanswered login request of client `c1` with every field set; the verifier and CSRF
/// value are derived from the challenge, so they are unique too.
pub fn login(challenge: &str) -> LoginRequest {
    LoginRequest {
        challenge: FlowId::from_stored(challenge),
        verifier: FlowId::from_stored(format!("{challenge}-verifier")),
        csrf: FlowId::from_stored(format!("{challenge}-csrf")),
        client_id: cid("c1"),
        subject: "alice".into(),
        skip: true,
        requested_scope: vec!["openid".into(), "offline".into()],
        request_url: "https://issuer.example/oauth2/auth?client_id=c1&state=%22x%22&scope=openid"
            .into(),
        oidc_context: full_context(),
        login_session_id: Some("sid-1".into()),
        requested_at: REQUESTED,
        authenticated_at: Some(AUTHENTICATED),
        outcome: None,
        verifier_used: false,
    }
}

/// An unanswered consent request of `alice` at client `c1` with every field set.
pub fn consent(challenge: &str) -> ConsentRequest {
    ConsentRequest {
        challenge: FlowId::from_stored(challenge),
        verifier: FlowId::from_stored(format!("{challenge}-verifier")),
        csrf: FlowId::from_stored(format!("{challenge}-csrf")),
        client_id: cid("c1"),
        subject: "alice".into(),
        skip: false,
        requested_scope: vec!["openid".into(), "photos".into()],
        request_url: "https://issuer.example/oauth2/auth?client_id=c1".into(),
        oidc_context: full_context(),
        login_challenge: FlowId::from_stored(format!("{challenge}-login")),
        login_session_id: Some("sid-2".into()),
        requested_at: REQUESTED,
        authenticated_at: AUTHENTICATED,
        acr: "urn:acr:gold".into(),
        amr: vec!["pwd".into(), "hwk".into()],
        context: Some(serde_json::json!({"tenant": "t-1", "n": [1, 2]})),
        outcome: None,
        handled_at: None,
        verifier_used: false,
    }
}

/// An accepted login outcome with every field set.
pub fn login_accepted() -> LoginOutcome {
    LoginOutcome::Accepted {
        subject: "alice".into(),
        remember: true,
        remember_for: 3600,
        acr: "urn:acr:gold".into(),
        force_subject_identifier: "pairwise-alice".into(),
        authenticated_at: AUTHENTICATED.unix_micros(),
        amr: vec!["pwd".into()],
        context: Some(serde_json::json!({"k": "v"})),
        extend_session_lifespan: true,
        identity_provider_session_id: "kratos-session-1".into(),
    }
}

/// An accepted consent outcome.
pub fn consent_accepted(remember: bool, remember_for: i64) -> ConsentOutcome {
    ConsentOutcome::Accepted {
        grant_scope: vec!["openid".into(), "photos".into()],
        remember,
        remember_for,
        access_extra: object(json!({"tenant": "t-1", "roles": ["a", "b"]})),
        id_token_extra: object(json!({"email": "ä@example.org", "nested": {"x": null}})),
    }
}

/// A rejection with every field set.
pub fn rejection() -> Rejection {
    Rejection {
        error: "access_denied".into(),
        error_description: "The user said no".into(),
        error_hint: "Ask again".into(),
        error_debug: "debug".into(),
        status_code: 403,
    }
}

/// Redeems `verifier` at the login table.
async fn use_login(store: &SqlStore, verifier: &str) -> VerifierUse<LoginRequest> {
    store
        .use_login_verifier(&FlowId::from_stored(verifier))
        .await
        .unwrap()
}

/// Redeems `verifier` at the consent table.
async fn use_consent(store: &SqlStore, verifier: &str) -> VerifierUse<ConsentRequest> {
    store
        .use_consent_verifier(&FlowId::from_stored(verifier))
        .await
        .unwrap()
}

/// Whether a login request with this challenge is stored.
pub async fn has_login(store: &SqlStore, challenge: &str) -> bool {
    let id = FlowId::from_stored(challenge);
    store.get_login_request(&id).await.unwrap().is_some()
}

/// Whether a consent request with this challenge is stored.
pub async fn has_consent(store: &SqlStore, challenge: &str) -> bool {
    let id = FlowId::from_stored(challenge);
    store.get_consent_request(&id).await.unwrap().is_some()
}

/// A challenge (or verifier) from a string.
fn ch(challenge: &str) -> FlowId {
    FlowId::from_stored(challenge)
}

store_test! {
    async fn login_requests_round_trip_every_field(store: SqlStore) {
        seed_client(&store, "c1").await;
        let full = login("l-full");
        store.create_login_request(&full).await.unwrap();
        assert_eq!(store.get_login_request(&ch("l-full")).await.unwrap(), Some(full));

        let mut minimal = login("l-min");
        minimal.subject = String::new();
        minimal.skip = false;
        minimal.requested_scope = vec![];
        minimal.oidc_context = OidcContext::default();
        minimal.login_session_id = None;
        minimal.authenticated_at = None;
        store.create_login_request(&minimal).await.unwrap();
        assert_eq!(store.get_login_request(&ch("l-min")).await.unwrap(), Some(minimal));

        // Stored in any state: answered and redeemed, or rejected.
        let mut done = login("l-done");
        done.outcome = Some(login_accepted());
        done.verifier_used = true;
        store.create_login_request(&done).await.unwrap();
        assert_eq!(store.get_login_request(&ch("l-done")).await.unwrap(), Some(done));
        let mut rejected = login("l-rejected");
        rejected.outcome = Some(LoginOutcome::Rejected(rejection()));
        store.create_login_request(&rejected).await.unwrap();
        assert_eq!(store.get_login_request(&ch("l-rejected")).await.unwrap(), Some(rejected));

        assert_eq!(store.get_login_request(&ch("absent")).await.unwrap(), None);
    }

    async fn consent_requests_round_trip_every_field(store: SqlStore) {
        seed_client(&store, "c1").await;
        let full = consent("c-full");
        store.create_consent_request(&full).await.unwrap();
        assert_eq!(store.get_consent_request(&ch("c-full")).await.unwrap(), Some(full));

        let mut done = consent("c-done");
        done.skip = true;
        done.login_session_id = None;
        done.oidc_context = OidcContext::default();
        done.acr = String::new();
        done.outcome = Some(consent_accepted(true, 0));
        done.handled_at = Some(Now::from_unix_micros(1_700_000_001_000_003));
        done.verifier_used = true;
        store.create_consent_request(&done).await.unwrap();
        assert_eq!(store.get_consent_request(&ch("c-done")).await.unwrap(), Some(done));
        let mut rejected = consent("c-rejected");
        rejected.outcome = Some(ConsentOutcome::Rejected(Rejection::default()));
        rejected.handled_at = Some(REQUESTED);
        store.create_consent_request(&rejected).await.unwrap();
        assert_eq!(store.get_consent_request(&ch("c-rejected")).await.unwrap(), Some(rejected));

        assert_eq!(store.get_consent_request(&ch("c-full-login")).await.unwrap(), None);
    }

    async fn creating_conflicts_on_challenge_and_verifier(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_login_request(&login("l1")).await.unwrap();
        let err = store.create_login_request(&login("l1")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        let mut same_verifier = login("l2");
        same_verifier.verifier = ch("l1-verifier");
        let err = store.create_login_request(&same_verifier).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

        store.create_consent_request(&consent("k1")).await.unwrap();
        let err = store.create_consent_request(&consent("k1")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        let mut same_verifier = consent("k2");
        same_verifier.verifier = ch("k1-verifier");
        let err = store.create_consent_request(&same_verifier).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

        // The foreign key: a flow always belongs to a stored client.
        let mut orphan = login("l3");
        orphan.client_id = cid("nobody");
        assert!(store.create_login_request(&orphan).await.is_err());
        let mut orphan = consent("k3");
        orphan.client_id = cid("nobody");
        assert!(store.create_consent_request(&orphan).await.is_err());
    }

    async fn login_requests_are_answered_once(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_login_request(&login("l1")).await.unwrap();
        let handled = store.handle_login_request(&ch("l1"), &login_accepted()).await.unwrap();
        let mut expected = login("l1");
        expected.outcome = Some(login_accepted());
        assert_eq!(handled, expected);
        assert_eq!(store.get_login_request(&ch("l1")).await.unwrap(), Some(expected.clone()));

        let reject = LoginOutcome::Rejected(rejection());
        let err = store.handle_login_request(&ch("l1"), &reject).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert_eq!(store.get_login_request(&ch("l1")).await.unwrap(), Some(expected));
        let err = store.handle_login_request(&ch("nope"), &reject).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");

        store.create_login_request(&login("l2")).await.unwrap();
        let handled = store.handle_login_request(&ch("l2"), &reject).await.unwrap();
        assert_eq!(handled.outcome, Some(reject));
    }

    async fn consent_requests_are_answered_once_at_now(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_consent_request(&consent("k1")).await.unwrap();
        let now = Now::from_unix_micros(1_700_000_005_000_007);
        let accept = consent_accepted(true, 60);
        let handled = store.handle_consent_request(&ch("k1"), &accept, now).await.unwrap();
        let mut expected = consent("k1");
        expected.outcome = Some(accept);
        expected.handled_at = Some(now);
        assert_eq!(handled, expected);
        assert_eq!(store.get_consent_request(&ch("k1")).await.unwrap(), Some(expected.clone()));

        let reject = ConsentOutcome::Rejected(rejection());
        let later = Now::from_unix_micros(1_700_000_009_000_000);
        let err = store.handle_consent_request(&ch("k1"), &reject, later).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert_eq!(store.get_consent_request(&ch("k1")).await.unwrap(), Some(expected));
        let err = store.handle_consent_request(&ch("nope"), &reject, later).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        // A login challenge is not a consent challenge.
        store.create_login_request(&login("l1")).await.unwrap();
        let err = store.handle_consent_request(&ch("l1"), &reject, later).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }

    async fn login_verifiers_are_redeemed_once_after_the_answer(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_login_request(&login("l1")).await.unwrap();
        // Unanswered: unknown, and still redeemable once answered.
        assert_eq!(use_login(&store, "l1-verifier").await, VerifierUse::Unknown);
        assert!(!store.get_login_request(&ch("l1")).await.unwrap().unwrap().verifier_used);
        store.handle_login_request(&ch("l1"), &login_accepted()).await.unwrap();

        let mut expected = login("l1");
        expected.outcome = Some(login_accepted());
        expected.verifier_used = true;
        assert_eq!(use_login(&store, "l1-verifier").await, VerifierUse::Fresh(expected.clone()));
        assert_eq!(use_login(&store, "l1-verifier").await, VerifierUse::AlreadyUsed);
        assert_eq!(store.get_login_request(&ch("l1")).await.unwrap(), Some(expected));
        // Neither the challenge, nor a verifier of the other table, nor garbage is a verifier.
        assert_eq!(use_login(&store, "l1").await, VerifierUse::Unknown);
        assert_eq!(use_login(&store, "nope").await, VerifierUse::Unknown);
        assert_eq!(use_consent(&store, "l1-verifier").await, VerifierUse::Unknown);
        // A rejected request's verifier is redeemed too: the rejection is the answer.
        store.create_login_request(&login("l2")).await.unwrap();
        let reject = LoginOutcome::Rejected(rejection());
        store.handle_login_request(&ch("l2"), &reject).await.unwrap();
        let VerifierUse::Fresh(r) = use_login(&store, "l2-verifier").await else {
            panic!("a rejected request's verifier is fresh once");
        };
        assert_eq!(r.outcome, Some(reject));
    }

    async fn consent_verifiers_are_redeemed_once_after_the_answer(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_consent_request(&consent("k1")).await.unwrap();
        assert_eq!(use_consent(&store, "k1-verifier").await, VerifierUse::Unknown);
        let now = Now::from_unix_secs(1_700_000_100);
        let accept = consent_accepted(false, 0);
        store.handle_consent_request(&ch("k1"), &accept, now).await.unwrap();

        let mut expected = consent("k1");
        expected.outcome = Some(accept);
        expected.handled_at = Some(now);
        expected.verifier_used = true;
        assert_eq!(use_consent(&store, "k1-verifier").await, VerifierUse::Fresh(expected.clone()));
        assert_eq!(use_consent(&store, "k1-verifier").await, VerifierUse::AlreadyUsed);
        assert_eq!(store.get_consent_request(&ch("k1")).await.unwrap(), Some(expected));
        assert_eq!(use_consent(&store, "k1").await, VerifierUse::Unknown);
        assert_eq!(use_login(&store, "k1-verifier").await, VerifierUse::Unknown);
    }

    async fn undecodable_flow_rows_are_corrupt_not_absent(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.create_login_request(&login("l1")).await.unwrap();
        store.create_consent_request(&consent("k1")).await.unwrap();
        exec_raw(&store, "UPDATE oxydra_login_request SET outcome = 'not json'").await;
        let err = store.get_login_request(&ch("l1")).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        exec_raw(&store, "UPDATE oxydra_consent_request SET oidc_context = '{\"display\": 1}'")
            .await;
        let err = store.get_consent_request(&ch("k1")).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        exec_raw(&store, "UPDATE oxydra_consent_request SET oidc_context = '{}', \
                          outcome = '{\"outcome\": \"maybe\"}'").await;
        let err = store.get_consent_request(&ch("k1")).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    }

    async fn deleting_a_client_cascades_to_its_flows(store: SqlStore) {
        seed_client(&store, "c1").await;
        seed_client(&store, "c2").await;
        store.create_login_request(&login("l1")).await.unwrap();
        store.create_consent_request(&consent("k1")).await.unwrap();
        let mut other_login = login("l2");
        other_login.client_id = cid("c2");
        store.create_login_request(&other_login).await.unwrap();
        let mut other_consent = consent("k2");
        other_consent.client_id = cid("c2");
        store.create_consent_request(&other_consent).await.unwrap();
        store.insert_tokens(&[token("at", TokenKind::AccessToken, "k1")]).await.unwrap();

        assert!(store.delete_client(&cid("c1")).await.unwrap());
        assert_eq!(store.get_login_request(&ch("l1")).await.unwrap(), None);
        assert_eq!(store.get_consent_request(&ch("k1")).await.unwrap(), None);
        assert_eq!(get(&store, TokenKind::AccessToken, "at").await, None);
        assert_eq!(store.get_login_request(&ch("l2")).await.unwrap(), Some(other_login));
        assert_eq!(store.get_consent_request(&ch("k2")).await.unwrap(), Some(other_consent));
    }
}
