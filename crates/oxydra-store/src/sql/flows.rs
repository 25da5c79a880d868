//! Statements on `oxydra_login_request`, `oxydra_consent_request` and `oxydra_login_session`
//! (the login/consent flow, `shared/spec/behaviour.md` §3).
//!
//! Scopes, the OIDC context and outcomes are JSON text; times are BIGINT Unix microseconds.
//! Answers and verifier redemptions are single conditional `UPDATE … RETURNING` statements, so
//! of two concurrent callers exactly one changes the row (PostgreSQL re-checks the condition
//! after waiting for the row lock; SQLite has one writer). MariaDB has no `UPDATE … RETURNING`:
//! there the update runs alone and the changed row is read by its key (see `MySqlForm`). A
//! consent's `accepted`, `remember` and `remember_for` columns copy its accepted outcome, for
//! the remembered-consent queries.

use crate::db::Stmt;
use crate::mysql::MySqlForm;

/// The columns of [`crate::rows::LoginRequestRow`] (read by name), in the order of
/// [`INSERT_LOGIN`]'s parameters.
macro_rules! login_columns {
    () => {
        "challenge, verifier, csrf, client_id, subject, skip, requested_scope, request_url, \
         oidc_context, login_session_id, requested_at, authenticated_at, outcome, verifier_used"
    };
}

/// The columns of [`crate::rows::ConsentRequestRow`] (read by name), in the order of the first
/// parameters of [`INSERT_CONSENT`].
macro_rules! consent_columns {
    () => {
        "challenge, verifier, csrf, client_id, subject, skip, requested_scope, request_url, \
         oidc_context, login_challenge, login_session_id, requested_at, authenticated_at, acr, \
         outcome, handled_at, verifier_used, amr, context"
    };
}

/// The condition "a remembered consent still valid at `$now`" (Unix **seconds**), exactly as
/// `ConsentRequest::is_remembered_at`: accepted, remembered, not itself skipped, and
/// `remember_for` (0 = forever) not elapsed since the request, in whole seconds. Written as a
/// difference so a huge `remember_for` cannot overflow; times are after 1970, so `/` truncating
/// toward zero is the floor. `$div` is integer division (`/` on PostgreSQL and SQLite, `DIV`
/// on MySQL, whose `/` is exact).
macro_rules! still_remembered {
    ($now:literal) => {
        still_remembered!($now, "/")
    };
    ($now:literal, $div:literal) => {
        concat!(
            "accepted = TRUE AND remember = TRUE AND skip = FALSE AND (remember_for <= 0 OR \
             remember_for >= ",
            $now,
            " - requested_at ",
            $div,
            " 1000000)"
        )
    };
}

/// The consent requests matching `$filter` that are [`still_remembered!`] at `$now`, newest
/// answer first (ties by challenge), `$limit` of them after `$offset`. MySQL sorts NULL first
/// ascending, so last descending, and has no `NULLS LAST`.
macro_rules! remembered {
    ($filter:literal, $now:literal, $limit:literal, $offset:literal) => {
        remembered!(@ $filter, $now, $limit, $offset, "/", " NULLS LAST")
    };
    (mysql, $filter:literal, $now:literal, $limit:literal, $offset:literal) => {
        remembered!(@ $filter, $now, $limit, $offset, "DIV", "")
    };
    (@ $filter:literal, $now:literal, $limit:literal, $offset:literal, $div:literal,
        $nulls_last:literal) => {
        concat!(
            "SELECT ",
            consent_columns!(),
            " FROM oxydra_consent_request WHERE ",
            $filter,
            " AND ",
            still_remembered!($now, $div),
            " ORDER BY handled_at DESC",
            $nulls_last,
            ", challenge LIMIT ",
            $limit,
            " OFFSET ",
            $offset
        )
    };
}

/// `$1` subject's consent requests, at `$2` client when not NULL (typed, for PostgreSQL;
/// `mysql` leaves out the cast, which MySQL spells differently and does not need).
macro_rules! of_subject_at_client {
    () => {
        "subject = $1 AND (CAST($2 AS TEXT) IS NULL OR client_id = $2)"
    };
    (mysql) => {
        "subject = $1 AND ($2 IS NULL OR client_id = $2)"
    };
}

/// The consent sessions of `$1` subject, of `$2` client when not NULL: its answered requests.
macro_rules! consent_sessions_of {
    ($($dialect:ident)?) => {
        concat!(of_subject_at_client!($($dialect)?), " AND outcome IS NOT NULL")
    };
}

