//! An in-process Oxydra: real routers and a real (in-memory SQLite) store, driven with
//! `tower::ServiceExt::oneshot` — no sockets, no sleeps.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use oxydra_core::clock::FixedClock;
use oxydra_core::model::Now;
use oxydra_server::app::{AppState, admin_router, public_router};
use oxydra_server::config::Config;
use oxydra_store::{Dsn, OpenOptions, SqlStore};
use tower::ServiceExt;

/// The system secret tests use (never a real deployment's).
pub const TEST_SYSTEM_SECRET: &str = "test-system-secret-0123456789abcdef";

/// A minimal valid environment for tests: plain HTTP on loopback, cheap bcrypt, in-memory DB.
pub fn test_env() -> BTreeMap<String, String> {
    [
        ("DATABASE_URL", "memory"),
        ("SYSTEM_SECRET", TEST_SYSTEM_SECRET),
        ("BCRYPT_COST", "4"),
        ("OAUTH2_ISSUER_URL", "http://127.0.0.1:4444"),
        ("PUBLIC_HOST", "127.0.0.1"),
        ("ADMIN_HOST", "127.0.0.1"),
        ("PUBLIC_PORT", "0"),
        ("ADMIN_PORT", "0"),
        ("LOG_LEVEL", "warn"),
        // RSA 2048 signing keys: generating a 4096-bit key per test server costs ~1 s.
        ("OXYDRA_RSA_KEY_BITS", "2048"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Loads a configuration from [`test_env`] plus `extra` variables, in dev (plain HTTP) mode
/// unless `extra` sets `OXYDRA_DANGEROUS_FORCE_HTTP=false`.
pub fn test_config(extra: &[(&str, &str)]) -> Config {
    let mut env = test_env();
    env.insert("OXYDRA_DANGEROUS_FORCE_HTTP".into(), "true".into());
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    match Config::load(&env, &[]) {
        Ok(config) => config,
        Err(e) => panic!("test configuration is invalid: {e}"),
    }
}

/// Opens a fresh, migrated in-memory store.
pub async fn memory_store() -> SqlStore {
    let dsn = Dsn::parse("memory").unwrap_or_else(|e| panic!("memory DSN: {e}"));
    match SqlStore::open(&dsn, &OpenOptions::default()).await {
        Ok(opened) => opened.store,
        Err(e) => panic!("cannot open the in-memory store: {e}"),
    }
}

/// Which router a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    /// The public port.
    Public,
    /// The admin port.
    Admin,
}

/// Both routers over one state, with a settable clock.
pub struct TestApp {
    /// The shared state (store, config, clock).
    pub state: AppState,
    /// The clock the state reads; advance it to test expiry.
    pub clock: Arc<FixedClock>,
    public: Router,
    admin: Router,
}

/// A response with its body read and (when JSON) parsed.
#[derive(Debug)]
pub struct TestResponse {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub text: String,
    /// The body parsed as JSON (`Null` when it is not JSON).
    pub json: serde_json::Value,
}

impl TestApp {
    /// An app over a fresh in-memory store with [`test_config`]`(extra)`.
    pub async fn new(extra: &[(&str, &str)]) -> Self {
        Self::with_store(memory_store().await, test_config(extra))
    }

    /// An app over the given store and configuration.
    pub fn with_store(store: SqlStore, config: Config) -> Self {
        let clock = Arc::new(FixedClock::new(Now::from_unix_secs(1_700_000_000)));
        let state = AppState::with_clock(config, store, clock.clone())
            .unwrap_or_else(|e| panic!("cannot build the app state: {e}"));
        Self {
            public: public_router(state.clone()),
            admin: admin_router(state.clone()),
            state,
            clock,
        }
    }

    /// The app's current (fixed, settable) time.
    pub fn clock_now(&self) -> Now {
        use oxydra_core::clock::Clock as _;
        self.clock.now()
    }

    /// Sends a request built by the caller to one port, from 127.0.0.1.
    pub async fn send(&self, port: Port, mut request: Request<Body>) -> TestResponse {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        let router = match port {
            Port::Public => self.public.clone(),
            Port::Admin => self.admin.clone(),
        };
        let response = match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("reading the body failed: {e}"));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        TestResponse {
            status,
            headers,
            text,
            json,
        }
    }

    /// Sends `method path` with an optional JSON body.
    pub async fn json(
        &self,
        port: Port,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> TestResponse {
        let builder = Request::builder().method(method).uri(path);
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(
            port,
            request.unwrap_or_else(|e| panic!("bad test request: {e}")),
        )
        .await
    }

    /// Sends a raw body with the given content type.
    pub async fn raw(
        &self,
        port: Port,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", content_type)
            .body(body.into())
            .unwrap_or_else(|e| panic!("bad test request: {e}"));
        self.send(port, request).await
    }

    /// Sends an `application/x-www-form-urlencoded` POST with optional HTTP Basic client
    /// credentials (id and secret form-URL-encoded first, as RFC 6749 §2.3.1 requires).
    pub async fn form(
        &self,
        port: Port,
        path: &str,
        fields: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> TestResponse {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some((id, secret)) = basic {
            builder = builder.header("authorization", basic_auth(id, secret));
        }
        let request = builder
            .body(Body::from(body))
            .unwrap_or_else(|e| panic!("bad test request: {e}"));
        self.send(port, request).await
    }
}

/// `Basic base64(urlenc(id):urlenc(secret))` (RFC 6749 §2.3.1).
pub fn basic_auth(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", enc(id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}
