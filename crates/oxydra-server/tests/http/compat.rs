//! `COMPAT_API_VERSION=0.10` over HTTP: the 0.10 client names in and out, the admin API on the
//! public port, introspection's string `aud`, the optional flush body, and the admin side of
//! the consent-by-id API (errors, expiry, which ports serve it).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_testkit::app::{Port, TestApp, TestResponse};
use serde_json::{Value, json};

/// 0.10 mode, its admin API on the public port left unguarded as on a trusted network (the
/// guarded form is tested in `access_control.rs`).
const V010: [(&str, &str); 2] = [
    ("COMPAT_API_VERSION", "0.10"),
    ("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN", "true"),
];
const CB: &str = "https://app.example/cb";

async fn create(app: &TestApp, port: Port, body: Value) -> TestResponse {
    app.json(port, Method::POST, "/clients", Some(body)).await
}

fn assert_error(res: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "body: {}", res.text);
    assert_eq!(res.json["error"], code, "body: {}", res.text);
}

#[tokio::test]
async fn client_json_takes_the_0_10_names_in_every_mode() {
    let app = TestApp::new(&[]).await;
    let res = create(
        &app,
        Port::Admin,
        json!({"id": "legacy-app", "public": true, "redirect_uris": [CB]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.json["client_id"], "legacy-app");
    assert_eq!(res.json["token_endpoint_auth_method"], "none");
    assert!(res.json.get("client_secret").is_none());
    // 1.0.0-beta mode answers in the 1.0 shape only.
    assert!(res.json.get("id").is_none() && res.json.get("public").is_none());

    let res = create(&app, Port::Admin, json!({"id": "conf", "public": false})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        res.json["token_endpoint_auth_method"],
        "client_secret_basic"
    );
    assert!(res.json["client_secret"].is_string());
    let same = json!({"client_id": "both", "id": "both"});
    assert_eq!(
        create(&app, Port::Admin, same).await.status,
        StatusCode::CREATED
    );

    for contradiction in [
        json!({"client_id": "a", "id": "b"}),
        json!({"public": true, "token_endpoint_auth_method": "client_secret_post"}),
        json!({"public": false, "token_endpoint_auth_method": "none"}),
    ] {
        let res = create(&app, Port::Admin, contradiction.clone()).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(
            res.json["error_hint"].is_string(),
            "{contradiction}: {}",
            res.text
        );
    }
}

#[tokio::test]
async fn in_0_10_mode_clients_carry_both_spellings_on_one_base_url() {
    let app = TestApp::new(&V010).await;
    let res = create(
        &app,
        Port::Public,
        json!({"id": "legacy-app", "public": true, "redirect_uris": [CB]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    for body in [
        res.json,
        app.json(Port::Public, Method::GET, "/clients/legacy-app", None)
            .await
            .json,
        app.json(Port::Public, Method::GET, "/clients", None)
            .await
            .json[0]
            .clone(),
        app.json(Port::Admin, Method::GET, "/clients/legacy-app", None)
            .await
            .json,
    ] {
        assert_eq!(body["id"], "legacy-app", "{body}");
        assert_eq!(body["client_id"], "legacy-app", "{body}");
        assert_eq!(body["public"], true, "{body}");
        assert_eq!(body["token_endpoint_auth_method"], "none", "{body}");
    }
    // A 0.10 SDK round trip: it sends back only the names it knows.
    let res = app
        .json(
            Port::Public,
            Method::PUT,
            "/clients/legacy-app",
            Some(json!({"id": "legacy-app", "public": false, "client_name": "Now confidential"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json["public"], false);
    assert!(
        res.json["client_secret"].is_string(),
        "a secret is generated"
    );
}

#[tokio::test]
async fn admin_routes_reach_the_public_port_only_in_0_10_mode() {
    let beta = TestApp::new(&[]).await;
    let res = beta.json(Port::Public, Method::GET, "/clients", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = beta
        .form(Port::Public, "/oauth2/introspect", &[("token", "x")], None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Neither port serves the consent-by-id API while the 1.0 flow is selected.
    for port in [Port::Public, Port::Admin] {
        let res = beta
            .json(port, Method::GET, "/oauth2/consent/requests/x", None)
            .await;
        assert_eq!(res.json["error_hint"], "No route matches this path.");
    }

    let legacy = TestApp::new(&V010).await;
    for port in [Port::Public, Port::Admin] {
        assert_eq!(
            legacy
                .json(port, Method::GET, "/clients", None)
                .await
                .status,
            StatusCode::OK
        );
        let res = legacy
            .form(port, "/oauth2/introspect", &[("token", "x")], None)
            .await;
        assert_eq!(res.json, json!({"active": false}));
        let res = legacy
            .json(port, Method::GET, "/oauth2/consent/requests/x", None)
            .await;
        assert_error(&res, StatusCode::NOT_FOUND, "not_found");
        assert_eq!(
            res.json["error_hint"],
            "The requested consent request does not exist."
        );
    }
    // The public port's own routes still win where paths overlap.
    let res = legacy
        .json(
            Port::Public,
            Method::GET,
            "/oauth2/auth/sessions/login/revoke",
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);

    // Only a consent URL (a 0.x environment in 1.0 mode): the API is on the admin port only.
    let only_consent = TestApp::new(&[("OAUTH2_CONSENT_URL", "https://consent.example")]).await;
    let res = only_consent
        .json(Port::Admin, Method::GET, "/oauth2/consent/requests/x", None)
        .await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found");
    let res = only_consent
        .json(
            Port::Public,
            Method::GET,
            "/oauth2/consent/requests/x",
            None,
        )
        .await;
    assert_eq!(res.json["error_hint"], "No route matches this path.");
}

/// Stores an access token with an audience, as no flow issues one yet.
async fn token_with_audience(app: &TestApp) -> String {
    let audience = ["https://api.example"];
    crate::tokens::store_user_token(app, "svc", "alice", &["read"], &audience).await
}

#[tokio::test]
async fn introspection_aud_is_a_string_in_0_10_mode() {
    for (extra, want) in [
        (vec![], json!(["https://api.example"])),
        (V010.to_vec(), json!("https://api.example")),
    ] {
        let app = TestApp::new(&extra).await;
        create(&app, Port::Admin, json!({"client_id": "svc"})).await;
        let token = token_with_audience(&app).await;
        let res = app
            .form(
                Port::Admin,
                "/oauth2/introspect",
                &[("token", &token)],
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json["active"], true);
        assert_eq!(res.json["aud"], want, "{extra:?}");
    }
}

#[tokio::test]
async fn flush_takes_an_absent_body() {
    let app = TestApp::new(&[]).await;
    let empty = |content_type: Option<&str>| {
        let mut builder = Request::builder().method(Method::POST).uri("/oauth2/flush");
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        builder.body(Body::empty()).unwrap()
    };
    for ct in [None, Some("application/json")] {
        let res = app.send(Port::Admin, empty(ct)).await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{ct:?}: {}", res.text);
    }
    for (content_type, body) in [("text/plain", "notAfter"), ("application/json", "[]")] {
        let res = app
            .raw(
                Port::Admin,
                Method::POST,
                "/oauth2/flush",
                content_type,
                body,
            )
            .await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    }
}

/// Starts a 0.10 flow for a fresh client and returns the consent request id.
async fn consent_request(app: &TestApp) -> String {
    create(
        app,
        Port::Admin,
        json!({"client_id": "web", "redirect_uris": [CB], "scope": "openid"}),
    )
    .await;
    let res = app
        .json(
            Port::Public,
            Method::GET,
            "/oauth2/auth?client_id=web&response_type=code&scope=openid&state=state-1234",
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text);
    let location = url::Url::parse(res.headers["location"].to_str().unwrap()).unwrap();
    let (_, id) = location
        .query_pairs()
        .find(|(k, _)| k == "consent")
        .unwrap();
    id.into_owned()
}

/// `PATCH path` with a raw JSON body.
async fn patch(app: &TestApp, path: &str, body: &str) -> TestResponse {
    app.raw(
        Port::Admin,
        Method::PATCH,
        path,
        "application/json",
        body.to_owned(),
    )
    .await
}

#[tokio::test]
async fn consent_answers_are_validated_and_end_with_the_request() {
    let app = TestApp::new(&V010).await;
    let id = consent_request(&app).await;
    let path = |what: &str| format!("/oauth2/consent/requests/{id}{what}");

    let res = app.json(Port::Admin, Method::GET, &path(""), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json["clientId"], "web");
    assert_eq!(res.json["audience"], "web");
    assert_eq!(res.json["requestedScopes"], json!(["openid"]));
    // 1 700 000 000 + 10 minutes.
    assert_eq!(res.json["expiresAt"], "2023-11-14T22:23:20Z");

    for bad in [
        "{",
        "[]",
        r#"{"grantScopes": "openid"}"#,
        r#"{"grantScopes": ["a b"]}"#,
    ] {
        let res = patch(&app, &path("/accept"), bad).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let res = app
        .json(Port::Admin, Method::PUT, &path("/accept"), Some(json!({})))
        .await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    for what in ["/accept", "/reject"] {
        let res = patch(&app, &format!("/oauth2/consent/requests/nope{what}"), "{}").await;
        assert_error(&res, StatusCode::NOT_FOUND, "not_found");
        let res = patch(&app, &path(what), "{}").await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{what}: {}", res.text);
        assert_eq!(res.text, "");
    }

    app.clock.advance_secs(600);
    let res = patch(&app, &path("/reject"), r#"{"reason": "late"}"#).await;
    assert_error(&res, StatusCode::CONFLICT, "conflict");
    // An expired request can still be read.
    let res = app.json(Port::Admin, Method::GET, &path(""), None).await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn unguarded_0_10_mode_shows_only_public_key_halves_on_the_public_port() {
    let app = TestApp::new(&V010).await;
    let private = |res: &TestResponse| {
        res.json["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k.get("d").is_some() || k.get("k").is_some())
    };
    for (set, alg) in [("sig", "ES256"), ("mac", "HS256")] {
        let body = json!({"alg": alg, "kid": "k1", "use": "sig"});
        let path = format!("/keys/{set}");
        let created = app
            .json(Port::Public, Method::POST, &path, Some(body))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert!(!private(&created), "{alg}: {}", created.text);
        let kid = created.json["keys"][0]["kid"].as_str().unwrap().to_owned();
        for path in [path.clone(), format!("{path}/{kid}")] {
            let public = app.json(Port::Public, Method::GET, &path, None).await;
            assert_eq!(public.status, StatusCode::OK, "{}", public.text);
            assert!(!private(&public), "{path}: {}", public.text);
            // The admin port, which browsers do not reach, still serves the whole key.
            let admin = app.json(Port::Admin, Method::GET, &path, None).await;
            assert!(private(&admin), "{path}: {}", admin.text);
        }
    }
    let whole = app.json(Port::Admin, Method::GET, "/keys/sig", None).await;
    let key = whole.json["keys"][0].clone();
    let path = format!("/keys/sig/{}", key["kid"].as_str().unwrap());
    let put = app.json(Port::Public, Method::PUT, &path, Some(key)).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert!(put.json.get("d").is_none() && put.json.get("x").is_some());
}
