//! `/oauth2/auth/requests/{login,consent}`: the login and consent apps read a request and
//! answer it once (`shared/spec/behaviour.md` §3.2 steps 4 and 7, §3.5). Both the 1.0.0-beta
//! path form (`…/login/{challenge}/accept`) and the Hydra 1.x query form
//! (`…/login/accept?login_challenge=…`) reach the same handlers.

use std::marker::PhantomData;

use axum::Router;
use axum::extract::{FromRequestParts, RawPathParams, State};
use axum::http::request::Parts;
use axum::routing::{get, put};
use oxydra_api::paths::{
    ADMIN_CONSENT_REQUEST, ADMIN_CONSENT_REQUEST_ACCEPT, ADMIN_CONSENT_REQUEST_REJECT,
    ADMIN_LOGIN_REQUEST, ADMIN_LOGIN_REQUEST_ACCEPT, ADMIN_LOGIN_REQUEST_REJECT,
    CONSENT_CHALLENGE_PARAM, CONSENT_REQUEST, CONSENT_REQUEST_ACCEPT,
    CONSENT_REQUEST_ACCEPT_BY_QUERY, CONSENT_REQUEST_BY_QUERY, CONSENT_REQUEST_REJECT,
    CONSENT_REQUEST_REJECT_BY_QUERY, LOGIN_CHALLENGE_PARAM, LOGIN_REQUEST, LOGIN_REQUEST_ACCEPT,
    LOGIN_REQUEST_ACCEPT_BY_QUERY, LOGIN_REQUEST_BY_QUERY, LOGIN_REQUEST_REJECT,
    LOGIN_REQUEST_REJECT_BY_QUERY,
};
use oxydra_api::{
    AcceptConsentRequest, AcceptLoginRequest, AcceptOAuth2LoginRequest, CompletedRequest,
    ConsentRequest, LoginRequest, RejectRequest,
};
use oxydra_core::flow::FlowId;
use oxydra_core::flow::answer::LoginAcceptance;
use oxydra_core::service::flow_admin::{self, Completed};

use super::flow_wire::{
    consent_acceptance, consent_to_wire, login_acceptance, login_acceptance_v1x, login_to_wire,
    rejection, v1_client, v2_client,
};
use crate::error::ApiError;
use crate::extract::Json;
use crate::metrics::{Flow, Outcome};
use crate::state::AppState;

/// The login and consent request routes, in both forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LOGIN_REQUEST, get(get_login))
        .route(LOGIN_REQUEST_BY_QUERY, get(get_login))
        .route(LOGIN_REQUEST_ACCEPT, put(accept_login))
        .route(LOGIN_REQUEST_ACCEPT_BY_QUERY, put(accept_login_v1x))
        .route(LOGIN_REQUEST_REJECT, put(reject_login))
        .route(LOGIN_REQUEST_REJECT_BY_QUERY, put(reject_login))
        .route(CONSENT_REQUEST, get(get_consent))
        .route(CONSENT_REQUEST_BY_QUERY, get(get_consent))
        .route(CONSENT_REQUEST_ACCEPT, put(accept_consent))
        .route(CONSENT_REQUEST_ACCEPT_BY_QUERY, put(accept_consent))
        .route(CONSENT_REQUEST_REJECT, put(reject_consent))
        .route(CONSENT_REQUEST_REJECT_BY_QUERY, put(reject_consent))
}

/// The Hydra 2.x routes (`/admin/oauth2/auth/requests/…?…_challenge=`): the same handlers,
/// the embedded client in the 2.x shape.
pub fn v2_routes() -> Router<AppState> {
    Router::new()
        .route(ADMIN_LOGIN_REQUEST, get(get_login_v2))
        .route(ADMIN_LOGIN_REQUEST_ACCEPT, put(accept_login_v1x))
        .route(ADMIN_LOGIN_REQUEST_REJECT, put(reject_login))
        .route(ADMIN_CONSENT_REQUEST, get(get_consent_v2))
        .route(ADMIN_CONSENT_REQUEST_ACCEPT, put(accept_consent))
        .route(ADMIN_CONSENT_REQUEST_REJECT, put(reject_consent))
}

/// Which request a [`Challenge`] names, and its query parameter in the Hydra 1.x form.
pub(super) trait ChallengeKind {
    /// `login_challenge` or `consent_challenge`.
    const QUERY_PARAM: &'static str;
}

/// Marker: a login challenge.
struct Login;
impl ChallengeKind for Login {
    const QUERY_PARAM: &'static str = LOGIN_CHALLENGE_PARAM;
}

/// Marker: a consent challenge.
struct Consent;
impl ChallengeKind for Consent {
    const QUERY_PARAM: &'static str = CONSENT_CHALLENGE_PARAM;
}

/// The challenge from the `{challenge}` path segment, or else from the query parameter of
/// its kind. Missing, empty or repeated is 400 `invalid_request`.
pub(super) struct Challenge<K>(pub(super) FlowId, pub(super) PhantomData<K>);

