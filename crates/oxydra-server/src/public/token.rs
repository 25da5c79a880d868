//! `POST /oauth2/token` (RFC 6749 §3.2) and `POST /oauth2/revoke` (RFC 7009): client
//! authentication, then the token service.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use oxydra_api::OauthTokenResponse;
use oxydra_core::client::Client;
use oxydra_core::oauth2::client_auth;
use oxydra_core::oauth2::grant::TokenGrant;
use oxydra_core::oauth2::grant::issue::Issued;
use oxydra_core::oauth2::grant::token_exchange;
use oxydra_core::service::{client_auth as authn, revoke, token};
use oxydra_core::{OAuthError, OAuthErrorKind};

use crate::auth_budget::{Caller, Standing};
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::extract::{Form, FormParams};
use crate::metrics::{AuthEndpoint, Grant, TokenKind};
use crate::state::AppState;

/// RFC 6749 §5.1 / §5.2: token responses, successful or not, must not be cached (userinfo
/// answers too, OIDC Core §5.3).
pub(crate) fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Authenticates the client the request names (RFC 6749 §2.3), within the failure budget of
/// the client id and the caller's address (see [`crate::auth_budget`]): once either is spent
/// the answer is `429` with `Retry-After`, and no secret is hashed. Every `invalid_client` is
/// counted for `/metrics/prometheus` under `endpoint`.
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    ip: ClientIp,
    form: &FormParams,
    endpoint: AuthEndpoint,
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
    let client_id = presented.client_id().map(str::to_owned);
    let caller = Caller::new(client_id.as_deref(), ip.0);
    let now = state.now();
    let context = state.auth_context();
    let (store, keys) = (&state.store, &state.jwks);
    let result = match state.auth_failures.standing(caller, now) {
        Standing::IpSpent(wait) => return Err(too_many_failures(wait)),
        Standing::ClientSpent(wait) => {
            let hasher = state.hasher.cache_only();
            let result = authn::authenticate(store, &hasher, keys, context, presented, now).await;
            return result.map_err(|e| match ApiError::from(e) {
                e if e.oauth().kind == OAuthErrorKind::InvalidClient => {
                    state.metrics.events.client_auth_failed(endpoint);
                    too_many_failures(wait)
                }
                e => e,
            });
        }
        Standing::Open => {
            authn::authenticate(store, &state.hasher, keys, context, presented, now).await
        }
    };
    result.map_err(|e| {
        let e = ApiError::from(e);
        if e.oauth().kind == OAuthErrorKind::InvalidClient {
            state.auth_failures.record_failure(caller, now);
            state.metrics.events.client_auth_failed(endpoint);
        }
        e
    })
}

/// `429` once a failure budget is spent.
fn too_many_failures(retry_after: u64) -> ApiError {
    ApiError::new(
        OAuthError::new(OAuthErrorKind::TooManyRequests).hint(
            "Client authentication failed too often; wait for the time given in Retry-After.",
        ),
    )
    .with_retry_after(retry_after)
}

/// `POST /oauth2/token`.
pub(crate) async fn token(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    form: Result<Form, ApiError>,
) -> Response {
    let result = match form {
        Ok(Form(form)) => exchange(&state, &headers, ip, form).await,
        Err(e) => Err(e),
    };
    let sent_proof = headers.contains_key(crate::dpop::DPOP);
    crate::dpop::with_nonce(&state, sent_proof, json_answer(&state, result))
}

/// A JSON answer of the token endpoint's kind (RFC 6749 §5.1–5.2): the body, or the error
/// (with debug detail where configured), never cached.
pub(crate) fn json_answer<T: serde::Serialize>(
    state: &AppState,
    result: Result<T, ApiError>,
) -> Response {
    match result {
        Ok(body) => no_store(axum::Json(body).into_response()),
        Err(e) => no_store(
            e.with_debug_shared(state.config.share_error_debug)
                .into_response(),
        ),
    }
}

