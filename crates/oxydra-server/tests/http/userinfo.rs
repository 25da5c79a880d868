//! `GET|POST /userinfo` (OIDC Core §5.3, RFC 6750): claims for tokens obtained through the real
//! authorization flow, the bearer-token transports, and every refusal with its challenge.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::oidc_flow::{
    ISSUER, code_tokens, flow_config, introspect, register, token, verify_with_jwks,
};

fn session() -> Value {
    json!({
        "access_token": {"team": "blue"},
        "id_token": {"email": "alice@example.com", "email_verified": true, "sub": "mallory", "iss": "x"},
    })
}

/// `method /userinfo` with optional `Authorization` header value and form body.
async fn userinfo(
    app: &TestApp,
    method: Method,
    uri: &str,
    authorization: Option<&str>,
    form: Option<&str>,
) -> TestResponse {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let body = match form {
        Some(form) => {
            request = request.header("content-type", "application/x-www-form-urlencoded");
            Body::from(form.to_owned())
        }
        None => Body::empty(),
    };
    app.send(Port::Public, request.body(body).unwrap()).await
}

async fn bearer(app: &TestApp, token: &str) -> TestResponse {
    let header = format!("Bearer {token}");
    userinfo(app, Method::GET, "/userinfo", Some(&header), None).await
}

