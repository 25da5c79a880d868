//! The one writer: a thread that owns the database's only write connection and runs every
//! write in arrival order, so this process's writers queue in memory instead of meeting inside
//! SQLite's lock (whose busy handler sleeps 1, 2, 5, … 100 ms between tries).
//!
//! A transaction holds the thread from `BEGIN IMMEDIATE` to `COMMIT`: its statements arrive on
//! a channel of their own, and a transaction dropped without committing is rolled back when
//! that channel closes. Beginning costs no round trip of its own: the caller goes on at once,
//! and a failed `BEGIN` is the answer to its first statement. Statements whose only answer is
//! success ([`WriterTx::defer`]) travel with the next statement or the commit, so a
//! transaction of one conditional update and some inserts is two round trips, not five.
//!
//! A transaction can also travel whole ([`Writer::transaction`]): its body runs on this thread
//! inside the next group commit, so the write lock is never held while a request's task waits
//! for a turn on a busy runtime to send its next statement.

use std::sync::mpsc;
use std::thread;

use oxydra_core::store::StoreError;
use rusqlite::Connection;
use tokio::sync::oneshot;

use super::group::{self, Call, MAX_GROUP};
use crate::db::Arg;
use crate::error::map_rusqlite;

/// Work for the write connection: a closure that sends its own typed answer back. It is given
/// the connection, or inside a transaction whose `BEGIN` failed, that failure to answer with.
pub(crate) type Work = Box<dyn FnOnce(Result<&Connection, StoreError>) + Send>;

/// A statement (in the engine's placeholder form) and its arguments, run for its effect only.
pub(crate) type Deferred = (&'static str, Vec<Arg>);

/// What a transaction sends the writer while it holds it.
pub(crate) enum TxStep {
    /// Run inside the transaction.
    Work(Work),
    /// Run the deferred statements, then commit, answering how it went; the transaction ends.
    Commit {
        deferred: Vec<Deferred>,
        answer: oneshot::Sender<Result<(), StoreError>>,
    },
}

/// What callers send the writer.
enum Command {
    /// One autocommit piece of work.
    Work(Work),
    /// A transaction: the writer begins it, then serves only `steps` until it ends.
    Begin(mpsc::Receiver<TxStep>),
    /// A write committed together with the writes queued beside it ([`group`]): token rows,
    /// a single statement, or a whole transaction's body.
    Call(Call),
    /// Close the connection and end the thread, then answer.
    Stop(oneshot::Sender<()>),
}

/// The handle to the writer thread; the thread (and its connection) ends when every handle is
/// dropped and the queued work is done.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Command>,
}

impl Writer {
    /// Starts the thread that owns `conn`.
    pub(crate) fn spawn(conn: Connection) -> std::io::Result<Self> {
        let (queue, commands) = mpsc::channel();
        thread::Builder::new()
            .name("oxydra-sqlite-writer".into())
            .spawn(move || serve(conn, &commands))?;
        Ok(Self { queue })
    }

    /// Runs `work` on the write connection, outside any transaction of the caller's (a single
    /// statement is its own transaction), and returns its answer.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (job, answered) = boxed(work);
        self.queue.send(Command::Work(job)).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Begins a write transaction; the writer serves nothing else until it ends. Returns at
    /// once: whether `BEGIN` succeeded is the first statement's answer.
    pub(crate) fn begin(&self) -> Result<WriterTx, StoreError> {
        let (steps_in, steps) = mpsc::channel();
        self.queue
            .send(Command::Begin(steps))
            .map_err(|_| stopped())?;
        Ok(WriterTx {
            steps: steps_in,
            deferred: Vec::new(),
        })
    }

    /// Runs `body` inside a transaction on the writer thread, in the next group commit (see
    /// [`group`]): it commits when `body` succeeds and the group commits; a failing `body` is
    /// rolled back alone. Answers after the transaction has ended.
    pub(crate) async fn transaction<T: Send + 'static>(
        &self,
        body: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.call(body, true).await
    }

    /// Runs `work`, one statement, in the next group commit, as [`Writer::transaction`] does
    /// a body.
    pub(crate) async fn statement<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.call(work, false).await
    }

    /// Queues `work` for the next group commit and waits for its answer.
    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
        several: bool,
    ) -> Result<T, StoreError> {
        let (done, answered) = oneshot::channel();
        self.queue
            .send(Command::Call(Call::new(work, done, several)))
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Runs the single-row statement `sql` for each of `rows`, all or none, in the next group
    /// commit; returns how many rows they changed.
    pub(crate) async fn insert(
        &self,
        sql: &'static str,
        rows: Vec<Vec<Arg>>,
    ) -> Result<u64, StoreError> {
        let several = rows.len() > 1;
        let work = move |conn: &mut Connection| {
            let mut changed = 0;
            for args in &rows {
                changed += super::statement::execute(conn, sql, args).map_err(map_rusqlite)?;
            }
            Ok(changed)
        };
        self.call(work, several).await
    }

    /// Ends the thread once the work queued before this call is done; returns when its
    /// connection is closed.
    pub(crate) async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        if self.queue.send(Command::Stop(done)).is_ok() {
            let _ = stopped.await;
        }
    }
}

