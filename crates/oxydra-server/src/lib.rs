//! Oxydra's HTTP side: configuration, the public and admin routers, error mapping and serving.
//!
//! Handlers are thin: they extract and parse input, call an `oxydra_core::service` use case and
//! map the result. This is the only crate that knows HTTP.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
pub mod app;
pub mod auth_budget;
pub mod bootstrap;
pub mod client_ip;
pub mod config;
pub mod conn;
pub mod cookies;
pub mod demo;
pub mod device_guesses;
pub mod dpop;
pub mod error;
pub mod extract;
pub mod hashing;
pub mod health;
pub mod html;
pub mod jwks_fetch;
pub mod metrics;
pub mod middleware;
pub mod public;
pub mod remote_fetch;
mod request_uri;
pub mod run;
pub mod scrape;
mod sector_documents;
pub mod state;
pub mod tasks;
pub mod telemetry;
pub mod tls;
pub mod token_hook;
