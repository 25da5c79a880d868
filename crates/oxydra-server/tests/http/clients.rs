use axum::http::{Method, StatusCode};
use oxydra_core::ClientId;
use oxydra_core::store::ClientStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse};
use serde_json::{Value, json};

fn assert_error(res: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "body: {}", res.text);
    assert_eq!(res.json["error"], code, "body: {}", res.text);
    assert_eq!(
        res.json["status_code"],
        status.as_u16(),
        "body: {}",
        res.text
    );
    assert!(
        res.json["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    assert!(
        res.json.get("error_debug").is_none(),
        "debug must not leak: {}",
        res.text
    );
}

async fn create(app: &TestApp, body: Value) -> TestResponse {
    app.json(Port::Admin, Method::POST, "/clients", Some(body))
        .await
}

#[tokio::test]
async fn create_returns_201_with_location_and_secret_once() {
    let app = TestApp::new(&[]).await;
    let res = create(
        &app,
        json!({"client_name": "App", "redirect_uris": ["https://app.example/cb"]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.json["client_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "generated UUID v4");
    assert_eq!(res.headers["location"], format!("/clients/{id}"));
    let secret = res.json["client_secret"].as_str().unwrap();
    assert!(secret.len() >= 26, "generated secret is long: {secret}");
    assert_eq!(
        res.json["token_endpoint_auth_method"],
        "client_secret_basic"
    );
    assert_eq!(res.json["subject_type"], "public");
    assert_eq!(res.json["client_secret_expires_at"], 0);

    let stored = app
        .state
        .store
        .get_client(&ClientId::parse(id.clone()).unwrap())
        .await
        .unwrap()
        .unwrap();
    let hash = stored.secret_hash.unwrap();
    assert!(hash.starts_with("$2"), "stored bcrypt hash, not the secret");
    assert!(!hash.contains(secret));

    let got = app
        .json(Port::Admin, Method::GET, &format!("/clients/{id}"), None)
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(
        got.json.get("client_secret").is_none(),
        "GET never returns the secret"
    );
    let list = app.json(Port::Admin, Method::GET, "/clients", None).await;
    assert!(
        list.json[0].get("client_secret").is_none(),
        "list never returns the secret"
    );
}

#[tokio::test]
async fn every_field_round_trips() {
    let app = TestApp::new(&[]).await;
    let body = json!({
        "client_id": "full",
        "client_name": "Full",
        "client_secret": "a-secret-value",
        "redirect_uris": ["https://full.example/cb", "http://localhost:8080/cb"],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials", "implicit"],
        "response_types": ["code", "code id_token", "token"],
        "scope": "openid offline photos.*",
        "owner": "team-a",
        "policy_uri": "https://full.example/policy",
        "tos_uri": "https://full.example/tos",
        "client_uri": "https://full.example",
        "logo_uri": "https://full.example/logo.png",
        "contacts": ["ops@full.example"],
        "client_secret_expires_at": 0,
        "subject_type": "public",
        "jwks": {"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]},
        "token_endpoint_auth_method": "client_secret_post",
        "request_uris": ["https://full.example/request.jwt"],
        "request_object_signing_alg": "RS256",
        "userinfo_signed_response_alg": "RS256",
        "id_token_signed_response_alg": "ES256"
    });
    let res = create(&app, body.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.json, body, "create echoes every field, secret included");
    let got = app
        .json(Port::Admin, Method::GET, "/clients/full", None)
        .await;
    let mut expected = body;
    expected.as_object_mut().unwrap().remove("client_secret");
    assert_eq!(got.json, expected);
}

#[tokio::test]
async fn public_clients_get_no_secret() {
    let app = TestApp::new(&[]).await;
    let res = create(
        &app,
        json!({"client_id": "spa", "token_endpoint_auth_method": "none"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert!(res.json.get("client_secret").is_none());
    let stored = app
        .state
        .store
        .get_client(&ClientId::parse("spa").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.secret_hash.is_none());
}

#[tokio::test]
async fn invalid_metadata_is_400_and_stores_nothing() {
    let app = TestApp::new(&[]).await;
    let cases = [
        json!({"redirect_uris": ["https://a.example/cb#frag"]}),
        json!({"redirect_uris": ["relative/path"]}),
        json!({"grant_types": ["password"]}),
        json!({"response_types": ["code device"]}),
        json!({"client_secret": "short"}),
        json!({"token_endpoint_auth_method": "private_key_jwt"}),
        json!({"jwks_uri": "https://a.example/jwks", "jwks": {"keys": []}}),
        json!({"subject_type": "pairwise"}),
        json!({"userinfo_signed_response_alg": "HS256"}),
        json!({"id_token_signed_response_alg": "HS256"}),
        json!({"id_token_signed_response_alg": "none"}),
        json!({"id_token_signed_response_alg": "XYZ"}),
        json!({"client_id": ""  , "token_endpoint_auth_method": "magic"}),
    ];
    for body in cases {
        let res = create(&app, body.clone()).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(
            res.json["error_hint"].is_string(),
            "hint explains {body}: {}",
            res.text
        );
    }
    let list = app.json(Port::Admin, Method::GET, "/clients", None).await;
    assert_eq!(list.json, json!([]));
}

#[tokio::test]
async fn an_unknown_id_token_algorithm_is_refused_on_update_too() {
    let app = TestApp::new(&[]).await;
    let made = create(
        &app,
        json!({"client_id": "alg", "id_token_signed_response_alg": "EdDSA"}),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.json["id_token_signed_response_alg"], "EdDSA");
    let path = "/clients/alg";
    for alg in ["HS256", "none", "XYZ"] {
        let body = json!({"client_id": "alg", "id_token_signed_response_alg": alg});
        let res = app.json(Port::Admin, Method::PUT, path, Some(body)).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(
            res.text.contains("id_token_signed_response_alg"),
            "{}",
            res.text
        );
    }
    let got = app.json(Port::Admin, Method::GET, path, None).await;
    assert_eq!(got.json["id_token_signed_response_alg"], "EdDSA");
    // Empty means the server default, and is not echoed.
    let body = json!({"client_id": "alg", "id_token_signed_response_alg": ""});
    let res = app.json(Port::Admin, Method::PUT, path, Some(body)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.json.get("id_token_signed_response_alg").is_none());
}

#[tokio::test]
async fn malformed_bodies_are_400_not_500() {
    let app = TestApp::new(&[]).await;
    let res = app
        .raw(
            Port::Admin,
            Method::POST,
            "/clients",
            "application/json",
            "{not json",
        )
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    let res = app
        .raw(
            Port::Admin,
            Method::POST,
            "/clients",
            "application/json",
            r#"{"redirect_uris": "x"}"#,
        )
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    let res = app
        .raw(Port::Admin, Method::POST, "/clients", "text/plain", "{}")
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    let res = app
        .raw(
            Port::Admin,
            Method::PUT,
            "/clients/x",
            "application/json",
            "[]",
        )
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::new(&[("OXYDRA_BODY_LIMIT", "1024")]).await;
    let big = json!({"client_name": "x".repeat(4096)});
    let res = create(&app, big).await;
    assert_error(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn duplicate_id_is_409() {
    let app = TestApp::new(&[]).await;
    assert_eq!(
        create(&app, json!({"client_id": "dup"})).await.status,
        StatusCode::CREATED
    );
    let res = create(&app, json!({"client_id": "dup"})).await;
    assert_error(&res, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let app = TestApp::new(&[]).await;
    for method in [Method::GET, Method::DELETE] {
        let res = app.json(Port::Admin, method, "/clients/nope", None).await;
        assert_error(&res, StatusCode::NOT_FOUND, "not_found");
    }
    let res = app
        .json(Port::Admin, Method::PUT, "/clients/nope", Some(json!({})))
        .await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn ids_with_reserved_characters_work() {
    let app = TestApp::new(&[]).await;
    let res = create(&app, json!({"client_id": "a b/c"})).await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.headers["location"], "/clients/a%20b%2Fc");
    let got = app
        .json(Port::Admin, Method::GET, "/clients/a%20b%2Fc", None)
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text);
    assert_eq!(got.json["client_id"], "a b/c");
}

#[tokio::test]
async fn list_paginates_in_id_order_with_link_header() {
    let app = TestApp::new(&[]).await;
    for id in ["c", "a", "e", "b", "d"] {
        assert_eq!(
            create(&app, json!({"client_id": id})).await.status,
            StatusCode::CREATED
        );
    }
    let res = app
        .json(Port::Admin, Method::GET, "/clients?limit=2&offset=1", None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let ids: Vec<&str> = res
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["b", "c"]);
    let link = res.headers["link"].to_str().unwrap();
    assert!(
        link.contains(r#"</clients?limit=2&offset=3>; rel="next""#),
        "{link}"
    );
    assert!(
        link.contains(r#"</clients?limit=2&offset=0>; rel="first""#),
        "{link}"
    );
    assert!(link.contains(r#"rel="prev""#), "{link}");

    let last = app
        .json(Port::Admin, Method::GET, "/clients?limit=2&offset=4", None)
        .await;
    assert_eq!(last.json.as_array().unwrap().len(), 1);
    assert!(!last.headers["link"].to_str().unwrap().contains("next"));

    let all = app
        .json(Port::Admin, Method::GET, "/clients?limit=100000", None)
        .await;
    assert_eq!(
        all.json.as_array().unwrap().len(),
        5,
        "limit is capped, not rejected"
    );

    for bad in ["limit=abc", "offset=-1", "limit=1.5"] {
        let res = app
            .json(Port::Admin, Method::GET, &format!("/clients?{bad}"), None)
            .await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    }
}

#[tokio::test]
async fn update_replaces_fields_and_keeps_or_echoes_the_secret() {
    let app = TestApp::new(&[]).await;
    let created = create(
        &app,
        json!({"client_id": "u", "client_secret": "first-secret", "scope": "a"}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = ClientId::parse("u").unwrap();
    let hash_before = app
        .state
        .store
        .get_client(&id)
        .await
        .unwrap()
        .unwrap()
        .secret_hash;

    let res = app
        .json(
            Port::Admin,
            Method::PUT,
            "/clients/u",
            Some(json!({"client_id": "ignored", "client_name": "Renamed", "scope": "a b"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json["client_id"], "u", "path id wins");
    assert_eq!(res.json["client_name"], "Renamed");
    assert_eq!(res.json["scope"], "a b");
    assert!(
        res.json.get("client_secret").is_none(),
        "kept secret is not echoed"
    );
    let after = app.state.store.get_client(&id).await.unwrap().unwrap();
    assert_eq!(after.secret_hash, hash_before, "secret kept");
    assert!(
        app.json(Port::Admin, Method::GET, "/clients/ignored", None)
            .await
            .status
            == StatusCode::NOT_FOUND
    );

    let res = app
        .json(
            Port::Admin,
            Method::PUT,
            "/clients/u",
            Some(json!({"client_secret": "second-secret"})),
        )
        .await;
    assert_eq!(
        res.json["client_secret"], "second-secret",
        "a sent secret is echoed once"
    );
    let hash = app
        .state
        .store
        .get_client(&id)
        .await
        .unwrap()
        .unwrap()
        .secret_hash
        .unwrap();
    assert!(
        oxydra_core::client::secret::SecretHashing::verify(
            &app.state.hasher,
            oxydra_core::Secret::new("second-secret".into()),
            hash.clone(),
        )
        .await
    );

    let res = app
        .json(
            Port::Admin,
            Method::PUT,
            "/clients/u",
            Some(json!({"redirect_uris": ["nope"]})),
        )
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    let unchanged = app.json(Port::Admin, Method::GET, "/clients/u", None).await;
    assert_eq!(
        unchanged.json["client_name"], "",
        "the failed update changed nothing (the previous PUT cleared the name)"
    );
    assert_eq!(unchanged.json["redirect_uris"], json!([]));
}

#[tokio::test]
async fn public_client_turned_confidential_gets_a_generated_secret() {
    let app = TestApp::new(&[]).await;
    create(
        &app,
        json!({"client_id": "p", "token_endpoint_auth_method": "none"}),
    )
    .await;
    let res = app
        .json(
            Port::Admin,
            Method::PUT,
            "/clients/p",
            Some(json!({"token_endpoint_auth_method": "client_secret_basic"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let secret = res.json["client_secret"]
        .as_str()
        .expect("a generated secret is returned once");
    let hash = app
        .state
        .store
        .get_client(&ClientId::parse("p").unwrap())
        .await
        .unwrap()
        .unwrap()
        .secret_hash
        .unwrap();
    assert!(
        oxydra_core::client::secret::SecretHashing::verify(
            &app.state.hasher,
            oxydra_core::Secret::new(secret.into()),
            hash.clone(),
        )
        .await
    );

    let back = app
        .json(
            Port::Admin,
            Method::PUT,
            "/clients/p",
            Some(json!({"token_endpoint_auth_method": "none"})),
        )
        .await;
    assert!(back.json.get("client_secret").is_none());
    let stored = app
        .state
        .store
        .get_client(&ClientId::parse("p").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.secret_hash.is_none(),
        "a public client keeps no secret"
    );
}

#[tokio::test]
async fn delete_is_204_then_404() {
    let app = TestApp::new(&[]).await;
    create(&app, json!({"client_id": "d"})).await;
    let res = app
        .json(Port::Admin, Method::DELETE, "/clients/d", None)
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(res.text.is_empty());
    let res = app
        .json(Port::Admin, Method::DELETE, "/clients/d", None)
        .await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn client_routes_are_not_on_the_public_port() {
    let app = TestApp::new(&[]).await;
    let res = app.json(Port::Public, Method::GET, "/clients", None).await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn default_scope_comes_from_configuration() {
    let app = TestApp::new(&[(
        "OIDC_DYNAMIC_CLIENT_REGISTRATION_DEFAULT_SCOPE",
        "openid,offline",
    )])
    .await;
    let res = create(&app, json!({})).await;
    assert_eq!(res.json["scope"], "openid offline");
}

#[tokio::test]
async fn a_closed_database_is_503_not_404() {
    let app = TestApp::new(&[]).await;
    app.state.store.close().await;
    let res = app.json(Port::Admin, Method::GET, "/clients/x", None).await;
    assert_error(
        &res,
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
    );
}

#[tokio::test]
async fn dpop_bound_access_tokens_is_sent_when_set_and_false_when_left_out() {
    let app = TestApp::new(&[]).await;
    let stored = async |id: &str| {
        let id = ClientId::parse(id).unwrap();
        let client = app.state.store.get_client(&id).await.unwrap().unwrap();
        client.dpop_bound_access_tokens
    };
    let res = create(
        &app,
        json!({"client_id": "bound", "dpop_bound_access_tokens": true}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.json["dpop_bound_access_tokens"], true);
    assert!(stored("bound").await);
    let got = app
        .json(Port::Admin, Method::GET, "/clients/bound", None)
        .await;
    crate::assert_dpop_bound(&got, true);

    // A 1.x body that leaves it out means false, on create and on update alike.
    let plain = create(&app, json!({"client_id": "plain"})).await;
    crate::assert_dpop_bound(&plain, false);
    assert!(!stored("plain").await);
    let res = app
        .json(
            Port::Admin,
            Method::PUT,
            "/clients/bound",
            Some(json!({"client_name": "Renamed"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    crate::assert_dpop_bound(&res, false);
    assert!(!stored("bound").await);
    let res = app
        .json(
            Port::Admin,
            Method::PUT,
            "/clients/plain",
            Some(json!({"dpop_bound_access_tokens": true})),
        )
        .await;
    crate::assert_dpop_bound(&res, true);
    assert!(stored("plain").await);
    let res = create(&app, json!({"dpop_bound_access_tokens": "yes"})).await;
    assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
}
