//! SQL text, one constant per statement, grouped by table; plus the registry the statement
//! test walks.

pub(crate) mod clients;
pub(crate) mod meta;

use crate::db::Stmt;

/// Every statement the store sends, so the contract test can `prepare()` each on each migrated
/// backend. Add each new constant here: that test is what proves it parses on every dialect.
pub(crate) fn registry() -> &'static [&'static Stmt] {
    &[
        &meta::PING,
        &meta::MIGRATIONS_TABLE_EXISTS,
        &meta::APPLIED_MIGRATIONS,
        &clients::INSERT,
        &clients::GET,
        &clients::LIST,
        &clients::UPDATE,
        &clients::DELETE,
    ]
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
