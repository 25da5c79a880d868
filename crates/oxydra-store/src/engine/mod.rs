//! The SQLite engine: SQLite driven directly through `rusqlite` (the same bundled library sqlx
//! links), shaped for token traffic.
//!
//! - **Writes** go to one thread that owns the only write connection ([`writer`]): no lock
//!   contention inside SQLite, and the token writer's group commits are one transaction each.
//! - **Reads** run on the calling thread on a read connection of their own ([`readers`]),
//!   from memory-mapped pages: no hop to a connection worker and back per query.
//! - **Durability:** WAL with `synchronous = NORMAL`. A transaction is acknowledged only after
//!   its commit record is written to the WAL file, so it survives the *process* dying
//!   (`kill -9`, a panic, an OOM kill); the WAL is synced to disk at checkpoints, so an OS
//!   crash or power loss can lose the last commits (`FULL` would sync every commit and cost a
//!   disk flush per batch; see `docs/configuration.md`).
//!
//! sqlx still opens the database for migrations and diagnostics ([`Engine::sqlx_pool`]).

mod checkpointer;
mod group;
mod readers;
mod rows;
pub(crate) mod statement;
mod writer;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use oxydra_core::store::StoreError;
use rusqlite::{Connection, OpenFlags};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub(crate) use statement::EngineRow;
use writer::{Writer, WriterTx};

use crate::db::{Arg, Stmt};
use crate::error::map_rusqlite;

/// How long a connection waits for a lock another process holds before the operation fails
/// (`Unavailable`, 503) instead of hanging.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Bytes of the file each **reader** maps into memory: reads of mapped pages are memory
/// reads, with no `read` system call and no copy into SQLite's page cache (which every commit
/// of the writer invalidates for the readers). Kept small: mapped pages count in the process's
/// resident set once per connection that maps them, and a large token table would otherwise be
/// mapped whole; the rest is read through the page caches below. The writer and the
/// checkpointer map nothing: the writer's page cache stays valid across its own commits, the
/// checkpointer copies WAL frames, and their maps only added to the resident set (a flow run
/// peaked at 72–79 MiB with five 16 MiB maps).
const MMAP_SIZE: i64 = 16 * 1024 * 1024;
/// The writer's page cache, in KiB (negative `cache_size` is KiB in SQLite): the pages of the
/// indexes it inserts into and of the WAL it writes.
const WRITER_CACHE_KIB: i64 = 8 * 1024;
/// A reader's page cache, in KiB: readers are several, and their lookups touch few pages.
const READER_CACHE_KIB: i64 = 2 * 1024;
/// Prepared statements kept per connection: more than the store has, so none is re-parsed.
const STATEMENT_CACHE: usize = 128;

/// Where the database lives.
#[derive(Debug, Clone)]
enum Target {
    /// A file, in WAL mode.
    File(PathBuf),
    /// A named in-memory database (`memdb` VFS) that this process's connections share; it
    /// lives as long as the writer's connection. Every statement runs on the writer: `memdb`
    /// has no WAL, and its write lock shuts readers out, so a reader on a request's thread could
    /// wait for a transaction whose next step that same thread is meant to send.
    Memory(String),
}

impl Target {
    /// Whether reads run on the caller's thread (else on the writer).
    fn reads_inline(&self) -> bool {
        matches!(self, Self::File(_))
    }
}

/// Distinguishes the in-memory databases of one process.
static MEMORY_DATABASES: AtomicU64 = AtomicU64::new(0);

/// A SQLite database opened by the engine; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    target: Target,
    writer: Writer,
    readers: readers::Readers,
    closed: AtomicBool,
    /// File databases: checkpoints the WAL in the background; stops with the engine.
    checkpointer: Option<checkpointer::Checkpointer>,
    /// sqlx's view of the same database: migrations and test diagnostics.
    sqlx: SqlitePool,
}

