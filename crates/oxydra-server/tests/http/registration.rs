//! Dynamic client registration (RFC 7591/7592) over HTTP: off by default, the full life of a
//! registered client, and every refusal the RFCs name (`invalid_redirect_uri`,
//! `invalid_client_metadata`, `401 invalid_token`).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_testkit::app::{Port, TestApp, TestResponse};
use serde_json::{Value, json};

const ON: &[(&str, &str)] = &[
    ("OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED", "true"),
    ("OAUTH2_ISSUER_URL", "https://auth.example"),
];

/// A confidential client-credentials and code client's metadata.
fn metadata() -> Value {
    json!({
        "client_name": "Self-registered",
        "redirect_uris": ["https://rp.example/cb"],
        "grant_types": ["authorization_code", "client_credentials"],
        "response_types": ["code"],
        "scope": "openid"
    })
}

async fn register(app: &TestApp, body: Value) -> TestResponse {
    app.json(Port::Public, Method::POST, "/oauth2/register", Some(body))
        .await
}

/// `method /oauth2/register/{id}` with `Authorization: Bearer token` (when given).
async fn manage(
    app: &TestApp,
    method: Method,
    id: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> TestResponse {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("/oauth2/register/{id}"));
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    };
    app.send(Port::Public, request.unwrap()).await
}

fn assert_error(res: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.json["error"], code, "{}", res.text);
}

