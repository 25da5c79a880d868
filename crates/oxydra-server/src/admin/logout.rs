//! `/oauth2/auth/requests/logout` (Hydra 1.x) and `/admin/oauth2/auth/requests/logout` (Hydra
//! 2.x), `?logout_challenge=`: the logout app reads a logout request, accepts it (the reply's
//! `redirect_to` brings the browser back with a `logout_verifier`) or rejects it (204; the
//! login session stays). Both path generations reach the same handlers.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use oxydra_api::paths::{
    ADMIN_LOGOUT_REQUEST, ADMIN_LOGOUT_REQUEST_ACCEPT, ADMIN_LOGOUT_REQUEST_REJECT,
    LOGOUT_CHALLENGE_PARAM, LOGOUT_REQUEST, LOGOUT_REQUEST_ACCEPT, LOGOUT_REQUEST_REJECT,
};
use oxydra_api::{CompletedRequest, LogoutRequest};
use oxydra_core::service::end_session::admin::{self, LogoutRequestView};

use super::client_wire::to_wire;
use super::flows::{Challenge, ChallengeKind};
use crate::error::ApiError;
use crate::state::AppState;

/// The logout request routes, in both path generations.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LOGOUT_REQUEST, get(get_logout))
        .route(ADMIN_LOGOUT_REQUEST, get(get_logout))
        .route(LOGOUT_REQUEST_ACCEPT, put(accept_logout))
        .route(ADMIN_LOGOUT_REQUEST_ACCEPT, put(accept_logout))
        .route(LOGOUT_REQUEST_REJECT, put(reject_logout))
        .route(ADMIN_LOGOUT_REQUEST_REJECT, put(reject_logout))
}

/// Marker: a logout challenge (always in the query).
struct Logout;
impl ChallengeKind for Logout {
    const QUERY_PARAM: &'static str = LOGOUT_CHALLENGE_PARAM;
}

fn to_wire_request(view: LogoutRequestView) -> LogoutRequest {
    let LogoutRequestView { request, client } = view;
    LogoutRequest {
        challenge: request.challenge.as_str().to_owned(),
        subject: request.subject,
        sid: request.session_id,
        request_url: request.request_url,
        rp_initiated: request.rp_initiated,
        client: client.map(|c| to_wire(c, None)),
    }
}

/// `GET …/logout?logout_challenge=` → the request; 404 unknown or expired, 409 redeemed.
async fn get_logout(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Logout>,
) -> Result<axum::Json<LogoutRequest>, ApiError> {
    let round_trip = state.flow_settings.round_trip;
    let view = admin::get(&state.store, &challenge, state.now(), round_trip).await?;
    Ok(axum::Json(to_wire_request(view)))
}

/// `PUT …/logout/accept?logout_challenge=` → `{"redirect_to": …?logout_verifier=…}`.
async fn accept_logout(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Logout>,
) -> Result<axum::Json<CompletedRequest>, ApiError> {
    let settings = &state.flow_settings;
    let done = admin::accept(
        &state.store,
        &challenge,
        &settings.end_session_url,
        state.now(),
        settings.round_trip,
    )
    .await?;
    Ok(axum::Json(CompletedRequest {
        redirect_to: done.redirect_to,
    }))
}

/// `PUT …/logout/reject?logout_challenge=` → 204; the request is gone, the session stays.
async fn reject_logout(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Logout>,
) -> Result<StatusCode, ApiError> {
    let round_trip = state.flow_settings.round_trip;
    admin::reject(&state.store, &challenge, state.now(), round_trip).await?;
    Ok(StatusCode::NO_CONTENT)
}
