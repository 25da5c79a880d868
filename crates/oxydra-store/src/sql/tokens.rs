//! Statements on `oxydra_token` (issued tokens by signature) and `oxydra_jti` (client-assertion
//! replay protection).
//!
//! `kind` is `access_token`, `refresh_token` or `authorize_code` (see
//! [`crate::rows::kind_name`]); lists and the session are JSON text; times are BIGINT Unix
//! microseconds. PostgreSQL batch deletes lock with `FOR UPDATE SKIP LOCKED`, so two cleanups
//! never wait on (or deadlock with) each other or a token being used; SQLite has one writer.

use std::sync::LazyLock;

use crate::db::Stmt;
use crate::mysql::MySqlForm;

/// The column list, in the order of [`crate::rows::TokenRow`] and of [`INSERT`]'s parameters.
macro_rules! token_columns {
    () => {
        "signature, kind, request_id, client_id, subject, granted_scope, granted_audience, \
         issued_at, expires_at, active, session"
    };
}

/// `$1..$11` the columns, in [`token_columns`] order.
pub(crate) static INSERT: Stmt = Stmt::new(
    "tokens.insert",
    concat!(
        "INSERT INTO oxydra_token (",
        token_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ),
);

/// `INSERT` of `rows` rows at once (parameters row after row, each in [`token_columns`] order):
/// the group-commit writer's statement, so a batch costs one round trip per `rows` rows.
fn insert_many(name: &'static str, rows: usize) -> Stmt {
    let columns = 11;
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=columns)
                .map(|c| format!("${}", row * columns + c))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO oxydra_token ({}) VALUES {}",
        token_columns!(),
        values.join(", ")
    );
    // Built once per process (two statements), so leaking the text is bounded.
    Stmt::new(name, Box::leak(sql.into_boxed_str()))
}

/// Rows per [`INSERT_32`].
pub(crate) const INSERT_32_ROWS: usize = 32;
/// Rows per [`INSERT_8`].
pub(crate) const INSERT_8_ROWS: usize = 8;

/// 32 tokens in one statement.
pub(crate) static INSERT_32: LazyLock<Stmt> =
    LazyLock::new(|| insert_many("tokens.insert_32", INSERT_32_ROWS));
/// 8 tokens in one statement.
pub(crate) static INSERT_8: LazyLock<Stmt> =
    LazyLock::new(|| insert_many("tokens.insert_8", INSERT_8_ROWS));

/// `$1` signature, `$2` kind: a row of that kind only.
pub(crate) static GET: Stmt = Stmt::new(
    "tokens.get",
    concat!(
        "SELECT ",
        token_columns!(),
        " FROM oxydra_token WHERE signature = $1 AND kind = $2"
    ),
);

/// `$1` signature, `$2` kind: the request id of the token, active or not.
macro_rules! request_of {
    () => {
        "SELECT request_id FROM oxydra_token WHERE signature = $1 AND kind = $2"
    };
}

/// `$1` signature, `$2` kind. Deactivates the token only if it is still active, so of two
/// concurrent uses exactly one sees a row (PostgreSQL and InnoDB re-check the condition after
/// waiting for the row lock). Returns the request id (MariaDB: read back in the update's
/// transaction).
pub(crate) static DEACTIVATE: Stmt = Stmt::new(
    "tokens.deactivate",
    "UPDATE oxydra_token SET active = FALSE \
     WHERE signature = $1 AND kind = $2 AND active = TRUE RETURNING request_id",
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: request_of!(),
});

/// `$1` signature, `$2` kind, `$3` rotated at, `$4` the successor refresh token's signature,
/// `$5` the sealed successor pair: [`DEACTIVATE`] for a rotation under a grace window, which
/// keeps on the rotated row what a repeated presentation is answered with.
pub(crate) static DEACTIVATE_FOR_GRACE: Stmt = Stmt::new(
    "tokens.deactivate_for_grace",
    "UPDATE oxydra_token \
     SET active = FALSE, rotated_at = $3, grace_successor = $4, grace_sealed = $5 \
     WHERE signature = $1 AND kind = $2 AND active = TRUE RETURNING request_id",
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: request_of!(),
});

