//! The span of one HTTP request, as the tower-http trace layer opens and closes it.
//!
//! Logged, it names the raw path; exported, only the route template (`/clients/{id}`), the
//! method and the status, because raw paths can hold subjects (the login-session routes)
//! and consent ids.

use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, Response};
use tower_http::trace::{DefaultOnResponse, OnResponse};
use tracing::Span;
use tracing::field::Empty;

/// The request id header: `middleware::wrap` sets it before the span opens, which logs it.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Opens the request's span: `request{method path request_id}` for the logs; while spans are
/// exported, `GET /route/{template}` (a server span, child of an incoming `traceparent`).
pub fn request_span(request: &Request) -> Span {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let method = request.method();
    if !super::exporting() {
        return tracing::info_span!(
            "request",
            method = %method,
            path = %request.uri().path(),
            request_id = %request_id,
        );
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unrouted)", MatchedPath::as_str);
    let span = tracing::info_span!(
        "request",
        otel.name = format!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = Empty,
        http.request.method = %method,
        http.route = route,
        http.response.status_code = Empty,
        request_id = %request_id,
    );
    super::set_remote_parent(&span, request.headers());
    span
}

/// Closes the request's span: the status (and, for 5xx, an error status) recorded on it, then
/// tower-http's usual debug line.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordStatus;

impl<B> OnResponse<B> for RecordStatus {
    fn on_response(self, response: &Response<B>, latency: Duration, span: &Span) {
        if super::exporting() {
            let status = response.status();
            span.record("http.response.status_code", i64::from(status.as_u16()));
            if status.is_server_error() {
                span.record("otel.status_code", "error");
            }
        }
        DefaultOnResponse::default().on_response(response, latency, span);
    }
}