/// `$1` the value of `$key` (`challenge`, or `verifier` to look a request up without
/// redeeming it): the request of `$table` with `$columns`.
macro_rules! select_by {
    ($table:literal, $columns:expr, $key:literal) => {
        concat!(
            "SELECT ", $columns, " FROM ", $table, " WHERE ", $key, " = $1"
        )
    };
}

/// `$1` verifier: marks an answered, unused request of `$table` used and returns its
/// `$columns`; no row when the verifier is unknown, unanswered or used already.
macro_rules! redeem_verifier {
    ($table:literal, $columns:expr) => {
        concat!(
            "UPDATE ",
            $table,
            " SET verifier_used = TRUE \
             WHERE verifier = $1 AND verifier_used = FALSE AND outcome IS NOT NULL RETURNING ",
            $columns
        )
    };
}

/// `$1` verifier: whether the verifier of a request of `$table` was redeemed (no row: unknown).
macro_rules! verifier_used {
    ($table:literal) => {
        concat!("SELECT verifier_used FROM ", $table, " WHERE verifier = $1")
    };
}

/// `$1..$14` the columns, in [`login_columns`] order.
pub(crate) static INSERT_LOGIN: Stmt = Stmt::new(
    "flows.insert_login",
    concat!(
        "INSERT INTO oxydra_login_request (",
        login_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    ),
);

/// `$1` challenge.
pub(crate) static GET_LOGIN: Stmt = Stmt::new(
    "flows.get_login",
    select_by!("oxydra_login_request", login_columns!(), "challenge"),
);

/// `$1` verifier: the login request, not redeemed.
pub(crate) static LOGIN_BY_VERIFIER: Stmt = Stmt::new(
    "flows.login_by_verifier",
    select_by!("oxydra_login_request", login_columns!(), "verifier"),
);

/// `$1` challenge, `$2` outcome: answers an unanswered request; no row when it is unknown or
/// already answered.
pub(crate) static HANDLE_LOGIN: Stmt = Stmt::new(
    "flows.handle_login",
    concat!(
        "UPDATE oxydra_login_request SET outcome = $2 WHERE challenge = $1 AND outcome IS NULL \
         RETURNING ",
        login_columns!()
    ),
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: select_by!("oxydra_login_request", login_columns!(), "challenge"),
});

/// `$1` verifier; see [`redeem_verifier`].
pub(crate) static USE_LOGIN_VERIFIER: Stmt = Stmt::new(
    "flows.use_login_verifier",
    redeem_verifier!("oxydra_login_request", login_columns!()),
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: select_by!("oxydra_login_request", login_columns!(), "verifier"),
});

/// `$1` verifier; see [`verifier_used`].
pub(crate) static LOGIN_VERIFIER_USED: Stmt = Stmt::new(
    "flows.login_verifier_used",
    verifier_used!("oxydra_login_request"),
);

/// `$1..$17` the columns in [`consent_columns`] order, then `$18` accepted, `$19` remember,
/// `$20` remember_for (copied from the outcome).
pub(crate) static INSERT_CONSENT: Stmt = Stmt::new(
    "flows.insert_consent",
    concat!(
        "INSERT INTO oxydra_consent_request (",
        consent_columns!(),
        ", accepted, remember, remember_for) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
    ),
);

/// `$1` challenge.
pub(crate) static GET_CONSENT: Stmt = Stmt::new(
    "flows.get_consent",
    select_by!("oxydra_consent_request", consent_columns!(), "challenge"),
);

/// `$1` verifier: the consent request, not redeemed.
pub(crate) static CONSENT_BY_VERIFIER: Stmt = Stmt::new(
    "flows.consent_by_verifier",
    select_by!("oxydra_consent_request", consent_columns!(), "verifier"),
);

/// `$1` challenge, `$2` outcome, `$3` handled at, `$4` accepted, `$5` remember, `$6`
/// remember_for: answers an unanswered request; no row when it is unknown or already answered.
pub(crate) static HANDLE_CONSENT: Stmt = Stmt::new(
    "flows.handle_consent",
    concat!(
        "UPDATE oxydra_consent_request SET outcome = $2, handled_at = $3, accepted = $4, \
         remember = $5, remember_for = $6 WHERE challenge = $1 AND outcome IS NULL RETURNING ",
        consent_columns!()
    ),
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: select_by!("oxydra_consent_request", consent_columns!(), "challenge"),
});

