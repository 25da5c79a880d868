//! Statements on `oxydra_device_grant` (RFC 8628 device authorizations).
//!
//! State changes are conditional `UPDATE`s (`WHERE status = …`), so of two concurrent
//! changes of one grant exactly one affects the row: PostgreSQL and InnoDB re-check the
//! condition after waiting for the row lock, and SQLite has one writer.

use crate::db::Stmt;

/// The columns of [`crate::rows::DeviceGrantRow`], in the order of [`INSERT`]'s parameters.
macro_rules! columns {
    () => {
        "signature, user_code_hash, challenge, client_id, requested_scope, requested_at, \
         expires_at, poll_interval, last_polled_at, status, approval"
    };
}

/// `$1..$11` the columns, in [`columns`] order.
pub(crate) static INSERT: Stmt = Stmt::new(
    "device.insert",
    concat!(
        "INSERT INTO oxydra_device_grant (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ),
);

/// `$1` signature.
pub(crate) static GET: Stmt = Stmt::new(
    "device.get",
    concat!(
        "SELECT ",
        columns!(),
        " FROM oxydra_device_grant WHERE signature = $1"
    ),
);

/// `$1` user code hash.
pub(crate) static BY_USER_CODE: Stmt = Stmt::new(
    "device.by_user_code",
    concat!(
        "SELECT ",
        columns!(),
        " FROM oxydra_device_grant WHERE user_code_hash = $1"
    ),
);

/// `$1` challenge.
pub(crate) static BY_CHALLENGE: Stmt = Stmt::new(
    "device.by_challenge",
    concat!(
        "SELECT ",
        columns!(),
        " FROM oxydra_device_grant WHERE challenge = $1"
    ),
);

/// `$1` signature, `$2` polled at, `$3` the new interval: records a poll of a pending grant.
pub(crate) static RECORD_POLL: Stmt = Stmt::new(
    "device.record_poll",
    "UPDATE oxydra_device_grant SET last_polled_at = $2, poll_interval = $3 \
     WHERE signature = $1 AND status = 'pending'",
);

/// `$1` challenge, `$2` approval, `$3` now: approves a pending grant unexpired at `$3`.
pub(crate) static APPROVE: Stmt = Stmt::new(
    "device.approve",
    "UPDATE oxydra_device_grant SET status = 'authorized', approval = $2 \
     WHERE challenge = $1 AND status = 'pending' AND expires_at > $3",
);

/// `$1` challenge, `$2` now: denies a pending grant unexpired at `$2`.
pub(crate) static DENY: Stmt = Stmt::new(
    "device.deny",
    "UPDATE oxydra_device_grant SET status = 'denied' \
     WHERE challenge = $1 AND status = 'pending' AND expires_at > $2",
);

/// `$1` signature, `$2` now: marks an authorized grant unexpired at `$2` used.
pub(crate) static USE: Stmt = Stmt::new(
    "device.use",
    "UPDATE oxydra_device_grant SET status = 'used' \
     WHERE signature = $1 AND status = 'authorized' AND expires_at > $2",
);

/// A batch delete of grants created before `$1` that expired before `$2`, `$3` the batch
/// size, with `$lock` after the `LIMIT` (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two cleanups
/// never wait on each other or on a grant being redeemed).
macro_rules! flush {
    ($lock:literal) => {
        concat!(
            "DELETE FROM oxydra_device_grant WHERE signature IN (SELECT signature FROM \
             oxydra_device_grant WHERE requested_at < $1 AND expires_at < $2 LIMIT $3",
            $lock,
            ")"
        )
    };
}

/// `$1` created before, `$2` expired before, `$3` batch size.
pub(crate) static FLUSH: Stmt = Stmt::new("device.flush", flush!(""))
    .postgres(flush!(" FOR UPDATE SKIP LOCKED"))
    // MySQL refuses `LIMIT` in an `IN` subquery; its `DELETE` takes one itself.
    .mysql("DELETE FROM oxydra_device_grant WHERE requested_at < $1 AND expires_at < $2 LIMIT $3");
