//! Statements on `oxydra_legacy_consent_request` (the 0.10 consent-by-id flow,
//! `shared/spec/behaviour.md` §15).
//!
//! Answering and redeeming are single conditional `UPDATE … RETURNING` statements that also
//! test expiry against the caller's `now`, so of two concurrent redemptions exactly one
//! changes the row (PostgreSQL re-checks the condition after waiting for the row lock; SQLite
//! has one writer) and an expired request can never be redeemed.

use crate::db::Stmt;
use crate::mysql::MySqlForm;

/// The columns of [`crate::rows::LegacyConsentRow`], in the order of [`INSERT`]'s parameters.
macro_rules! columns {
    () => {
        "id, csrf, client_id, requested_scope, redirect_url, requested_at, expires_at, outcome, \
         handled_at, used"
    };
}

/// `$1..$10` the columns, in [`columns`] order.
pub(crate) static INSERT: Stmt = Stmt::new(
    "legacy_consent.insert",
    concat!(
        "INSERT INTO oxydra_legacy_consent_request (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ),
);

/// `$1` id: the request's columns.
macro_rules! select_by_id {
    () => {
        concat!(
            "SELECT ",
            columns!(),
            " FROM oxydra_legacy_consent_request WHERE id = $1"
        )
    };
}

/// `$1` id.
pub(crate) static GET: Stmt = Stmt::new("legacy_consent.get", select_by_id!());

/// MariaDB's form of the `UPDATE … RETURNING` statements below.
const RETURNING: MySqlForm = MySqlForm::UpdateThenSelect {
    select: select_by_id!(),
};

/// `$1` id, `$2` outcome, `$3` now: records the answer of an unused request that has not
/// expired at `$3`; no row otherwise.
pub(crate) static ANSWER: Stmt = Stmt::new(
    "legacy_consent.answer",
    concat!(
        "UPDATE oxydra_legacy_consent_request SET outcome = $2, handled_at = $3 \
         WHERE id = $1 AND used = FALSE AND expires_at > $3 RETURNING ",
        columns!()
    ),
)
.mysql_form(RETURNING);

/// `$1` id, `$2` now: marks an answered, unused request that has not expired at `$2` used;
/// no row otherwise.
pub(crate) static USE: Stmt = Stmt::new(
    "legacy_consent.use",
    concat!(
        "UPDATE oxydra_legacy_consent_request SET used = TRUE \
         WHERE id = $1 AND used = FALSE AND outcome IS NOT NULL AND expires_at > $2 RETURNING ",
        columns!()
    ),
)
.mysql_form(RETURNING);

/// A batch delete of requests created before `$1` that expired before `$2`, `$3` the batch
/// size, with `$lock` after the `LIMIT` (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two cleanups
/// never wait on each other or on a request being redeemed).
macro_rules! flush {
    ($lock:literal) => {
        concat!(
            "DELETE FROM oxydra_legacy_consent_request WHERE id IN (SELECT id FROM \
             oxydra_legacy_consent_request WHERE requested_at < $1 AND expires_at < $2 LIMIT $3",
            $lock,
            ")"
        )
    };
}

/// `$1` created before, `$2` expired before, `$3` batch size.
pub(crate) static FLUSH: Stmt = Stmt::new("legacy_consent.flush", flush!(""))
    .postgres(flush!(" FOR UPDATE SKIP LOCKED"))
    // MySQL refuses `LIMIT` in an `IN` subquery; its `DELETE` takes one itself.
    .mysql(
        "DELETE FROM oxydra_legacy_consent_request WHERE requested_at < $1 AND expires_at < $2 \
         LIMIT $3",
    );