/// `$1` request id, `$2` the signature to keep: erases the sealed successor pairs of the
/// grant's other refresh tokens, so only the latest rotation can be answered again.
pub(crate) static ERASE_EARLIER_SEALS: Stmt = Stmt::new(
    "tokens.erase_earlier_seals",
    "UPDATE oxydra_token SET grace_sealed = NULL \
     WHERE request_id = $1 AND kind = 'refresh_token' AND grace_sealed IS NOT NULL \
     AND signature <> $2",
)
// SQLite and MySQL name the request-id index, see `DELETE_ACCESS_OF_REQUEST`.
.sqlite(
    "UPDATE oxydra_token INDEXED BY oxydra_token_request_id_idx SET grace_sealed = NULL \
     WHERE request_id = $1 AND kind = 'refresh_token' AND grace_sealed IS NOT NULL \
     AND signature <> $2",
)
.mysql(
    "UPDATE oxydra_token FORCE INDEX (oxydra_token_request_id_idx) SET grace_sealed = NULL \
     WHERE request_id = $1 AND kind = 'refresh_token' AND grace_sealed IS NOT NULL \
     AND signature <> $2",
);

/// `$1` signature: what a repeated presentation of a refresh token is judged by (not
/// locked: the row is inactive for good, and a shared lock here would deadlock two
/// presentations that both go on to revoke the grant).
pub(crate) static ROTATED_FACTS: Stmt = Stmt::new(
    "tokens.rotated_facts",
    "SELECT request_id, client_id, rotated_at, grace_successor, grace_sealed \
     FROM oxydra_token WHERE signature = $1 AND kind = 'refresh_token'",
);

/// `$1` signature: the refresh token if it is still active, locked until the transaction
/// ends, so the successor cannot be rotated between the check and the grace answer
/// (PostgreSQL re-checks `active` after waiting for a concurrent rotation's lock). SQLite
/// serialises writers, so it needs no lock.
pub(crate) static LOCK_ACTIVE_REFRESH: Stmt = Stmt::new(
    "tokens.lock_active_refresh",
    "SELECT request_id FROM oxydra_token \
     WHERE signature = $1 AND kind = 'refresh_token' AND active = TRUE FOR UPDATE",
)
.sqlite(
    "SELECT request_id FROM oxydra_token \
     WHERE signature = $1 AND kind = 'refresh_token' AND active = TRUE",
);

/// `$1` signature, `$2` kind: the request id of the token, active or not.
pub(crate) static REQUEST_OF: Stmt = Stmt::new("tokens.request_of", request_of!());

/// `$1` request id: deletes the grant's access tokens (rotation, revocation, replay).
pub(crate) static DELETE_ACCESS_OF_REQUEST: Stmt = Stmt::new(
    "tokens.delete_access_of_request",
    "DELETE FROM oxydra_token WHERE request_id = $1 AND kind = 'access_token'",
)
// SQLite names the index. Given `request_id = ? AND kind = '…'`, its planner (without
// `ANALYZE` statistics) picked the `(kind, expires_at)` index and so walked every token of
// that kind: each refresh rotation and revocation scanned all access tokens (measured: 52
// rotations/s at 19.6 ms of CPU each once the table held ~100,000 tokens). `INDEXED BY`
// makes it use the request-id index, here and in the two statements below; a test checks
// the plans.
.sqlite(
    "DELETE FROM oxydra_token INDEXED BY oxydra_token_request_id_idx \
     WHERE request_id = $1 AND kind = 'access_token'",
)
// MySQL names the index too: on a small table InnoDB would rather scan the primary key, and
// it locks every row it reads, so a rotation and a concurrent replay of one grant, each
// deleting one kind, would wait for each other's rows (a deadlock). Through the
// `(request_id, kind)` index each reads only its own kind's rows. Index hints need the
// multi-table form of `DELETE`/`UPDATE`, here and in the two statements below.
.mysql(
    "DELETE t FROM oxydra_token t FORCE INDEX (oxydra_token_request_id_idx) \
     WHERE t.request_id = $1 AND t.kind = 'access_token'",
);

