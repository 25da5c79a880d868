//! Real listeners on `127.0.0.1:0` serving the real routers: for end-to-end tests that drive
//! Oxydra with real HTTP and OAuth 2.0 client crates. Both sockets are bound before anything is
//! spawned, so no test waits or sleeps; the issuer is the bound public URL.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use oxydra_core::clock::FixedClock;
use oxydra_core::model::Now;
use oxydra_server::app::{AppState, admin_router, public_router};
use oxydra_store::SqlStore;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::app::test_config;

/// A running Oxydra on loopback; the servers stop when it is dropped.
pub struct TestServer {
    /// `http://127.0.0.1:<port>` of the public port (also the issuer).
    pub public_url: String,
    /// `http://127.0.0.1:<port>` of the admin port.
    pub admin_url: String,
    /// The shared state (store, config, keys).
    pub state: AppState,
    /// The clock the server reads; advance it to test expiry.
    pub clock: Arc<FixedClock>,
    tasks: Vec<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `store` with [`test_config`]`(extra)` plus the bound issuer.
    pub async fn start(store: SqlStore, extra: &[(&str, &str)]) -> Self {
        let public = bind().await;
        let admin = bind().await;
        let public_url = url_of(&public);
        let admin_url = url_of(&admin);
        let mut env: Vec<(&str, &str)> = vec![("OAUTH2_ISSUER_URL", &public_url)];
        env.extend_from_slice(extra);
        let config = test_config(&env);
        let clock = Arc::new(FixedClock::new(Now::from_unix_secs(1_700_000_000)));
        let state = AppState::with_clock(config, store, clock.clone())
            .unwrap_or_else(|e| panic!("cannot build the app state: {e}"));
        // As `oxydra serve` does once the admin listener is bound (the demo app calls it).
        let _ = state.admin_url.set(admin_url.clone());
        let tasks = vec![
            spawn(public, public_router(state.clone())),
            spawn(admin, admin_router(state.clone())),
        ];
        Self {
            public_url,
            admin_url,
            state,
            clock,
            tasks,
        }
    }

    /// `<public_url><path>`.
    pub fn public(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// `<admin_url><path>`.
    pub fn admin(&self, path: &str) -> String {
        format!("{}{path}", self.admin_url)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("cannot bind a loopback port: {e}"))
}

fn url_of(listener: &TcpListener) -> String {
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("no local address: {e}"));
    format!("http://{addr}")
}

fn spawn(listener: TcpListener, router: Router) -> JoinHandle<()> {
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, service).await {
            panic!("test server failed: {e}");
        }
    })
}