fn assert_invalid_token(res: &TestResponse) {
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(res.json["status_code"], 401);
    let challenge = res.headers["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
}

async fn discovery(app: &TestApp) -> Value {
    let res = app
        .json(
            Port::Public,
            Method::GET,
            "/.well-known/openid-configuration",
            None,
        )
        .await;
    res.json
}

#[tokio::test]
async fn off_by_default_not_served_and_not_advertised() {
    let app = TestApp::new(&[]).await;
    let res = register(&app, metadata()).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let res = manage(&app, Method::GET, "x", Some("t"), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    assert!(discovery(&app).await.get("registration_endpoint").is_none());

    let app = TestApp::new(ON).await;
    assert_eq!(
        discovery(&app).await["registration_endpoint"],
        "https://auth.example/oauth2/register"
    );
}

#[tokio::test]
async fn a_registered_client_is_read_updated_and_deleted_with_its_token() {
    let app = TestApp::new(ON).await;
    let res = register(&app, metadata()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.headers["cache-control"], "no-store");
    let body = res.json;
    let id = body["client_id"].as_str().unwrap().to_owned();
    let secret = body["client_secret"].as_str().unwrap().to_owned();
    let token = body["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let uri = format!("https://auth.example/oauth2/register/{id}");
    assert_eq!(body["registration_client_uri"], uri.as_str());
    assert_eq!(res.headers["location"], uri.as_str());
    assert_eq!(body["client_secret_expires_at"], 0);
    assert_eq!(body["client_name"], "Self-registered");
    assert!(token.len() >= 43, "{token}");

    // The secret works at the token endpoint.
    let grant = app
        .form(
            Port::Public,
            "/oauth2/token",
            &[("grant_type", "client_credentials")],
            Some((&id, &secret)),
        )
        .await;
    assert_eq!(grant.status, StatusCode::OK, "{}", grant.text);

    // Read: no secret, no token.
    let read = manage(&app, Method::GET, &id, Some(&token), None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert!(read.json.get("client_secret").is_none());
    assert!(read.json.get("registration_access_token").is_none());
    assert_eq!(read.json["registration_client_uri"], uri.as_str());

    // Update with what was read (reserved fields unchanged are fine); the token rotates.
    let mut changed = read.json.clone();
    changed["client_name"] = json!("Renamed");
    let updated = manage(&app, Method::PUT, &id, Some(&token), Some(changed)).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert_eq!(updated.json["client_name"], "Renamed");
    assert!(updated.json.get("client_secret").is_none());
    let new_token = updated.json["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_token, token);
    assert_invalid_token(&manage(&app, Method::GET, &id, Some(&token), None).await);

    // The secret was kept.
    let grant = app
        .form(
            Port::Public,
            "/oauth2/token",
            &[("grant_type", "client_credentials")],
            Some((&id, &secret)),
        )
        .await;
    assert_eq!(grant.status, StatusCode::OK, "{}", grant.text);

    let deleted = manage(&app, Method::DELETE, &id, Some(&new_token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert_invalid_token(&manage(&app, Method::GET, &id, Some(&new_token), None).await);
    assert_invalid_token(&manage(&app, Method::DELETE, &id, Some(&new_token), None).await);
    let admin = app
        .json(Port::Admin, Method::GET, &format!("/clients/{id}"), None)
        .await;
    assert_eq!(admin.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_public_client_gets_no_secret() {
    let app = TestApp::new(ON).await;
    let mut body = metadata();
    body["token_endpoint_auth_method"] = json!("none");
    body["grant_types"] = json!(["authorization_code"]);
    let res = register(&app, body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert!(res.json.get("client_secret").is_none(), "{}", res.text);
    assert!(res.json["registration_access_token"].is_string());
}

#[tokio::test]
async fn bad_redirect_uris_are_invalid_redirect_uri() {
    let app = TestApp::new(ON).await;
    for bad in [
        json!(["not a url"]),
        json!(["https://rp.example/cb#fragment"]),
    ] {
        let mut body = metadata();
        body["redirect_uris"] = bad.clone();
        let res = register(&app, body).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_redirect_uri");
    }
}

#[tokio::test]
async fn bad_or_reserved_metadata_is_invalid_client_metadata() {
    let app = TestApp::new(ON).await;
    let cases = [
        ("grant_types", json!(["made_up"])),
        ("jwks_uri", json!("not a url")),
        ("token_endpoint_auth_method", json!("made_up")),
        ("client_id", json!("chosen-id")),
        ("id", json!("chosen-id")),
        ("client_secret", json!("a-secret-of-my-own-choosing")),
        ("metadata", json!({"tier": "gold"})),
        ("skip_consent", json!(true)),
        ("skip_logout_consent", json!(true)),
        ("access_token_strategy", json!("jwt")),
        ("audience", json!(["https://api.example"])),
        // Grants acting for subjects the client never authenticated (trusted issuers' JWTs).
        (
            "grant_types",
            json!([
                "authorization_code",
                "urn:ietf:params:oauth:grant-type:jwt-bearer"
            ]),
        ),
        (
            "grant_types",
            json!(["urn:ietf:params:oauth:grant-type:token-exchange"]),
        ),
        (
            "authorization_code_grant_access_token_lifespan",
            json!("1h"),
        ),
        (
            "client_credentials_grant_access_token_lifespan",
            json!("soon"),
        ),
    ];
    for (field, value) in cases {
        let mut body = metadata();
        body[field] = value;
        let res = register(&app, body).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_client_metadata");
        assert!(res.json.get("registration_access_token").is_none());
    }
    // None of them was stored.
    let list = app
        .json(Port::Admin, Method::GET, "/admin/clients", None)
        .await;
    assert_eq!(list.json, json!([]), "{}", list.text);
    // Explicitly default values are not a choice.
    let mut body = metadata();
    body["skip_consent"] = json!(false);
    body["client_id"] = json!("");
    assert_eq!(register(&app, body).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn updates_cannot_take_over_ids_secrets_or_reserved_fields() {
    let app = TestApp::new(ON).await;
    let res = register(&app, metadata()).await;
    let id = res.json["client_id"].as_str().unwrap().to_owned();
    let token = res.json["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        ("client_id", json!("another-id")),
        ("client_secret", json!("a-secret-of-my-own-choosing")),
        ("metadata", json!({"tier": "gold"})),
        ("skip_consent", json!(true)),
        ("audience", json!(["https://api.example"])),
    ];
    for (field, value) in cases {
        let mut body = metadata();
        body[field] = value;
        let res = manage(&app, Method::PUT, &id, Some(&token), Some(body)).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_client_metadata");
    }
    let mut body = metadata();
    body["redirect_uris"] = json!(["http://rp.example/cb#x"]);
    let res = manage(&app, Method::PUT, &id, Some(&token), Some(body)).await;
    assert_error(&res, StatusCode::BAD_REQUEST, "invalid_redirect_uri");
    // The failed updates did not rotate the token.
    let read = manage(&app, Method::GET, &id, Some(&token), None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
}

#[tokio::test]
async fn operator_fields_survive_a_client_update() {
    let app = TestApp::new(ON).await;
    let res = register(&app, metadata()).await;
    let id = res.json["client_id"].as_str().unwrap().to_owned();
    let token = res.json["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let patch = json!([{"op": "add", "path": "/metadata", "value": {"tier": "gold"}}]);
    let patched = app
        .json(
            Port::Admin,
            Method::PATCH,
            &format!("/admin/clients/{id}"),
            Some(patch),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    // A client that sends no metadata keeps the operator's.
    let updated = manage(&app, Method::PUT, &id, Some(&token), Some(metadata())).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert_eq!(updated.json["metadata"], json!({"tier": "gold"}));
}

#[tokio::test]
async fn a_client_may_choose_dpop_bound_access_tokens() {
    let app = TestApp::new(ON).await;
    let mut body = metadata();
    body["dpop_bound_access_tokens"] = json!(true);
    let res = register(&app, body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.json["dpop_bound_access_tokens"], true);
    let id = res.json["client_id"].as_str().unwrap().to_owned();
    let token = res.json["registration_access_token"].as_str().unwrap();
    let read = manage(&app, Method::GET, &id, Some(token), None).await;
    crate::assert_dpop_bound(&read, true);

    // Unlike the operator's fields, the client's own update may turn it off.
    let updated = manage(&app, Method::PUT, &id, Some(token), Some(metadata())).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    crate::assert_dpop_bound(&updated, false);
    let admin = app
        .json(
            Port::Admin,
            Method::GET,
            &format!("/admin/clients/{id}"),
            None,
        )
        .await;
    crate::assert_dpop_bound(&admin, false);
}

#[tokio::test]
async fn management_needs_the_clients_own_token() {
    let app = TestApp::new(ON).await;
    let a = register(&app, metadata()).await.json;
    let b = register(&app, metadata()).await.json;
    let a_id = a["client_id"].as_str().unwrap();
    let a_token = a["registration_access_token"].as_str().unwrap();
    let b_id = b["client_id"].as_str().unwrap();
    let b_secret = b["client_secret"].as_str().unwrap();

    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let body = (method == Method::PUT).then(metadata);
        // No token.
        let res = manage(&app, method.clone(), a_id, None, body.clone()).await;
        assert_invalid_token(&res);
        // A's token on B.
        let res = manage(&app, method.clone(), b_id, Some(a_token), body.clone()).await;
        assert_invalid_token(&res);
        // B's client secret is no registration token.
        let res = manage(&app, method.clone(), b_id, Some(b_secret), body.clone()).await;
        assert_invalid_token(&res);
        // An unknown client.
        let res = manage(&app, method.clone(), "nobody", Some(a_token), body.clone()).await;
        assert_invalid_token(&res);
    }
    // A malformed token body before the token is checked is still 401 first.
    let res = app
        .raw(
            Port::Public,
            Method::PUT,
            &format!("/oauth2/register/{a_id}"),
            "application/json",
            "{not json",
        )
        .await;
    assert_invalid_token(&res);
    // B is untouched.
    let admin = app
        .json(Port::Admin, Method::GET, &format!("/clients/{b_id}"), None)
        .await;
    assert_eq!(admin.status, StatusCode::OK);
}

#[tokio::test]
async fn admin_api_clients_cannot_be_managed_here() {
    let app = TestApp::new(ON).await;
    let created = app
        .json(
            Port::Admin,
            Method::POST,
            "/admin/clients",
            Some(
                json!({"client_id": "operator-client", "redirect_uris": ["https://rp.example/cb"]}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let res = manage(&app, Method::GET, "operator-client", Some("anything"), None).await;
    assert_invalid_token(&res);
    let res = manage(&app, Method::DELETE, "operator-client", Some(""), None).await;
    assert_invalid_token(&res);
}

#[tokio::test]
async fn wrong_tokens_spend_the_addresss_failure_budget() {
    let mut env = ON.to_vec();
    env.push(("OXYDRA_AUTH_FAILURES_PER_IP", "2"));
    let app = TestApp::new(&env).await;
    let res = register(&app, metadata()).await;
    let id = res.json["client_id"].as_str().unwrap().to_owned();
    let token = res.json["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        let res = manage(&app, Method::GET, &id, Some("guess"), None).await;
        assert_invalid_token(&res);
    }
    // Spent: even the right token waits, and no token is checked.
    let res = manage(&app, Method::GET, &id, Some(&token), None).await;
    assert_error(&res, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    assert!(res.headers.contains_key("retry-after"));
}
