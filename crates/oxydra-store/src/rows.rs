//! Row structs (one per result shape, usable on every backend) and their conversions to core
//! types. A stored value that does not decode is `StoreError::Corrupt`, never skipped.

use std::str::FromStr;

use oxydra_core::client::{AuthMethod, Client, GrantType, SubjectType};
use oxydra_core::model::{ClientId, Now};
use oxydra_core::store::StoreError;
use serde::de::DeserializeOwned;

/// A row of `oxydra_client`, in the column order of `sql::clients`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ClientRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) secret_hash: Option<String>,
    pub(crate) redirect_uris: String,
    pub(crate) grant_types: String,
    pub(crate) response_types: String,
    pub(crate) scope: String,
    pub(crate) owner: String,
    pub(crate) policy_uri: String,
    pub(crate) tos_uri: String,
    pub(crate) client_uri: String,
    pub(crate) logo_uri: String,
    pub(crate) contacts: String,
    pub(crate) subject_type: String,
    pub(crate) sector_identifier_uri: String,
    pub(crate) jwks_uri: String,
    pub(crate) jwks: Option<String>,
    pub(crate) token_endpoint_auth_method: String,
    pub(crate) request_uris: String,
    pub(crate) request_object_signing_alg: String,
    pub(crate) userinfo_signed_response_alg: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// The `RETURNING secret_hash` of a client update.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SecretRow {
    pub(crate) secret_hash: Option<String>,
}

/// A single count.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CountRow {
    pub(crate) n: i64,
}

/// One applied migration version.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct VersionRow {
    pub(crate) version: i64,
}

fn corrupt(id: &str, column: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("oxydra_client {id:?}: column {column}: {why}"))
}

fn json<T: DeserializeOwned>(id: &str, column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(id, column, e))
}

fn parse_enum<T: FromStr>(id: &str, column: &str, text: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| corrupt(id, column, format!("unknown value {text:?}")))
}

impl TryFrom<ClientRow> for Client {
    type Error = StoreError;

    fn try_from(row: ClientRow) -> Result<Self, StoreError> {
        let id = row.id.as_str();
        let grant_names: Vec<String> = json(id, "grant_types", &row.grant_types)?;
        let grant_types = grant_names
            .iter()
            .map(|g| parse_enum::<GrantType>(id, "grant_types", g))
            .collect::<Result<_, _>>()?;
        let jwks = match row.jwks.as_deref() {
            Some(text) => Some(json(id, "jwks", text)?),
            None => None,
        };
        Ok(Client {
            id: ClientId::parse(row.id.clone()).map_err(|e| corrupt(id, "id", e))?,
            redirect_uris: json(id, "redirect_uris", &row.redirect_uris)?,
            grant_types,
            response_types: json(id, "response_types", &row.response_types)?,
            contacts: json(id, "contacts", &row.contacts)?,
            subject_type: parse_enum::<SubjectType>(id, "subject_type", &row.subject_type)?,
            jwks,
            token_endpoint_auth_method: parse_enum::<AuthMethod>(
                id,
                "token_endpoint_auth_method",
                &row.token_endpoint_auth_method,
            )?,
            request_uris: json(id, "request_uris", &row.request_uris)?,
            created_at: Now::from_unix_micros(row.created_at),
            updated_at: Now::from_unix_micros(row.updated_at),
            name: row.name,
            secret_hash: row.secret_hash,
            scope: row.scope,
            owner: row.owner,
            policy_uri: row.policy_uri,
            tos_uri: row.tos_uri,
            client_uri: row.client_uri,
            logo_uri: row.logo_uri,
            sector_identifier_uri: row.sector_identifier_uri,
            jwks_uri: row.jwks_uri,
            request_object_signing_alg: row.request_object_signing_alg,
            userinfo_signed_response_alg: row.userinfo_signed_response_alg,
        })
    }
}
