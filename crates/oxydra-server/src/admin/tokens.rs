//! `POST /oauth2/introspect` (RFC 7662), `POST /oauth2/flush` and the deletion of a client's
//! tokens on the admin port.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use oxydra_api::legacy_model::introspection_v010;
use oxydra_api::{FlushInactiveOAuth2TokensRequest, OAuth2TokenIntrospection};
use oxydra_core::Now;
use oxydra_core::service::{introspect, revoke};
use oxydra_core::token::{StoredToken, TokenKind};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::ApiError;
use crate::extract::{Form, JsonOrEmpty, Query};
use crate::state::AppState;

/// `POST /oauth2/introspect`: `{"active":false}` for anything not active (RFC 7662 §2.2). In
/// 0.10 mode `aud` is a string, as 0.10 SDKs read it.
pub(crate) async fn introspect(
    State(state): State<AppState>,
    Form(form): Form,
) -> Result<Response, ApiError> {
    let token = form
        .get("token")
        .ok_or_else(|| ApiError::invalid_request("The token parameter is missing."))?;
    let row = introspect::introspect(
        &state.store,
        &state.access_tokens(),
        state.config.scope_strategy,
        token,
        form.get("scope").unwrap_or(""),
        state.now(),
    )
    .await?;
    let body = match row {
        Some(row) => active(&state, row),
        None => OAuth2TokenIntrospection::default(),
    };
    Ok(if state.config.v010() {
        axum::Json(introspection_v010(&body)).into_response()
    } else {
        axum::Json(body).into_response()
    })
}

fn active(state: &AppState, row: StoredToken) -> OAuth2TokenIntrospection {
    let token_type = match row.kind {
        TokenKind::RefreshToken => "refresh_token",
        _ => "access_token",
    };
    OAuth2TokenIntrospection {
        active: true,
        scope: Some(row.scope_string()),
        client_id: Some(row.client_id.as_str().to_owned()),
        sub: Some(row.subject),
        obfuscated_subject: row.session.obfuscated_subject,
        exp: row.expires_at.map(Now::unix_secs),
        iat: Some(row.issued_at.unix_secs()),
        nbf: None,
        aud: row.granted_audience,
        iss: Some(state.config.issuer_with_slash()),
        token_type: Some(token_type.to_owned()),
        username: None,
        ext: Some(row.session.access_extra).filter(|m| !m.is_empty()),
        act: row.session.act,
        cnf: row
            .session
            .dpop_jkt
            .map(|jkt| oxydra_api::Confirmation { jkt }),
    }
}

/// `?client_id=` of the token deletion routes.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ClientTokensQuery {
    client_id: Option<String>,
}

/// `DELETE /admin/oauth2/tokens?client_id=` (Hydra 2.x) and `DELETE /oauth2/tokens?client_id=`
/// (1.x): 204 after revoking every access and refresh token of the client; 404 for an unknown
/// client.
pub(crate) async fn revoke_client_tokens(
    State(state): State<AppState>,
    Query(query): Query<ClientTokensQuery>,
) -> Result<StatusCode, ApiError> {
    let raw = query
        .client_id
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::invalid_request("Query parameter client_id is required."))?;
    let client = super::client_wire::parse_client_id(raw)?;
    let deleted = revoke::revoke_client_tokens(&state.store, &client).await?;
    tracing::info!(deleted, "revoked the tokens of a client");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /oauth2/flush`: deletes access tokens and codes that expired and were issued before
/// `notAfter` (default now); 204. The body is optional, as the SDKs declare it.
pub(crate) async fn flush(
    State(state): State<AppState>,
    JsonOrEmpty(body): JsonOrEmpty<FlushInactiveOAuth2TokensRequest>,
) -> Result<StatusCode, ApiError> {
    let now = state.now();
    let not_after = match body.not_after.as_deref().filter(|s| !s.is_empty()) {
        None => now,
        Some(raw) => parse_rfc3339(raw)?,
    };
    let deleted = revoke::flush(&state.store, not_after, now).await?;
    tracing::info!(deleted, "flushed expired tokens");
    Ok(StatusCode::NO_CONTENT)
}

fn parse_rfc3339(raw: &str) -> Result<Now, ApiError> {
    let at = OffsetDateTime::parse(raw, &Rfc3339).map_err(|e| {
        ApiError::invalid_request(format!("notAfter must be an RFC 3339 date-time: {e}"))
    })?;
    let micros = at.unix_timestamp_nanos() / 1_000;
    i64::try_from(micros)
        .map(Now::from_unix_micros)
        .map_err(|_| ApiError::invalid_request("notAfter is out of range."))
}
