//! Trait implementations for [`crate::SqlStore`], one file per storage port, each method
//! written once against [`crate::db::Db`].

pub(crate) mod clients;
pub(crate) mod tokens;

use oxydra_core::store::StoreError;

use crate::db::Arg;

/// A list of strings as a JSON text argument (every list column is JSON text).
pub(crate) fn json_list<T: AsRef<str>>(items: &[T]) -> Result<Arg, StoreError> {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&items)
        .map(Arg::Json)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode a list as JSON: {e}")))
}
