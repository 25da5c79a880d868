use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_testkit::app::{Port, TestApp};

#[tokio::test]
async fn unrouted_paths_and_wrong_methods_get_json_errors() {
    let app = TestApp::new(&[]).await;
    let res = app.json(Port::Admin, Method::GET, "/nope", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json["error"], "not_found");
    let res = app.json(Port::Admin, Method::PATCH, "/clients", None).await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.json["error"], "method_not_allowed");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::new(&[]).await;
    let res = app
        .json(Port::Admin, Method::GET, "/health/alive", None)
        .await;
    assert!(
        res.headers
            .get("x-request-id")
            .is_some_and(|v| !v.is_empty())
    );
    let req = Request::builder()
        .uri("/health/alive")
        .header("x-request-id", "given-id")
        .body(Body::empty())
        .unwrap();
    let res = app.send(Port::Admin, req).await;
    assert_eq!(
        res.headers["x-request-id"], "given-id",
        "a caller's request id is kept"
    );
}

#[tokio::test]
async fn cors_answers_preflights_for_allowed_origins_only() {
    let app = TestApp::new(&[
        ("CORS_ENABLED", "true"),
        ("CORS_ALLOWED_ORIGINS", "https://*.example.com"),
    ])
    .await;
    let preflight = |origin: &'static str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/health/alive")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .unwrap()
    };
    let ok = app
        .send(Port::Public, preflight("https://app.example.com"))
        .await;
    assert_eq!(
        ok.headers["access-control-allow-origin"],
        "https://app.example.com"
    );
    let denied = app.send(Port::Public, preflight("https://evil.test")).await;
    assert!(denied.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn termination_guard_requires_trusted_proxy_and_forwarded_https() {
    let app = TestApp::new(&[
        ("OXYDRA_DANGEROUS_FORCE_HTTP", "false"),
        ("OAUTH2_ISSUER_URL", "https://auth.example.com"),
        ("HTTPS_ALLOW_TERMINATION_FROM", "127.0.0.0/8"),
    ])
    .await;
    let plain = app.json(Port::Admin, Method::GET, "/version", None).await;
    assert_eq!(plain.status, StatusCode::BAD_GATEWAY);
    assert_eq!(plain.json["error"], "insecure_transport");
    let health = app
        .json(Port::Admin, Method::GET, "/health/alive", None)
        .await;
    assert_eq!(health.status, StatusCode::OK, "health probes are exempt");
    let req = Request::builder()
        .uri("/version")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .unwrap();
    let forwarded = app.send(Port::Admin, req).await;
    assert_eq!(forwarded.status, StatusCode::OK, "{}", forwarded.text);

    let outside = TestApp::new(&[
        ("OXYDRA_DANGEROUS_FORCE_HTTP", "false"),
        ("OAUTH2_ISSUER_URL", "https://auth.example.com"),
        ("HTTPS_ALLOW_TERMINATION_FROM", "10.0.0.0/8"),
    ])
    .await;
    let req = Request::builder()
        .uri("/version")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .unwrap();
    let res = outside.send(Port::Admin, req).await;
    assert_eq!(
        res.status,
        StatusCode::BAD_GATEWAY,
        "a proxy outside the CIDR is not trusted"
    );
}
