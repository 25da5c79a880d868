//! `TokenStore`: round trips, kind isolation, conflicts, cascades, and `use_token` for codes and
//! refresh tokens (rotation, replay revocation, failure atomicity).

use oxydra_core::client::Client;
use oxydra_core::model::Now;
use oxydra_core::store::{ClientStore, StoreError, TokenStore};
use oxydra_core::token::{
    RequestId, StoredToken, TokenKind, TokenSession, TokenSignature, UseOutcome,
};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::{cid, exec_raw, minimal_client};

use TokenKind::{AccessToken as AT, AuthorizeCode as AC, RefreshToken as RT};

/// Issue time of every fixture token.
pub const ISSUED: Now = Now::from_unix_micros(1_700_000_000_000_001);
/// Expiry of every fixture token that expires.
pub const EXPIRES: Now = Now::from_unix_micros(1_700_003_600_000_002);

/// Stores a client with id `id` (tokens reference it).
pub async fn seed_client(store: &SqlStore, id: &str) -> Client {
    let client = minimal_client(id);
    store.create_client(&client).await.unwrap();
    client
}

/// An active token of client `c1` with every field set; refresh tokens never expire.
pub fn token(sig: &str, kind: TokenKind, request: &str) -> StoredToken {
    StoredToken {
        signature: TokenSignature::from_stored(sig),
        kind,
        request_id: RequestId::from_stored(request),
        client_id: cid("c1"),
        subject: "alice".into(),
        granted_scope: vec!["openid".into(), "offline".into()],
        granted_audience: vec!["https://api.example".into()],
        issued_at: ISSUED,
        expires_at: (kind != RT).then_some(EXPIRES),
        active: true,
        session: TokenSession::default(),
    }
}

/// Loads `sig` as `kind`.
pub async fn get(store: &SqlStore, kind: TokenKind, sig: &str) -> Option<StoredToken> {
    store
        .get_token(kind, &TokenSignature::from_stored(sig))
        .await
        .unwrap()
}

/// Uses `sig` as `kind`, issuing `issued`.
pub async fn use_(
    store: &SqlStore,
    kind: TokenKind,
    sig: &str,
    issued: &[StoredToken],
) -> Result<UseOutcome, StoreError> {
    store
        .use_token(kind, &TokenSignature::from_stored(sig), issued)
        .await
}

