//! `/policies` (1.0.0-alpha1) on the admin port, on both backends, with access control off.

use axum::http::{Method, StatusCode};
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

async fn call(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> TestResponse {
    app.json(Port::Admin, method, path, body).await
}

fn assert_error(res: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.json["error"], code, "{}", res.text);
    assert_eq!(res.json["status_code"], status.as_u16(), "{}", res.text);
}

fn sample(id: &str) -> Value {
    json!({
        "id": id,
        "description": "owners manage their clients",
        "subjects": ["<.*>"],
        "effect": "allow",
        "resources": ["rn:hydra:clients:<.*>"],
        "actions": ["get", "delete"],
        "conditions": {
            "owner": {"type": "EqualsSubjectCondition", "options": {}},
            "ip": {"type": "CIDRCondition", "options": {"cidr": "10.0.0.0/8"}}
        }
    })
}

store_test! {
    async fn create_get_update_list_delete(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let res = call(&app, Method::POST, "/policies", Some(sample("p-1"))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        assert_eq!(res.headers["location"], "/policies/p-1");
        assert_eq!(res.json, sample("p-1"));
        assert_error(&call(&app, Method::POST, "/policies", Some(sample("p-1"))).await, StatusCode::CONFLICT, "conflict");

        let got = call(&app, Method::GET, "/policies/p-1", None).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.json, sample("p-1"));
        assert_error(&call(&app, Method::GET, "/policies/nope", None).await, StatusCode::NOT_FOUND, "not_found");

        // An empty id gets a UUID; missing lists and conditions are empty.
        let made = call(&app, Method::POST, "/policies", Some(json!({"effect": "deny"}))).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        let uuid = made.json["id"].as_str().unwrap().to_owned();
        assert_eq!(uuid.len(), 36);
        assert_eq!(made.headers["location"], format!("/policies/{uuid}"));
        assert_eq!(made.json["subjects"], json!([]));
        assert_eq!(made.json["conditions"], json!({}));

        let mut changed = sample("p-1");
        changed["effect"] = json!("deny");
        changed["conditions"] = json!({});
        let res = call(&app, Method::PUT, "/policies/p-1", Some(changed.clone())).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(call(&app, Method::GET, "/policies/p-1", None).await.json, changed);
        // The body's id must equal the path's; absent policies are 404.
        assert_error(&call(&app, Method::PUT, "/policies/p-1", Some(sample("other"))).await, StatusCode::BAD_REQUEST, "invalid_request");
        assert_error(&call(&app, Method::PUT, "/policies/p-1", Some(json!({"effect": "allow"}))).await, StatusCode::BAD_REQUEST, "invalid_request");
        assert_error(&call(&app, Method::PUT, "/policies/ghost", Some(sample("ghost"))).await, StatusCode::NOT_FOUND, "not_found");

        call(&app, Method::POST, "/policies", Some(sample("a"))).await;
        let list = call(&app, Method::GET, "/policies?limit=2", None).await;
        assert_eq!(list.status, StatusCode::OK);
        let ids: Vec<&str> = list.json.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        let mut all = ["a", "p-1", uuid.as_str()];
        all.sort_unstable();
        assert_eq!(ids, all[..2]);
        assert!(list.headers["link"].to_str().unwrap().contains("rel=\"next\""));
        let rest = call(&app, Method::GET, "/policies?limit=2&offset=2", None).await;
        assert_eq!(rest.json.as_array().unwrap().len(), 1);
        assert_error(&call(&app, Method::GET, "/policies?limit=x", None).await, StatusCode::BAD_REQUEST, "invalid_request");

        assert_eq!(call(&app, Method::DELETE, "/policies/p-1", None).await.status, StatusCode::NO_CONTENT);
        assert_error(&call(&app, Method::DELETE, "/policies/p-1", None).await, StatusCode::NOT_FOUND, "not_found");
        assert_error(&call(&app, Method::GET, "/policies/p-1", None).await, StatusCode::NOT_FOUND, "not_found");
    }

    async fn bad_policies_are_400_not_500(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let mut unknown = sample("u");
        unknown["conditions"] = json!({"k": {"type": "TimeOfDayCondition", "options": {}}});
        let mut bad_cidr = sample("c");
        bad_cidr["conditions"] = json!({"ip": {"type": "CIDRCondition", "options": {"cidr": "nope"}}});
        let mut bad_regex = sample("r");
        bad_regex["resources"] = json!(["rn:hydra:<[>"]);
        let mut unbalanced = sample("b");
        unbalanced["subjects"] = json!(["<.*"]);
        let mut bad_effect = sample("e");
        bad_effect["effect"] = json!("maybe");
        for body in [unknown, bad_cidr, bad_regex, unbalanced, bad_effect] {
            let res = call(&app, Method::POST, "/policies", Some(body.clone())).await;
            assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
            assert!(res.json["error_hint"].as_str().is_some_and(|h| !h.is_empty()), "{}", res.text);
            let id = body["id"].as_str().unwrap();
            call(&app, Method::POST, "/policies", Some(sample(id))).await;
            let res = call(&app, Method::PUT, &format!("/policies/{id}"), Some(body)).await;
            assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        }
        let res = app.raw(Port::Admin, Method::POST, "/policies", "application/json", "{\"id\":").await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        let res = call(&app, Method::POST, "/policies", Some(json!({"subjects": "alice"}))).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    }
}
