//! SQL text, one constant per statement, grouped by table; plus the registry the statement
//! test walks.

pub(crate) mod clients;
pub(crate) mod device;
pub(crate) mod flows;
pub(crate) mod import;
pub(crate) mod keys;
pub(crate) mod legacy_consent;
pub(crate) mod logout;
pub(crate) mod meta;
pub(crate) mod par;
pub(crate) mod policies;
pub(crate) mod registration;
pub(crate) mod tokens;
pub(crate) mod trust;

use crate::db::Stmt;

/// Every statement the store sends, so the contract test can `prepare()` each on each migrated
/// backend. Add each new constant here: that test is what proves it parses on every dialect.
pub(crate) fn registry() -> Vec<&'static Stmt> {
    vec![
        &meta::PING,
        &meta::MIGRATIONS_TABLE_EXISTS,
        &meta::APPLIED_MIGRATIONS,
        &clients::INSERT,
        &clients::GET,
        &clients::LIST,
        &clients::LIST_AFTER,
        &clients::UPDATE,
        &clients::DELETE,
        &clients::REVISION,
        &clients::BUMP_REVISION,
        &device::INSERT,
        &device::GET,
        &device::BY_USER_CODE,
        &device::BY_CHALLENGE,
        &device::RECORD_POLL,
        &device::APPROVE,
        &device::DENY,
        &device::USE,
        &device::FLUSH,
        &par::INSERT,
        &par::GET,
        &par::USE,
        &par::FLUSH,
        &registration::GET,
        &registration::SET_FIRST,
        &registration::ROTATE,
        &tokens::INSERT,
        &tokens::INSERT_32,
        &tokens::INSERT_8,
        &tokens::GET,
        &tokens::DEACTIVATE,
        &tokens::REQUEST_OF,
        &tokens::DEACTIVATE_FOR_GRACE,
        &tokens::ERASE_EARLIER_SEALS,
        &tokens::ROTATED_FACTS,
        &tokens::LOCK_ACTIVE_REFRESH,
        &tokens::DELETE_ACCESS_OF_REQUEST,
        &tokens::DELETE_REFRESH_OF_REQUEST,
        &tokens::DEACTIVATE_CODES_OF_REQUEST,
        &tokens::DELETE_OF_CLIENT,
        &tokens::DEACTIVATE_CODES_OF_CLIENT,
        &tokens::FLUSH,
        &tokens::CLAIM_JTI,
        &tokens::DELETE_EXPIRED_JTIS,
        &tokens::FLUSH_JTIS,
        &trust::INSERT,
        &trust::GET,
        &trust::LIST_AFTER,
        &trust::DELETE,
        &trust::FOR_SUBJECT,
        &flows::INSERT_LOGIN,
        &flows::GET_LOGIN,
        &flows::LOGIN_BY_VERIFIER,
        &flows::HANDLE_LOGIN,
        &flows::USE_LOGIN_VERIFIER,
        &flows::LOGIN_VERIFIER_USED,
        &flows::INSERT_CONSENT,
        &flows::GET_CONSENT,
        &flows::CONSENT_BY_VERIFIER,
        &flows::HANDLE_CONSENT,
        &flows::USE_CONSENT_VERIFIER,
        &flows::CONSENT_VERIFIER_USED,
        &flows::REMEMBERED,
        &flows::REMEMBERED_AT_CLIENT,
        &flows::DELETE_SESSION_TOKENS,
        &flows::DELETE_SESSIONS,
        &flows::INSERT_LOGIN_SESSION,
        &flows::GET_LOGIN_SESSION,
        &flows::DELETE_LOGIN_SESSION,
        &flows::DELETE_LOGIN_SESSIONS_OF,
        &flows::FLUSH_LOGIN_SESSIONS,
        &flows::FLUSH_LOGINS,
        &flows::FLUSH_CONSENTS,
        &keys::INSERT,
        &keys::UPSERT,
        &keys::GET_SET,
        &keys::GET,
        &keys::DELETE_SET,
        &keys::DELETE,
        &policies::INSERT,
        &policies::GET,
        &policies::LIST,
        &policies::ALL,
        &policies::UPDATE,
        &policies::DELETE,
        &policies::REVISION,
        &policies::BUMP_REVISION,
        &legacy_consent::INSERT,
        &legacy_consent::GET,
        &legacy_consent::ANSWER,
        &legacy_consent::USE,
        &legacy_consent::FLUSH,
        &import::LEDGER_GET,
        &import::LEDGER_INSERT,
        &keys::ALL_FOR_UPDATE,
        &keys::SET_ENCRYPTED,
        &logout::INSERT,
        &logout::GET,
        &logout::BY_VERIFIER,
        &logout::ACCEPT,
        &logout::REJECT,
        &logout::REDEEM,
        &logout::VERIFIER_USED,
        &logout::SESSION_CLIENTS,
        &logout::FORGET_SESSION_CONSENTS,
        &logout::FLUSH,
    ]
}

/// The `EXPLAIN QUERY PLAN` details of `stmt` on a fresh migrated in-memory SQLite database,
/// with `args` bound as text: for the tests that pin which index a hot statement uses.
#[cfg(test)]
pub(crate) async fn sqlite_plan(stmt: &Stmt, args: &[&str]) -> Vec<String> {
    use crate::dsn::{Backend, Dsn};
    use crate::store::{OpenOptions, SqlStore};

    let dsn = Dsn::parse("memory").unwrap();
    let store = SqlStore::open(&dsn, &OpenOptions::default())
        .await
        .unwrap()
        .store;
    let pool = store.sqlite_pool().unwrap();
    let explain = format!("EXPLAIN QUERY PLAN {}", stmt.sql(Backend::Sqlite));
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
    for arg in args {
        query = query.bind(*arg);
    }
    let plan = query.fetch_all(pool).await.unwrap();
    plan.into_iter().map(|row| row.3).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn statement_names_are_unique() {
        let names: HashSet<_> = super::registry().iter().map(|s| s.name).collect();
        assert_eq!(names.len(), super::registry().len());
    }
}