impl<S: Send + Sync, K: ChallengeKind> FromRequestParts<S> for Challenge<K> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Ok(params) = RawPathParams::from_request_parts(parts, state).await
            && let Some((_, value)) = params.iter().find(|(name, _)| *name == "challenge")
        {
            return Ok(Self(FlowId::from_stored(value), PhantomData));
        }
        let query = parts.uri.query().unwrap_or("");
        let mut values = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(name, _)| name == K::QUERY_PARAM)
            .map(|(_, value)| value);
        match (values.next(), values.next()) {
            (Some(value), None) if !value.is_empty() => {
                Ok(Self(FlowId::from_stored(value.into_owned()), PhantomData))
            }
            (Some(_), Some(_)) => Err(ApiError::invalid_request(format!(
                "Query parameter {} is included more than once.",
                K::QUERY_PARAM
            ))),
            _ => Err(ApiError::invalid_request(format!(
                "Query parameter {} is required.",
                K::QUERY_PARAM
            ))),
        }
    }
}

fn completed(done: Completed) -> axum::Json<CompletedRequest> {
    axum::Json(CompletedRequest {
        redirect_to: done.redirect_to,
    })
}

/// `GET …/login/{challenge}` → the login request (also when answered or expired), or 404.
async fn get_login(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Login>,
) -> Result<axum::Json<LoginRequest>, ApiError> {
    let view = flow_admin::get_login_request(&state.store, &challenge).await?;
    Ok(axum::Json(login_to_wire(view, v1_client)))
}

/// `GET /admin/oauth2/auth/requests/login?login_challenge=` → as [`get_login`], 2.x client.
async fn get_login_v2(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Login>,
) -> Result<axum::Json<LoginRequest>, ApiError> {
    let view = flow_admin::get_login_request(&state.store, &challenge).await?;
    Ok(axum::Json(login_to_wire(view, v2_client)))
}

/// `PUT …/login/{challenge}/accept` → `{"redirect_to": …&login_verifier=…}`; 400 on a rule
/// violation or unknown field, 404, 409 when answered already.
async fn accept_login(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Login>,
    Json(body): Json<AcceptLoginRequest>,
) -> Result<axum::Json<CompletedRequest>, ApiError> {
    accepted_login(&state, &challenge, login_acceptance(body)).await
}

/// `PUT …/login/accept?login_challenge=` (Hydra 1.x query form, 2.x `/admin`): as
/// [`accept_login`], with the fields Hydra added after 1.0 (`amr`, `context`,
/// `extend_session_lifespan`, `identity_provider_session_id`).
async fn accept_login_v1x(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Login>,
    Json(body): Json<AcceptOAuth2LoginRequest>,
) -> Result<axum::Json<CompletedRequest>, ApiError> {
    accepted_login(&state, &challenge, login_acceptance_v1x(body)).await
}

/// Stores a login acceptance; its `redirect_to`.
async fn accepted_login(
    state: &AppState,
    challenge: &FlowId,
    acceptance: LoginAcceptance,
) -> Result<axum::Json<CompletedRequest>, ApiError> {
    let done = flow_admin::accept_login(&state.store, state.now(), challenge, acceptance).await?;
    state.metrics.events.flow(Flow::Login, Outcome::Accepted);
    Ok(completed(done))
}

/// `PUT …/login/{challenge}/reject` → `{"redirect_to": …&login_verifier=…}`; 404, 409.
async fn reject_login(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Login>,
    Json(body): Json<RejectRequest>,
) -> Result<axum::Json<CompletedRequest>, ApiError> {
    let done = flow_admin::reject_login(&state.store, &challenge, rejection(body)).await?;
    state.metrics.events.flow(Flow::Login, Outcome::Rejected);
    Ok(completed(done))
}

/// `GET …/consent/{challenge}` → the consent request (also when answered or expired), or 404.
async fn get_consent(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Consent>,
) -> Result<axum::Json<ConsentRequest>, ApiError> {
    let view = flow_admin::get_consent_request(&state.store, &challenge).await?;
    Ok(axum::Json(consent_to_wire(view, v1_client)))
}

/// `GET /admin/oauth2/auth/requests/consent?consent_challenge=` → as [`get_consent`], with
/// the 2.x client, whose `skip_consent` tells the consent app it may accept unasked.
async fn get_consent_v2(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Consent>,
) -> Result<axum::Json<ConsentRequest>, ApiError> {
    let view = flow_admin::get_consent_request(&state.store, &challenge).await?;
    Ok(axum::Json(consent_to_wire(view, v2_client)))
}

/// `PUT …/consent/{challenge}/accept` → `{"redirect_to": …&consent_verifier=…}`; 400 (checked
/// before anything is stored), 404, 409.
async fn accept_consent(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Consent>,
    Json(body): Json<AcceptConsentRequest>,
) -> Result<axum::Json<CompletedRequest>, ApiError> {
    let done = flow_admin::accept_consent(
        &state.store,
        state.now(),
        &challenge,
        consent_acceptance(body),
    )
    .await?;
    state.metrics.events.flow(Flow::Consent, Outcome::Accepted);
    Ok(completed(done))
}

/// `PUT …/consent/{challenge}/reject` → `{"redirect_to": …&consent_verifier=…}`; 404, 409.
async fn reject_consent(
    State(state): State<AppState>,
    Challenge(challenge, _): Challenge<Consent>,
    Json(body): Json<RejectRequest>,
) -> Result<axum::Json<CompletedRequest>, ApiError> {
    let done =
        flow_admin::reject_consent(&state.store, state.now(), &challenge, rejection(body)).await?;
    state.metrics.events.flow(Flow::Consent, Outcome::Rejected);
    Ok(completed(done))
}
