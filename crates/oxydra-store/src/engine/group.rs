//! Group commit on the writer thread: the token inserts queued while the writer was busy are
//! committed in **one** transaction, so N concurrent token requests cost one commit (one
//! WAL append) instead of N.
//!
//! Atomicity per call is kept: a call's rows are all committed or none. If the group fails
//! (a duplicate signature, a client deleted meanwhile), it is rolled back and every call is
//! retried alone, so one bad call fails only itself. Nothing is answered before its
//! transaction commits.

use oxydra_core::store::StoreError;
use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{statement, writer};
use crate::db::Arg;
use crate::error::map_rusqlite;

/// The most calls one group carries: bounds a commit's latency.
pub(crate) const MAX_GROUP: usize = 256;

/// One call's rows (each a full argument list of `sql`), and where to answer. Besides token
/// inserts, a call may be a single conditional write whose affected-row count is the answer
/// (a `jti` claim), grouped the same way.
pub(crate) struct Insert {
    /// The single-row statement, in the engine's placeholder form.
    pub(crate) sql: &'static str,
    /// One argument list per row.
    pub(crate) rows: Vec<Vec<Arg>>,
    /// Receives the outcome once committed (or failed): the rows the call's statements
    /// changed.
    pub(crate) done: oneshot::Sender<Result<u64, StoreError>>,
}

/// Commits `group` together, or each call alone when that fails; answers every call.
pub(crate) fn commit(conn: &Connection, group: Vec<Insert>) {
    if group.len() > 1
        && let Ok(counts) = in_one_transaction(conn, &group)
    {
        for (call, count) in group.into_iter().zip(counts) {
            let _ = call.done.send(Ok(count));
        }
        return;
    }
    for call in group {
        let result = in_one_transaction(conn, std::slice::from_ref(&call)).map(|c| c[0]);
        let _ = call.done.send(result);
    }
}

/// Runs every call's rows in one transaction; the rows each call changed.
fn in_one_transaction(conn: &Connection, calls: &[Insert]) -> Result<Vec<u64>, StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(map_rusqlite)?;
    let counted = (|| {
        let mut counts = Vec::with_capacity(calls.len());
        for call in calls {
            let mut changed = 0;
            for args in &call.rows {
                changed += statement::execute(conn, call.sql, args)?;
            }
            counts.push(changed);
        }
        conn.execute_batch("COMMIT")?;
        Ok(counts)
    })();
    counted.map_err(|e| {
        writer::rollback(conn);
        map_rusqlite(e)
    })
}
