//! Oxydra's SQL persistence: one [`SqlStore`] over SQLite (a file, or `memory`), PostgreSQL or
//! MySQL/MariaDB, implementing the storage ports of `oxydra_core::store`.
//!
//! Queries are SQL constants (`sql/`), bound per backend in one place (`db.rs`): SQLite through
//! the engine of `engine/` (rusqlite, one writer thread, reads on the caller's thread),
//! PostgreSQL and MySQL/MariaDB through sqlx. A contract test runs every method and prepares every statement on
//! every backend. Migrations live per backend under `migrations/` and are embedded.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod batch;
mod client_cache;
mod db;
mod dsn;
mod engine;
mod error;
mod health;
mod hydra_source;
mod impls;
mod mysql;
mod pg_insert;
mod query_stats;
mod rows;
mod sql;
mod store;
mod token_cache;

pub use client_cache::DEFAULT_CLIENT_CACHE_REFRESH;
pub use dsn::{Backend, Dsn, DsnError};
pub use hydra_source::{HydraSourceError, read_hydra};
pub use query_stats::{QUERY_BUCKET_BOUNDS_US, QueryTimings, query_timings};
pub use store::{AppliedMigration, OpenOptions, Opened, PoolStats, SqlStore, StatementCheck};
pub use token_cache::DEFAULT_TOKEN_CACHE_REFRESH;