/// `$1` verifier; see [`redeem_verifier`].
pub(crate) static USE_CONSENT_VERIFIER: Stmt = Stmt::new(
    "flows.use_consent_verifier",
    redeem_verifier!("oxydra_consent_request", consent_columns!()),
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: select_by!("oxydra_consent_request", consent_columns!(), "verifier"),
});

/// `$1` verifier; see [`verifier_used`].
pub(crate) static CONSENT_VERIFIER_USED: Stmt = Stmt::new(
    "flows.consent_verifier_used",
    verifier_used!("oxydra_consent_request"),
);

/// The remembered consents of `$1` subject at any client, `$2` now (Unix seconds), `$3` limit,
/// `$4` offset: newest answer first (ties by challenge). For the admin API's consent-session
/// list; an authorization request asks [`REMEMBERED_AT_CLIENT`].
pub(crate) static REMEMBERED: Stmt = Stmt::new(
    "flows.remembered",
    remembered!("subject = $1", "$2", "$3", "$4"),
)
.mysql(remembered!(mysql, "subject = $1", "$2", "$3", "$4"));

/// As [`REMEMBERED`], at `$2` client (`$3` now, `$4` limit, `$5` offset): a separate statement
/// so that every authorization request seeks the `(subject, client_id, remember, accepted,
/// skip)` index to the remembered rows alone. An "any client" alternative in the same `WHERE`
/// stops the planner at the subject, and the request then read every consent the subject ever
/// gave this client.
pub(crate) static REMEMBERED_AT_CLIENT: Stmt = Stmt::new(
    "flows.remembered_at_client",
    remembered!("subject = $1 AND client_id = $2", "$3", "$4", "$5"),
)
.mysql(remembered!(
    mysql,
    "subject = $1 AND client_id = $2",
    "$3",
    "$4",
    "$5"
));

/// `$1` subject, `$2` client or NULL, `$3` kind: deletes the tokens of that kind of the
/// subject's consent sessions (their request id is the consent challenge).
pub(crate) static DELETE_SESSION_TOKENS: Stmt = Stmt::new(
    "flows.delete_session_tokens",
    concat!(
        "DELETE FROM oxydra_token WHERE kind = $3 AND request_id IN (\
         SELECT challenge FROM oxydra_consent_request WHERE ",
        consent_sessions_of!(),
        ")"
    ),
)
.mysql(concat!(
    "DELETE FROM oxydra_token WHERE kind = $3 AND request_id IN (\
     SELECT challenge FROM oxydra_consent_request WHERE ",
    consent_sessions_of!(mysql),
    ")"
));

/// `$1` subject, `$2` client or NULL: deletes the subject's consent sessions.
pub(crate) static DELETE_SESSIONS: Stmt = Stmt::new(
    "flows.delete_sessions",
    concat!(
        "DELETE FROM oxydra_consent_request WHERE ",
        consent_sessions_of!()
    ),
)
.mysql(concat!(
    "DELETE FROM oxydra_consent_request WHERE ",
    consent_sessions_of!(mysql)
));

/// `$1` id, `$2` subject, `$3` authenticated at, `$4` expires at.
pub(crate) static INSERT_LOGIN_SESSION: Stmt = Stmt::new(
    "flows.insert_login_session",
    "INSERT INTO oxydra_login_session (id, subject, authenticated_at, expires_at) \
     VALUES ($1, $2, $3, $4)",
);

/// `$1` id, `$2` the new expiry (`extend_session_lifespan`).
pub(crate) static EXTEND_LOGIN_SESSION: Stmt = Stmt::new(
    "flows.extend_login_session",
    "UPDATE oxydra_login_session SET expires_at = $2 WHERE id = $1",
);

/// `$1` id.
pub(crate) static GET_LOGIN_SESSION: Stmt = Stmt::new(
    "flows.get_login_session",
    "SELECT id, subject, authenticated_at, expires_at FROM oxydra_login_session WHERE id = $1",
);

/// A batch delete of expired login sessions (`$1` expired before, `$2` authenticated
/// before, `$3` batch size), with `$lock` as in [`flush`].
macro_rules! flush_login_sessions {
    ($lock:literal) => {
        concat!(
            "DELETE FROM oxydra_login_session WHERE id IN (SELECT id FROM oxydra_login_session \
             WHERE expires_at < $1 AND authenticated_at < $2 LIMIT $3",
            $lock,
            ")"
        )
    };
}

