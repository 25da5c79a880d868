//! `GET /.well-known/openid-configuration` (OIDC Discovery 1.0 §4): the document is built once
//! from the configuration (`crate::state::discovery`) and served from memory.

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::state::AppState;

/// Serves the cached document.
pub(crate) async fn discovery(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        state.discovery.clone(),
    )
}
