//! The token service under contention and at volume, on every configured backend: one refresh
//! token redeemed by 50 concurrent requests, and a flush of 100,000 expired rows in batches.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use oxydra_core::ClientId;
use oxydra_core::service::revoke::FLUSH_BATCH_SIZE;
use oxydra_core::store::TokenStore;
use oxydra_core::token::{FlushCriteria, RequestId, StoredToken, TokenKind, TokenSession};
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, test_config};
use oxydra_testkit::store_test;
use serde_json::json;

const SECRET: &str = "a-long-enough-secret";

fn row(
    app: &TestApp,
    kind: TokenKind,
    request: &RequestId,
    scope: &[&str],
) -> (String, StoredToken) {
    let now = app.clock_now();
    let (token, signature) = app.state.token_keys.generate(kind, now).unwrap();
    let expires_at = (kind != TokenKind::RefreshToken).then(|| now.plus(Duration::from_secs(60)));
    let stored = StoredToken {
        signature,
        kind,
        request_id: request.clone(),
        client_id: ClientId::parse("web").unwrap(),
        subject: "alice".into(),
        granted_scope: scope.iter().map(|s| (*s).to_owned()).collect(),
        granted_audience: vec![],
        issued_at: now,
        expires_at,
        active: true,
        session: TokenSession::default(),
    };
    (token, stored)
}

async fn register(app: &TestApp) {
    let res = app
        .json(
            Port::Admin,
            axum::http::Method::POST,
            "/clients",
            Some(json!({
                "client_id": "web", "client_secret": SECRET,
                "grant_types": ["authorization_code", "refresh_token"], "scope": "offline read",
            })),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

/// Sends `n` identical token requests at once; returns the 200 bodies and the number of
/// `invalid_grant` answers (anything else fails the test).
async fn redeem_concurrently(
    app: Arc<TestApp>,
    n: usize,
    fields: &[(&str, &str)],
) -> (Vec<serde_json::Value>, usize) {
    let fields: Arc<Vec<(String, String)>> = Arc::new(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (app, fields) = (app.clone(), fields.clone());
        tasks.spawn(async move {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.form(
                Port::Public,
                "/oauth2/token",
                &fields,
                Some(("web", SECRET)),
            )
            .await
        });
    }
    let mut winners = Vec::new();
    let mut losers = 0;
    while let Some(res) = tasks.join_next().await {
        let res = res.unwrap();
        match res.status {
            StatusCode::OK => winners.push(res.json),
            StatusCode::BAD_REQUEST => {
                assert_eq!(res.json["error"], "invalid_grant", "{}", res.text);
                losers += 1;
            }
            other => panic!("unexpected {other}: {}", res.text),
        }
    }
    (winners, losers)
}

store_test! {
    async fn twenty_concurrent_exchanges_of_one_code_give_exactly_one_success(store: SqlStore) {
        let app = Arc::new(TestApp::with_store(store, test_config(&[])));
        register(&app).await;
        let request = RequestId::generate();
        let (code, stored) = row(&app, TokenKind::AuthorizeCode, &request, &["offline", "read"]);
        app.state.store.insert_tokens(&[stored]).await.unwrap();
        let (winners, losers) =
            redeem_concurrently(app.clone(), 20, &[("grant_type", "authorization_code"), ("code", &code)]).await;
        assert_eq!((winners.len(), losers), (1, 19), "exactly one exchange may win");
        // The losers replayed the code, so the grant is revoked: the winner's token too.
        let at = winners[0]["access_token"].as_str().unwrap();
        let info = app.form(Port::Admin, "/oauth2/introspect", &[("token", at)], None).await;
        assert_eq!(info.json, json!({"active": false}));
    }

    async fn fifty_concurrent_refreshes_of_one_token_give_exactly_one_success(store: SqlStore) {
        let app = Arc::new(TestApp::with_store(store, test_config(&[])));
        register(&app).await;
        let request = RequestId::generate();
        let (refresh, stored) = row(&app, TokenKind::RefreshToken, &request, &["offline", "read"]);
        app.state.store.insert_tokens(&[stored]).await.unwrap();
        let (winners, losers) =
            redeem_concurrently(app.clone(), 50, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
        assert_eq!(winners.len(), 1, "exactly one rotation may win");
        assert_eq!(losers, 49);
        // The losers replayed a rotated token, so the grant is revoked — the winner's tokens too.
        let rt = winners[0]["refresh_token"].as_str().unwrap();
        let info = app.form(Port::Admin, "/oauth2/introspect", &[("token", rt)], None).await;
        assert_eq!(info.json, json!({"active": false}));
    }

    async fn flush_deletes_a_hundred_thousand_expired_rows_in_batches(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        register(&app).await;
        let request = RequestId::generate();
        let mut sample = Vec::new();
        let total = 100_000;
        for chunk in 0..(total / 5_000) {
            let rows: Vec<StoredToken> = (0..5_000)
                .map(|_| row(&app, TokenKind::AccessToken, &request, &["read"]).1)
                .collect();
            if chunk % 5 == 0 {
                sample.push(rows[0].signature.clone());
            }
            app.state.store.insert_tokens(&rows).await.unwrap();
        }
        // A live grant that must survive.
        let (_, live_refresh) = row(&app, TokenKind::RefreshToken, &request, &["offline"]);
        app.state.store.insert_tokens(std::slice::from_ref(&live_refresh)).await.unwrap();

        app.clock.advance_secs(61);
        // One statement deletes at most one batch.
        let criteria = FlushCriteria {
            issued_before: app.clock_now(),
            expired_before: app.clock_now(),
            batch_size: FLUSH_BATCH_SIZE,
        };
        let first = app.state.store.flush_tokens(TokenKind::AccessToken, criteria).await.unwrap();
        assert_eq!(first, u64::from(FLUSH_BATCH_SIZE));

        let res = app
            .json(Port::Admin, axum::http::Method::POST, "/oauth2/flush", Some(json!({})))
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
        for sig in &sample {
            assert!(app.state.store.get_token(TokenKind::AccessToken, sig).await.unwrap().is_none());
        }
        let rest = app.state.store.flush_tokens(TokenKind::AccessToken, criteria).await.unwrap();
        assert_eq!(rest, 0, "every expired access token was flushed");
        let kept = app
            .state
            .store
            .get_token(TokenKind::RefreshToken, &live_refresh.signature)
            .await
            .unwrap();
        assert!(kept.is_some(), "refresh tokens are never flushed");
    }
}
