//! `/oauth2/consent/requests/{id}`: the 0.10 consent-by-id API (`shared/spec/api.md` §3): the
//! consent app reads a consent request, then accepts or rejects it with `PATCH` (204). Served
//! when the legacy flow is selected; in 0.10 mode on the public port too.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch};
use oxydra_api::paths::{
    LEGACY_CONSENT_REQUEST, LEGACY_CONSENT_REQUEST_ACCEPT, LEGACY_CONSENT_REQUEST_REJECT,
};
use oxydra_api::{ConsentRequestAcceptance, ConsentRequestRejection, OAuth2ConsentRequest};
use oxydra_core::Now;
use oxydra_core::flow::legacy::{LegacyAcceptance, LegacyConsentRequest};
use oxydra_core::service::legacy_consent;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::metrics::{Flow, Outcome};
use crate::state::AppState;

/// The legacy consent routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LEGACY_CONSENT_REQUEST, get(fetch))
        .route(LEGACY_CONSENT_REQUEST_ACCEPT, patch(accept))
        .route(LEGACY_CONSENT_REQUEST_REJECT, patch(reject))
}

/// `GET /oauth2/consent/requests/{id}` → `OAuth2ConsentRequest`.
async fn fetch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<OAuth2ConsentRequest>, ApiError> {
    let request = legacy_consent::get(&state.store, &id).await?;
    Ok(axum::Json(to_wire(request)))
}

/// `PATCH /oauth2/consent/requests/{id}/accept` → 204.
async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<ConsentRequestAcceptance>,
) -> Result<StatusCode, ApiError> {
    let input = LegacyAcceptance {
        subject: body.subject,
        grant_scopes: body.grant_scopes,
        access_extra: body.access_token_extra,
        id_token_extra: body.id_token_extra,
    };
    legacy_consent::accept(&state.store, &id, input, state.now()).await?;
    state.metrics.events.flow(Flow::Consent, Outcome::Accepted);
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH /oauth2/consent/requests/{id}/reject` → 204.
async fn reject(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<ConsentRequestRejection>,
) -> Result<StatusCode, ApiError> {
    legacy_consent::reject(&state.store, &id, body.reason, state.now()).await?;
    state.metrics.events.flow(Flow::Consent, Outcome::Rejected);
    Ok(StatusCode::NO_CONTENT)
}

fn to_wire(request: LegacyConsentRequest) -> OAuth2ConsentRequest {
    OAuth2ConsentRequest {
        id: request.id,
        requested_scopes: request.requested_scope,
        audience: request.client_id.as_str().to_owned(),
        client_id: request.client_id.as_str().to_owned(),
        expires_at: rfc3339(request.expires_at),
        redirect_url: request.redirect_url,
    }
}

/// `2026-01-01T00:10:00Z` (whole seconds, UTC).
fn rfc3339(at: Now) -> String {
    OffsetDateTime::from_unix_timestamp(at.unix_secs())
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
