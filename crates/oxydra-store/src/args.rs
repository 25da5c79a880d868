//! Bind-argument builders: core values turned into [`Arg`] lists, the write direction of
//! [`crate::rows`]. Shared by the port implementations and the token insert batcher, below both.

use oxydra_core::client::ClientLifespans;
use oxydra_core::model::Now;
use oxydra_core::store::StoreError;
use oxydra_core::token::StoredToken;
use serde::Serialize;

use crate::db::Arg;
use crate::rows::kind_name;

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

/// A client's lifespans as `token_lifespans` stores them: name to microseconds, unset ones
/// left out.
pub(crate) fn lifespans_json(lifespans: &ClientLifespans) -> Result<Arg, StoreError> {
    let map: std::collections::BTreeMap<&str, u64> = lifespans
        .entries()
        .into_iter()
        .filter_map(|(name, value)| {
            value.map(|d| (name, u64::try_from(d.as_micros()).unwrap_or(u64::MAX)))
        })
        .collect();
    json_text("client lifespans", &map).map(Arg::Json)
}

/// The parameters of `sql::tokens::INSERT`, in column order.
pub(crate) fn insert_args(t: &StoredToken) -> Result<Vec<Arg>, StoreError> {
    let session = json_text("a token session", &t.session)?;
    Ok(vec![
        Arg::Text(t.signature.as_str().to_owned()),
        Arg::Text(kind_name(t.kind).to_owned()),
        Arg::Text(t.request_id.as_str().to_owned()),
        Arg::Text(t.client_id.as_str().to_owned()),
        Arg::Text(t.subject.clone()),
        json_list(&t.granted_scope)?,
        json_list(&t.granted_audience)?,
        Arg::Int(t.issued_at.unix_micros()),
        Arg::OptInt(t.expires_at.map(Now::unix_micros)),
        Arg::Bool(t.active),
        Arg::Json(session),
    ])
}
