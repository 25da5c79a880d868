//! `GET /metrics/prometheus`: scraped after a code flow, a token and a failed client
//! authentication, and read back with a Prometheus text-format parser.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_testkit::app::{Port, TestApp, memory_store, test_config};
use prometheus_parse::{Sample, Scrape, Value};
use serde_json::json;

use crate::flows_admin::{client, consent_request, login_request, put};
use crate::oidc_flow::{authorize, code_tokens, flow_config, register};

/// Scrapes `port` and parses the body.
async fn scrape(app: &TestApp, port: Port) -> (String, Scrape) {
    let res = app
        .json(port, Method::GET, "/metrics/prometheus", None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let lines = res.text.lines().map(|l| Ok(l.to_owned()));
    let parsed = Scrape::parse(lines).expect("a Prometheus text exposition");
    (res.text, parsed)
}

/// The samples of `metric` whose labels include every pair of `labels`.
fn find<'a>(scrape: &'a Scrape, metric: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .collect()
}

/// The value of the one counter or gauge `metric` with `labels`.
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    let found = find(scrape, metric, labels);
    assert_eq!(found.len(), 1, "{metric} {labels:?}: {found:?}");
    match found[0].value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
        ref other => panic!("{metric} is {other:?}"),
    }
}

#[tokio::test]
async fn metrics_count_requests_tokens_flows_and_failures() {
    let app = TestApp::with_store(memory_store().await, flow_config(&[]));
    app.state.ensure_signing_keys().await.unwrap();
    register(&app, "secret-client-id-4711", json!({})).await;
    let session = json!({});
    let tokens = code_tokens(&app, "secret-client-id-4711", "openid offline", session).await;
    assert!(tokens["refresh_token"].is_string());
    let failed = app
        .form(
            Port::Public,
            "/oauth2/token",
            &[("grant_type", "client_credentials")],
            Some(("secret-client-id-4711", "wrong")),
        )
        .await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED, "{}", failed.text);

    let (text, m) = scrape(&app, Port::Admin).await;
    assert!(!text.contains("secret-client-id-4711"), "{text}");
    assert!(!text.contains("alice"), "no subject in the output");

    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(value(&m, "oxydra_build_info", &[("version", version)]), 1.0);
    let issued = |grant, kind| {
        value(
            &m,
            "oxydra_tokens_issued_total",
            &[("grant_type", grant), ("token_kind", kind)],
        )
    };
    assert_eq!(issued("authorization_code", "authorization_code"), 1.0);
    assert_eq!(issued("authorization_code", "access_token"), 1.0);
    assert_eq!(issued("authorization_code", "refresh_token"), 1.0);
    assert_eq!(issued("authorization_code", "id_token"), 1.0);
    assert_eq!(issued("client_credentials", "access_token"), 0.0);
    let failures = "oxydra_client_authentication_failures_total";
    assert_eq!(value(&m, failures, &[("endpoint", "token")]), 1.0);
    assert_eq!(value(&m, failures, &[("endpoint", "revoke")]), 0.0);
    let flows = |flow, outcome| {
        value(
            &m,
            "oxydra_flow_requests_total",
            &[("flow", flow), ("outcome", outcome)],
        )
    };
    for flow in ["login", "consent"] {
        assert_eq!(flows(flow, "started"), 1.0, "{flow}");
        assert_eq!(flows(flow, "accepted"), 1.0, "{flow}");
        assert_eq!(flows(flow, "rejected"), 0.0, "{flow}");
        assert_eq!(flows(flow, "expired"), 0.0, "{flow}");
    }

    let token_ok = [
        ("route", "/oauth2/token"),
        ("method", "POST"),
        ("status_class", "2xx"),
    ];
    assert_eq!(value(&m, "oxydra_http_requests_total", &token_ok), 1.0);
    let token_4xx = [
        ("route", "/oauth2/token"),
        ("method", "POST"),
        ("status_class", "4xx"),
    ];
    assert_eq!(value(&m, "oxydra_http_requests_total", &token_4xx), 1.0);
    let hist = find(&m, "oxydra_http_request_duration_seconds", &token_ok);
    assert_eq!(hist.len(), 1, "{hist:?}");
    let Value::Histogram(buckets) = &hist[0].value else {
        panic!("{:?}", hist[0]);
    };
    assert_eq!(buckets.len(), 17, "16 bounds and +Inf");
    assert!(buckets.windows(2).all(|w| w[0].count <= w[1].count));
    assert_eq!(
        buckets.last().map(|b| (b.less_than, b.count)),
        Some((f64::INFINITY, 1.0))
    );
    let count = value(&m, "oxydra_http_request_duration_seconds_count", &token_ok);
    assert_eq!(count, 1.0);
    let authorize = [
        ("route", "/oauth2/auth"),
        ("method", "GET"),
        ("status_class", "3xx"),
    ];
    assert_eq!(value(&m, "oxydra_http_requests_total", &authorize), 3.0);

    // Every store statement is timed: this test's requests ran many.
    let queries = find(&m, "oxydra_db_query_duration_seconds", &[]);
    let Some(Value::Histogram(buckets)) = queries.first().map(|s| &s.value) else {
        panic!("{queries:?}");
    };
    assert_eq!(buckets.len(), 13, "12 bounds and +Inf");
    assert!(
        buckets.last().is_some_and(|b| b.count >= 10.0),
        "{buckets:?}"
    );
    assert!(value(&m, "oxydra_db_query_duration_seconds_count", &[]) >= 10.0);

    let in_use = value(&m, "oxydra_db_pool_connections", &[("state", "in_use")]);
    let idle = value(&m, "oxydra_db_pool_connections", &[("state", "idle")]);
    assert!(in_use + idle >= 1.0, "{in_use} {idle}");
    let age = value(
        &m,
        "oxydra_signing_key_cache_age_seconds",
        &[("set", "hydra.openid.id-token")],
    );
    assert!(age >= 0.0, "{age}");

    // `/health/stats` still reads the same counters.
    let stats = app
        .json(Port::Admin, Method::GET, "/health/stats", None)
        .await;
    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(stats.json["paths"]["/oauth2/token"]["responses"], 2);
}

