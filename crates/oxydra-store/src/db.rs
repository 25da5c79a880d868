//! The only code that binds and fetches per backend.
//!
//! Store methods are written once against [`Db`] (or a [`Tx`]), passing a `&'static` [`Stmt`]
//! (SQL written once in `$1` style, with per-dialect overrides) and a slice of [`Arg`]s. This is
//! the explicit form of "rebind per dialect", without sqlx `Any` or code generic over
//! `sqlx::Database`. SQLite runs on the engine of `engine/`, PostgreSQL on sqlx, MySQL/MariaDB
//! on sqlx through `mysql/` (its statement forms and row decoding).

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use oxydra_core::store::StoreError;
use sqlx::mysql::MySqlPool;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{FromRow, MySql, Postgres, Transaction};

use crate::dsn::Backend;
use crate::engine::{Engine, EngineRow, EngineTx, InlineTx, statement::numbered_placeholders};
use crate::error::map_sqlx;
use crate::health::Health;
use crate::mysql::{self, MySqlForm, MySqlRowDecode, Prepared};

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
    /// The SQLite text with numbered `?N` placeholders, made on first use.
    engine: OnceLock<String>,
    /// How the statement runs on MySQL/MariaDB, when the portable text does not.
    mysql: Option<MySqlForm>,
    /// The MySQL form with `?` placeholders, made on first use.
    mysql_prepared: OnceLock<Prepared>,
}

