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
