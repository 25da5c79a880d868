//! In-process HTTP tests: every endpoint through the real routers and an in-memory SQLite store.

// A test binary: failing by panicking is the point (clippy only exempts `#[test]` fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_assertion;
mod clients;
mod demo;
mod discovery;
mod flows_admin;
mod flows_sessions;
mod health;
mod keys;
mod middleware;
mod token_scale;
mod tokens;