#[tokio::test]
async fn metrics_are_on_the_admin_port_only() {
    let app = TestApp::new(&[]).await;
    let public = app
        .json(Port::Public, Method::GET, "/metrics/prometheus", None)
        .await;
    assert_eq!(public.status, StatusCode::NOT_FOUND);
    let (_, m) = scrape(&app, Port::Admin).await;
    assert!(!find(&m, "oxydra_uptime_seconds", &[]).is_empty());
}

#[tokio::test]
async fn a_scraper_preferring_openmetrics_gets_the_text_format_0_0_4() {
    let app = TestApp::new(&[]).await;
    // Prometheus prefers OpenMetrics in its `Accept` header and parses what it gets by
    // `Content-Type`; we answer 0.0.4 to everyone.
    let accept = "application/openmetrics-text;version=1.0.0;q=0.5,\
                  application/openmetrics-text;version=0.0.1;q=0.4,\
                  text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    let request = Request::builder()
        .uri("/metrics/prometheus")
        .header("accept", accept)
        .body(Body::empty())
        .unwrap();
    let res = app.send(Port::Admin, request).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(!res.text.contains("# EOF"), "{}", res.text);
    assert!(
        res.text
            .lines()
            .any(|l| l == "# TYPE oxydra_http_requests_total counter"),
        "{}",
        res.text
    );
}

#[tokio::test]
async fn in_010_mode_metrics_are_on_the_single_port() {
    let app = TestApp::new(&[
        ("COMPAT_API_VERSION", "0.10"),
        ("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN", "true"),
    ])
    .await;
    let (_, m) = scrape(&app, Port::Public).await;
    assert_eq!(
        value(
            &m,
            "oxydra_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
}

#[tokio::test]
async fn rejected_login_and_consent_requests_are_counted() {
    let app = TestApp::with_store(memory_store().await, test_config(&[]));
    client(&app, "app").await;
    let login = login_request(&app, "app", false).await;
    let path = format!(
        "/oauth2/auth/requests/login/reject?login_challenge={}",
        login.challenge.as_str()
    );
    let res = put(&app, &path, json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let consent = consent_request(&app, "app", "bob", false).await;
    let path = format!(
        "/oauth2/auth/requests/consent/reject?consent_challenge={}",
        consent.challenge.as_str()
    );
    let res = put(&app, &path, json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let (_, m) = scrape(&app, Port::Admin).await;
    for flow in ["login", "consent"] {
        let labels = [("flow", flow), ("outcome", "rejected")];
        assert_eq!(
            value(&m, "oxydra_flow_requests_total", &labels),
            1.0,
            "{flow}"
        );
        let labels = [("flow", flow), ("outcome", "accepted")];
        assert_eq!(
            value(&m, "oxydra_flow_requests_total", &labels),
            0.0,
            "{flow}"
        );
    }
}

#[tokio::test]
async fn tokens_the_authorization_endpoint_hands_out_count_as_implicit() {
    let app = TestApp::with_store(memory_store().await, flow_config(&[]));
    app.state.ensure_signing_keys().await.unwrap();
    register(&app, "implicit-app", json!({})).await;
    let query = "&response_type=id_token%20token&scope=openid";
    let to_client = authorize(&app, "implicit-app", query, json!({})).await;
    assert!(to_client.contains("access_token="), "{to_client}");

    let (_, m) = scrape(&app, Port::Admin).await;
    let issued = |kind| {
        value(
            &m,
            "oxydra_tokens_issued_total",
            &[("grant_type", "implicit"), ("token_kind", kind)],
        )
    };
    assert_eq!(issued("access_token"), 1.0);
    assert_eq!(issued("id_token"), 1.0);
    assert_eq!(issued("refresh_token"), 0.0);
}
