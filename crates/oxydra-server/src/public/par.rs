//! `POST /oauth2/par` (RFC 9126): pushed authorization requests. The client authenticates as
//! at the token endpoint (a public client names itself with `client_id`), pushes the
//! parameters of an authorization request, and gets `201` with a `request_uri` to send the
//! browser to `/oauth2/auth` with. Served while `OXYDRA_PAR` is on.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use oxydra_api::PushedAuthorizationResponse;
use oxydra_core::service::authorize::RequestObjects;
use oxydra_core::service::par::{self, PushContext};

use super::token::{authenticate, json_answer};
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::extract::Form;
use crate::metrics::AuthEndpoint;
use crate::state::AppState;

/// `POST /oauth2/par`.
pub(crate) async fn pushed_authorization(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    form: Result<Form, ApiError>,
) -> Response {
    match push(&state, ip, &headers, form).await {
        Ok(body) => {
            let mut response = json_answer(&state, Ok(body));
            *response.status_mut() = StatusCode::CREATED;
            response
        }
        Err(e) => json_answer::<()>(&state, Err(e)).into_response(),
    }
}

async fn push(
    state: &AppState,
    ip: ClientIp,
    headers: &HeaderMap,
    form: Result<Form, ApiError>,
) -> Result<PushedAuthorizationResponse, ApiError> {
    let Form(form) = form?;
    let client = authenticate(state, headers, ip, &form, AuthEndpoint::PushedAuthorization).await?;
    let objects = RequestObjects {
        keys: &state.jwks,
        uris: &state.remote,
        issuer: &state.issuer_id,
    };
    let context = PushContext {
        settings: &state.flow_settings,
        objects: &objects,
        lifespan: state.config.par.lifespan,
    };
    let pushed = par::push(
        &state.store,
        &context,
        &client,
        form.into_sorted(),
        state.now(),
    )
    .await?;
    Ok(PushedAuthorizationResponse {
        request_uri: pushed.request_uri,
        expires_in: pushed.expires_in,
    })
}
