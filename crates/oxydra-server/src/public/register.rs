//! `/oauth2/register` (RFC 7591, RFC 7592, OIDC Registration 1.0): dynamic client
//! registration on the public port, served only with `OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED`.
//! Bodies and answers are the Hydra 2.x client; the answers add the registration access token
//! (on create and on each update, which rotates it) and the client's management URL.
//!
//! The management routes authenticate with `Authorization: Bearer <registration access
//! token>`; every failure (no token, a wrong one, another client's, an unknown or deleted
//! client, an admin-API client) is the same `401 invalid_token`, counted against the caller's
//! address in the failure budget the token endpoint uses.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxydra_api::paths::OAUTH2_REGISTER;
use oxydra_api::{ErrorBody, OAuth2Client, RegisteredClient};
use oxydra_core::client::Client;
use oxydra_core::service::registration::{Registrar, Registration, invalid_token};
use oxydra_core::{ClientId, Error, OAuthError, OAuthErrorKind, Secret};
use oxydra_store::SqlStore;

use super::token::no_store;
use crate::admin::client_wire::to_input;
use crate::admin::client_wire_v2::to_wire_v2;
use crate::auth_budget::{Caller, Standing};
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::extract::{Json, Path, bearer_header};
use crate::hashing::ServerHasher;
use crate::remote_fetch::RemoteFetcher;
use crate::state::AppState;

