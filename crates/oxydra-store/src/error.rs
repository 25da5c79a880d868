//! The one place driver errors (sqlx, rusqlite) become [`StoreError`]s, so every method and
//! backend classifies failures alike.
//!
//! Missing rows are `NotFound`, unique violations `Conflict`, undecodable data `Corrupt`, and
//! everything about reaching or running the database `Unavailable`. A storage error is never
//! turned into "absent".

use oxydra_core::store::StoreError;
use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::migrate::MigrateError;

/// PostgreSQL's SQLSTATE for `unique_violation`.
const PG_UNIQUE_VIOLATION: &str = "23505";
/// SQLite's extended result code `SQLITE_CONSTRAINT_UNIQUE`.
const SQLITE_CONSTRAINT_UNIQUE: &str = "2067";
/// SQLite's extended result code `SQLITE_CONSTRAINT_PRIMARYKEY`.
const SQLITE_CONSTRAINT_PRIMARYKEY: &str = "1555";
/// PostgreSQL's SQLSTATE for `foreign_key_violation`.
const PG_FOREIGN_KEY_VIOLATION: &str = "23503";
/// SQLite's extended result code `SQLITE_CONSTRAINT_FOREIGNKEY`.
const SQLITE_CONSTRAINT_FOREIGNKEY: &str = "787";

/// Whether a store error is a write naming a row (e.g. a client) that does not exist.
pub(crate) fn is_foreign_key_violation(err: &StoreError) -> bool {
    let StoreError::Unavailable(cause) = err else {
        return false;
    };
    if let Some(rusqlite::Error::SqliteFailure(e, _)) = cause.downcast_ref::<rusqlite::Error>() {
        return e.extended_code == SQLITE_CONSTRAINT_FOREIGNKEY_CODE;
    }
    match cause.downcast_ref::<sqlx::Error>() {
        Some(sqlx::Error::Database(db)) => {
            matches!(db.kind(), ErrorKind::ForeignKeyViolation)
                || matches!(
                    db.code().as_deref(),
                    Some(PG_FOREIGN_KEY_VIOLATION | SQLITE_CONSTRAINT_FOREIGNKEY)
                )
        }
        _ => false,
    }
}

/// `SQLITE_CONSTRAINT_FOREIGNKEY` as a number.
const SQLITE_CONSTRAINT_FOREIGNKEY_CODE: i32 = 787;
/// `SQLITE_CONSTRAINT_UNIQUE` as a number.
const SQLITE_CONSTRAINT_UNIQUE_CODE: i32 = 2067;
/// `SQLITE_CONSTRAINT_PRIMARYKEY` as a number.
const SQLITE_CONSTRAINT_PRIMARYKEY_CODE: i32 = 1555;

/// Classifies a rusqlite error (the SQLite engine). Busy, locked, full, read-only and I/O
/// failures are `Unavailable` (503): the request may succeed once the file is writable again.
pub(crate) fn map_rusqlite(err: rusqlite::Error) -> StoreError {
    use rusqlite::Error as E;
    match err {
        E::QueryReturnedNoRows => StoreError::NotFound,
        E::SqliteFailure(ref e, ref message)
            if matches!(
                e.extended_code,
                SQLITE_CONSTRAINT_UNIQUE_CODE | SQLITE_CONSTRAINT_PRIMARYKEY_CODE
            ) =>
        {
            StoreError::Conflict {
                constraint: message.as_deref().and_then(failed_columns),
            }
        }
        E::FromSqlConversionFailure(..)
        | E::IntegralValueOutOfRange(..)
        | E::InvalidColumnType(..)
        | E::InvalidColumnName(_)
        | E::InvalidColumnIndex(_)
        | E::Utf8Error(_) => StoreError::Corrupt(err.to_string()),
        other => StoreError::Unavailable(Box::new(other)),
    }
}

/// The `table.column` list of SQLite's `UNIQUE constraint failed: …` message.
fn failed_columns(message: &str) -> Option<String> {
    message
        .split_once("constraint failed: ")
        .map(|(_, cols)| cols.trim().to_owned())
        .filter(|cols| !cols.is_empty())
}

/// Classifies a sqlx error.
pub(crate) fn map_sqlx(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if is_unique_violation(db.as_ref()) => StoreError::Conflict {
            constraint: constraint_name(db.as_ref()),
        },
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. } => StoreError::Corrupt(err.to_string()),
        sqlx::Error::Migrate(e) => map_migrate(*e),
        // Pool timeout/closed, I/O, TLS, protocol, worker crashes, configuration and any other
        // database error: the request may succeed once the database is back.
        other => StoreError::Unavailable(Box::new(other)),
    }
}

/// Classifies a migration failure: a changed or unknown applied migration is a corrupt schema
/// history, anything else is the database failing.
pub(crate) fn map_migrate(err: MigrateError) -> StoreError {
    match err {
        MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => map_sqlx(e),
        MigrateError::VersionMissing(_)
        | MigrateError::VersionMismatch(_)
        | MigrateError::Dirty(_)
        | MigrateError::VersionNotPresent(_)
        | MigrateError::VersionTooOld(_, _)
        | MigrateError::VersionTooNew(_, _) => StoreError::Corrupt(err.to_string()),
        other => StoreError::Unavailable(Box::new(other)),
    }
}

fn is_unique_violation(db: &dyn DatabaseError) -> bool {
    matches!(db.kind(), ErrorKind::UniqueViolation)
        || matches!(
            db.code().as_deref(),
            Some(PG_UNIQUE_VIOLATION | SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY)
        )
}

/// The violated constraint: PostgreSQL names it; SQLite only says
/// `UNIQUE constraint failed: table.column`, so that `table.column` list is reported; MySQL
/// says `Duplicate entry '…' for key 'name'`, so that key name is.
fn constraint_name(db: &dyn DatabaseError) -> Option<String> {
    if let Some(name) = db.constraint() {
        return Some(name.to_owned());
    }
    failed_columns(db.message()).or_else(|| duplicate_key(db.message()))
}

/// The key of MySQL's `Duplicate entry '…' for key 'name'` (MySQL 8 prefixes the table).
fn duplicate_key(message: &str) -> Option<String> {
    let (_, key) = message.rsplit_once(" for key '")?;
    key.strip_suffix('\'')
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mysqls_duplicate_key() {
        assert_eq!(
            duplicate_key("Duplicate entry 'it''s' for key 'PRIMARY'").as_deref(),
            Some("PRIMARY")
        );
        assert_eq!(duplicate_key("Something else"), None);
    }

    #[test]
    fn maps_plain_variants() {
        assert!(matches!(
            map_sqlx(sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
        assert!(matches!(
            map_sqlx(sqlx::Error::PoolClosed),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            map_sqlx(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            map_sqlx(sqlx::Error::Io(std::io::Error::other("reset"))),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            map_sqlx(sqlx::Error::ColumnNotFound("x".into())),
            StoreError::Corrupt(_)
        ));
    }
}
