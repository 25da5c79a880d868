//! End-to-end tests of the `oxydra` binary: it is started as a real process (`serve all` on
//! port 0, in-memory or temp-file SQLite) and driven through its CLI and raw HTTP.

// clippy.toml allows these inside `#[test]` functions only; the helpers here are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod clients_cli;
mod clients_http;
mod config_errors;
mod connections;
mod demo;
mod device_demo;
mod durability;
mod health;
mod help;
mod hydra_fixture;
mod import_hydra;
mod keys_cli;
mod migrate;
mod migrate_secret;
mod outage;
mod policies_cli;
mod postgres;
mod readme;
mod support;
mod tcp_proxy;
mod tokens_cli;
mod tracing_export;
