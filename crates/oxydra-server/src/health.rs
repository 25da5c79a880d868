//! Health and version endpoints, served on both ports because load balancers probe either.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use oxydra_api::paths::{HEALTH_ALIVE, HEALTH_READY, HEALTH_STATUS, VERSION};
use oxydra_api::{HealthNotReadyStatus, HealthStatus, Version};
use oxydra_core::store::Store;

use crate::app::AppState;

/// `/health/alive`, `/health/ready`, `/health/status` (308 to alive) and `/version`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(HEALTH_ALIVE, get(alive))
        .route(HEALTH_READY, get(ready))
        .route(
            HEALTH_STATUS,
            get(|| async { Redirect::permanent(HEALTH_ALIVE) }),
        )
        .route(VERSION, get(version))
}

async fn alive() -> axum::Json<HealthStatus> {
    axum::Json(HealthStatus::ok())
}

/// Ready when the database answers; otherwise 503 with the failing check.
async fn ready(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => axum::Json(HealthStatus::ok()).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            let errors = [("database".to_owned(), e.to_string())]
                .into_iter()
                .collect();
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(HealthNotReadyStatus { errors }),
            )
                .into_response()
        }
    }
}

async fn version() -> axum::Json<Version> {
    axum::Json(Version {
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
