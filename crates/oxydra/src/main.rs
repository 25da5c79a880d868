//! `oxydra`: an OAuth 2.0 and OpenID Connect server speaking ORY Hydra 1.0.0-beta's API.
//!
//! This file only parses the command line, dispatches to `cli::*::run` and maps failures to an
//! exit code; every command lives in its own module under `cli/`.

#![forbid(unsafe_code)]

mod cli;

/// mimalloc instead of glibc malloc: under load the server's many small per-request
/// allocations contended on glibc's arena locks (a third of worker time in a profile).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::FromArgMatches;

use crate::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    // The definition with every command's example in its --help (`cli::examples`).
    let matches = cli::examples::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Command::Serve(args) => cli::serve::run(args).await,
        Command::Migrate(args) => cli::migrate::run(args).await,
        Command::Import(args) => cli::import::run(args).await,
        Command::Clients(args) => cli::clients::run(*args).await,
        Command::Keys(args) => cli::keys::run(args).await,
        Command::Token(args) => cli::token::run(args).await,
        Command::Policies(args) => cli::policies::run(args).await,
        Command::Openapi => cli::openapi::run(),
        Command::Version => cli::version::run(),
        Command::Completion(args) => cli::completion::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` joins the context chain; multi-line errors (config) get one prefix per line.
            for line in format!("{error:#}")
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                eprintln!("error: {line}");
            }
            ExitCode::FAILURE
        }
    }
}
