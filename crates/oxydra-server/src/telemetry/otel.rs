//! The OpenTelemetry side of `TRACING_PROVIDER=otel`: an OTLP/HTTP (protobuf) exporter behind
//! a batch processor, and the `tracing` layer that feeds it Oxydra's spans.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing::{Level, Metadata};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::registry::LookupSpan;

use crate::config::OtlpConfig;

/// How long one export (or the flush at shutdown) may take before it is given up.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// The tracer provider: batches spans and sends them to `otlp.endpoint`, sampling new traces
/// at `otlp.sampling_ratio` and following a remote parent's decision.
pub(super) fn provider(otlp: &OtlpConfig, service_name: &str) -> Result<SdkTracerProvider, String> {
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(otlp.endpoint.as_str())
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build the OTLP exporter: {e}"))?;
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(otlp.sampling_ratio)));
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(sampler)
        .with_resource(
            Resource::builder()
                .with_service_name(service_name.to_owned())
                .build(),
        )
        .build())
}

/// The layer that turns Oxydra's spans (and its events, as span events) into OpenTelemetry
/// spans; filtered on its own, so other crates' spans and debug events never reach it.
pub(super) fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("oxydra"))
        .with_threads(false)
        .with_filter(filter_fn(exported).with_max_level_hint(Level::DEBUG))
}

/// Oxydra's spans from debug level up (requests, store calls, signing) and its events from
/// info up.
fn exported(meta: &Metadata<'_>) -> bool {
    let floor = if meta.is_span() {
        Level::DEBUG
    } else {
        Level::INFO
    };
    meta.target().starts_with("oxydra") && *meta.level() <= floor
}
