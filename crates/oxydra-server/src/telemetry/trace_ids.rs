//! JSON log lines with `trace_id` and `span_id`, so a log line found in a search leads to its
//! trace (and back). Only installed while spans are exported.

use std::fmt;

use opentelemetry::trace::TraceContextExt as _;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use super::EXPORTING;

/// Wraps a JSON event format: when the event happens inside a sampled span, its line starts
/// with that span's trace and span ids.
#[derive(Debug)]
pub(super) struct WithTraceIds<F> {
    inner: F,
}

impl<F> WithTraceIds<F> {
    /// Adds the ids to `inner`'s lines.
    pub(super) fn new(inner: F) -> Self {
        Self { inner }
    }
}

impl<S, N, F> FormatEvent<S, N> for WithTraceIds<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let Some((trace_id, span_id)) = ctx.lookup_current().and_then(|span| ids(&span.id()))
        else {
            return self.inner.format_event(ctx, writer, event);
        };
        let mut line = String::new();
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        // The inner line is one JSON object: put the ids first inside it.
        let body = line.strip_prefix('{').unwrap_or(&line);
        let comma = if body.starts_with('}') { "" } else { "," };
        write!(
            writer,
            "{{\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\"{comma}{body}"
        )
    }
}

/// The trace and span id (lowercase hex) of span `id`, when it is sampled.
fn ids(id: &tracing::span::Id) -> Option<(String, String)> {
    let dispatch = EXPORTING.get()?.upgrade()?;
    let cx = tracing_opentelemetry::get_otel_context(id, &dispatch)?;
    let span = cx.span();
    let context = span.span_context();
    (context.is_valid() && context.is_sampled()).then(|| {
        (
            context.trace_id().to_string(),
            context.span_id().to_string(),
        )
    })
}
