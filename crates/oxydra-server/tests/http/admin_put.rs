//! Every `PUT` of the admin API refuses a body that sets none of its fields (`{}`, or only
//! misspelt ones) instead of replacing the stored object with defaults.

use axum::http::{Method, StatusCode};
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

async fn call(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> TestResponse {
    app.json(Port::Admin, method, path, body).await
}

/// PUTs `path` with `{}` and a typo-only body: each must be 400 and leave `path` unchanged.
async fn refused_and_unchanged(app: &TestApp, path: &str, typo: Value) {
    let before = call(app, Method::GET, path, None).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    for body in [json!({}), typo] {
        let res = call(app, Method::PUT, path, Some(body.clone())).await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "PUT {path} {body}: {}",
            res.text
        );
        assert_eq!(res.json["error"], "invalid_request", "{}", res.text);
    }
    assert_eq!(
        call(app, Method::GET, path, None).await.json,
        before.json,
        "{path} changed"
    );
}

store_test! {
    async fn puts_without_fields_are_refused(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let client = json!({"client_id": "c1", "client_secret": "a-long-enough-secret",
            "redirect_uris": ["https://example.com/cb"], "grant_types": ["authorization_code"]});
        assert_eq!(call(&app, Method::POST, "/clients", Some(client)).await.status, StatusCode::CREATED);
        refused_and_unchanged(&app, "/clients/c1", json!({"redirect_uri": ["https://evil.example/cb"]})).await;

        let policy = json!({"id": "p1", "subjects": ["alice"], "resources": ["r"], "actions": ["get"], "effect": "allow"});
        assert_eq!(call(&app, Method::POST, "/policies", Some(policy)).await.status, StatusCode::CREATED);
        refused_and_unchanged(&app, "/policies/p1", json!({"subjekts": ["mallory"]})).await;
    }
}
