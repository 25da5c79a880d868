//! Trait implementations for [`crate::SqlStore`], one file per storage port, each method
//! written once against [`crate::db::Db`].

pub(crate) mod clients;
pub(crate) mod flows;
pub(crate) mod keys;
pub(crate) mod legacy_consent;
pub(crate) mod policies;
pub(crate) mod tokens;

use oxydra_core::store::StoreError;
use serde::Serialize;

use crate::db::Arg;

/// A list of strings as a JSON text argument (every list column is JSON text).
pub(crate) fn json_list<T: AsRef<str>>(items: &[T]) -> Result<Arg, StoreError> {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    json_text("a list", &items).map(Arg::Json)
}

/// A value as JSON text; `what` names it in the (practically impossible) encoding error.
pub(crate) fn json_text<T: Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode {what} as JSON: {e}")))
}
