//! Statements about the database itself: liveness and migration bookkeeping.

use crate::db::Stmt;

/// Readiness probe: a read, so on SQLite it runs on a reader without queueing behind writes.
pub(crate) static PING: Stmt =
    Stmt::new("meta.ping", "SELECT CAST(1 AS BIGINT) AS n").mysql("SELECT CAST(1 AS SIGNED) AS n");

/// Whether sqlx's migration table exists yet (in the current schema on PostgreSQL).
pub(crate) static MIGRATIONS_TABLE_EXISTS: Stmt = Stmt::new(
    "meta.migrations_table_exists",
    "SELECT COUNT(*) AS n FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
)
.sqlite(
    "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
)
.mysql(
    "SELECT COUNT(*) AS n FROM information_schema.tables \
     WHERE table_schema = DATABASE() AND table_name = '_sqlx_migrations'",
);

/// Versions of the migrations applied successfully.
pub(crate) static APPLIED_MIGRATIONS: Stmt = Stmt::new(
    "meta.applied_migrations",
    "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
);
