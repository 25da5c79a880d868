//! The only code that binds and fetches per backend.
//!
//! Store methods are written once against [`Db`] (or a [`Tx`]), passing a `&'static` [`Stmt`]
//! (SQL written once in `$1` style, with per-dialect overrides) and a slice of [`Arg`]s. This is
//! the explicit form of "rebind per dialect", without sqlx `Any` or code generic over
//! `sqlx::Database`.

use std::sync::Arc;

use oxydra_core::store::StoreError;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Executor, FromRow, Postgres, Sqlite, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::dsn::Backend;
use crate::error::map_sqlx;
use crate::health::Health;

/// One SQL statement: portable text plus optional per-dialect replacements.
#[derive(Debug)]
pub(crate) struct Stmt {
    /// A stable name, used by the statement test to report failures.
    pub(crate) name: &'static str,
    /// The SQL in `$1` style, valid on SQLite and PostgreSQL unless overridden.
    portable: &'static str,
    /// Replacement text for SQLite.
    sqlite: Option<&'static str>,
    /// Replacement text for PostgreSQL.
    postgres: Option<&'static str>,
}

impl Stmt {
    /// A statement whose text works on every backend.
    pub(crate) const fn new(name: &'static str, sql: &'static str) -> Self {
        Self {
            name,
            portable: sql,
            sqlite: None,
            postgres: None,
        }
    }

    /// Overrides the text on SQLite.
    pub(crate) const fn sqlite(mut self, sql: &'static str) -> Self {
        self.sqlite = Some(sql);
        self
    }

    /// Overrides the text on PostgreSQL.
    pub(crate) const fn postgres(mut self, sql: &'static str) -> Self {
        self.postgres = Some(sql);
        self
    }

    /// The text to send to `backend`.
    pub(crate) fn sql(&self, backend: Backend) -> &'static str {
        let over = match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        };
        over.unwrap_or(self.portable)
    }
}

/// A bind parameter. Every variant has a concrete SQL type (there is no untyped `NULL`, which
/// PostgreSQL would type as text), so the same argument list binds on every backend.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// `TEXT`.
    Text(String),
    /// Nullable `TEXT`.
    OptText(Option<String>),
    /// `BIGINT` (also every time column: Unix microseconds).
    Int(i64),
    /// Nullable `BIGINT`.
    OptInt(Option<i64>),
    /// `BOOLEAN`.
    Bool(bool),
    /// JSON, stored as `TEXT` on every backend.
    Json(String),
}

/// A row type usable on every backend (the `FromRow` derive is generic over the row type).
pub(crate) trait AnyRow:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> AnyRow for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// The one right to write to a SQLite database, held by a write transaction (and an
/// autocommit write) of this process from start to commit.
///
/// SQLite admits one writer at a time. Without this gate the writers of one process met inside
/// SQLite, where a loser of `BEGIN IMMEDIATE` retries on the busy handler's growing sleeps
/// (1, 2, 5, … 100 ms): under a steady stream of group commits a revocation or refresh could
/// lose for seconds. Here they queue first come, first served, and the busy handler is left to
/// writers in other processes.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriteGate(Arc<tokio::sync::Mutex<()>>);

impl WriteGate {
    /// Runs `op` holding the gate.
    async fn run<F: std::future::Future>(&self, op: F) -> F::Output {
        let _held = self.0.lock().await;
        op.await
    }

    /// Takes the gate until the returned guard is dropped.
    async fn hold(&self) -> OwnedMutexGuard<()> {
        self.0.clone().lock_owned().await
    }
}

/// A connection pool for one backend.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    /// SQLite (file or in-memory), with this process's write gate.
    Sqlite(SqlitePool, WriteGate),
    /// PostgreSQL, with the breaker that fails its operations fast while it is unreachable.
    Postgres(PgPool, Health),
}