impl Stmt {
    /// A statement whose text works on every backend.
    pub(crate) const fn new(name: &'static str, sql: &'static str) -> Self {
        Self {
            name,
            portable: sql,
            sqlite: None,
            postgres: None,
            engine: OnceLock::new(),
            mysql: None,
            mysql_prepared: OnceLock::new(),
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

    /// Overrides the text on MySQL/MariaDB.
    pub(crate) const fn mysql(self, sql: &'static str) -> Self {
        self.mysql_form(MySqlForm::Text(sql))
    }

    /// Runs the statement on MySQL/MariaDB in `form` (e.g. an `UPDATE … RETURNING` as an
    /// update and a read).
    pub(crate) const fn mysql_form(mut self, form: MySqlForm) -> Self {
        self.mysql = Some(form);
        self
    }

    /// The MySQL form with `?` placeholders.
    pub(crate) fn mysql_prepared(&'static self) -> &'static Prepared {
        self.mysql_prepared
            .get_or_init(|| Prepared::new(self.mysql, self.portable))
    }

    /// The text to send to `backend`.
    pub(crate) fn sql(&self, backend: Backend) -> &'static str {
        let over = match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
            Backend::Mysql => match self.mysql {
                Some(MySqlForm::Text(sql)) => Some(sql),
                _ => None,
            },
        };
        over.unwrap_or(self.portable)
    }

    /// The text the SQLite engine prepares (see [`numbered_placeholders`]).
    pub(crate) fn engine_sql(&'static self) -> &'static str {
        self.engine
            .get_or_init(|| numbered_placeholders(self.sql(Backend::Sqlite)))
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

/// A row type usable on every backend: sqlx decodes it from PostgreSQL, the engine from SQLite,
/// `mysql/rows.rs` from MySQL.
pub(crate) trait AnyRow:
    for<'r> FromRow<'r, PgRow> + EngineRow + MySqlRowDecode + Unpin
{
}

impl<T> AnyRow for T where T: for<'r> FromRow<'r, PgRow> + EngineRow + MySqlRowDecode + Unpin {}

/// A connection pool for one backend.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    /// SQLite (file or in-memory), on the engine.
    Sqlite(Engine),
    /// PostgreSQL, with the breaker that fails its operations fast while it is unreachable.
    Postgres(PgPool, Health),
    /// MySQL/MariaDB, with the same breaker.
    Mysql(MySqlPool, Health),
}

/// An open transaction on one backend; dropped without `commit` it rolls back.
pub(crate) enum Tx<'c> {
    /// SQLite: the engine's writer, held until the transaction ends.
    Sqlite(EngineTx),
    /// SQLite, inside [`Db::transaction`]: running on the writer's own thread.
    Inline(InlineTx<'c>),
    /// PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
    /// MySQL/MariaDB.
    Mysql(Transaction<'static, MySql>),
}

/// The future of a transaction's body ([`Db::transaction`]), borrowing the transaction.
pub(crate) type TxFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 't>>;

/// Drives the body of an inline SQLite transaction to its end. Every statement of an
/// [`InlineTx`] completes when called, so the body finishes in one poll; a body that waits on
/// anything else is a bug, answered as an error (and rolled back) rather than a hang.
fn run_inline<T>(mut body: TxFuture<'_, T>) -> Result<T, StoreError> {
    match body.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::Unavailable(
            "a SQLite transaction waited on something other than its statements".into(),
        )),
    }
}

/// Binds each [`Arg`] onto a sqlx `query` / `query_as` builder, borrowing from the slice.
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
pub(crate) use bind_args;

/// Runs one statement on a PostgreSQL executor, timing it.
macro_rules! run_pg {
    (execute, $exec:expr, $stmt:expr, $args:expr) => {{
        let started = std::time::Instant::now();
        let result = bind_args!(sqlx::query::<Postgres>($stmt.sql(Backend::Postgres)), $args)
            .execute($exec)
            .await
            .map(|done| done.rows_affected());
        crate::query_stats::record(started.elapsed());
        result
    }};
    ($method:ident, $exec:expr, $stmt:expr, $args:expr, $row:ty) => {{
        let started = std::time::Instant::now();
        let result = bind_args!(
            sqlx::query_as::<Postgres, $row>($stmt.sql(Backend::Postgres)),
            $args
        )
        .$method($exec)
        .await;
        crate::query_stats::record(started.elapsed());
        result
    }};
}

/// Runs `$work` (a closure over a connection) for one statement on a MySQL pool, through the
/// breaker, mapping the error.
macro_rules! run_mysql {
    ($pool:expr, $health:expr, $stmt:expr, $work:expr) => {
        $health
            .guard(mysql::on_pool($pool, $stmt, $work))
            .await
            .map_err(map_sqlx)
    };
}

/// At most one row of the engine's answer.
fn first<R>(rows: Vec<R>) -> Option<R> {
    rows.into_iter().next()
}

impl Db {
    /// Runs a statement; returns the number of rows affected.
    pub(crate) async fn execute(
        &self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<u64, StoreError> {
        match self {
            Self::Sqlite(engine) => engine.execute(stmt, args).await,
            Self::Postgres(pool, health) => health
                .guard(async { run_pg!(execute, pool, stmt, args) })
                .await
                .map_err(map_sqlx),
            Self::Mysql(pool, health) => run_mysql!(pool, health, stmt, async |conn| {
                mysql::execute(conn, stmt, args).await
            }),
        }
    }

    /// Fetches at most one row.
    pub(crate) async fn fetch_optional<R: AnyRow>(
        &self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<Option<R>, StoreError> {
        match self {
            Self::Sqlite(engine) => engine.fetch(stmt, args, 1).await.map(first),
            Self::Postgres(pool, health) => health
                .guard(async { run_pg!(fetch_optional, pool, stmt, args, R) })
                .await
                .map_err(map_sqlx),
            Self::Mysql(pool, health) => run_mysql!(pool, health, stmt, async |conn| {
                mysql::fetch(conn, stmt, args, 1).await.map(first)
            }),
        }
    }

    /// Fetches exactly one row; `StoreError::NotFound` when there is none.
    pub(crate) async fn fetch_one<R: AnyRow>(
        &self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<R, StoreError> {
        self.fetch_optional(stmt, args)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Fetches every row.
    pub(crate) async fn fetch_all<R: AnyRow>(
        &self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<Vec<R>, StoreError> {
        match self {
            Self::Sqlite(engine) => engine.fetch(stmt, args, usize::MAX).await,
            Self::Postgres(pool, health) => health
                .guard(async { run_pg!(fetch_all, pool, stmt, args, R) })
                .await
                .map_err(map_sqlx),
            Self::Mysql(pool, health) => run_mysql!(pool, health, stmt, async |conn| {
                mysql::fetch(conn, stmt, args, usize::MAX).await
            }),
        }
    }

    /// The dialect of this pool.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(..) => Backend::Sqlite,
            Self::Postgres(..) => Backend::Postgres,
            Self::Mysql(..) => Backend::Mysql,
        }
    }

    /// Starts a write transaction.
    ///
    /// On SQLite it is `BEGIN IMMEDIATE` on the engine's one writer: the transaction has the
    /// write lock from the start and this process's other writes queue behind it. PostgreSQL
    /// uses its default `READ COMMITTED`; the statements themselves are written to be
    /// race-safe there.
    pub(crate) async fn begin(&self) -> Result<Tx<'static>, StoreError> {
        match self {
            Self::Sqlite(engine) => engine.begin().map(Tx::Sqlite),
            Self::Postgres(pool, health) => health
                .guard(pool.begin())
                .await
                .map(Tx::Postgres)
                .map_err(map_sqlx),
            Self::Mysql(pool, health) => health
                .guard(pool.begin())
                .await
                .map(Tx::Mysql)
                .map_err(map_sqlx),
        }
    }

    /// Runs `body` as one transaction and commits it when the body succeeds; an error rolls it
    /// back. The body must await nothing but the transaction's own statements.
    ///
    /// On SQLite the whole body runs on the engine's writer thread ([`Engine::transaction`]):
    /// the write lock is held only while statements run, never while a request's task waits
    /// for its turn on the runtime to send the next one (with [`Db::begin`], a transaction
    /// holds the writer across those waits). Elsewhere it is [`Db::begin`], the body and
    /// [`Tx::commit`].
    pub(crate) async fn transaction<T, F>(&self, body: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t, 'c> FnOnce(&'t mut Tx<'c>) -> TxFuture<'t, T> + Send + 'static,
    {
        if let Self::Sqlite(engine) = self {
            return engine
                .transaction(move |conn| run_inline(body(&mut Tx::Inline(InlineTx::new(conn)))))
                .await;
        }
        let mut tx = self.begin().await?;
        let value = body(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Asks the server to parse and plan `stmt` without running it (the statement test).
    pub(crate) async fn prepare(&self, stmt: &'static Stmt) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(engine) => engine.prepare(stmt).await,
            Self::Postgres(pool, _) => {
                use sqlx::Executor as _;
                pool.prepare(stmt.sql(Backend::Postgres))
                    .await
                    .map(drop)
                    .map_err(map_sqlx)
            }
            Self::Mysql(pool, _) => mysql::prepare(pool, stmt).await.map_err(map_sqlx),
        }
    }

    /// Closes the pool: waits for checked-out connections, refuses new work.
    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(engine) => engine.close().await,
            Self::Postgres(pool, _) => pool.close().await,
            Self::Mysql(pool, _) => pool.close().await,
        }
    }
}

impl Tx<'_> {
    /// Runs a statement; returns the number of rows affected.
    pub(crate) async fn execute(
        &mut self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<u64, StoreError> {
        match self {
            Self::Sqlite(tx) => tx.execute(stmt, args).await,
            Self::Inline(tx) => tx.execute(stmt, args),
            Self::Postgres(tx) => run_pg!(execute, &mut **tx, stmt, args).map_err(map_sqlx),
            Self::Mysql(tx) => mysql::execute(tx, stmt, args).await.map_err(map_sqlx),
        }
    }

    /// Runs a statement whose only answer that matters is success, as soon as it is cheap: on
    /// SQLite it travels to the writer with the next statement or the commit, and its failure
    /// is then that call's; on PostgreSQL and MySQL it runs now (a round trip either way).
    /// For inserts and deletes after a transaction's deciding statement.
    pub(crate) async fn execute_deferred(
        &mut self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(tx) => {
                tx.defer(stmt, args);
                Ok(())
            }
            _ => self.execute(stmt, args).await.map(drop),
        }
    }

    /// Fetches at most one row.
    pub(crate) async fn fetch_optional<R: AnyRow>(
        &mut self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<Option<R>, StoreError> {
        match self {
            Self::Sqlite(tx) => tx.fetch(stmt, args, 1).await.map(first),
            Self::Inline(tx) => tx.fetch(stmt, args, 1).map(first),
            Self::Postgres(tx) => {
                run_pg!(fetch_optional, &mut **tx, stmt, args, R).map_err(map_sqlx)
            }
            Self::Mysql(tx) => mysql::fetch(tx, stmt, args, 1)
                .await
                .map(first)
                .map_err(map_sqlx),
        }
    }

    /// Fetches every row.
    pub(crate) async fn fetch_all<R: AnyRow>(
        &mut self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<Vec<R>, StoreError> {
        match self {
            Self::Sqlite(tx) => tx.fetch(stmt, args, usize::MAX).await,
            Self::Inline(tx) => tx.fetch(stmt, args, usize::MAX),
            Self::Postgres(tx) => run_pg!(fetch_all, &mut **tx, stmt, args, R).map_err(map_sqlx),
            Self::Mysql(tx) => mysql::fetch(tx, stmt, args, usize::MAX)
                .await
                .map_err(map_sqlx),
        }
    }

    /// Commits the transaction. An inline transaction is committed by [`Db::transaction`]
    /// when its body returns, so this is a no-op for it.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Inline(_) => Ok(()),
            Self::Postgres(tx) => tx.commit().await.map_err(map_sqlx),
            Self::Mysql(tx) => tx.commit().await.map_err(map_sqlx),
        }
    }
}
