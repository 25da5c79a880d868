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

/// One call's rows (each a full argument list of `sql`), and where to answer.
pub(crate) struct Insert {
    /// The single-row `INSERT`, in the engine's placeholder form.
    pub(crate) sql: &'static str,
    /// One argument list per row.
    pub(crate) rows: Vec<Vec<Arg>>,
    /// Receives the outcome once committed (or failed).
    pub(crate) done: oneshot::Sender<Result<(), StoreError>>,
}

/// Commits `group` together, or each call alone when that fails; answers every call.
pub(crate) fn commit(conn: &Connection, group: Vec<Insert>) {
    if group.len() > 1 {
        let all = group
            .iter()
            .flat_map(|call| call.rows.iter().map(|row| (call.sql, row)));
        if in_one_transaction(conn, all).is_ok() {
            for call in group {
                let _ = call.done.send(Ok(()));
            }
            return;
        }
    }
    for call in group {
        let result = in_one_transaction(conn, call.rows.iter().map(|row| (call.sql, row)));
        let _ = call.done.send(result);
    }
}

fn in_one_transaction<'a>(
    conn: &Connection,
    rows: impl Iterator<Item = (&'static str, &'a Vec<Arg>)>,
) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(map_rusqlite)?;
    let inserted = (|| {
        for (sql, args) in rows {
            statement::execute(conn, sql, args)?;
        }
        conn.execute_batch("COMMIT")
    })();
    if let Err(e) = inserted {
        writer::rollback(conn);
        return Err(map_rusqlite(e));
    }
    Ok(())
}
