//! Cross-cutting layers: request ids, tracing, CORS, the TLS-termination guard, and JSON bodies
//! for unrouted paths and wrong methods.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use oxydra_api::paths::{HEALTH, HEALTH_ALIVE, HEALTH_READY};
use oxydra_core::{OAuthError, OAuthErrorKind};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::CorsConfig;
use crate::error::ApiError;
use crate::metrics::MetricsLayer;
use crate::state::AppState;
use crate::telemetry::REQUEST_ID;

/// Fallback for unrouted paths: a JSON 404 instead of an empty body.
pub async fn not_found() -> ApiError {
    ApiError::route_not_found()
}

/// Fallback for a routed path with another method: a JSON 405.
pub async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

/// Applies the layers every route shares, in one `Router::layer` call: axum wraps (and, per
/// request, clones) each route once per call, so one composed stack costs one wrap instead of
/// one per layer. Outermost first: the request counters, so their latencies include every other
/// layer; request ids; tracing; CORS; the TLS-termination guard.
pub fn wrap(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let guard = crate::tls::guards_termination(&state.config)
        .then(|| axum::middleware::from_fn_with_state(state.clone(), termination_guard));
    let cors = state
        .config
        .cors
        .enabled
        .then(|| cors_layer(&state.config.cors, state.config.dpop.enabled));
    let trace = TraceLayer::new_for_http()
        .make_span_with(crate::telemetry::request_span)
        .on_response(crate::telemetry::RecordStatus);
    router.layer(
        ServiceBuilder::new()
            .layer(MetricsLayer::new(state.metrics.clone()))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(trace)
            .option_layer(cors)
            .option_layer(guard),
    )
}

/// With `HTTPS_ALLOW_TERMINATION_FROM`, plain-HTTP requests are served only when they come from a
/// trusted proxy that says the client used HTTPS (`shared/spec/behaviour.md` §1.1); health
/// probes are exempt (0.x's `/health` too, as its SDK documents). Anything else gets Hydra's 502.
async fn termination_guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if [HEALTH_ALIVE, HEALTH_READY, HEALTH].contains(&path) {
        return next.run(request).await;
    }
    let from_trusted_proxy = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(addr)| {
            state
                .config
                .tls
                .allow_termination_from
                .iter()
                .any(|net| net.contains(&addr.ip()))
        });
    let forwarded_https = request
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if from_trusted_proxy && forwarded_https {
        next.run(request).await
    } else {
        ApiError::new(OAuthError::new(OAuthErrorKind::InsecureTransport)).into_response()
    }
}

/// CORS as configured by the `CORS_*` variables; `*` inside an origin is a wildcard. While
/// DPoP is on, browser apps may always send the `DPoP` header and read `DPoP-Nonce` (RFC 9449
/// is unusable from a browser otherwise).
fn cors_layer(cors: &CorsConfig, dpop: bool) -> CorsLayer {
    let origins: Vec<String> = cors.allowed_origins.clone();
    let allow_origin = if origins.is_empty() || origins.iter().any(|o| o == "*") {
        AllowOrigin::mirror_request()
    } else {
        AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin
                .to_str()
                .is_ok_and(|o| origins.iter().any(|pattern| wildcard_match(pattern, o)))
        })
    };
    let methods: Vec<Method> = cors
        .allowed_methods
        .iter()
        .filter_map(|m| m.parse().ok())
        .collect();
    let mut headers: Vec<HeaderName> = cors
        .allowed_headers
        .iter()
        .filter_map(|h| h.parse().ok())
        .collect();
    let mut exposed: Vec<HeaderName> = cors
        .exposed_headers
        .iter()
        .filter_map(|h| h.parse().ok())
        .collect();
    if dpop {
        headers.push(crate::dpop::DPOP);
        exposed.push(crate::dpop::DPOP_NONCE);
    }
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods(methods)
        .allow_headers(headers)
        .expose_headers(exposed)
        .allow_credentials(cors.allow_credentials)
        .max_age(Duration::from_secs(cors.max_age.as_secs()))
}

/// Matches `pattern` against `value`, where each `*` in the pattern matches any run of characters.
fn wildcard_match(pattern: &str, value: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = value.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(idx) => rest = &rest[idx + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::wildcard_match;

    #[test]
    fn wildcard_origins() {
        assert!(wildcard_match("https://app.example", "https://app.example"));
        assert!(!wildcard_match(
            "https://app.example",
            "https://app.example.evil"
        ));
        assert!(wildcard_match(
            "https://*.example.com",
            "https://a.example.com"
        ));
        assert!(!wildcard_match(
            "https://*.example.com",
            "https://example.com.evil"
        ));
        assert!(wildcard_match("*", "anything"));
        assert!(wildcard_match("https://*.x.*", "https://a.x.y"));
    }
}
