//! How the engine decodes each row type of `rows.rs`: every field by its column name, as the
//! sqlx `FromRow` derive does for PostgreSQL. A field added to a row struct and not here fails
//! to compile.

use super::EngineRow;
use crate::rows::{
    ClientRow, ConsentRequestRow, CountRow, FlowRow, KeyRow, LegacyConsentRow, LoginRequestRow,
    LoginSessionRow, PolicyRow, RequestRow, RevisionRow, SecretRow, TokenRow, VerifierUsedRow,
    VersionRow,
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

by_column_name! {
    ClientRow {
        id, name, secret_hash, redirect_uris, grant_types, response_types, scope, owner,
        policy_uri, tos_uri, client_uri, logo_uri, contacts, subject_type,
        sector_identifier_uri, jwks_uri, jwks, token_endpoint_auth_method, request_uris,
        request_object_signing_alg, userinfo_signed_response_alg, id_token_signed_response_alg,
        created_at, updated_at,
    }
    SecretRow { secret_hash }
    TokenRow {
        signature, kind, request_id, client_id, subject, granted_scope, granted_audience,
        issued_at, expires_at, active, session,
    }
    RequestRow { request_id }
    FlowRow {
        challenge, verifier, csrf, client_id, subject, skip, requested_scope, request_url,
        oidc_context, login_session_id, requested_at, outcome, verifier_used,
    }
    LoginSessionRow { id, subject, authenticated_at, expires_at }
    VerifierUsedRow { verifier_used }
    CountRow { n }
    VersionRow { version }
    LegacyConsentRow {
        id, csrf, client_id, requested_scope, redirect_url, requested_at, expires_at, outcome,
        handled_at, used,
    }
    KeyRow { set_id, kid, alg, key_use, created_at, encrypted }
    PolicyRow { id, description, effect, subjects, resources, actions, conditions }
    RevisionRow { revision }
}

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
        })
    }
}

/// A single unnamed text column (`SELECT x`).
impl EngineRow for (String,) {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
}
