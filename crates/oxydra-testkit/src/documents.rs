//! A document server on `127.0.0.1:0` for the URLs client metadata points at (`jwks_uri`,
//! `sector_identifier_uri`, `request_uri`): bound before it is spawned, so tests never wait. Plain http on
//! loopback, which Oxydra fetches only in development mode — exactly what tests of both modes
//! need.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use tokio::task::JoinHandle;

/// A running document server; it stops when dropped.
pub struct DocumentServer {
    base: String,
    hits: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl DocumentServer {
    /// Serves `body` as JSON at `path` (e.g. `/sector.json`).
    pub async fn json(path: &str, body: serde_json::Value) -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&hits);
        let app = Router::new().route(
            path,
            get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let body = body.clone();
                async move { axum::Json(body) }
            }),
        );
        Self::serve(app, hits).await
    }

    /// Serves each `(path, content type, body)` as is: for documents that are not JSON
    /// (request objects by reference, `application/oauth-authz-req+jwt`).
    pub async fn text(documents: Vec<(String, &'static str, String)>) -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let mut app = Router::new();
        for (path, content_type, body) in documents {
            let counted = Arc::clone(&hits);
            app = app.route(
                &path,
                get(move || {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let body = body.clone();
                    async move { ([(axum::http::header::CONTENT_TYPE, content_type)], body) }
                }),
            );
        }
        Self::serve(app, hits).await
    }

    async fn serve(app: Router, hits: Arc<AtomicUsize>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot bind a loopback port: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no local address: {e}"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base: format!("http://{addr}"),
            hits,
            task,
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The port it listens on (to build `https://…:<port>` URLs a fetch must refuse).
    pub fn port(&self) -> &str {
        self.base.rsplit(':').next().unwrap_or("")
    }

    /// How many requests it answered.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for DocumentServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