/// `POST /oauth2/register` → 201 with the client, its secret (confidential clients), its
/// registration access token and management URL.
pub(crate) async fn register(
    State(state): State<AppState>,
    body: Result<Json<OAuth2Client>, ApiError>,
) -> Response {
    let result = async {
        let Json(body) = body.map_err(from_edge)?;
        let input = to_input(body).map_err(as_metadata_error)?;
        let policy = state.config.client_policy();
        let registration = registrar(&state, &policy)
            .register(state.now(), input)
            .await?;
        Ok::<_, Error>(registration)
    }
    .await;
    match result {
        Ok(registration) => {
            let body = answer(&state, registration);
            let location = HeaderValue::from_str(&body.registration_client_uri).ok();
            let mut response = no_store((StatusCode::CREATED, axum::Json(body)).into_response());
            if let Some(location) = location {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(e) => refuse(&state, e),
    }
}

/// `GET /oauth2/register/{id}` → the client, without secret or token.
pub(crate) async fn read(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = spent(&state, ip) {
        return refusal;
    }
    let policy = state.config.client_policy();
    let result = async {
        let (id, token) = credentials(&headers, id)?;
        registrar(&state, &policy).read(&id, token.expose()).await
    }
    .await;
    match result {
        Ok(client) => {
            let body = wire(&state, client, None, None);
            no_store(axum::Json(body).into_response())
        }
        Err(e) => refuse_counted(&state, ip, e),
    }
}

/// `PUT /oauth2/register/{id}` → the client with its new registration access token.
pub(crate) async fn update(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<OAuth2Client>, ApiError>,
) -> Response {
    if let Some(refusal) = spent(&state, ip) {
        return refusal;
    }
    let policy = state.config.client_policy();
    let result = async {
        // The token first: an unauthenticated caller learns nothing from the body's checks.
        let (id, token) = credentials(&headers, id)?;
        let registrar = registrar(&state, &policy);
        let managed = registrar.authenticate(&id, token.expose()).await?;
        let Json(body) = body.map_err(from_edge)?;
        let input = to_input(body).map_err(as_metadata_error)?;
        registrar.update(state.now(), managed, input).await
    }
    .await;
    match result {
        Ok(registration) => no_store(axum::Json(answer(&state, registration)).into_response()),
        Err(e) => refuse_counted(&state, ip, e),
    }
}

/// `DELETE /oauth2/register/{id}` → 204; the client's tokens and grants go with it.
pub(crate) async fn delete(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = spent(&state, ip) {
        return refusal;
    }
    let policy = state.config.client_policy();
    let result = async {
        let (id, token) = credentials(&headers, id)?;
        registrar(&state, &policy).delete(&id, token.expose()).await
    }
    .await;
    match result {
        Ok(()) => no_store(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refuse_counted(&state, ip, e),
    }
}

/// The services registration uses, from the state.
fn registrar<'a>(
    state: &'a AppState,
    policy: &'a oxydra_core::config::ClientPolicy,
) -> Registrar<'a, SqlStore, ServerHasher, RemoteFetcher> {
    Registrar {
        store: &state.store,
        hasher: &state.hasher,
        sectors: &state.remote,
        policy,
    }
}

/// `429` with `Retry-After` once the caller's address has spent its failure budget (wrong
/// registration access tokens count there, as failed client authentications do).
fn spent(state: &AppState, ip: ClientIp) -> Option<Response> {
    let Standing::IpSpent(wait) = state
        .auth_failures
        .standing(Caller::new(None, ip.0), state.now())
    else {
        return None;
    };
    let error = OAuthError::new(OAuthErrorKind::TooManyRequests)
        .hint("Too many wrong registration access tokens; wait for the time given in Retry-After.");
    Some(no_store(
        ApiError::new(error).with_retry_after(wait).into_response(),
    ))
}

/// The path's client id and the bearer token. A malformed id is `invalid_token` like an
/// unknown one.
fn credentials(headers: &HeaderMap, id: String) -> Result<(ClientId, Secret<String>), Error> {
    let token = bearer_header(headers).map_err(from_edge)?.ok_or_else(|| {
        invalid_token("Send the registration access token: Authorization: Bearer <token>.")
    })?;
    let id = ClientId::parse(id).map_err(|_| invalid_token("No such client."))?;
    Ok((id, Secret::new(token)))
}

/// The answer to a registration or an update: the 2.x client with its secret (when this call
/// generated one), the new token and the management URL.
fn answer(state: &AppState, registration: Registration) -> RegisteredClient {
    let Registration {
        client,
        plaintext_secret,
        token,
    } = registration;
    wire(state, client, plaintext_secret, Some(token))
}

/// The client in the registration answer shape.
fn wire(
    state: &AppState,
    client: Client,
    secret: Option<Secret<String>>,
    token: Option<Secret<String>>,
) -> RegisteredClient {
    let base = state.config.issuer.as_str().trim_end_matches('/');
    let id: String = url::form_urlencoded::byte_serialize(client.id.as_str().as_bytes()).collect();
    RegisteredClient {
        registration_client_uri: format!("{base}{OAUTH2_REGISTER}/{id}"),
        registration_access_token: token.map(Secret::into_inner),
        client: to_wire_v2(client, secret),
    }
}

/// A body that does not convert to client metadata is `invalid_client_metadata` here
/// (RFC 7591 §3.2.2), not the admin API's `invalid_request`.
fn as_metadata_error(e: ApiError) -> Error {
    let mut error = e.oauth().clone();
    error.kind = OAuthErrorKind::InvalidClientMetadata;
    error.description = OAuthErrorKind::InvalidClientMetadata
        .default_description()
        .into();
    Error::OAuth(error)
}

/// An error of the HTTP edge (the body extractor, the header parser) as a domain error.
fn from_edge(e: ApiError) -> Error {
    Error::OAuth(e.oauth().clone())
}

/// [`refuse`], counting an `invalid_token` against the caller's address.
fn refuse_counted(state: &AppState, ip: ClientIp, error: Error) -> Response {
    if matches!(&error, Error::OAuth(e) if e.kind == OAuthErrorKind::InvalidToken) {
        state
            .auth_failures
            .record_failure(Caller::new(None, ip.0), state.now());
    }
    refuse(state, error)
}

/// The error answer: `invalid_token` as RFC 6750 §3.1 says (401 with a `Bearer` challenge),
/// anything else as the other endpoints do.
fn refuse(state: &AppState, error: Error) -> Response {
    match error {
        Error::OAuth(e) if e.kind == OAuthErrorKind::InvalidToken => unauthorized(&e),
        other => no_store(
            ApiError::from(other)
                .with_debug_shared(state.config.share_error_debug)
                .into_response(),
        ),
    }
}

/// `401 invalid_token` with `WWW-Authenticate: Bearer error="invalid_token"`.
fn unauthorized(error: &OAuthError) -> Response {
    let body = ErrorBody {
        error: error.kind.code().to_owned(),
        error_description: error.description.clone().into_owned(),
        error_hint: error.hint.clone().map(|h| h.into_owned()),
        status_code: 401,
        error_debug: None,
    };
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    no_store(response)
}
