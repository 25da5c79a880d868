//! `oxydra openapi`: prints the OpenAPI 3.1 document of every route the server serves, the
//! same text as `docs/openapi.json`, for API clients, gateways and contract tests.

use std::io::{ErrorKind, Write};

/// Prints the document (pretty JSON) to standard output; a reader that stops early (`| head`)
/// is not an error.
pub fn run() -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(oxydra_api::openapi::to_json().as_bytes())
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
