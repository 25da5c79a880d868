//! Statements on `oxydra_logout_request`, and the ones a completed logout runs on the login
//! session and its consents (OIDC RP-Initiated Logout 1.0 as Hydra runs it).
//!
//! Accepting and redeeming are single conditional `UPDATE … RETURNING` statements, so of two
//! concurrent redemptions exactly one changes the row (MariaDB reads the row back by its key,
//! see `MySqlForm`).

use crate::db::Stmt;
use crate::mysql::MySqlForm;

/// The columns of [`crate::rows::LogoutRequestRow`], in the order of [`INSERT`]'s parameters.
macro_rules! columns {
    () => {
        "challenge, verifier, subject, session_id, client_id, request_url, rp_initiated, \
         redirect_to, requested_at, accepted, verifier_used"
    };
}

/// `$1` the value of `$key`: the request's columns.
macro_rules! select_by {
    ($key:literal) => {
        concat!(
            "SELECT ",
            columns!(),
            " FROM oxydra_logout_request WHERE ",
            $key,
            " = $1"
        )
    };
}

/// `$1..$11` the columns, in [`columns`] order.
pub(crate) static INSERT: Stmt = Stmt::new(
    "logout.insert",
    concat!(
        "INSERT INTO oxydra_logout_request (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ),
);

/// `$1` challenge.
pub(crate) static GET: Stmt = Stmt::new("logout.get", select_by!("challenge"));

/// `$1` verifier, not redeemed.
pub(crate) static BY_VERIFIER: Stmt = Stmt::new("logout.by_verifier", select_by!("verifier"));

/// `$1` challenge: accepts an unredeemed request; no row otherwise.
pub(crate) static ACCEPT: Stmt = Stmt::new(
    "logout.accept",
    concat!(
        "UPDATE oxydra_logout_request SET accepted = TRUE \
         WHERE challenge = $1 AND verifier_used = FALSE RETURNING ",
        columns!()
    ),
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: select_by!("challenge"),
});

/// `$1` challenge: deletes an unredeemed request.
pub(crate) static REJECT: Stmt = Stmt::new(
    "logout.reject",
    "DELETE FROM oxydra_logout_request WHERE challenge = $1 AND verifier_used = FALSE",
);

/// `$1` verifier: redeems an accepted, unredeemed request; no row otherwise.
pub(crate) static REDEEM: Stmt = Stmt::new(
    "logout.redeem",
    concat!(
        "UPDATE oxydra_logout_request SET verifier_used = TRUE \
         WHERE verifier = $1 AND verifier_used = FALSE AND accepted = TRUE RETURNING ",
        columns!()
    ),
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: select_by!("verifier"),
});

/// `$1` verifier: whether the request's verifier was redeemed (no row: unknown).
pub(crate) static VERIFIER_USED: Stmt = Stmt::new(
    "logout.verifier_used",
    "SELECT verifier_used FROM oxydra_logout_request WHERE verifier = $1",
);

/// `$1` login session id: the clients with an accepted consent in the session.
pub(crate) static SESSION_CLIENTS: Stmt = Stmt::new(
    "logout.session_clients",
    "SELECT DISTINCT client_id FROM oxydra_consent_request \
     WHERE login_session_id = $1 AND accepted = TRUE ORDER BY client_id",
);

/// `$1` login session id: the session's consents are no longer remembered (their grants, and
/// so their tokens, stay: Hydra's logout revokes no token).
pub(crate) static FORGET_SESSION_CONSENTS: Stmt = Stmt::new(
    "logout.forget_session_consents",
    "UPDATE oxydra_consent_request SET remember = FALSE \
     WHERE login_session_id = $1 AND remember = TRUE",
);

/// A batch delete of requests made before both `$1` and `$2` (the round trip over), `$3` the
/// batch size, with `$lock` as in `sql::flows`' flush.
macro_rules! flush {
    ($lock:literal) => {
        concat!(
            "DELETE FROM oxydra_logout_request WHERE challenge IN (SELECT challenge FROM \
             oxydra_logout_request WHERE requested_at < $1 AND requested_at < $2 LIMIT $3",
            $lock,
            ")"
        )
    };
}

/// `$1` requested before, `$2` round trip over for requests before, `$3` batch size.
pub(crate) static FLUSH: Stmt = Stmt::new("logout.flush", flush!(""))
    .postgres(flush!(" FOR UPDATE SKIP LOCKED"))
    // MySQL refuses `LIMIT` in an `IN` subquery; its `DELETE` takes one itself.
    .mysql(
        "DELETE FROM oxydra_logout_request WHERE requested_at < $1 AND requested_at < $2 LIMIT $3",
    );
