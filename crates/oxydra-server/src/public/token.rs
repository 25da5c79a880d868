//! `POST /oauth2/token` (RFC 6749 §3.2) and `POST /oauth2/revoke` (RFC 7009): client
//! authentication, then the token service.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use oxydra_api::OauthTokenResponse;
use oxydra_core::client::Client;
use oxydra_core::oauth2::client_auth;
use oxydra_core::oauth2::grant::TokenGrant;
use oxydra_core::service::{client_auth as authn, revoke, token};

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{Form, FormParams};

/// RFC 6749 §5.1 / §5.2: token responses, successful or not, must not be cached (userinfo
/// answers too, OIDC Core §5.3).
pub(crate) fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Authenticates the client the request names (RFC 6749 §2.3).
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    form: &FormParams,
) -> Result<Client, ApiError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::invalid_request("The Authorization header is not ASCII."))
        })
        .transpose()?;
    let presented = client_auth::classify(
        authorization,
        form.get("client_id"),
        form.get("client_secret"),
        form.get("client_assertion_type"),
        form.get("client_assertion"),
    )?;
    Ok(authn::authenticate(
        &state.store,
        &state.hasher,
        &state.jwks,
        state.auth_context(),
        presented,
        state.now(),
    )
    .await?)
}

/// `POST /oauth2/token`.
pub(crate) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form, ApiError>,
) -> Response {
    let share_debug = state.config.share_error_debug;
    let result = match form {
        Ok(Form(form)) => exchange(&state, &headers, form).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => no_store(axum::Json(body).into_response()),
        Err(e) => no_store(e.with_debug_shared(share_debug).into_response()),
    }
}

async fn exchange(
    state: &AppState,
    headers: &HeaderMap,
    form: FormParams,
) -> Result<OauthTokenResponse, ApiError> {
    let grant = TokenGrant::parse(form.get("grant_type"))?;
    let client = authenticate(state, headers, &form).await?;
    let request = token::TokenRequest {
        code: form.get("code"),
        redirect_uri: form.get("redirect_uri"),
        code_verifier: form.get("code_verifier"),
        refresh_token: form.get("refresh_token"),
        scope: form.get("scope").unwrap_or(""),
    };
    let issued = token::exchange(
        &state.store,
        &state.access_tokens(),
        &state.token_settings(),
        &state.id_token_issuer(),
        &client,
        grant,
        request,
        state.now(),
    )
    .await?;
    Ok(OauthTokenResponse {
        access_token: issued.access_token,
        token_type: "bearer".to_owned(),
        expires_in: issued.expires_in,
        scope: issued.scope,
        refresh_token: issued.refresh_token,
        id_token: issued.id_token,
    })
}

/// `POST /oauth2/revoke` (RFC 7009 §2): 200 with an empty body whether or not the token
/// existed; client-authentication failures are 401 `invalid_client`.
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form,
) -> Result<Response, ApiError> {
    let client = authenticate(&state, &headers, &form).await?;
    let token = form
        .get("token")
        .ok_or_else(|| ApiError::invalid_request("The token parameter is missing."))?;
    revoke::revoke(
        &state.store,
        &state.access_tokens(),
        &client,
        token,
        state.now(),
    )
    .await?;
    Ok(no_store(().into_response()))
}
