//! In-process HTTP tests: every endpoint through the real routers and an in-memory SQLite store.

mod clients;
mod health;
mod middleware;
