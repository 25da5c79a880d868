//! `/admin/trust/grants/jwt-bearer/issuers`: Hydra 2.x management of the JWT-bearer grant's
//! trust relationships (RFC 7523 §2.1) — create, list by keyset pages, read, delete.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxydra_api::paths::{ADMIN_TRUSTED_JWT_ISSUER, ADMIN_TRUSTED_JWT_ISSUERS};
use oxydra_api::{
    TrustOAuth2JwtGrantIssuer, TrustedOAuth2JwtGrantIssuer, TrustedOAuth2JwtGrantJsonWebKey,
};
use oxydra_core::model::Now;
use oxydra_core::oauth2::jwt_bearer::{NewTrust, TrustedIssuer};
use oxydra_core::service::trust;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::paging::KeysetPage;
use crate::admin::paging;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The trust routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(ADMIN_TRUSTED_JWT_ISSUERS, get(list).post(create))
        .route(ADMIN_TRUSTED_JWT_ISSUER, get(fetch).delete(remove))
}

/// `GET …/issuers` query: paging and the issuer filter.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    page_size: Option<String>,
    page_token: Option<String>,
    issuer: Option<String>,
}

/// `POST …/issuers` → 201 with the trust relationship and its `Location`; 400 for a request
/// that fails validation, 409 when the issuer has one for that subject and key id already.
async fn create(
    State(state): State<AppState>,
    Json(body): Json<TrustOAuth2JwtGrantIssuer>,
) -> Result<Response, ApiError> {
    let request = NewTrust {
        issuer: body.issuer,
        subject: body.subject,
        allow_any_subject: body.allow_any_subject,
        scope: body.scope,
        jwk: body.jwk,
        expires_at: parse_expiry(&body.expires_at)?,
    };
    let created = trust::create(&state.store, request, state.now()).await?;
    let location = paging::encoded_path(ADMIN_TRUSTED_JWT_ISSUERS, &[&created.id]);
    Ok(paging::created(&location, to_wire(created)))
}

/// `GET …/issuers?issuer=&page_size=&page_token=` → a page ordered by id, with a `Link`
/// header to the first and next pages.
async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let page = KeysetPage::from_query(query.page_size.as_deref(), query.page_token.as_deref())?;
    let issuer = query.issuer.unwrap_or_default();
    let rows = trust::list(&state.store, &issuer, &page.after, page.probe()).await?;
    let filter = if issuer.is_empty() {
        String::new()
    } else {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("issuer", &issuer)
            .finish()
            + "&"
    };
    let (headers, rows) = page.finish(ADMIN_TRUSTED_JWT_ISSUERS, &filter, rows, |t| t.id.clone());
    let body: Vec<TrustedOAuth2JwtGrantIssuer> = rows.into_iter().map(to_wire).collect();
    Ok((headers, axum::Json(body)).into_response())
}

/// `GET …/issuers/{id}` → the trust relationship, or 404.
async fn fetch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<TrustedOAuth2JwtGrantIssuer>, ApiError> {
    Ok(axum::Json(to_wire(trust::get(&state.store, &id).await?)))
}

/// `DELETE …/issuers/{id}` → 204, or 404.
async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    trust::delete(&state.store, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `expires_at` as RFC 3339; absent or malformed is 400.
fn parse_expiry(raw: &str) -> Result<Now, ApiError> {
    if raw.is_empty() {
        return Err(ApiError::invalid_request("Field 'expires_at' is required."));
    }
    let at = OffsetDateTime::parse(raw, &Rfc3339).map_err(|e| {
        ApiError::invalid_request(format!(
            "Field 'expires_at' must be an RFC 3339 date-time: {e}"
        ))
    })?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000)
        .map(Now::from_unix_micros)
        .map_err(|_| ApiError::invalid_request("Field 'expires_at' is out of range."))
}

/// The Hydra 2.x JSON of a trust relationship; the key set is named after the issuer, as
/// Hydra names it.
fn to_wire(t: TrustedIssuer) -> TrustedOAuth2JwtGrantIssuer {
    TrustedOAuth2JwtGrantIssuer {
        public_key: TrustedOAuth2JwtGrantJsonWebKey {
            set: t.issuer.clone(),
            kid: t.key_id,
        },
        id: t.id,
        issuer: t.issuer,
        subject: t.subject,
        allow_any_subject: t.allow_any_subject,
        scope: t.scope,
        created_at: rfc3339(t.created_at),
        expires_at: rfc3339(t.expires_at),
    }
}

/// RFC 3339 in UTC (`2026-01-01T00:10:00Z`, with a fraction when there is one).
fn rfc3339(at: Now) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.unix_micros()) * 1_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
