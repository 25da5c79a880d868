//! What every command that talks to a running server shares (`clients`, `keys`, `policies`,
//! `token`): Hydra's connection flags, the `--endpoint` flags with their environment fallbacks,
//! admin authentication (a bearer token, or one obtained with client credentials), the output
//! format, and list-flag splitting.

use anyhow::{Context, anyhow};
use clap::{Args, ValueEnum};
use oxydra_api::client::{AdminClient, ClientCredentials, ClientOptions, PublicClient};

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

/// `--endpoint` of commands that call the admin API, and how they authenticate when the
/// server guards it with policies (`ADMIN_ACCESS_CONTROL=policies`).
#[derive(Debug, Clone, Args)]
pub struct AdminEndpoint {
    /// Admin API base URL, e.g. http://127.0.0.1:4445. Falls back to OXYDRA_ADMIN_URL.
    #[arg(long, global = true, env = "HYDRA_ADMIN_URL", value_name = "URL")]
    pub endpoint: Option<String>,
    /// Access token to send as `Authorization: Bearer` (for an admin API guarded by policies).
    #[arg(
        long,
        global = true,
        env = "OAUTH2_ACCESS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub access_token: Option<String>,
    /// Without --access-token: first get one with the client_credentials grant as this client,
    /// asking for the scope the command needs (e.g. hydra.clients).
    #[arg(long, global = true, env = "OXYDRA_ADMIN_CLIENT_ID", value_name = "ID")]
    pub admin_client_id: Option<String>,
    /// Secret of --admin-client-id.
    #[arg(
        long,
        global = true,
        env = "OXYDRA_ADMIN_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub admin_client_secret: Option<String>,
    /// Public API base URL whose token endpoint issues that token. Falls back to OXYDRA_URL.
    #[arg(long, global = true, env = "HYDRA_URL", value_name = "URL")]
    pub public_endpoint: Option<String>,
}

impl AdminEndpoint {
    /// An admin client for the resolved endpoint: with --access-token, or with a token obtained
    /// for `scope` when --admin-client-id is given, otherwise unauthenticated.
    pub async fn connect(self, options: ClientOptions, scope: &str) -> anyhow::Result<AdminClient> {
        let present = |v: &String| !v.trim().is_empty();
        let access_token = self.access_token.clone().filter(present);
        let client_id = self.admin_client_id.clone().filter(present);
        let secret = self.admin_client_secret.clone();
        let public = self.public_endpoint.clone();
        let api = AdminClient::new(&self.resolve()?, options)?;
        if let Some(token) = access_token {
            return Ok(api.with_access_token(token));
        }
        let Some(id) = client_id else {
            return Ok(api);
        };
        let secret = secret.filter(|s| !s.is_empty()).ok_or_else(|| {
            anyhow!("--admin-client-id needs --admin-client-secret (or OXYDRA_ADMIN_CLIENT_SECRET)")
        })?;
        let public = PublicEndpoint { endpoint: public }.resolve().map_err(|_| {
            anyhow!("--admin-client-id needs the public endpoint for its token: pass --public-endpoint or set HYDRA_URL")
        })?;
        let token = PublicClient::new(&public, options)?
            .client_credentials(&ClientCredentials::new(id, secret), &[scope.to_owned()])
            .await
            .context("cannot get an access token for the admin API")?;
        Ok(api.with_access_token(token.access_token))
    }

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
