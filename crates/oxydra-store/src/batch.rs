//! Group commit for token inserts: the hot write of every token request.
//!
//! On SQLite the engine's writer thread does it (`engine/group.rs`). On a server database
//! each `insert_tokens` call hands its rows to one writer task per store and waits for the
//! answer. The writer takes whatever calls are queued (up to [`MAX_BATCH`]) and commits them in
//! **one** transaction, so N concurrent token requests cost one commit (one WAL sync on
//! PostgreSQL, one write lock on SQLite) instead of N competing ones; on SQLite that also
//! removes the `busy_timeout` sleeps concurrent writers would otherwise take turns in.
//!
//! Atomicity per call is kept: a call's rows are in one transaction with other calls' rows,
//! all committed or none. If a batch fails (a duplicate signature, say), every call in it is
//! retried alone, so one bad call fails only itself. Nothing is acknowledged before its
//! transaction commits.

use oxydra_core::store::StoreError;
use oxydra_core::token::StoredToken;
use tokio::sync::{mpsc, oneshot};

use crate::args::insert_args;
use crate::db::{Db, Stmt, Tx};
use crate::engine::Engine;
use crate::sql::tokens::{self as sql, INSERT_8, INSERT_8_ROWS, INSERT_32, INSERT_32_ROWS};

/// The most calls one transaction carries: bounds a batch's latency and statement count.
pub(crate) const MAX_BATCH: usize = 256;
/// Calls that may wait for the writer before callers are back-pressured.
const QUEUE: usize = 4 * MAX_BATCH;

/// Rows of one call, and where to send its result.
pub(crate) struct Job {
    rows: Vec<StoredToken>,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The handle `SqlStore` keeps; a writer task stops when the last clone is dropped.
#[derive(Debug, Clone)]
pub(crate) enum InsertBatcher {
    /// SQLite: the engine's writer thread groups the inserts itself.
    Engine(Engine),
    /// A server database: the queue of the writer task.
    Task(mpsc::Sender<Job>),
}

impl InsertBatcher {
    /// The batcher for `db`; on a server database, starts its writer task on the current
    /// tokio runtime.
    pub(crate) fn spawn(db: Db) -> Self {
        if let Db::Sqlite(engine) = db {
            return Self::Engine(engine);
        }
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run(db, jobs));
        Self::Task(queue)
    }

    /// Stores `rows` (all or none) and returns once they are committed.
    pub(crate) async fn insert(&self, rows: Vec<StoredToken>) -> Result<(), StoreError> {
        match self {
            Self::Engine(engine) => {
                let args = rows.iter().map(insert_args).collect::<Result<_, _>>()?;
                engine.insert_grouped(&sql::INSERT, args).await
            }
            Self::Task(queue) => {
                let (done, answer) = oneshot::channel();
                queue
                    .send(Job { rows, done })
                    .await
                    .map_err(|_| stopped())?;
                answer.await.map_err(|_| stopped())?
            }
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the token writer has stopped".into())
}

async fn run(db: Db, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(job) = jobs.recv().await {
        batch.push(job);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit(&db, &mut batch).await;
    }
}

/// Commits every job of `batch` together, or each alone when the batch fails; answers all.
async fn commit(db: &Db, batch: &mut Vec<Job>) {
    if batch.len() > 1 {
        let all = batch.iter().flat_map(|j| j.rows.iter());
        if insert_in_one_transaction(db, all).await.is_ok() {
            for job in batch.drain(..) {
                let _ = job.done.send(Ok(()));
            }
            return;
        }
    }
    for job in batch.drain(..) {
        let result = insert_in_one_transaction(db, job.rows.iter()).await;
        let _ = job.done.send(result);
    }
}

/// Inserts `rows` in one transaction: one `UNNEST` statement on PostgreSQL, else 32 or 8 rows
/// per statement where it can.
async fn insert_in_one_transaction<'a>(
    db: &Db,
    rows: impl Iterator<Item = &'a StoredToken>,
) -> Result<(), StoreError> {
    let rows: Vec<&StoredToken> = rows.collect();
    if let Db::Postgres(pool, health) = db {
        return crate::pg_insert::insert(pool, health, &rows).await;
    }
    let mut tx: Tx<'_> = db.begin().await?;
    let mut rest = rows.as_slice();
    while !rest.is_empty() {
        let (stmt, n): (&'static Stmt, usize) = if rest.len() >= INSERT_32_ROWS {
            (&INSERT_32, INSERT_32_ROWS)
        } else if rest.len() >= INSERT_8_ROWS {
            (&INSERT_8, INSERT_8_ROWS)
        } else {
            (&sql::INSERT, 1)
        };
        let (chunk, tail) = rest.split_at(n);
        let mut args = Vec::with_capacity(n * 11);
        for row in chunk {
            args.extend(insert_args(row)?);
        }
        tx.execute(stmt, &args).await?;
        rest = tail;
    }
    tx.commit().await
}
