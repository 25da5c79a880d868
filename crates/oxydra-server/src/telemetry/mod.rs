//! Logging (`LOG_LEVEL`, `LOG_FORMAT`) and span export (`TRACING_*`) setup.
//!
//! With tracing off (the default) the subscriber is exactly the logging one: one global
//! `EnvFilter`, so the debug-level spans of store calls and signing are disabled at their
//! call sites and cost one cached check. With `TRACING_PROVIDER=otel` the log filter moves
//! onto the log layer and a second layer, with its own filter, turns Oxydra's spans into
//! OpenTelemetry spans ([`otel`]); JSON log lines then carry the trace and span ids
//! ([`trace_ids`]).

mod otel;
mod propagation;
mod request_span;
mod trace_ids;

use std::sync::OnceLock;

use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogConfig, LogFormat, TracingConfig};

use propagation::set_remote_parent;
pub use request_span::{REQUEST_ID, RecordStatus, request_span};

/// The installed subscriber, weakly, so the JSON formatter can ask the OpenTelemetry layer
/// for a span's context; set only when spans are exported.
static EXPORTING: OnceLock<tracing::dispatcher::WeakDispatch> = OnceLock::new();

/// What [`init`] started and [`Telemetry::shutdown`] must stop: the span exporter, if any.
#[derive(Debug, Default)]
#[must_use = "shut it down when serving ends, or buffered spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered and stops the exporter (bounded by its timeout).
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        // The batch processor's shutdown blocks until its export thread is done.
        let done = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        if let Ok(Err(e)) = done {
            tracing::warn!("span export did not shut down cleanly: {e}");
        }
    }
}

/// Whether spans are exported by this process: request spans then carry their route name.
pub fn exporting() -> bool {
    EXPORTING.get().is_some()
}

/// Installs the global subscriber once; later calls (tests starting several servers) are
/// no-ops that start no exporter. Fails only when the exporter cannot be built.
pub fn init(log: &LogConfig, tracing: &TracingConfig) -> Result<Telemetry, String> {
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| EnvFilter::new(log.level.as_filter()));
    let Some(otlp) = &tracing.otlp else {
        let subscriber = tracing_subscriber::registry()
            .with(filter)
            .with(log_layer(log.format, false));
        // `try_init` also forwards the `log` crate's records, as the builder used to.
        let _ = subscriber.try_init();
        return Ok(Telemetry::default());
    };
    if tracing::dispatcher::has_been_set() {
        return Ok(Telemetry::default());
    }
    let provider = otel::provider(otlp, &tracing.service_name)?;
    let subscriber = tracing_subscriber::registry()
        .with(log_layer(log.format, true).with_filter(filter))
        .with(otel::layer(&provider));
    let dispatch = Dispatch::new(subscriber);
    let weak = dispatch.downgrade();
    if dispatch.try_init().is_err() {
        return Ok(Telemetry::default());
    }
    let _ = EXPORTING.set(weak);
    Ok(Telemetry {
        provider: Some(provider),
    })
}

/// The log layer: text, JSON, or JSON with the trace ids of the current span.
fn log_layer<S>(format: LogFormat, trace_ids: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match (format, trace_ids) {
        (LogFormat::Text, _) => layer.boxed(),
        (LogFormat::Json, false) => layer.json().boxed(),
        (LogFormat::Json, true) => layer
            .json()
            .event_format(trace_ids::WithTraceIds::new(
                tracing_subscriber::fmt::format().json(),
            ))
            .boxed(),
    }
}
