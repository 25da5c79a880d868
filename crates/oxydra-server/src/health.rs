//! Health and version endpoints, served on both ports because load balancers probe either:
//! Hydra 1.0.0-beta's `/health/alive`, `/health/ready`, `/health/status` and `/version`, and the
//! 0.x (alpha1) `/health` and `/health/stats` (`shared/spec/behaviour.md` §13).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use oxydra_api::paths::{HEALTH, HEALTH_ALIVE, HEALTH_READY, HEALTH_STATS, HEALTH_STATUS, VERSION};
use oxydra_api::{HealthNotReadyStatus, HealthStats, HealthStatus, Version};
use std::time::Duration;

use oxydra_core::store::{Store, StoreError};

use crate::state::AppState;

/// `/health/alive`, `/health/ready`, `/health/status` (308 to alive), `/version`, and 0.x's
/// `/health` (as alive) and `/health/stats`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(HEALTH_ALIVE, get(alive))
        .route(HEALTH_READY, get(ready))
        .route(
            HEALTH_STATUS,
            get(|| async { Redirect::permanent(HEALTH_ALIVE) }),
        )
        .route(VERSION, get(version))
        .route(HEALTH, get(alive))
        .route(HEALTH_STATS, get(stats))
}

async fn alive() -> axum::Json<HealthStatus> {
    axum::Json(HealthStatus::ok())
}

/// How long the readiness check waits for the database: shorter than the probes of load
/// balancers and orchestrators, so they see "not ready" rather than a hang.
pub const READY_TIMEOUT: Duration = Duration::from_millis(750);

/// Ready when the database answers within [`READY_TIMEOUT`]; otherwise 503 with the failing
/// check.
async fn ready(State(state): State<AppState>) -> Response {
    let checked = tokio::time::timeout(READY_TIMEOUT, state.store.ping())
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(
                format!("no answer within {} ms", READY_TIMEOUT.as_millis()).into(),
            ))
        });
    match checked {
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

/// This instance's request counters, latencies and memory (0.x `getInstanceStatistics`).
async fn stats(State(state): State<AppState>) -> axum::Json<HealthStats> {
    axum::Json(state.metrics.snapshot())
}
