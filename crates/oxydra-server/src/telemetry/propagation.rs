//! W3C Trace Context (`traceparent`, `tracestate`) on incoming requests: a caller that is
//! itself traced gets Oxydra's spans inside its own trace.

use axum::http::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The request headers as a propagation carrier.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// Makes `span` a child of the trace named by the request's `traceparent`, if it names one;
/// does nothing while spans are not exported.
pub(super) fn set_remote_parent(span: &tracing::Span, headers: &HeaderMap) {
    if !super::exporting() || !headers.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    // Fails only when the span is disabled, which leaves nothing to connect.
    let _ = span.set_parent(parent);
}