fn challenge(res: &TestResponse) -> &str {
    res.headers
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

/// A 401 with the Hydra body `code` and an RFC 6750 `invalid_token` challenge.
fn assert_invalid_token(res: &TestResponse, code: &str) {
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    assert_eq!(res.json["error"], code, "{}", res.text);
    assert!(res.json["error_description"].is_string(), "{}", res.text);
    assert!(
        challenge(res).starts_with("Bearer error=\"invalid_token\", error_description=\""),
        "{}",
        challenge(res)
    );
    assert_eq!(res.headers["cache-control"], "no-store");
}

store_test! {
    async fn claims_come_by_header_or_form_body(store: SqlStore) {
        let app = TestApp::with_store(store, flow_config(&[]));
        register(&app, "web", json!({})).await;
        let tokens = code_tokens(&app, "web", "openid offline", session()).await;
        let at = tokens["access_token"].as_str().unwrap();

        let res = bearer(&app, at).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(
            res.json,
            json!({"sub": "alice", "acr": "urn:pwd", "email": "alice@example.com", "email_verified": true})
        );
        assert!(res.headers["content-type"].to_str().unwrap().starts_with("application/json"));
        assert_eq!(res.headers["cache-control"], "no-store");
        assert_eq!(res.headers["pragma"], "no-cache");

        // The scheme is case-insensitive; POST with a header works too.
        let lower = userinfo(&app, Method::POST, "/userinfo", Some(&format!("bearer {at}")), None).await;
        assert_eq!(lower.json, res.json, "{}", lower.text);
        // As the Hydra SDKs call it: POST, bearer header, a JSON content type.
        let sdk = Request::builder()
            .method(Method::POST)
            .uri("/userinfo")
            .header("authorization", format!("Bearer {at}"))
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let sdk = app.send(Port::Public, sdk).await;
        assert_eq!(sdk.json, res.json, "{}", sdk.text);
        // RFC 6750 §2.2: the access_token form parameter of a POST body.
        let form = format!("access_token={at}");
        let body = userinfo(&app, Method::POST, "/userinfo", None, Some(&form)).await;
        assert_eq!(body.status, StatusCode::OK, "{}", body.text);
        assert_eq!(body.json, res.json);

        // Both at once, or in the query, is invalid_request.
        let both = userinfo(&app, Method::POST, "/userinfo", Some(&format!("Bearer {at}")), Some(&form)).await;
        assert_eq!(both.status, StatusCode::BAD_REQUEST, "{}", both.text);
        assert_eq!(both.json["error"], "invalid_request");
        assert!(challenge(&both).starts_with("Bearer error=\"invalid_request\""), "{}", challenge(&both));
        let query = userinfo(&app, Method::GET, &format!("/userinfo?access_token={at}"), None, None).await;
        assert_eq!(query.status, StatusCode::BAD_REQUEST, "{}", query.text);
        assert_eq!(query.json["error"], "invalid_request");
        // A GET body is not a token transport (RFC 6750 §2.2 is POST only).
        let get_body = userinfo(&app, Method::GET, "/userinfo", None, Some(&form)).await;
        assert_eq!(get_body.status, StatusCode::UNAUTHORIZED, "{}", get_body.text);
    }

    async fn missing_bad_refresh_and_revoked_tokens_are_401(store: SqlStore) {
        let app = TestApp::with_store(store, flow_config(&[]));
        register(&app, "web", json!({})).await;

        // RFC 6750 §3.1: no credentials, no error code in the challenge.
        for authorization in [None, Some("Basic d2ViOnNlY3JldA=="), Some("Bearer ")] {
            let res = userinfo(&app, Method::GET, "/userinfo", authorization, None).await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
            assert_eq!(challenge(&res), "Bearer");
            assert_eq!(res.json["error"], "request_unauthorized");
        }
        for junk in ["junk", "oxy_at_AAAA.BBBB", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
            assert_invalid_token(&bearer(&app, junk).await, "request_unauthorized");
        }

        let tokens = code_tokens(&app, "web", "openid offline", session()).await;
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let res = bearer(&app, refresh).await;
        assert_invalid_token(&res, "request_unauthorized");
        assert!(res.json["error_hint"].as_str().unwrap().contains("refresh token"), "{}", res.text);
        // An ID token is not an access token either.
        assert_invalid_token(&bearer(&app, tokens["id_token"].as_str().unwrap()).await, "request_unauthorized");

        let at = tokens["access_token"].as_str().unwrap();
        assert_eq!(bearer(&app, at).await.status, StatusCode::OK);
        let revoked = app
            .form(Port::Public, "/oauth2/revoke", &[("token", refresh)], Some(("web", crate::oidc_flow::SECRET)))
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
        assert_invalid_token(&bearer(&app, at).await, "request_unauthorized");
    }

    async fn expired_tokens_are_token_expired(store: SqlStore) {
        let app = TestApp::with_store(store, flow_config(&[("ACCESS_TOKEN_LIFESPAN", "10m")]));
        register(&app, "web", json!({})).await;
        let tokens = code_tokens(&app, "web", "openid", session()).await;
        let at = tokens["access_token"].as_str().unwrap();
        app.clock.advance_secs(599);
        assert_eq!(bearer(&app, at).await.status, StatusCode::OK);
        app.clock.advance_secs(1);
        assert_invalid_token(&bearer(&app, at).await, "token_expired");
    }

    async fn tokens_without_openid_are_403_insufficient_scope(store: SqlStore) {
        let app = TestApp::with_store(store, flow_config(&[]));
        register(&app, "svc", json!({})).await;
        let res = token(&app, "svc", &[("grant_type", "client_credentials"), ("scope", "read")]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let res = bearer(&app, res.json["access_token"].as_str().unwrap()).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        assert_eq!(res.json["error"], "insufficient_scope");
        assert!(
            challenge(&res).starts_with("Bearer error=\"insufficient_scope\"")
                && challenge(&res).ends_with("scope=\"openid\""),
            "{}",
            challenge(&res)
        );

        // The code flow without openid: the same.
        register(&app, "web", json!({})).await;
        let tokens = code_tokens(&app, "web", "read", session()).await;
        let res = bearer(&app, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    }

    async fn signed_userinfo_verifies_with_the_published_keys(store: SqlStore) {
        let app = TestApp::with_store(store, flow_config(&[]));
        register(&app, "signed", json!({"userinfo_signed_response_alg": "RS256"})).await;
        let tokens = code_tokens(&app, "signed", "openid", session()).await;
        let res = bearer(&app, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.headers["content-type"], "application/jwt");
        assert_eq!(res.headers["cache-control"], "no-store");
        let (header, claims) = verify_with_jwks(&app, &res.text).await;
        assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
        // Signed by the ID-token key, as the ID token of the same grant.
        let (id_header, _) = verify_with_jwks(&app, tokens["id_token"].as_str().unwrap()).await;
        assert_eq!(header.kid, id_header.kid);
        assert_eq!(
            claims,
            json!({
                "sub": "alice",
                "acr": "urn:pwd",
                "email": "alice@example.com",
                "email_verified": true,
                "iss": ISSUER,
                "aud": ["signed"],
            })
        );
    }

    async fn signed_userinfo_and_id_tokens_use_the_clients_algorithms(store: SqlStore) {
        let app = TestApp::with_store(store, flow_config(&[]));
        let body = json!({"userinfo_signed_response_alg": "EdDSA", "id_token_signed_response_alg": "ES256"});
        register(&app, "mixed", body).await;
        let tokens = code_tokens(&app, "mixed", "openid", session()).await;
        let res = bearer(&app, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.headers["content-type"], "application/jwt");
        let (header, claims) = verify_with_jwks(&app, &res.text).await;
        assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
        assert_eq!(claims["sub"], "alice");
        let (id_header, id_claims) = verify_with_jwks(&app, tokens["id_token"].as_str().unwrap()).await;
        assert_eq!(id_header.alg, jsonwebtoken::Algorithm::ES256);
        assert_ne!(id_header.kid, header.kid);
        assert_eq!(id_claims["aud"], json!(["mixed"]));
    }

    async fn pairwise_clients_see_their_pairwise_subject(store: SqlStore) {
        let app = TestApp::with_store(
            store,
            flow_config(&[
                ("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise"),
                ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-pairwise-salt-of-some-length"),
            ]),
        );
        register(&app, "pw", json!({"subject_type": "pairwise"})).await;
        let tokens = code_tokens(&app, "pw", "openid", session()).await;
        let at = tokens["access_token"].as_str().unwrap();
        let res = bearer(&app, at).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let sub = res.json["sub"].as_str().unwrap();
        assert_ne!(sub, "alice");
        assert_eq!(sub.len(), 64, "{sub}");
        let (_, id_token) = verify_with_jwks(&app, tokens["id_token"].as_str().unwrap()).await;
        assert_eq!(id_token["sub"], sub);
        let info = introspect(&app, at).await;
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["obfuscated_subject"], sub);
    }
}

/// CORS applies as on every public endpoint; a browser app sending `Authorization` needs it in
/// `CORS_ALLOWED_HEADERS`, as with Hydra.
#[tokio::test]
async fn cors_preflights_allow_the_authorization_header_when_configured() {
    let app = TestApp::new(&[
        ("CORS_ENABLED", "true"),
        ("CORS_ALLOWED_ORIGINS", "https://spa.example"),
        ("CORS_ALLOWED_HEADERS", "Authorization,Content-Type"),
    ])
    .await;
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/userinfo")
        .header("origin", "https://spa.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .body(Body::empty())
        .unwrap();
    let res = app.send(Port::Public, preflight).await;
    assert_eq!(
        res.headers["access-control-allow-origin"],
        "https://spa.example"
    );
    let allowed = res.headers["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(
        allowed.to_ascii_lowercase().contains("authorization"),
        "{allowed}"
    );
    // DPoP (RFC 9449) from a browser: the proof header is allowed, the nonce readable.
    assert!(allowed.to_ascii_lowercase().contains("dpop"), "{allowed}");
    let request = Request::builder()
        .uri("/userinfo")
        .header("origin", "https://spa.example")
        .header("authorization", "Bearer nope")
        .body(Body::empty())
        .unwrap();
    let res = app.send(Port::Public, request).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers["access-control-allow-origin"],
        "https://spa.example"
    );
    let exposed = res.headers["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(
        exposed.to_ascii_lowercase().contains("dpop-nonce"),
        "{exposed}"
    );
}