/// An open transaction on the writer; dropped without [`WriterTx::commit`] it rolls back.
pub(crate) struct WriterTx {
    steps: mpsc::Sender<TxStep>,
    /// Statements not yet sent: they run, in order, before the next step's work.
    deferred: Vec<Deferred>,
}

impl WriterTx {
    /// Runs the deferred statements, then `work`, inside the transaction. A deferred
    /// statement's failure is the answer instead of `work`'s.
    pub(crate) async fn run<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let deferred = std::mem::take(&mut self.deferred);
        let (job, answered) = boxed(move |conn| {
            run_deferred(conn, &deferred)?;
            work(conn)
        });
        self.steps.send(TxStep::Work(job)).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Queues `statement` to run before the next step: its failure is that step's answer (or
    /// the commit's), and the transaction is then rolled back as for any failed step.
    pub(crate) fn defer(&mut self, statement: Deferred) {
        self.deferred.push(statement);
    }

    /// Runs the deferred statements and commits.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        let (answer, answered) = oneshot::channel();
        let deferred = self.deferred;
        self.steps
            .send(TxStep::Commit { deferred, answer })
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// Runs each deferred statement in order; the first failure ends the run.
fn run_deferred(conn: &Connection, deferred: &[Deferred]) -> Result<(), StoreError> {
    for (sql, args) in deferred {
        super::statement::execute(conn, sql, args).map_err(map_rusqlite)?;
    }
    Ok(())
}

/// Boxes `work` into a job that sends its answer to the returned receiver.
fn boxed<T: Send + 'static>(
    work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
) -> (Work, oneshot::Receiver<Result<T, StoreError>>) {
    let (answer, answered) = oneshot::channel();
    let job: Work = Box::new(move |conn| {
        let _ = answer.send(conn.and_then(work));
    });
    (job, answered)
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the SQLite writer has stopped".into())
}

fn serve(mut conn: Connection, commands: &mpsc::Receiver<Command>) {
    let mut next = None;
    loop {
        let command = match next.take() {
            Some(command) => command,
            None => match commands.recv() {
                Ok(command) => command,
                Err(mpsc::RecvError) => return,
            },
        };
        match command {
            Command::Work(work) => work(Ok(&conn)),
            Command::Call(first) => {
                let (group, after) = gather(first, commands);
                group::commit(&mut conn, group);
                next = after;
            }
            Command::Begin(steps) => transaction(&conn, &steps),
            Command::Stop(done) => {
                if let Err((_, e)) = conn.close() {
                    tracing::warn!(error = %e, "closing the SQLite writer connection failed");
                }
                let _ = done.send(());
                return;
            }
        }
    }
}

/// The calls queued behind `first` (up to [`MAX_GROUP`]), and the first other command met,
/// which is served next so that order is kept.
fn gather(first: Call, commands: &mpsc::Receiver<Command>) -> (Vec<Call>, Option<Command>) {
    let mut group = vec![first];
    while group.len() < MAX_GROUP {
        match commands.try_recv() {
            Ok(Command::Call(call)) => group.push(call),
            Ok(other) => return (group, Some(other)),
            Err(_) => break,
        }
    }
    (group, None)
}

/// Serves one transaction from `BEGIN IMMEDIATE` to its commit or rollback. When `BEGIN`
/// fails, the transaction's steps are answered with that failure until the caller gives up.
fn transaction(conn: &Connection, steps: &mpsc::Receiver<TxStep>) {
    let mut failed_begin = conn
        .execute_batch("BEGIN IMMEDIATE")
        .err()
        .map(map_rusqlite);
    let began = failed_begin.is_none();
    let begin_failure = |failed: &mut Option<StoreError>| {
        failed.take().unwrap_or_else(|| {
            StoreError::Unavailable("the SQLite transaction could not begin".into())
        })
    };
    loop {
        match steps.recv() {
            Ok(TxStep::Work(work)) if began => work(Ok(conn)),
            Ok(TxStep::Work(work)) => work(Err(begin_failure(&mut failed_begin))),
            Ok(TxStep::Commit { answer, .. }) if !began => {
                let _ = answer.send(Err(begin_failure(&mut failed_begin)));
                return;
            }
            Ok(TxStep::Commit { deferred, answer }) => {
                let result = run_deferred(conn, &deferred)
                    .and_then(|()| conn.execute_batch("COMMIT").map_err(map_rusqlite));
                if result.is_err() {
                    rollback(conn);
                }
                let _ = answer.send(result);
                return;
            }
            // The transaction was dropped without committing.
            Err(mpsc::RecvError) => {
                if began {
                    rollback(conn);
                }
                return;
            }
        }
    }
}

/// Rolls back the connection's open transaction, if any (a failed rollback is only logged:
/// SQLite has already undone the transaction or will when the connection is next used).
pub(super) fn rollback(conn: &Connection) {
    if !conn.is_autocommit()
        && let Err(e) = conn.execute_batch("ROLLBACK")
    {
        tracing::warn!(error = %e, "SQLite rollback failed");
    }
}