/// `$1` request id: deletes the grant's refresh tokens (revocation, replay; see
/// [`crate::impls::tokens`] for why refresh tokens go first).
pub(crate) static DELETE_REFRESH_OF_REQUEST: Stmt = Stmt::new(
    "tokens.delete_refresh_of_request",
    "DELETE FROM oxydra_token WHERE request_id = $1 AND kind = 'refresh_token'",
)
// SQLite: names the request-id index, see `DELETE_ACCESS_OF_REQUEST`.
.sqlite(
    "DELETE FROM oxydra_token INDEXED BY oxydra_token_request_id_idx \
     WHERE request_id = $1 AND kind = 'refresh_token'",
)
.mysql(
    "DELETE t FROM oxydra_token t FORCE INDEX (oxydra_token_request_id_idx) \
     WHERE t.request_id = $1 AND t.kind = 'refresh_token'",
);

/// `$1` request id: deactivates the grant's authorization codes (kept to detect reuse).
pub(crate) static DEACTIVATE_CODES_OF_REQUEST: Stmt = Stmt::new(
    "tokens.deactivate_codes_of_request",
    "UPDATE oxydra_token SET active = FALSE \
     WHERE request_id = $1 AND kind = 'authorize_code' AND active = TRUE",
)
// SQLite: names the request-id index, see `DELETE_ACCESS_OF_REQUEST`.
.sqlite(
    "UPDATE oxydra_token INDEXED BY oxydra_token_request_id_idx SET active = FALSE \
     WHERE request_id = $1 AND kind = 'authorize_code' AND active = TRUE",
)
.mysql(
    "UPDATE oxydra_token FORCE INDEX (oxydra_token_request_id_idx) SET active = FALSE \
     WHERE request_id = $1 AND kind = 'authorize_code' AND active = TRUE",
);

/// `$1` client id: deletes every access and refresh token of the client (Hydra 2.x
/// `DELETE /admin/oauth2/tokens`).
pub(crate) static DELETE_OF_CLIENT: Stmt = Stmt::new(
    "tokens.delete_of_client",
    "DELETE FROM oxydra_token \
     WHERE client_id = $1 AND kind IN ('access_token', 'refresh_token')",
);

/// `$1` client id: deactivates the client's authorization codes, so none is redeemed later.
pub(crate) static DEACTIVATE_CODES_OF_CLIENT: Stmt = Stmt::new(
    "tokens.deactivate_codes_of_client",
    "UPDATE oxydra_token SET active = FALSE \
     WHERE client_id = $1 AND kind = 'authorize_code' AND active = TRUE",
);

/// `$1` kind, `$2` expired before, `$3` issued before, `$4` batch size. Rows without an
/// expiry (refresh tokens) never match.
///
/// Ordered by `expires_at`, so that the batch is an ordered scan of the `(kind, expires_at)`
/// index that stops at its limit: without the order, PostgreSQL's planner, once the table is
/// analyzed, reads the whole table per batch (measured with `EXPLAIN ANALYZE`, 300,000 expired
/// among 970,000 rows: a sequential scan and 243 ms per 10,000-row batch, against 69 ms with
/// the order).
pub(crate) static FLUSH: Stmt = Stmt::new(
    "tokens.flush",
    "DELETE FROM oxydra_token WHERE signature IN (\
     SELECT signature FROM oxydra_token \
     WHERE kind = $1 AND expires_at IS NOT NULL AND expires_at < $2 AND issued_at < $3 \
     ORDER BY expires_at LIMIT $4)",
)
.postgres(
    "DELETE FROM oxydra_token WHERE signature IN (\
     SELECT signature FROM oxydra_token \
     WHERE kind = $1 AND expires_at IS NOT NULL AND expires_at < $2 AND issued_at < $3 \
     ORDER BY expires_at LIMIT $4 FOR UPDATE SKIP LOCKED)",
)
// MySQL refuses `LIMIT` in an `IN` subquery; its `DELETE` takes one itself.
.mysql(
    "DELETE FROM oxydra_token \
     WHERE kind = $1 AND expires_at IS NOT NULL AND expires_at < $2 AND issued_at < $3 \
     ORDER BY expires_at LIMIT $4",
);

