//! Group commit on the writer thread: the writes queued while the writer was busy (token
//! inserts, single statements, whole transactions) commit in **one** transaction, so N
//! concurrent writes cost one commit (one set of WAL frames for the pages they share, one round
//! of file locks) instead of N.
//!
//! Atomicity per call is kept: in a group, each call runs inside a savepoint of its own, and a
//! call that fails is rolled back to it and answered with its error while the others go on.
//! Nothing is answered success before its transaction commits; if the commit fails, or SQLite
//! abandons the transaction itself (a full disk, an I/O error), every call it held is answered
//! with that failure.

use oxydra_core::store::StoreError;
use rusqlite::Connection;
use rusqlite::ffi;

use super::writer;
use crate::error::map_rusqlite;

/// The most calls one group carries: bounds a commit's latency.
pub(crate) const MAX_GROUP: usize = 256;

/// One write to run on the writer inside a transaction it does not begin or end itself.
pub(crate) struct Call {
    run: Box<dyn FnOnce(Opened<'_>) -> Ran + Send>,
    /// Whether the call may run more than one statement, and so needs a savepoint of its own
    /// in a group. A single statement needs none: SQLite undoes a failed statement itself.
    several: bool,
}

/// The connection inside the group's transaction, or why that transaction could not begin.
type Opened<'c> = Result<&'c mut Connection, StoreError>;

/// Sends a call's answer once its transaction has ended: its own outcome, or the given
/// failure of the transaction.
type Answer = Box<dyn FnOnce(Option<StoreError>) + Send>;

/// What a call did, and how to answer it once its transaction has ended.
pub(crate) struct Ran {
    /// Whether it succeeded (its changes are kept).
    ok: bool,
    /// Sends the call's answer.
    answer: Answer,
}

impl Call {
    /// A call running `work` (given the connection, or the failure to begin a transaction)
    /// whose outcome goes to `done` once the transaction has ended; `several` when `work` may
    /// run more than one statement.
    pub(crate) fn new<T: Send + 'static>(
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
        done: tokio::sync::oneshot::Sender<Result<T, StoreError>>,
        several: bool,
    ) -> Self {
        let run = Box::new(move |conn: Opened<'_>| {
            let outcome = conn.and_then(work);
            Ran {
                ok: outcome.is_ok(),
                answer: Box::new(move |ended| {
                    let _ = done.send(match (ended, outcome) {
                        (Some(failure), Ok(_)) => Err(failure),
                        (_, outcome) => outcome,
                    });
                }),
            }
        });
        Self { run, several }
    }

    fn run(self, conn: Opened<'_>) -> Ran {
        (self.run)(conn)
    }
}

/// Runs `group` in one transaction (each call alone when it is the only one), and answers
/// every call.
pub(crate) fn commit(conn: &mut Connection, group: Vec<Call>) {
    let alone = group.len() == 1;
    let mut calls = group.into_iter();
    // More than one transaction only when SQLite abandoned one part-way.
    while calls.len() > 0 {
        one_transaction(conn, &mut calls, alone);
    }
}

/// Begins a transaction and runs the calls of `calls` in it, then commits and answers them;
/// when SQLite abandons the transaction part-way, answers the calls it held with that failure
/// and leaves the rest in `calls` for the next transaction.
fn one_transaction(conn: &mut Connection, calls: &mut std::vec::IntoIter<Call>, alone: bool) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        for call in calls {
            (call.run(Err(map_rusqlite(copy(&e)))).answer)(None);
        }
        return;
    }
    let mut succeeded = Vec::new();
    for call in calls.by_ref() {
        let guarded = !alone && call.several;
        if guarded && let Err(e) = run_cached(conn, "SAVEPOINT oxydra_call") {
            (call.run(Err(map_rusqlite(e))).answer)(None);
            continue;
        }
        let ran = call.run(Ok(&mut *conn));
        if ran.ok {
            if guarded && let Err(e) = run_cached(conn, "RELEASE oxydra_call") {
                fail_all(conn, succeeded, &e);
                (ran.answer)(Some(map_rusqlite(e)));
                return;
            }
            succeeded.push(ran.answer);
            continue;
        }
        // SQLite ends the transaction itself after some failures: the calls before this one
        // are undone too.
        let undone = conn.is_autocommit() || (guarded && !undo_call(conn));
        (ran.answer)(None);
        if undone {
            let abandoned = rusqlite::Error::SqliteFailure(
                ffi::Error::new(ffi::SQLITE_ABORT),
                Some("the transaction was rolled back by a failing write beside it".into()),
            );
            fail_all(conn, succeeded, &abandoned);
            return;
        }
        if alone {
            writer::rollback(conn);
        }
    }
    if conn.is_autocommit() {
        // The only call failed and was rolled back.
        return;
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => succeeded.into_iter().for_each(|answer| answer(None)),
        Err(e) => fail_all(conn, succeeded, &e),
    }
}

/// Rolls a failed call back to its savepoint; false when that failed too.
fn undo_call(conn: &Connection) -> bool {
    run_cached(conn, "ROLLBACK TO oxydra_call").is_ok()
        && run_cached(conn, "RELEASE oxydra_call").is_ok()
}

/// Runs a statement without parameters or rows from the statement cache (parsed once).
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Rolls back the open transaction (if any) and answers every call in it with `failure`.
fn fail_all(conn: &Connection, answers: Vec<Answer>, failure: &rusqlite::Error) {
    writer::rollback(conn);
    for answer in answers {
        answer(Some(map_rusqlite(copy(failure))));
    }
}

/// A copy of `e` for one more caller (rusqlite's errors cannot be cloned): SQLite's own
/// failures keep their codes, so each caller's error maps as the original does.
fn copy(e: &rusqlite::Error) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            rusqlite::Error::SqliteFailure(*code, message.clone())
        }
        other => rusqlite::Error::SqliteFailure(
            ffi::Error::new(ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}
