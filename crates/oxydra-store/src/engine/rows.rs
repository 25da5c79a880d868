//! How the engine decodes each row type of `rows.rs`: every field by its column name, as the
//! sqlx `FromRow` derive does for PostgreSQL. The fields come from `rows::plain_rows`; a field
//! added to a row struct and not there fails to compile.

use super::EngineRow;
use crate::rows::{
    ClientIdRow, ClientRow, ConsentRequestRow, CountRow, DeviceGrantRow, FlowRow, KeyRow,
    LegacyConsentRow, LoginRequestRow, LoginSessionRow, LogoutRequestRow, PolicyRow,
    PushedRequestRow, RequestRow, RevisionRow, RotatedRow, SecretRow, TokenRow, TrustRow,
    VerifierUsedRow, VersionRow,
};

/// Implements [`EngineRow`] for a struct whose fields are all columns of the same name.
macro_rules! by_column_name {
    ($($row:ident { $($field:ident),* $(,)? })*) => {$(
        impl EngineRow for $row {
            fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(Self { $($field: row.get(stringify!($field))?),* })
            }
        }
    )*};
}

crate::rows::plain_rows!(by_column_name);

impl EngineRow for LoginRequestRow {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            flow: FlowRow::decode(row)?,
            authenticated_at: row.get("authenticated_at")?,
        })
    }
}

impl EngineRow for ConsentRequestRow {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            flow: FlowRow::decode(row)?,
            login_challenge: row.get("login_challenge")?,
            authenticated_at: row.get("authenticated_at")?,
            acr: row.get("acr")?,
            handled_at: row.get("handled_at")?,
            amr: row.get("amr")?,
            context: row.get("context")?,
        })
    }
}

/// A single unnamed text column (`SELECT x`).
impl EngineRow for (String,) {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
}
