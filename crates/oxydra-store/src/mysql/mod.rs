//! MySQL/MariaDB on sqlx: the DSN forms, the statement forms MariaDB needs, row decoding, and
//! the pool's session settings. `db.rs` dispatches its `Mysql` arms here.
//!
//! Supported: MariaDB 10.5 and later (tested on 10.11). The migrations use MariaDB's
//! `utf8mb4_nopad_bin` collation, so MySQL proper is not supported.

pub(crate) mod dsn;
mod form;
mod rows;
mod run;

use std::time::Duration;

use sqlx::Executor;
use sqlx::mysql::MySqlPoolOptions;

pub(crate) use form::{MySqlForm, Prepared};
pub(crate) use rows::MySqlRowDecode;
pub(crate) use run::{execute, fetch, on_pool, prepare};

use crate::health::Health;

/// Set on every connection: PostgreSQL's default isolation, which the statements were written
/// for. Each statement reads the latest committed rows (no snapshot kept from a transaction's
/// first read), and InnoDB takes no gap locks, so concurrent writers to different rows do not
/// block (or deadlock) each other.
const SESSION_SETUP: &str = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";

/// Pool options: the session setup on each new connection, and, as for PostgreSQL, connections
/// opened before the latest outage are discarded instead of being handed out.
pub(crate) fn pool_options(
    max_connections: u32,
    acquire_timeout: Duration,
    health: &Health,
) -> MySqlPoolOptions {
    let health = health.clone();
    MySqlPoolOptions::new()
        .max_connections(max_connections)
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move { conn.execute(SESSION_SETUP).await.map(drop) })
        })
        .before_acquire(move |_, meta| {
            let fresh = !health.predates_outage(meta.age);
            Box::pin(async move { Ok(fresh) })
        })
        .acquire_timeout(acquire_timeout)
}
