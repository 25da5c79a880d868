//! How rows of `rows.rs` are read from MySQL/MariaDB: every field by its column name.
//!
//! Not sqlx's `FromRow`: the key columns use the binary collation `utf8mb4_nopad_bin` (exact,
//! case-sensitive comparison and byte order, as on PostgreSQL and SQLite), for which the
//! server flags text columns `BINARY`, and sqlx's checked `String` decoding refuses those. The
//! bytes are UTF-8 text all the same, so each field is decoded without that check; a value of
//! the wrong shape still fails to decode (`Corrupt`). The fields come from `rows::plain_rows`,
//! as for the SQLite engine.

use sqlx::Row;
use sqlx::mysql::MySqlRow;

use crate::rows::{
    ClientIdRow, ClientRow, ConsentRequestRow, CountRow, DeviceGrantRow, FlowRow, KeyRow,
    LegacyConsentRow, LoginRequestRow, LoginSessionRow, LogoutRequestRow, PolicyRow,
    PushedRequestRow, RequestRow, RevisionRow, RotatedRow, SecretRow, TokenRow, TrustRow,
    VerifierUsedRow, VersionRow,
};

/// A row type the MySQL backend can decode.
pub(crate) trait MySqlRowDecode: Sized + Send + Unpin + 'static {
    /// Reads one row.
    fn decode(row: &MySqlRow) -> Result<Self, sqlx::Error>;
}

/// Implements [`MySqlRowDecode`] for a struct whose fields are all columns of the same name.
macro_rules! by_column_name {
    ($($row:ident { $($field:ident),* $(,)? })*) => {$(
        impl MySqlRowDecode for $row {
            fn decode(row: &MySqlRow) -> Result<Self, sqlx::Error> {
                Ok(Self { $($field: row.try_get_unchecked(stringify!($field))?),* })
            }
        }
    )*};
}

crate::rows::plain_rows!(by_column_name);

impl MySqlRowDecode for LoginRequestRow {
    fn decode(row: &MySqlRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            flow: FlowRow::decode(row)?,
            authenticated_at: row.try_get_unchecked("authenticated_at")?,
        })
    }
}

impl MySqlRowDecode for ConsentRequestRow {
    fn decode(row: &MySqlRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            flow: FlowRow::decode(row)?,
            login_challenge: row.try_get_unchecked("login_challenge")?,
            authenticated_at: row.try_get_unchecked("authenticated_at")?,
            acr: row.try_get_unchecked("acr")?,
            handled_at: row.try_get_unchecked("handled_at")?,
            amr: row.try_get_unchecked("amr")?,
            context: row.try_get_unchecked("context")?,
        })
    }
}

/// A single unnamed text column (`SELECT x`).
impl MySqlRowDecode for (String,) {
    fn decode(row: &MySqlRow) -> Result<Self, sqlx::Error> {
        Ok((row.try_get_unchecked(0)?,))
    }
}
