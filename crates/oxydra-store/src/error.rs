//! The one place sqlx errors become [`StoreError`]s, so every method classifies failures alike.
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
/// `UNIQUE constraint failed: table.column`, so that `table.column` list is reported.
fn constraint_name(db: &dyn DatabaseError) -> Option<String> {
    if let Some(name) = db.constraint() {
        return Some(name.to_owned());
    }
    db.message()
        .split_once("constraint failed: ")
        .map(|(_, cols)| cols.trim().to_owned())
        .filter(|cols| !cols.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

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