/// A session with every field set, including nested extras.
fn full_session() -> TokenSession {
    let extra = |v: serde_json::Value| v.as_object().unwrap().clone();
    TokenSession {
        access_extra: extra(serde_json::json!({"tenant": "t-1", "roles": ["a", "b"], "n": 1.5})),
        id_token_extra: extra(serde_json::json!({"email": "ä@example.org", "nested": {"x": null}})),
        auth_time: Some(1_700_000_000),
        requested_at: Some(1_699_999_990),
        nonce: Some("n-0S6_WzA2Mj".into()),
        sid: Some("login-session-1".into()),
        act: Some(serde_json::json!({"sub": "svc-b", "act": {"sub": "svc-a"}})),
        dpop_jkt: Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I".into()),
        requested_scope: vec!["openid".into(), "offline".into(), "photos".into()],
        redirect_uri: Some("https://app.example/cb?x=1&y=\"2\"".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        obfuscated_subject: Some("pairwise-subject".into()),
        acr: Some("urn:mfa".into()),
        amr: vec!["pwd".into(), "otp".into()],
        client_credentials: true,
        id_token_withheld: vec!["email".into()],
        userinfo_withheld: vec!["name".into(), "nickname".into()],
    }
}

store_test! {
    async fn round_trips_every_field(store: SqlStore) {
        seed_client(&store, "c1").await;
        let mut full = token("sig-full", AC, "req-1");
        full.session = full_session();
        full.subject = "ünïcødé subject".into();
        let mut inactive = token("sig-refresh", RT, "req-1");
        inactive.active = false;
        inactive.granted_scope = vec![];
        inactive.granted_audience = vec![];
        let mut extreme = token("sig-extreme", AT, "req-2");
        extreme.issued_at = Now::from_unix_micros(-1);
        extreme.expires_at = Some(Now::from_unix_micros(i64::MAX));
        store.insert_tokens(&[full.clone(), inactive.clone(), extreme.clone()]).await.unwrap();
        assert_eq!(get(&store, AC, "sig-full").await, Some(full));
        assert_eq!(get(&store, RT, "sig-refresh").await, Some(inactive.clone()));
        assert_eq!(inactive.expires_at, None);
        assert_eq!(get(&store, AT, "sig-extreme").await, Some(extreme));
        store.insert_tokens(&[]).await.unwrap();
    }

    async fn kinds_are_isolated(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.insert_tokens(&[token("s1", AT, "r")]).await.unwrap();
        assert!(get(&store, AT, "s1").await.is_some());
        assert_eq!(get(&store, RT, "s1").await, None);
        assert_eq!(get(&store, AC, "s1").await, None);
        assert_eq!(get(&store, AT, "absent").await, None);
        // Presented as another kind, the access token is unknown and stays untouched.
        assert_eq!(use_(&store, RT, "s1", &[]).await.unwrap(), UseOutcome::Unknown);
        assert_eq!(use_(&store, AC, "s1", &[]).await.unwrap(), UseOutcome::Unknown);
        assert!(get(&store, AT, "s1").await.unwrap().active);
    }

    async fn insert_is_all_or_none_and_conflicts(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.insert_tokens(&[token("dup", AT, "r")]).await.unwrap();
        let err = store
            .insert_tokens(&[token("new", RT, "r"), token("dup", AT, "r2")])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert_eq!(get(&store, RT, "new").await, None);
        assert_eq!(get(&store, AT, "dup").await.unwrap().request_id.as_str(), "r");
        // The signature is the key across kinds.
        let err = store.insert_tokens(&[token("dup", AC, "r")]).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    }

    async fn tokens_of_unknown_clients_are_rejected(store: SqlStore) {
        // The foreign key: a token always belongs to a stored client.
        assert!(store.insert_tokens(&[token("s", AT, "r")]).await.is_err());
        assert_eq!(get(&store, AT, "s").await, None);
    }

    async fn deleting_a_client_cascades_to_its_tokens(store: SqlStore) {
        seed_client(&store, "c1").await;
        seed_client(&store, "c2").await;
        let mut other = token("other", AT, "r2");
        other.client_id = cid("c2");
        store
            .insert_tokens(&[token("a", AT, "r1"), token("c", AC, "r1"), token("r", RT, "r1"), other])
            .await
            .unwrap();
        assert!(store.delete_client(&cid("c1")).await.unwrap());
        assert_eq!(get(&store, AT, "a").await, None);
        assert_eq!(get(&store, AC, "c").await, None);
        assert_eq!(get(&store, RT, "r").await, None);
        assert!(get(&store, AT, "other").await.is_some());
    }

    async fn code_is_used_once_and_replay_revokes_the_grant(store: SqlStore) {
        seed_client(&store, "c1").await;
        store
            .insert_tokens(&[token("code", AC, "r1"), token("unrelated", AT, "r2")])
            .await
            .unwrap();
        let issued = [token("at1", AT, "r1"), token("rt1", RT, "r1")];
        assert_eq!(use_(&store, AC, "code", &issued).await.unwrap(), UseOutcome::Used);
        assert!(!get(&store, AC, "code").await.unwrap().active);
        assert_eq!(get(&store, AT, "at1").await, Some(issued[0].clone()));
        assert_eq!(get(&store, RT, "rt1").await, Some(issued[1].clone()));

        // Reuse: nothing new is stored, and the tokens issued from the code are revoked.
        let again = [token("at2", AT, "r1"), token("rt2", RT, "r1")];
        assert_eq!(use_(&store, AC, "code", &again).await.unwrap(), UseOutcome::Replayed);
        for (kind, sig) in [(AT, "at1"), (RT, "rt1"), (AT, "at2"), (RT, "rt2")] {
            assert_eq!(get(&store, kind, sig).await, None, "{sig}");
        }
        // The used code is kept (inactive) to keep detecting reuse; other grants are untouched.
        assert!(!get(&store, AC, "code").await.unwrap().active);
        assert!(get(&store, AT, "unrelated").await.is_some());
        assert_eq!(use_(&store, AC, "code", &[]).await.unwrap(), UseOutcome::Replayed);

        assert_eq!(use_(&store, AC, "nope", &again).await.unwrap(), UseOutcome::Unknown);
        assert_eq!(get(&store, AT, "at2").await, None);
    }

    async fn refresh_rotation_and_replay(store: SqlStore) {
        seed_client(&store, "c1").await;
        store
            .insert_tokens(&[
                token("code", AC, "r1"),
                token("rt1", RT, "r1"),
                token("at1", AT, "r1"),
                token("at1b", AT, "r1"),
                token("other-at", AT, "r2"),
                token("other-rt", RT, "r2"),
            ])
            .await
            .unwrap();
        let next = [token("at2", AT, "r1"), token("rt2", RT, "r1")];
        assert_eq!(use_(&store, RT, "rt1", &next).await.unwrap(), UseOutcome::Used);
        assert!(!get(&store, RT, "rt1").await.unwrap().active);
        assert_eq!(get(&store, AT, "at1").await, None);
        assert_eq!(get(&store, AT, "at1b").await, None);
        assert_eq!(get(&store, AT, "at2").await, Some(next[0].clone()));
        assert_eq!(get(&store, RT, "rt2").await, Some(next[1].clone()));

        // Replaying the rotated token revokes every access and refresh token of the grant.
        let stolen = [token("at3", AT, "r1"), token("rt3", RT, "r1")];
        assert_eq!(use_(&store, RT, "rt1", &stolen).await.unwrap(), UseOutcome::Replayed);
        for (kind, sig) in [(AT, "at2"), (RT, "rt2"), (AT, "at3"), (RT, "rt3"), (RT, "rt1")] {
            assert_eq!(get(&store, kind, sig).await, None, "{sig}");
        }
        assert_eq!(use_(&store, RT, "rt2", &[]).await.unwrap(), UseOutcome::Unknown);
        // The grant's code is neither an access nor a refresh token: it stays, to detect reuse.
        assert!(get(&store, AC, "code").await.is_some());
        assert!(get(&store, AT, "other-at").await.is_some());
        assert!(get(&store, RT, "other-rt").await.is_some());
    }

    async fn failed_use_leaves_everything_as_it_was(store: SqlStore) {
        seed_client(&store, "c1").await;
        store
            .insert_tokens(&[token("code", AC, "r1"), token("taken", AT, "r0")])
            .await
            .unwrap();
        // A conflict in the middle of the transaction: the code stays active, nothing is stored.
        let clash = [token("fresh", AT, "r1"), token("taken", RT, "r1")];
        let err = use_(&store, AC, "code", &clash).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert!(get(&store, AC, "code").await.unwrap().active);
        assert_eq!(get(&store, AT, "fresh").await, None);
        let twice = [token("x", AT, "r1"), token("x", AT, "r1")];
        let err = use_(&store, AC, "code", &twice).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert!(get(&store, AC, "code").await.unwrap().active);
        assert_eq!(get(&store, AT, "x").await, None);

        // The same for a rotation: the old access tokens survive the rolled-back delete.
        store
            .insert_tokens(&[token("rt", RT, "r2"), token("at", AT, "r2")])
            .await
            .unwrap();
        let err = use_(&store, RT, "rt", &[token("taken", AT, "r2")]).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert!(get(&store, RT, "rt").await.unwrap().active);
        assert!(get(&store, AT, "at").await.is_some());
        // And the code still works afterwards.
        let ok = [token("at-ok", AT, "r1")];
        assert_eq!(use_(&store, AC, "code", &ok).await.unwrap(), UseOutcome::Used);
    }

    async fn undecodable_token_rows_are_corrupt_not_absent(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.insert_tokens(&[token("bad", AT, "r")]).await.unwrap();
        exec_raw(&store, "UPDATE oxydra_token SET session = 'not json'").await;
        let err = store.get_token(AT, &TokenSignature::from_stored("bad")).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        exec_raw(&store, "UPDATE oxydra_token SET session = '{}', granted_scope = '{\"a\":1}'").await;
        let err = store.get_token(AT, &TokenSignature::from_stored("bad")).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    }
}

store_test! {
    async fn concurrent_inserts_are_group_committed_and_fail_alone(store: SqlStore) {
        seed_client(&store, "c1").await;
        store.insert_tokens(&[token("taken", AT, "r-taken")]).await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200 {
            let store = store.clone();
            tasks.spawn(async move {
                // Call 77 collides with an existing signature on its second row.
                let second = if i == 77 { "taken".to_owned() } else { format!("b{i}") };
                let rows = [token(&format!("a{i}"), AT, &format!("r{i}")), token(&second, RT, &format!("r{i}"))];
                (i, store.insert_tokens(&rows).await)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let (i, result) = joined.unwrap();
            if i == 77 {
                assert!(matches!(result, Err(StoreError::Conflict { .. })), "{result:?}");
            } else {
                result.unwrap();
            }
        }
        for i in 0..200 {
            let stored = get(&store, AT, &format!("a{i}")).await;
            assert_eq!(stored.is_some(), i != 77, "call {i}: all of its rows or none");
        }
        assert!(get(&store, RT, "b5").await.is_some());
    }
}

store_test! {
    async fn grant_tokens_are_found_by_the_request_index_without_statistics(store: SqlStore) {
        // PostgreSQL only: its planner has no index hints. On a table without statistics
        // (fresh, bulk loaded, or not yet analyzed), a request-id index without `kind` lost
        // to a BitmapAnd with the `(kind, expires_at)` index, which reads every token of the
        // kind on each rotation and revocation.
        let Some(pool) = store.postgres_pool() else {
            return;
        };
        seed_client(&store, "c1").await;
        let tokens: Vec<StoredToken> = (0..3_000)
            .map(|n| token(&format!("sig-{n}"), AT, &format!("req-{n}")))
            .collect();
        store.insert_tokens(&tokens).await.unwrap();
        for condition in [
            "kind = 'access_token'",
            "kind = 'refresh_token'",
            "kind = 'authorize_code' AND active = TRUE",
        ] {
            let explain = format!(
                "EXPLAIN DELETE FROM oxydra_token WHERE request_id = 'req-7' AND {condition}"
            );
            let plan: Vec<String> = sqlx::query_scalar(&explain).fetch_all(pool).await.unwrap();
            let plan = plan.join("\n");
            assert!(plan.contains("oxydra_token_request_id_idx"), "{plan}");
            assert!(!plan.contains("oxydra_token_kind_expires_at_idx"), "{plan}");
        }
    }
}