/// `$1` expired before, `$2` authenticated before, `$3` batch size.
pub(crate) static FLUSH_LOGIN_SESSIONS: Stmt =
    Stmt::new("flows.flush_login_sessions", flush_login_sessions!(""))
        .postgres(flush_login_sessions!(" FOR UPDATE SKIP LOCKED"))
        // MySQL refuses `LIMIT` in an `IN` subquery; its `DELETE` takes one itself.
        .mysql(
            "DELETE FROM oxydra_login_session WHERE expires_at < $1 AND authenticated_at < $2 \
             LIMIT $3",
        );

/// `$1` id.
pub(crate) static DELETE_LOGIN_SESSION: Stmt = Stmt::new(
    "flows.delete_login_session",
    "DELETE FROM oxydra_login_session WHERE id = $1",
);

/// `$1` subject.
pub(crate) static DELETE_LOGIN_SESSIONS_OF: Stmt = Stmt::new(
    "flows.delete_login_sessions_of",
    "DELETE FROM oxydra_login_session WHERE subject = $1",
);

/// A batch delete of finished requests of `$table` (`$1` requested before, `$2` round trip
/// over for requests before, then `$extra` conditions, `$limit` the batch size parameter),
/// with `$lock` after the `LIMIT` (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two cleanups never
/// wait on each other or on a request being answered; SQLite has one writer).
macro_rules! flush {
    ($table:literal, $extra:expr, $limit:literal, $lock:literal) => {
        concat!(
            "DELETE FROM ",
            $table,
            " WHERE challenge IN (SELECT challenge FROM ",
            $table,
            " WHERE requested_at < $1 AND requested_at < $2",
            $extra,
            " LIMIT ",
            $limit,
            $lock,
            ")"
        )
    };
}

/// What keeps a finished consent: a remembered session still valid at `$3`, or a token that
/// still refers to it (it is the grant [`DELETE_SESSION_TOKENS`] revokes by). `$div` as in
/// [`still_remembered`].
macro_rules! consent_still_needed {
    () => {
        consent_still_needed!("/")
    };
    ($div:literal) => {
        concat!(
            " AND NOT (",
            still_remembered!("$3", $div),
            ") AND NOT EXISTS (SELECT 1 FROM oxydra_token t WHERE t.request_id = challenge)"
        )
    };
}

/// `$1` requested before, `$2` round trip over for requests before, `$3` batch size.
pub(crate) static FLUSH_LOGINS: Stmt = Stmt::new(
    "flows.flush_logins",
    flush!("oxydra_login_request", "", "$3", ""),
)
.postgres(flush!(
    "oxydra_login_request",
    "",
    "$3",
    " FOR UPDATE SKIP LOCKED"
))
// MySQL refuses `LIMIT` in an `IN` subquery; its `DELETE` takes one itself.
.mysql("DELETE FROM oxydra_login_request WHERE requested_at < $1 AND requested_at < $2 LIMIT $3");

/// `$1` requested before, `$2` round trip over for requests before, `$3` the flush's expiry
/// cutoff (Unix seconds), `$4` batch size; see [`consent_still_needed`] for what is kept.
pub(crate) static FLUSH_CONSENTS: Stmt = Stmt::new(
    "flows.flush_consents",
    flush!("oxydra_consent_request", consent_still_needed!(), "$4", ""),
)
.postgres(flush!(
    "oxydra_consent_request",
    consent_still_needed!(),
    "$4",
    " FOR UPDATE SKIP LOCKED"
))
.mysql(concat!(
    "DELETE FROM oxydra_consent_request WHERE requested_at < $1 AND requested_at < $2",
    consent_still_needed!("DIV"),
    " LIMIT $4"
));

#[cfg(test)]
mod tests {
    use super::*;

    /// An authorization request's remembered-consent lookup seeks past the subject's and
    /// client's unremembered consents in the index instead of reading each of them.
    #[tokio::test]
    async fn remembered_at_client_seeks_the_remembered_rows_on_sqlite() {
        let detail = crate::sql::sqlite_plan(&REMEMBERED_AT_CLIENT, &["subject", "client"]).await;
        assert!(
            detail.iter().any(|d| d.contains(
                "USING INDEX oxydra_consent_request_remembered_idx \
                 (subject=? AND client_id=? AND remember=? AND accepted=? AND skip=?)"
            )),
            "{detail:?}"
        );
    }
}
