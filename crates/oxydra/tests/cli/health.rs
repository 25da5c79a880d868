//! Health and version answer on both ports.

use oxydra_api::client::{AdminClient, ClientOptions};
use serde_json::{Value, json};

use crate::support::Server;

#[tokio::test]
async fn health_and_version_on_both_ports() {
    let server = Server::start();
    let http = reqwest::Client::new();
    for base in [&server.public, &server.admin] {
        for path in ["/health/alive", "/health/ready"] {
            let response = http.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(response.status(), 200, "{base}{path}");
            assert_eq!(
                response.json::<Value>().await.unwrap(),
                json!({"status": "ok"})
            );
        }
        let response = http.get(format!("{base}/version")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{base}/version");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"version": env!("CARGO_PKG_VERSION")}));
    }

    let admin = AdminClient::new(&server.admin, ClientOptions::default()).unwrap();
    assert_eq!(admin.health_alive().await.unwrap().status, "ok");
    assert_eq!(admin.health_ready().await.unwrap().status, "ok");
    assert_eq!(
        admin.version().await.unwrap().version,
        env!("CARGO_PKG_VERSION")
    );
}

#[tokio::test]
async fn admin_routes_are_not_on_the_public_port() {
    let server = Server::start();
    let response = reqwest::get(format!("{}/clients", server.public))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}
