//! Statements on `oxydra_pushed_request` (RFC 9126 pushed authorization requests).
//!
//! Use is a conditional `UPDATE` (`WHERE used = FALSE`), so of two concurrent uses of one
//! reference exactly one affects the row: PostgreSQL and InnoDB re-check the condition after
//! waiting for the row lock, and SQLite has one writer.

use crate::db::Stmt;

/// The columns of [`crate::rows::PushedRequestRow`], in the order of [`INSERT`]'s parameters.
macro_rules! columns {
    () => {
        "key_hash, client_id, params, requested_at, expires_at, used"
    };
}

/// `$1..$6` the columns, in [`columns`] order.
pub(crate) static INSERT: Stmt = Stmt::new(
    "par.insert",
    concat!(
        "INSERT INTO oxydra_pushed_request (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6)"
    ),
);

/// `$1` key hash.
pub(crate) static GET: Stmt = Stmt::new(
    "par.get",
    concat!(
        "SELECT ",
        columns!(),
        " FROM oxydra_pushed_request WHERE key_hash = $1"
    ),
);

/// `$1` key hash, `$2` now: marks an unused request unexpired at `$2` used.
pub(crate) static USE: Stmt = Stmt::new(
    "par.use",
    "UPDATE oxydra_pushed_request SET used = TRUE \
     WHERE key_hash = $1 AND used = FALSE AND expires_at > $2",
);

/// A batch delete of requests made before `$1` that expired before `$2`, `$3` the batch size,
/// with `$lock` after the `LIMIT` (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two cleanups never
/// wait on each other or on a request being used).
macro_rules! flush {
    ($lock:literal) => {
        concat!(
            "DELETE FROM oxydra_pushed_request WHERE key_hash IN (SELECT key_hash FROM \
             oxydra_pushed_request WHERE requested_at < $1 AND expires_at < $2 LIMIT $3",
            $lock,
            ")"
        )
    };
}

/// `$1` made before, `$2` expired before, `$3` batch size.
pub(crate) static FLUSH: Stmt = Stmt::new("par.flush", flush!(""))
    .postgres(flush!(" FOR UPDATE SKIP LOCKED"))
    // MySQL refuses `LIMIT` in an `IN` subquery; its `DELETE` takes one itself.
    .mysql(
        "DELETE FROM oxydra_pushed_request WHERE requested_at < $1 AND expires_at < $2 LIMIT $3",
    );
