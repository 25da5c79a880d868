//! What every command that talks to a running server shares (`clients`, `token`): Hydra's
//! connection flags, the `--endpoint` flags with their environment fallbacks, and the output
//! format, and list-flag splitting.

use anyhow::anyhow;
use clap::{Args, ValueEnum};
use oxydra_api::client::ClientOptions;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text: id and secret lines, tables, pretty JSON, a bare access token.
    Human,
    /// The API's JSON, compact, on one line.
    Json,
}

/// Connection and output flags, global to a command group.
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// Accept any TLS certificate from the server (e.g. a self-signed development one).
    #[arg(long, global = true)]
    pub skip_tls_verify: bool,
    /// Send `X-Forwarded-Proto: https`, as a TLS-terminating proxy would.
    #[arg(long, global = true)]
    pub fake_tls_termination: bool,
    /// Output: `human` (readable) or `json` (the API's JSON, one document, for scripts).
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

impl ConnectionArgs {
    /// The HTTP client options these flags ask for.
    pub fn options(&self) -> ClientOptions {
        ClientOptions {
            skip_tls_verify: self.skip_tls_verify,
            fake_tls_termination: self.fake_tls_termination,
        }
    }
}

/// `--endpoint` of commands that call the admin API.
#[derive(Debug, Clone, Args)]
pub struct AdminEndpoint {
    /// Admin API base URL, e.g. http://127.0.0.1:4445. Falls back to OXYDRA_ADMIN_URL.
    #[arg(long, global = true, env = "HYDRA_ADMIN_URL", value_name = "URL")]
    pub endpoint: Option<String>,
}

impl AdminEndpoint {
    /// The endpoint from the flag, `HYDRA_ADMIN_URL` or `OXYDRA_ADMIN_URL`.
    pub fn resolve(self) -> anyhow::Result<String> {
        resolve(
            self.endpoint,
            "OXYDRA_ADMIN_URL",
            "no admin endpoint: pass --endpoint or set HYDRA_ADMIN_URL (e.g. http://127.0.0.1:4445)",
        )
    }
}

/// `--endpoint` of commands that call the public API.
#[derive(Debug, Clone, Args)]
pub struct PublicEndpoint {
    /// Public API base URL, e.g. http://127.0.0.1:4444. Falls back to OXYDRA_URL.
    #[arg(long, global = true, env = "HYDRA_URL", value_name = "URL")]
    pub endpoint: Option<String>,
}

impl PublicEndpoint {
    /// The endpoint from the flag, `HYDRA_URL` or `OXYDRA_URL`.
    pub fn resolve(self) -> anyhow::Result<String> {
        resolve(
            self.endpoint,
            "OXYDRA_URL",
            "no public endpoint: pass --endpoint or set HYDRA_URL (e.g. http://127.0.0.1:4444)",
        )
    }
}

/// The first non-blank of `given` (flag or its Hydra variable) and the `fallback` variable.
fn resolve(given: Option<String>, fallback: &str, missing: &str) -> anyhow::Result<String> {
    let present = |e: &String| !e.trim().is_empty();
    given
        .filter(present)
        .or_else(|| std::env::var(fallback).ok().filter(present))
        .ok_or_else(|| anyhow!("{missing}"))
}

/// Prints a value as JSON: compact for `json`, pretty for `human`.
pub fn print_json<T: serde::Serialize>(format: Format, value: &T) -> anyhow::Result<()> {
    let text = match format {
        Format::Json => serde_json::to_string(value)?,
        Format::Human => serde_json::to_string_pretty(value)?,
    };
    println!("{text}");
    Ok(())
}

/// One scope per item, from comma-split values that may also hold space-separated lists.
pub fn scopes(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split_whitespace())
        .map(str::to_owned)
        .collect()
}