impl Engine {
    /// Opens (creating when missing) the database file at `path`; keeps up to `readers` idle
    /// read connections.
    pub(crate) fn open_file(path: PathBuf, readers: u32) -> Result<Self, StoreError> {
        let sqlx = SqliteConnectOptions::new()
            .filename(&path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        Self::open(Target::File(path), readers, sqlx)
    }

    /// Opens a fresh in-memory database, private to this engine.
    pub(crate) fn open_memory() -> Result<Self, StoreError> {
        let n = MEMORY_DATABASES.fetch_add(1, Ordering::Relaxed);
        let name = format!("/oxydra-memory-{}-{n}", std::process::id());
        let sqlx = SqliteConnectOptions::new()
            .filename(&name)
            .vfs("memdb")
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        Self::open(Target::Memory(name), 4, sqlx)
    }

    fn open(target: Target, readers: u32, sqlx: SqliteConnectOptions) -> Result<Self, StoreError> {
        let conn = connect(&target, Role::Writer).map_err(map_rusqlite)?;
        let writer = Writer::spawn(conn).map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        let checkpointer = match target {
            Target::File(_) => {
                let conn = connect(&target, Role::Checkpointer).map_err(map_rusqlite)?;
                Some(
                    checkpointer::Checkpointer::spawn(conn)
                        .map_err(|e| StoreError::Unavailable(Box::new(e)))?,
                )
            }
            Target::Memory(_) => None,
        };
        let sqlx = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .test_before_acquire(false)
            .connect_lazy_with(sqlx);
        Ok(Self {
            inner: Arc::new(Inner {
                target,
                writer,
                readers: readers::Readers::new(usize::try_from(readers).unwrap_or(usize::MAX)),
                closed: AtomicBool::new(false),
                checkpointer,
                sqlx,
            }),
        })
    }

    /// The sqlx pool on the same database (one connection, opened when first used).
    pub(crate) fn sqlx_pool(&self) -> &SqlitePool {
        &self.inner.sqlx
    }

    /// Runs a statement that returns no rows on the writer, in the next group commit; the
    /// number of rows changed.
    pub(crate) async fn execute(
        &self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<u64, StoreError> {
        self.check_open()?;
        self.inner
            .writer
            .insert(stmt.engine_sql(), vec![args.to_vec()])
            .await
    }

    /// Fetches up to `limit` rows: on the calling thread when the statement only reads, on the
    /// writer in the next group commit when it changes rows (`UPDATE … RETURNING`) or when the
    /// database is in memory.
    pub(crate) async fn fetch<R: EngineRow>(
        &self,
        stmt: &'static Stmt,
        args: &[Arg],
        limit: usize,
    ) -> Result<Vec<R>, StoreError> {
        self.check_open()?;
        let sql = stmt.engine_sql();
        if self.inner.target.reads_inline() {
            let here = self
                .inner
                .readers
                .with(
                    || connect(&self.inner.target, Role::Reader),
                    |conn| read_here(conn, sql, args, limit),
                )
                .map_err(map_rusqlite)?;
            if let Some(rows) = here {
                return rows.map_err(map_rusqlite);
            }
        }
        let args = args.to_vec();
        self.inner
            .writer
            .statement(move |conn| fetch_on(conn, sql, &args, limit))
            .await
    }

    /// Inserts rows with the single-row insert `stmt` (one argument list per row), all or none,
    /// committed in one transaction with the inserts other callers queued meanwhile.
    pub(crate) async fn insert_grouped(
        &self,
        stmt: &'static Stmt,
        rows: Vec<Vec<Arg>>,
    ) -> Result<(), StoreError> {
        self.check_open()?;
        self.inner
            .writer
            .insert(stmt.engine_sql(), rows)
            .await
            .map(drop)
    }

    /// Runs `body` as a transaction on the writer's thread, start to finish, in the next group
    /// commit (see [`Writer::transaction`]): for transactions whose every step is a statement.
    pub(crate) async fn transaction<T: Send + 'static>(
        &self,
        body: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.check_open()?;
        self.inner.writer.transaction(body).await
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE` on the writer, sent with the first
    /// statement's round trip).
    pub(crate) fn begin(&self) -> Result<EngineTx, StoreError> {
        self.check_open()?;
        Ok(EngineTx(self.inner.writer.begin()?))
    }

    /// Parses and plans `stmt` without running it (the statement test).
    pub(crate) async fn prepare(&self, stmt: &'static Stmt) -> Result<(), StoreError> {
        self.check_open()?;
        let sql = stmt.engine_sql();
        self.inner
            .writer
            .run(move |conn| conn.prepare(sql).map(drop).map_err(map_rusqlite))
            .await
    }

    /// Refuses new work, closes the read connections and waits for the writer to finish what
    /// is queued and close its connection.
    pub(crate) async fn close(&self) {
        if self.inner.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        self.inner.readers.clear();
        if let Some(checkpointer) = &self.inner.checkpointer {
            checkpointer.stop();
        }
        self.inner.sqlx.close().await;
        self.inner.writer.stop().await;
    }

    /// Open connections (the writer and the idle readers) and idle ones, for metrics.
    pub(crate) fn connections(&self) -> (u32, u32) {
        let idle = u32::try_from(self.inner.readers.idle()).unwrap_or(u32::MAX);
        (idle.saturating_add(1), idle)
    }

    fn check_open(&self) -> Result<(), StoreError> {
        if self.inner.closed.load(Ordering::Relaxed) {
            return Err(StoreError::Unavailable("the store is closed".into()));
        }
        Ok(())
    }
}

/// An open transaction on the engine's writer; dropped without `commit` it rolls back.
pub(crate) struct EngineTx(WriterTx);

impl EngineTx {
    /// Runs a statement that returns no rows inside the transaction.
    pub(crate) async fn execute(
        &mut self,
        stmt: &'static Stmt,
        args: &[Arg],
    ) -> Result<u64, StoreError> {
        self.0.run(execute_on(stmt, args)).await
    }

    /// Queues a statement that returns no rows to run with the next statement or the commit
    /// (one round trip to the writer fewer); its failure fails that step.
    pub(crate) fn defer(&mut self, stmt: &'static Stmt, args: &[Arg]) {
        self.0.defer((stmt.engine_sql(), args.to_vec()));
    }

    /// Fetches up to `limit` rows inside the transaction.
    pub(crate) async fn fetch<R: EngineRow>(
        &mut self,
        stmt: &'static Stmt,
        args: &[Arg],
        limit: usize,
    ) -> Result<Vec<R>, StoreError> {
        let sql = stmt.engine_sql();
        let args = args.to_vec();
        self.0
            .run(move |conn| fetch_on(conn, sql, &args, limit))
            .await
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await
    }
}

/// A transaction running on the writer's own thread (inside [`Engine::transaction`]): every
/// statement runs at once on the connection, with no round trip.
pub(crate) struct InlineTx<'c>(&'c mut Connection);

impl<'c> InlineTx<'c> {
    /// The transaction open on `conn`.
    pub(crate) fn new(conn: &'c mut Connection) -> Self {
        Self(conn)
    }

    /// Runs a statement that returns no rows; the number of rows changed.
    pub(crate) fn execute(&mut self, stmt: &'static Stmt, args: &[Arg]) -> Result<u64, StoreError> {
        statement::execute(self.0, stmt.engine_sql(), args).map_err(map_rusqlite)
    }

    /// Fetches up to `limit` rows.
    pub(crate) fn fetch<R: EngineRow>(
        &mut self,
        stmt: &'static Stmt,
        args: &[Arg],
        limit: usize,
    ) -> Result<Vec<R>, StoreError> {
        fetch_on(self.0, stmt.engine_sql(), args, limit)
    }
}

/// The writer's work for a statement that returns no rows.
fn execute_on(
    stmt: &'static Stmt,
    args: &[Arg],
) -> impl FnOnce(&Connection) -> Result<u64, StoreError> + Send + 'static {
    let sql = stmt.engine_sql();
    let args = args.to_vec();
    move |conn| statement::execute(conn, sql, &args).map_err(map_rusqlite)
}

/// `None` when `sql` writes and must go to the writer instead.
fn read_here<R: EngineRow>(
    conn: &Connection,
    sql: &str,
    args: &[Arg],
    limit: usize,
) -> Option<rusqlite::Result<Vec<R>>> {
    let mut stmt = match statement::prepare(conn, sql, args) {
        Ok(stmt) => stmt,
        Err(e) => return Some(Err(e)),
    };
    if !stmt.readonly() {
        return None;
    }
    Some(statement::query(&mut stmt, limit))
}

fn fetch_on<R: EngineRow>(
    conn: &Connection,
    sql: &str,
    args: &[Arg],
    limit: usize,
) -> Result<Vec<R>, StoreError> {
    statement::prepare(conn, sql, args)
        .and_then(|mut stmt| statement::query(&mut stmt, limit))
        .map_err(map_rusqlite)
}

/// What a connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Writer,
    Reader,
    Checkpointer,
}

/// Opens a connection to `target` and sets it up for `role`.
fn connect(target: &Target, role: Role) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match target {
        Target::File(path) => Connection::open_with_flags(path, flags)?,
        Target::Memory(name) => {
            Connection::open_with_flags(format!("file:{name}?vfs=memdb"), flags)?
        }
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "foreign_keys", true)?;
    let cache_kib = match role {
        Role::Reader => READER_CACHE_KIB,
        Role::Writer | Role::Checkpointer => WRITER_CACHE_KIB,
    };
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    if matches!(target, Target::File(_)) {
        if role == Role::Writer {
            // Persistent in the file; readers find it set.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "wal_autocheckpoint", checkpointer::WAL_BOUND_PAGES)?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        if role == Role::Reader {
            conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        }
    }
    if role == Role::Reader {
        // A write reaching a reader would bypass the single writer: make it an error.
        conn.pragma_update(None, "query_only", true)?;
    }
    Ok(conn)
}

#[cfg(test)]
mod tests;