/// `$1` client id, `$2` jti, `$3` expires at, `$4` now. Inserts the jti, or replaces a record
/// of it that has expired at `$4`; affects no row when an unexpired record exists. One
/// statement: a concurrent claim of the same jti waits for this one and then affects no row.
/// MySQL counts an `ON DUPLICATE KEY UPDATE` that changes nothing as a found row, so there the
/// expired record is deleted first and a duplicate on the insert counts as no row.
pub(crate) static CLAIM_JTI: Stmt = Stmt::new(
    "tokens.claim_jti",
    "INSERT INTO oxydra_jti (client_id, jti, expires_at) VALUES ($1, $2, $3) \
     ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at \
     WHERE oxydra_jti.expires_at <= $4",
)
.mysql_form(MySqlForm::DeleteThenInsert {
    delete: "DELETE FROM oxydra_jti WHERE client_id = $1 AND jti = $2 AND expires_at <= $4",
    insert: "INSERT INTO oxydra_jti (client_id, jti, expires_at) VALUES ($1, $2, $3)",
});

/// `$1` now, `$2` batch size: deletes some jti records (of any client) expired at `$1`.
pub(crate) static DELETE_EXPIRED_JTIS: Stmt = Stmt::new(
    "tokens.delete_expired_jtis",
    "DELETE FROM oxydra_jti WHERE (client_id, jti) IN (\
     SELECT client_id, jti FROM oxydra_jti WHERE expires_at <= $1 LIMIT $2)",
)
.postgres(
    "DELETE FROM oxydra_jti WHERE (client_id, jti) IN (\
     SELECT client_id, jti FROM oxydra_jti WHERE expires_at <= $1 LIMIT $2 \
     FOR UPDATE SKIP LOCKED)",
)
.mysql("DELETE FROM oxydra_jti WHERE expires_at <= $1 LIMIT $2");

/// `$1` expired before, `$2` batch size: the flush's batch of expired jti records (of any
/// client), skipping rows a claim holds on PostgreSQL.
pub(crate) static FLUSH_JTIS: Stmt = Stmt::new(
    "tokens.flush_jtis",
    "DELETE FROM oxydra_jti WHERE (client_id, jti) IN (\
     SELECT client_id, jti FROM oxydra_jti WHERE expires_at < $1 LIMIT $2)",
)
.postgres(
    "DELETE FROM oxydra_jti WHERE (client_id, jti) IN (\
     SELECT client_id, jti FROM oxydra_jti WHERE expires_at < $1 LIMIT $2 \
     FOR UPDATE SKIP LOCKED)",
)
.mysql("DELETE FROM oxydra_jti WHERE expires_at < $1 LIMIT $2");

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements that find a grant's tokens search the request-id index on SQLite, not
    /// the `(kind, expires_at)` one (which meant a scan of every token of a kind).
    #[tokio::test]
    async fn grant_statements_use_the_request_id_index_on_sqlite() {
        for stmt in [
            &DELETE_ACCESS_OF_REQUEST,
            &DELETE_REFRESH_OF_REQUEST,
            &DEACTIVATE_CODES_OF_REQUEST,
            &ERASE_EARLIER_SEALS,
        ] {
            let detail = crate::sql::sqlite_plan(stmt, &["request"]).await;
            assert!(
                detail
                    .iter()
                    .any(|d| d
                        .contains("INDEX oxydra_token_request_id_idx (request_id=? AND kind=?)")),
                "{}: {detail:?}",
                stmt.name
            );
        }
    }
}
