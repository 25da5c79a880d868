//! `oxydra openapi`: prints the OpenAPI 3.1 document of every route the server serves, the
//! same text as `docs/openapi.json`, for API clients, gateways and contract tests.

/// Prints the document (pretty JSON) to standard output.
pub fn run() -> anyhow::Result<()> {
    print!("{}", oxydra_api::openapi::to_json());
    Ok(())
}
