use axum::http::{Method, StatusCode};
use oxydra_testkit::app::{Port, TestApp};
use serde_json::json;

#[tokio::test]
async fn alive_ready_and_version_on_both_ports() {
    let app = TestApp::new(&[]).await;
    for port in [Port::Public, Port::Admin] {
        let alive = app.json(port, Method::GET, "/health/alive", None).await;
        assert_eq!(
            (alive.status, alive.json.clone()),
            (StatusCode::OK, json!({"status": "ok"}))
        );
        let ready = app.json(port, Method::GET, "/health/ready", None).await;
        assert_eq!(
            (ready.status, ready.json.clone()),
            (StatusCode::OK, json!({"status": "ok"}))
        );
        let version = app.json(port, Method::GET, "/version", None).await;
        assert_eq!(version.json["version"], env!("CARGO_PKG_VERSION"));
        let status = app.json(port, Method::GET, "/health/status", None).await;
        assert_eq!(status.status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(status.headers["location"], "/health/alive");
    }
}

#[tokio::test]
async fn ready_is_503_when_the_database_is_down() {
    let app = TestApp::new(&[]).await;
    app.state.store.close().await;
    let ready = app
        .json(Port::Admin, Method::GET, "/health/ready", None)
        .await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        ready.json["errors"]["database"].is_string(),
        "{}",
        ready.text
    );
    let alive = app
        .json(Port::Admin, Method::GET, "/health/alive", None)
        .await;
    assert_eq!(
        alive.status,
        StatusCode::OK,
        "liveness does not depend on the database"
    );
}

#[tokio::test]
async fn legacy_health_is_ok_on_both_ports() {
    let app = TestApp::new(&[]).await;
    for port in [Port::Public, Port::Admin] {
        let health = app.json(port, Method::GET, "/health", None).await;
        assert_eq!(
            (health.status, health.json),
            (StatusCode::OK, json!({"status": "ok"}))
        );
    }
}

/// The figures of one slice (`methods.GET`, `paths./clients/{id}`, ...), zero when absent.
fn counts(stats: &serde_json::Value, group: &str, key: &str) -> (u64, u64) {
    let slice = &stats[group][key];
    (
        slice["requests"].as_u64().unwrap_or(0),
        slice["responses"].as_u64().unwrap_or(0),
    )
}

/// Sum of a `latencies` histogram.
fn histogram_total(latencies: &serde_json::Value) -> u64 {
    latencies
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn stats_count_requests_by_method_status_and_route_template() {
    let app = TestApp::new(&[]).await;
    let before = app
        .json(Port::Admin, Method::GET, "/health/stats", None)
        .await;
    assert_eq!(before.status, StatusCode::OK);
    let id = before.json["id"].as_str().unwrap().to_owned();
    assert!(uuid_like(&id), "{id}");

    for client in ["a", "b", "c"] {
        let got = app
            .json(
                Port::Admin,
                Method::GET,
                &format!("/clients/{client}"),
                None,
            )
            .await;
        assert_eq!(got.status, StatusCode::NOT_FOUND);
    }
    app.json(Port::Public, Method::DELETE, "/clients/x", None)
        .await;
    app.json(Port::Public, Method::GET, "/no/such/route", None)
        .await;
    app.json(Port::Admin, Method::POST, "/health/alive", None)
        .await;

    let stats = app
        .json(Port::Public, Method::GET, "/health/stats", None)
        .await
        .json;
    assert_eq!(stats["id"], id.as_str(), "one instance id for both ports");
    // Three GETs on the template, never on the raw paths.
    assert_eq!(counts(&stats, "paths", "/clients/{id}"), (3, 3));
    for raw in ["/clients/a", "/clients/b", "/no/such/route", "/clients/x"] {
        assert!(stats["paths"].get(raw).is_none(), "{raw} in {stats}");
    }
    // The public port has no /clients route: that and the unknown path are both unrouted.
    assert_eq!(counts(&stats, "paths", "(unrouted)"), (2, 2));
    // The wrong method on a routed path still counts under its template (405).
    assert_eq!(counts(&stats, "paths", "/health/alive"), (1, 1));
    assert_eq!(counts(&stats, "status", "405"), (1, 1));
    assert_eq!(counts(&stats, "status", "404"), (5, 5));
    assert_eq!(counts(&stats, "methods", "DELETE"), (1, 1));
    assert_eq!(counts(&stats, "methods", "POST"), (1, 1));
    // GETs: the first stats call, three client reads, the unknown path, and this stats call
    // (counted as a request, but its response is still being built).
    assert_eq!(counts(&stats, "methods", "GET"), (6, 5));
    assert_eq!(counts(&stats, "paths", "/health/stats"), (2, 1));
    assert_eq!(stats["requests"], 8);
    assert_eq!(stats["responses"], 7);
}

#[tokio::test]
async fn stats_histograms_add_up_to_the_responses() {
    let app = TestApp::new(&[]).await;
    for _ in 0..5 {
        app.json(Port::Admin, Method::GET, "/health/alive", None)
            .await;
        app.json(Port::Public, Method::GET, "/version", None).await;
    }
    let stats = app
        .json(Port::Admin, Method::GET, "/health/stats", None)
        .await
        .json;
    let responses = stats["responses"].as_u64().unwrap();
    assert_eq!(responses, 10);
    assert_eq!(histogram_total(&stats["latencies"]), responses);
    for group in ["methods", "status", "paths", "sizes"] {
        let mut sum = 0;
        for (key, slice) in stats[group].as_object().unwrap() {
            let total = histogram_total(&slice["latencies"]);
            assert_eq!(Some(total), slice["responses"].as_u64(), "{group}.{key}");
            sum += total;
        }
        assert_eq!(sum, responses, "{group} partitions the responses: {stats}");
    }
    // Every histogram key is one of the fixed bucket bounds.
    for key in stats["latencies"].as_object().unwrap().keys() {
        let bound: u64 = key.parse().unwrap();
        assert!(
            oxydra_server::metrics::LATENCY_BUCKETS_NS.contains(&bound),
            "{key}"
        );
    }
    // `{"status":"ok"}` is 15 bytes: the smallest size bucket.
    assert_eq!(counts(&stats, "sizes", "0").1, 10);
    assert!(stats["uptime"].is_u64());
    if cfg!(target_os = "linux") {
        assert!(stats["memory"]["rss"].as_u64().unwrap() > 0, "{stats}");
        assert!(stats["memory"]["peakRss"].as_u64().unwrap() > 0, "{stats}");
    }
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}
