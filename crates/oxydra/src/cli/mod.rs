//! The command line: one module per command group, as in Hydra's `cmd/`.
//!
//! Flags and environment variables keep Hydra 1.0.0-beta's names (`shared/spec/behaviour.md`
//! §1), so scripts written for `hydra` work with `oxydra`.

pub mod clients;
pub mod completion;
pub mod examples;
pub mod import;
pub mod keys;
pub mod migrate;
pub mod openapi;
pub mod policies;
pub mod remote;
pub mod serve;
pub mod token;
pub mod token_device;
pub mod token_user;
pub mod version;

use clap::{Parser, Subcommand};

/// Oxydra: an OAuth 2.0 and OpenID Connect server that speaks ORY Hydra 1.0.0-beta's API.
#[derive(Debug, Parser)]
#[command(
    name = "oxydra",
    version,
    about,
    long_about = "Oxydra: an OAuth 2.0 and OpenID Connect server that speaks ORY Hydra \
                  1.0.0-beta's HTTP API, so SDKs and scripts written for Hydra work unchanged.\n\n\
                  Start a development server on the embedded SQLite database (./oxydra.db), plain \
                  HTTP on ports 4444 (public) and 4445 (admin):\n\n    oxydra serve all --dev",
    propagate_version = true
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: `all` (public and admin ports), `public` or `admin`.
    Serve(serve::ServeArgs),
    /// Apply database schema migrations.
    Migrate(migrate::MigrateArgs),
    /// Import another server's database (ORY Hydra 0.10/0.11, 1.0.0-beta) into Oxydra's.
    Import(import::ImportArgs),
    /// Manage OAuth 2.0 clients through a running server's admin API.
    Clients(Box<clients::ClientsArgs>),
    /// Manage JSON Web Key sets through a running server's admin API.
    Keys(keys::KeysArgs),
    /// Get, introspect, revoke and flush OAuth 2.0 tokens through a running server.
    Token(token::TokenArgs),
    /// Manage access-control policies (ADMIN_ACCESS_CONTROL=policies) through a running
    /// server's admin API.
    Policies(policies::PoliciesArgs),
    /// Print the OpenAPI 3.1 document of every route the server serves (docs/openapi.json).
    Openapi,
    /// Print the version of this build.
    Version,
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    Completion(completion::CompletionArgs),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
        examples::command().debug_assert();
    }
}
