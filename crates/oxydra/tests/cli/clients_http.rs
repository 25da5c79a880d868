//! `/clients` over raw HTTP against the real binary: status codes, bodies and the exact
//! 1.0.0-beta field names; plus the typed `AdminClient` against the same server.

use oxydra_api::OAuth2Client;
use oxydra_api::client::{AdminClient, ClientError, ClientOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    OPTIONAL_CLIENT_FIELDS, REQUIRED_CLIENT_FIELDS, Server, assert_client_fields,
};

#[tokio::test]
async fn client_crud_status_codes_and_bodies() {
    let server = Server::start();
    let http = reqwest::Client::new();
    let clients = format!("{}/clients", server.admin);

    let response = http
        .post(&clients)
        .json(&json!({
            "client_id": "http-1",
            "client_name": "HTTP one",
            "redirect_uris": ["https://one.example/cb"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "openid offline",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["location"], "/clients/http-1");
    let created: Value = response.json().await.unwrap();
    assert_client_fields(&created, true);
    assert_eq!(created["client_id"], "http-1");
    assert_eq!(created["client_secret_expires_at"], 0);
    assert_eq!(created["subject_type"], "public");
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32);

    let response = http.get(format!("{clients}/http-1")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let fetched: Value = response.json().await.unwrap();
    assert_client_fields(&fetched, false);
    let mut without_secret = created.clone();
    without_secret
        .as_object_mut()
        .unwrap()
        .remove("client_secret");
    assert_eq!(fetched, without_secret);

    let response = http.get(&clients).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let list: Vec<Value> = response.json().await.unwrap();
    assert_eq!(list, vec![without_secret.clone()]);

    // Duplicate id: 409 with a Hydra error body.
    let response = http
        .post(&clients)
        .json(&json!({"client_id": "http-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_error_body(response, 409).await;

    // PUT without a secret keeps it and does not echo it; with one, echoes it once.
    let response = http
        .put(format!("{clients}/http-1"))
        .json(&json!({"client_id": "ignored", "client_name": "renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.unwrap();
    assert_client_fields(&updated, false);
    assert_eq!(updated["client_id"], "http-1", "the path id wins");
    assert_eq!(updated["client_name"], "renamed");
    let response = http
        .put(format!("{clients}/http-1"))
        .json(&json!({"client_secret": "a-new-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.unwrap();
    assert_client_fields(&updated, true);
    assert_eq!(updated["client_secret"], "a-new-secret");

    // Unknown ids.
    for (method, status) in [(reqwest::Method::GET, 404), (reqwest::Method::DELETE, 404)] {
        let response = http
            .request(method, format!("{clients}/nope"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_error_body(response, status).await;
    }
    let response = http
        .put(format!("{clients}/nope"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = http
        .delete(format!("{clients}/http-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    let response = http.get(format!("{clients}/http-1")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn assert_error_body(response: reqwest::Response, status: u16) {
    let body: Value = response.json().await.unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in &keys {
        assert!(
            [
                "error",
                "error_description",
                "error_hint",
                "status_code",
                "error_debug"
            ]
            .contains(key),
            "unexpected {key} in {body}"
        );
    }
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert!(body["error_description"].is_string(), "{body}");
    assert_eq!(body["status_code"], status, "{body}");
}

#[tokio::test]
async fn every_optional_field_round_trips_with_its_beta_name() {
    let server = Server::start();
    let http = reqwest::Client::new();
    let clients = format!("{}/clients", server.admin);
    let with_jwks_uri = json!({
        "client_id": "opt-1",
        "client_name": "All fields",
        "redirect_uris": ["https://opt.example/cb"],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types": ["code", "code id_token"],
        "scope": "openid offline",
        "owner": "owner",
        "policy_uri": "https://opt.example/policy",
        "tos_uri": "https://opt.example/tos",
        "client_uri": "https://opt.example",
        "logo_uri": "https://opt.example/logo.png",
        "contacts": ["ops@opt.example"],
        "subject_type": "public",
        "jwks_uri": "https://opt.example/jwks.json",
        "token_endpoint_auth_method": "client_secret_post",
        "request_uris": ["https://opt.example/request"],
        "request_object_signing_alg": "RS256",
        "userinfo_signed_response_alg": "RS256",
        "id_token_signed_response_alg": "EdDSA",
        "post_logout_redirect_uris": ["https://opt.example/bye"],
        "frontchannel_logout_uri": "https://opt.example/fc",
        "frontchannel_logout_session_required": true,
        "backchannel_logout_uri": "https://opt.example/bc",
        "backchannel_logout_session_required": true,
    });
    let response = http
        .post(&clients)
        .json(&with_jwks_uri)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let keys = assert_client_fields(&created, true);
    for (key, value) in with_jwks_uri.as_object().unwrap() {
        assert_eq!(&created[key], value, "{key}");
    }
    for key in [
        "jwks_uri",
        "token_endpoint_auth_method",
        "request_uris",
        "request_object_signing_alg",
        "userinfo_signed_response_alg",
        "id_token_signed_response_alg",
        "post_logout_redirect_uris",
        "frontchannel_logout_uri",
        "frontchannel_logout_session_required",
        "backchannel_logout_uri",
        "backchannel_logout_session_required",
    ] {
        assert!(keys.contains(key), "{key} missing from {created}");
    }

    let jwks =
        json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "n": "AQAB", "e": "AQAB"}]});
    let response = http
        .post(&clients)
        .json(&json!({"client_id": "opt-2", "jwks": jwks, "token_endpoint_auth_method": "private_key_jwt"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    // private_key_jwt clients authenticate with keys, so no secret is generated.
    assert_client_fields(&created, false);
    assert_eq!(created["jwks"], jwks);

    let response = http.get(&clients).send().await.unwrap();
    for client in response.json::<Vec<Value>>().await.unwrap() {
        assert_client_fields(&client, false);
    }
    assert_eq!(
        REQUIRED_CLIENT_FIELDS.len() + OPTIONAL_CLIENT_FIELDS.len(),
        27
    );
}

#[tokio::test]
async fn secrets_are_never_returned_by_get_or_list() {
    let server = Server::start();
    let http = reqwest::Client::new();
    let clients = format!("{}/clients", server.admin);
    let mut secrets = Vec::new();
    for body in [
        json!({"client_id": "s-generated"}),
        json!({"client_id": "s-given", "client_secret": "given-secret-123"}),
    ] {
        let created: Value = http
            .post(&clients)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        secrets.push(created["client_secret"].as_str().unwrap().to_owned());
    }
    let mut bodies = Vec::new();
    for url in [
        clients.clone(),
        format!("{clients}/s-generated"),
        format!("{clients}/s-given"),
    ] {
        let response = http.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        bodies.push(response.text().await.unwrap());
    }
    for body in bodies {
        assert!(!body.contains("client_secret\""), "{body}");
        for secret in &secrets {
            assert!(!body.contains(secret.as_str()), "{body}");
        }
    }
}

#[tokio::test]
async fn malformed_requests_are_400_not_500() {
    let server = Server::start();
    let http = reqwest::Client::new();
    let clients = format!("{}/clients", server.admin);
    let response = http
        .post(&clients)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_error_body(response, 400).await;
    for query in ["limit=-1", "limit=abc", "offset=-5"] {
        let response = http.get(format!("{clients}?{query}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
    }
}

#[tokio::test]
async fn admin_client_drives_the_api() {
    let server = Server::start();
    let api = AdminClient::new(&server.admin, ClientOptions::default()).unwrap();
    let body = OAuth2Client {
        client_id: "typed/one two".into(),
        client_name: "Typed".into(),
        redirect_uris: vec!["https://typed.example/cb".into()],
        ..OAuth2Client::default()
    };
    let created = api.create_client(&body).await.unwrap();
    assert_eq!(created.client_id, "typed/one two");
    assert!(created.client_secret.is_some());
    let fetched = api.get_client("typed/one two").await.unwrap();
    assert_eq!(fetched.client_name, "Typed");
    assert_eq!(fetched.client_secret, None);
    api.create_client(&OAuth2Client {
        client_id: "typed-2".into(),
        ..OAuth2Client::default()
    })
    .await
    .unwrap();

    let page = api.list_clients(Some(1), None).await.unwrap();
    assert_eq!(page.clients.len(), 1);
    assert!(page.has_next);
    let page = api.list_clients(Some(1), Some(1)).await.unwrap();
    assert_eq!(page.clients.len(), 1);
    assert!(!page.has_next);

    let updated = api
        .update_client(
            "typed/one two",
            &OAuth2Client {
                client_name: "Renamed".into(),
                ..body
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.client_name, "Renamed");

    api.delete_client("typed/one two").await.unwrap();
    match api.get_client("typed/one two").await {
        Err(ClientError::Api { status: 404, body }) => assert_eq!(body.status_code, 404),
        other => panic!("expected a 404, got {other:?}"),
    }
    match api
        .create_client(&OAuth2Client {
            grant_types: vec!["password".into()],
            ..OAuth2Client::default()
        })
        .await
    {
        Err(e @ ClientError::Api { status: 400, .. }) => {
            assert!(e.to_string().starts_with("invalid_request: "), "{e}");
        }
        other => panic!("expected a 400, got {other:?}"),
    }
}
