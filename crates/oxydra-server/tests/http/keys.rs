//! `/keys`: JSON Web Key sets on the admin port, on both backends.

use axum::http::{Method, StatusCode};
use oxydra_core::store::KeyStore;
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

async fn call(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> TestResponse {
    app.json(Port::Admin, method, path, body).await
}

/// The `kid`s of a JSON Web Key set answer.
pub fn kids(res: &TestResponse) -> Vec<String> {
    res.json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

store_test! {
    async fn generate_get_and_delete(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let res = call(&app, Method::POST, "/keys/s1", Some(json!({"alg": "ES256", "kid": "a", "use": "sig"}))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        assert_eq!(kids(&res), ["private:a", "public:a"]);
        assert!(res.json["keys"][0]["d"].is_string());
        assert!(res.json["keys"][1].get("d").is_none());

        let again = call(&app, Method::POST, "/keys/s1", Some(json!({"alg": "ES256", "kid": "a", "use": "sig"}))).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
        let bad = call(&app, Method::POST, "/keys/s1", Some(json!({"alg": "XX1", "kid": "b", "use": "sig"}))).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);

        let rsa = call(&app, Method::POST, "/keys/s1", Some(json!({"alg": "RS256", "kid": "", "use": "sig"}))).await;
        assert_eq!(rsa.status, StatusCode::CREATED, "{}", rsa.text);
        assert_eq!(rsa.json["keys"][0]["alg"], "RS256");

        let set = call(&app, Method::GET, "/keys/s1", None).await;
        assert_eq!(set.status, StatusCode::OK);
        assert_eq!(set.json["keys"].as_array().unwrap().len(), 4);
        // Same created_at (fixed clock), so the order is by kid, which the RS256 UUID makes random.
        let stored = set.json["keys"].as_array().unwrap().iter().find(|k| k["kid"] == "private:a");
        assert_eq!(stored, Some(&res.json["keys"][0]), "private material round-trips");

        let one = call(&app, Method::GET, "/keys/s1/public:a", None).await;
        assert_eq!(one.status, StatusCode::OK);
        assert_eq!(kids(&one), ["public:a"]);
        assert_eq!(call(&app, Method::GET, "/keys/s1/nope", None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, Method::GET, "/keys/none", None).await.status, StatusCode::NOT_FOUND);

        // Stored encrypted.
        let row = app.state.store.get_key("s1", "private:a").await.unwrap().unwrap();
        assert!(!row.encrypted.contains(res.json["keys"][0]["d"].as_str().unwrap()));

        assert_eq!(call(&app, Method::DELETE, "/keys/s1/private:a", None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(call(&app, Method::DELETE, "/keys/s1/private:a", None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, Method::DELETE, "/keys/s1", None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(call(&app, Method::DELETE, "/keys/s1", None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, Method::GET, "/keys/s1", None).await.status, StatusCode::NOT_FOUND);
    }

    async fn put_replaces_and_validates(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let made = call(&app, Method::POST, "/keys/src", Some(json!({"alg": "EdDSA", "kid": "e", "use": "sig"}))).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        let hmac = call(&app, Method::POST, "/keys/src", Some(json!({"alg": "HS256", "kid": "h", "use": "sig"}))).await;
        assert_eq!(kids(&hmac), ["h"]);
        let private = made.json["keys"][0].clone();
        let public = made.json["keys"][1].clone();

        let res = call(&app, Method::PUT, "/keys/dst", Some(json!({"keys": [private, public]}))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(kids(&call(&app, Method::GET, "/keys/dst", None).await), ["private:e", "public:e"]);

        let res = call(&app, Method::PUT, "/keys/dst", Some(json!({"keys": [hmac.json["keys"][0]]}))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(kids(&call(&app, Method::GET, "/keys/dst", None).await), ["h"]);

        // A private key whose public part does not match.
        let mut mismatched = private.clone();
        mismatched["x"] = gen_other_x(&app).await;
        let res = call(&app, Method::PUT, "/keys/dst", Some(json!({"keys": [mismatched]}))).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
        let res = call(&app, Method::PUT, "/keys/dst", Some(json!({"keys": [{"kty": "EC", "kid": "x"}]}))).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
        let res = call(&app, Method::PUT, "/keys/dst", Some(json!({"keys": [public, public]}))).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
        assert_eq!(kids(&call(&app, Method::GET, "/keys/dst", None).await), ["h"], "unchanged");

        let res = call(&app, Method::PUT, "/keys/dst/public:e", Some(public.clone())).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json, public);
        let res = call(&app, Method::PUT, "/keys/dst/other", Some(public.clone())).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
        assert_eq!(kids(&call(&app, Method::GET, "/keys/dst", None).await), ["h", "public:e"]);
    }
}

store_test! {
    async fn put_without_keys_is_refused_and_keeps_the_set(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let made = call(&app, Method::POST, "/keys/s2", Some(json!({"alg": "ES256", "kid": "a", "use": "sig"}))).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        for body in [json!({"kyes": []}), json!({}), json!({"keys": null})] {
            let res = call(&app, Method::PUT, "/keys/s2", Some(body.clone())).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {}", res.text);
            assert_eq!(res.json["error"], "invalid_request", "{}", res.text);
        }
        assert_eq!(kids(&call(&app, Method::GET, "/keys/s2", None).await), ["private:a", "public:a"]);
    }

    async fn the_id_token_set_cannot_lose_its_private_key(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        const SET: &str = "/keys/hydra.openid.id-token";
        app.state.ensure_signing_keys().await.unwrap();
        let before = call(&app, Method::GET, SET, None).await;
        assert_eq!(before.status, StatusCode::OK, "{}", before.text);
        let keys = before.json["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 6, "a pair per ID-token algorithm: {}", before.text);
        let rsa = |private: bool| {
            keys.iter().find(|k| k["kty"] == "RSA" && k.get("d").is_some() == private).unwrap().clone()
        };
        let (private, public) = (rsa(true), rsa(false));
        let mut stripped = private.clone();
        for field in ["d", "p", "q", "dp", "dq", "qi"] {
            stripped.as_object_mut().unwrap().remove(field);
        }
        let refused = [
            (Method::PUT, SET.to_owned(), Some(json!({"keys": []}))),
            (Method::PUT, SET.to_owned(), Some(json!({"keys": [public.clone()]}))),
            (Method::PUT, format!("{SET}/{}", private["kid"].as_str().unwrap()), Some(stripped)),
            (Method::DELETE, format!("{SET}/{}", private["kid"].as_str().unwrap()), None),
        ];
        for (method, path, body) in refused {
            let res = call(&app, method.clone(), &path, body).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{method} {path}: {}", res.text);
            assert!(res.text.contains("private RS256"), "{}", res.text);
        }
        let after = call(&app, Method::GET, SET, None).await;
        assert_eq!(after.json, before.json, "nothing changed");
        // A replacement that keeps a private signing key of the default algorithm is fine; the
        // other algorithms' keys are generated again on next use.
        let ok = call(&app, Method::PUT, SET, Some(json!({"keys": [private.clone(), public]}))).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        app.state.ensure_signing_keys().await.unwrap();
        let again = call(&app, Method::GET, SET, None).await;
        let keys = again.json["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 6, "{}", again.text);
        assert!(keys.iter().any(|k| k["kid"] == private["kid"]));
        for alg in ["ES256", "EdDSA"] {
            assert!(keys.iter().any(|k| k["alg"] == alg && k.get("d").is_some()), "{alg}: {}", again.text);
        }
    }
}

/// The public `x` of a fresh Ed25519 key (to forge a mismatched pair).
async fn gen_other_x(app: &TestApp) -> Value {
    let res = call(
        app,
        Method::POST,
        "/keys/other",
        Some(json!({"alg": "EdDSA", "kid": "o", "use": "sig"})),
    )
    .await;
    res.json["keys"][1]["x"].clone()
}
