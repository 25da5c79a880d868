//! `oxydra serve all|public|admin`: load the configuration from the environment and the flags,
//! then run the listeners until SIGTERM/SIGINT (`shared/spec/behaviour.md` §1.1).
//!
//! Flags are handed to `Config::load` keyed by their canonical environment variable, and only
//! when given, so the environment applies otherwise and the two never disagree about defaults.

use anyhow::anyhow;
use clap::{Args, Subcommand};
use oxydra_server::config::{Config, ProcessEnv};
use oxydra_server::run::{ServeMode, serve};

/// Arguments of `oxydra serve`.
#[derive(Debug, Args)]
#[command(long_about = "Run the server.\n\n\
                  Configuration comes from environment variables with Hydra's names \
                  (DATABASE_URL, SYSTEM_SECRET, OAUTH2_ISSUER_URL, PUBLIC_PORT, ...; see \
                  docs/configuration.md); the flags below override them.")]
pub struct ServeArgs {
    /// Which listeners to open.
    #[command(subcommand)]
    pub mode: ServeCommand,
}

/// The three serving modes.
#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// Serve the public (default port 4444) and the admin (default port 4445) API; the only
    /// mode that accepts DATABASE_URL=memory.
    All(ServeFlags),
    /// Serve only the public API (OAuth 2.0 / OpenID Connect endpoints), default port 4444.
    Public(ServeFlags),
    /// Serve only the admin API (clients, keys, login/consent, introspection), default port 4445.
    Admin(ServeFlags),
}

/// Flags shared by every `serve` mode; each overrides the environment variable it names.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeFlags {
    /// Database to use: `sqlite://<file>`, `memory` (in-memory SQLite, `serve all` only) or
    /// `postgres://user:pass@host:port/db`. Overrides DATABASE_URL (default sqlite://oxydra.db).
    #[arg(long, visible_alias = "dsn", value_name = "DSN")]
    pub database_url: Option<String>,
    /// DANGEROUS, for development only: serve plain HTTP, allow a non-https issuer and a
    /// generated SYSTEM_SECRET. Sets OXYDRA_DANGEROUS_FORCE_HTTP=true.
    #[arg(long, visible_alias = "dev")]
    pub dangerous_force_http: bool,
    /// Apply pending database migrations at start-up instead of refusing to start.
    /// Sets OXYDRA_AUTO_MIGRATE=true.
    #[arg(long)]
    pub auto_migrate: bool,
    /// PEM certificate (chain) file for HTTPS. Overrides HTTPS_TLS_CERT_PATH.
    #[arg(long, value_name = "FILE")]
    pub https_tls_cert_path: Option<String>,
    /// PEM private key file for HTTPS. Overrides HTTPS_TLS_KEY_PATH.
    #[arg(long, value_name = "FILE")]
    pub https_tls_key_path: Option<String>,
    /// Interface of the public listener. Overrides PUBLIC_HOST (default: all interfaces).
    #[arg(long, value_name = "HOST")]
    pub public_host: Option<String>,
    /// Port of the public listener, 0 for any free port. Overrides PUBLIC_PORT (default 4444).
    #[arg(long, value_name = "PORT")]
    pub public_port: Option<u16>,
    /// Interface of the admin listener. Overrides ADMIN_HOST (default: all interfaces).
    #[arg(long, value_name = "HOST")]
    pub admin_host: Option<String>,
    /// Port of the admin listener, 0 for any free port. Overrides ADMIN_PORT (default 4445).
    #[arg(long, value_name = "PORT")]
    pub admin_port: Option<u16>,
    /// Public URL of this server, https unless --dangerous-force-http. Overrides
    /// OAUTH2_ISSUER_URL.
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// How often expired tokens and requests are deleted, e.g. `1h` or `0` to disable.
    /// Overrides OXYDRA_JANITOR_INTERVAL.
    #[arg(long, value_name = "DURATION")]
    pub janitor_interval: Option<String>,
    /// Serve the built-in demo login and consent app at <issuer>/demo/login and /demo/consent
    /// (accounts from OXYDRA_DEMO_USERS, default alice:alice-password). For trying Oxydra only:
    /// needs --dangerous-force-http and `serve all`. Sets OXYDRA_DEMO=true.
    #[arg(long)]
    pub demo: bool,
    /// Accepted for compatibility with Hydra's command line; Oxydra sends no telemetry.
    #[arg(long)]
    pub disable_telemetry: bool,
}

impl ServeFlags {
    /// The flags the user gave, keyed by the environment variable each one overrides.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut put = |key: &'static str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((key, value));
            }
        };
        put("DATABASE_URL", self.database_url.clone());
        put(
            "OXYDRA_DANGEROUS_FORCE_HTTP",
            self.dangerous_force_http.then(|| "true".to_owned()),
        );
        put(
            "OXYDRA_AUTO_MIGRATE",
            self.auto_migrate.then(|| "true".to_owned()),
        );
        put("HTTPS_TLS_CERT_PATH", self.https_tls_cert_path.clone());
        put("HTTPS_TLS_KEY_PATH", self.https_tls_key_path.clone());
        put("PUBLIC_HOST", self.public_host.clone());
        put("PUBLIC_PORT", self.public_port.map(|p| p.to_string()));
        put("ADMIN_HOST", self.admin_host.clone());
        put("ADMIN_PORT", self.admin_port.map(|p| p.to_string()));
        put("OAUTH2_ISSUER_URL", self.issuer.clone());
        put("OXYDRA_JANITOR_INTERVAL", self.janitor_interval.clone());
        put("OXYDRA_DEMO", self.demo.then(|| "true".to_owned()));
        pairs
    }
}

/// Loads the configuration and serves until a shutdown signal.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let (mode, flags) = match args.mode {
        ServeCommand::All(flags) => (ServeMode::All, flags),
        ServeCommand::Public(flags) => (ServeMode::Public, flags),
        ServeCommand::Admin(flags) => (ServeMode::Admin, flags),
    };
    // ConfigError's Display has one line per problem; main prints each with an `error:` prefix.
    let config = Config::load_for_serve(&ProcessEnv, &flags.to_pairs())
        .map_err(|e| anyhow!("{e}\ninvalid configuration, see docs/configuration.md"))?;
    serve(config, mode).await.map_err(|e| anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_flags_become_pairs() {
        assert!(ServeFlags::default().to_pairs().is_empty());
        let flags = ServeFlags {
            database_url: Some("memory".into()),
            dangerous_force_http: true,
            admin_port: Some(0),
            ..ServeFlags::default()
        };
        assert_eq!(
            flags.to_pairs(),
            vec![
                ("DATABASE_URL", "memory".to_owned()),
                ("OXYDRA_DANGEROUS_FORCE_HTTP", "true".to_owned()),
                ("ADMIN_PORT", "0".to_owned()),
            ]
        );
    }
}