async fn exchange(
    state: &AppState,
    headers: &HeaderMap,
    ip: ClientIp,
    form: FormParams,
) -> Result<OauthTokenResponse, ApiError> {
    let grant = TokenGrant::parse(form.get("grant_type"))?;
    if grant == TokenGrant::DeviceCode && state.device.is_none() {
        return Err(ApiError::new(
            OAuthError::new(OAuthErrorKind::UnsupportedGrantType)
                .hint("The device authorization grant is turned off (OXYDRA_DEVICE_FLOW=false)."),
        ));
    }
    if grant == TokenGrant::JwtBearer && !state.config.jwt_bearer.enabled {
        return Err(ApiError::new(
            OAuthError::new(OAuthErrorKind::UnsupportedGrantType)
                .hint("The jwt-bearer grant is turned off (OXYDRA_JWT_BEARER_GRANT=false)."),
        ));
    }
    let client = authenticate(state, headers, ip, &form, AuthEndpoint::Token).await?;
    let token_url = &state.dpop_targets.token;
    let proof = crate::dpop::accept(state, headers, "POST", token_url, None).await?;
    let dpop_jkt = proof.as_ref().map(|p| p.jkt.as_str());
    let mut audience = form.get_all("audience");
    audience.extend(form.get_all("resource"));
    let request = token::TokenRequest {
        code: form.get("code"),
        redirect_uri: form.get("redirect_uri"),
        code_verifier: form.get("code_verifier"),
        refresh_token: form.get("refresh_token"),
        scope: form.get("scope").unwrap_or(""),
        device_code: form.get("device_code"),
        audience: &audience,
        subject_token: form.get("subject_token"),
        subject_token_type: form.get("subject_token_type"),
        actor_token: form.get("actor_token"),
        actor_token_type: form.get("actor_token_type"),
        requested_token_type: form.get("requested_token_type"),
        assertion: form.get("assertion"),
        dpop_jkt,
    };
    let issued = state
        .provider
        .exchange(
            &state.store,
            &state.token_hook,
            &client,
            grant,
            request,
            state.now(),
        )
        .await?;
    count_issued(state, grant, &issued);
    Ok(OauthTokenResponse {
        access_token: issued.access_token,
        // RFC 9449 §5.1: a bound token is of type DPoP; others stay Hydra's "bearer".
        token_type: if dpop_jkt.is_some() { "DPoP" } else { "bearer" }.to_owned(),
        expires_in: issued.expires_in,
        scope: issued.scope,
        refresh_token: issued.refresh_token,
        id_token: issued.id_token,
        issued_token_type: (grant == TokenGrant::TokenExchange)
            .then(|| token_exchange::ACCESS_TOKEN_TYPE.to_owned()),
    })
}

/// Counts the tokens of a successful exchange for `/metrics/prometheus`.
fn count_issued(state: &AppState, grant: TokenGrant, issued: &Issued) {
    let grant = match grant {
        TokenGrant::AuthorizationCode => Grant::AuthorizationCode,
        TokenGrant::RefreshToken => Grant::RefreshToken,
        TokenGrant::ClientCredentials => Grant::ClientCredentials,
        TokenGrant::DeviceCode => Grant::DeviceCode,
        TokenGrant::TokenExchange => Grant::TokenExchange,
        TokenGrant::JwtBearer => Grant::JwtBearer,
    };
    let events = &state.metrics.events;
    events.token_issued(grant, TokenKind::AccessToken);
    if issued.refresh_token.is_some() {
        events.token_issued(grant, TokenKind::RefreshToken);
    }
    if issued.id_token.is_some() {
        events.token_issued(grant, TokenKind::IdToken);
    }
}

/// `POST /oauth2/revoke` (RFC 7009 §2): 200 with an empty body whether or not the token
/// existed; client-authentication failures are 401 `invalid_client`.
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form,
) -> Result<Response, ApiError> {
    let client = authenticate(&state, &headers, ip, &form, AuthEndpoint::Revoke).await?;
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