/// An open transaction on one backend; dropped without `commit` it rolls back.
pub(crate) enum Tx {
    /// SQLite, holding the write gate until it ends (fields drop in order: the transaction
    /// first, then the gate).
    Sqlite(Transaction<'static, Sqlite>, OwnedMutexGuard<()>),
    /// PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

/// Binds each [`Arg`] onto a `query` / `query_as` builder, borrowing from the slice.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                Arg::Text(v) | Arg::Json(v) => q.bind(v.as_str()),
                Arg::OptText(v) => q.bind(v.as_deref()),
                Arg::Int(v) => q.bind(*v),
                Arg::OptInt(v) => q.bind(*v),
                Arg::Bool(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// Runs one statement on an executor of database type `$db`.
macro_rules! run {
    (execute, $exec:expr, $db:ty, $backend:expr, $stmt:expr, $args:expr) => {{
        let started = std::time::Instant::now();
        let result = bind_args!(sqlx::query::<$db>($stmt.sql($backend)), $args)
            .execute($exec)
            .await
            .map(|done| done.rows_affected());
        crate::query_stats::record(started.elapsed());
        result
    }};
    ($method:ident, $exec:expr, $db:ty, $backend:expr, $stmt:expr, $args:expr, $row:ty) => {{
        let started = std::time::Instant::now();
        let result = bind_args!(sqlx::query_as::<$db, $row>($stmt.sql($backend)), $args)
            .$method($exec)
            .await;
        crate::query_stats::record(started.elapsed());
        result
    }};
}

/// Generates `execute` and the `fetch_*` methods for `Db` and `Tx`, from how each variant
/// yields an executor.
macro_rules! executor_methods {
    ([$($recv:tt)*] $read:pat, $write:pat => $sqlite_exec:expr, $gate:expr, $pg:pat => $pg_exec:expr, $guard:expr) => {
        /// Runs a statement; returns the number of rows affected.
        pub(crate) async fn execute(
            $($recv)* self,
            stmt: &'static Stmt,
            args: &[Arg],
        ) -> Result<u64, StoreError> {
            match self {
                $write => {
                    ($gate)(async { run!(execute, $sqlite_exec, Sqlite, Backend::Sqlite, stmt, args) }).await
                }
                $pg => {
                    ($guard)(async { run!(execute, $pg_exec, Postgres, Backend::Postgres, stmt, args) }).await
                }
            }
            .map_err(map_sqlx)
        }

        /// Fetches at most one row.
        pub(crate) async fn fetch_optional<R: AnyRow>(
            $($recv)* self,
            stmt: &'static Stmt,
            args: &[Arg],
        ) -> Result<Option<R>, StoreError> {
            match self {
                $read => {
                    run!(fetch_optional, $sqlite_exec, Sqlite, Backend::Sqlite, stmt, args, R)
                }
                $pg => {
                    ($guard)(async { run!(fetch_optional, $pg_exec, Postgres, Backend::Postgres, stmt, args, R) }).await
                }
            }
            .map_err(map_sqlx)
        }

        /// Fetches exactly one row; `StoreError::NotFound` when there is none.
        #[allow(dead_code)]
        pub(crate) async fn fetch_one<R: AnyRow>(
            $($recv)* self,
            stmt: &'static Stmt,
            args: &[Arg],
        ) -> Result<R, StoreError> {
            match self {
                $read => {
                    run!(fetch_one, $sqlite_exec, Sqlite, Backend::Sqlite, stmt, args, R)
                }
                $pg => {
                    ($guard)(async { run!(fetch_one, $pg_exec, Postgres, Backend::Postgres, stmt, args, R) }).await
                }
            }
            .map_err(map_sqlx)
        }

        /// Fetches every row.
        pub(crate) async fn fetch_all<R: AnyRow>(
            $($recv)* self,
            stmt: &'static Stmt,
            args: &[Arg],
        ) -> Result<Vec<R>, StoreError> {
            match self {
                $read => {
                    run!(fetch_all, $sqlite_exec, Sqlite, Backend::Sqlite, stmt, args, R)
                }
                $pg => {
                    ($guard)(async { run!(fetch_all, $pg_exec, Postgres, Backend::Postgres, stmt, args, R) }).await
                }
            }
            .map_err(map_sqlx)
        }
    };
}

impl Db {
    executor_methods!([&] Self::Sqlite(pool, _), Self::Sqlite(pool, gate) => pool, |op| gate.run(op), Self::Postgres(pool, health) => pool, |op| health.guard(op));

    /// The dialect of this pool.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(..) => Backend::Sqlite,
            Self::Postgres(..) => Backend::Postgres,
        }
    }

    /// Starts a write transaction.
    ///
    /// Every store transaction writes, so on SQLite it is `BEGIN IMMEDIATE`: the write lock is
    /// taken up front, waiting under `busy_timeout`, instead of a deferred transaction failing
    /// with `SQLITE_BUSY` when it later upgrades from reading to writing. PostgreSQL uses its
    /// default `READ COMMITTED`; the statements themselves are written to be race-safe there.
    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        match self {
            Self::Sqlite(pool, gate) => {
                let held = gate.hold().await;
                let tx = pool.begin_with("BEGIN IMMEDIATE").await;
                tx.map(|tx| Tx::Sqlite(tx, held))
            }
            Self::Postgres(pool, health) => health.guard(pool.begin()).await.map(Tx::Postgres),
        }
        .map_err(map_sqlx)
    }

    /// Asks the server to parse and plan `stmt` without running it (the statement test).
    pub(crate) async fn prepare(&self, stmt: &'static Stmt) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(pool, _) => pool.prepare(stmt.sql(Backend::Sqlite)).await.map(drop),
            Self::Postgres(pool, _) => pool.prepare(stmt.sql(Backend::Postgres)).await.map(drop),
        }
        .map_err(map_sqlx)
    }

    /// Closes the pool: waits for checked-out connections, refuses new work.
    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(pool, _) => pool.close().await,
            Self::Postgres(pool, _) => pool.close().await,
        }
    }
}

impl Tx {
    executor_methods!([&mut] Self::Sqlite(tx, _), Self::Sqlite(tx, _) => &mut **tx, std::convert::identity, Self::Postgres(tx) => &mut **tx, std::convert::identity);

    /// Commits the transaction.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(tx, _held) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
        .map_err(map_sqlx)
    }
}
