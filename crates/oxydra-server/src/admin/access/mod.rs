//! The admin guard (`ADMIN_ACCESS_CONTROL=policies`): a route layer on the admin router that
//! lets a request through only when it carries a bearer access token of this server (RFC 6750
//! §2.1) granted the scope of the route's area, and the policies allow the token's subject
//! the route's action on its resource (`table.rs` names them; core's `service::warden`
//! resolves and decides them).
//!
//! - no or inactive token → 401 `request_unauthorized`, `WWW-Authenticate: Bearer`;
//! - scope missing, or policies deny → 403 `request_forbidden`.
//!
//! With access control off the layer is not installed at all: no per-request work.

mod table;

use axum::Router;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use oxydra_core::service::access_control;
use oxydra_core::service::warden::{self, Guarded, Refused};
use oxydra_core::{Error, OAuthError, OAuthErrorKind};

use self::table::Check;
use crate::config::AdminAccessControl;
use crate::error::ApiError;
use crate::state::AppState;

/// Puts the guard in front of every route of `router` when access control is on.
pub fn guard(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    match state.config.access_control.mode {
        AdminAccessControl::Off => router,
        AdminAccessControl::Policies => {
            router.route_layer(axum::middleware::from_fn_with_state(state.clone(), check))
        }
    }
}

async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match authorize(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// Why a request was refused, with the `WWW-Authenticate` challenge that goes with it.
struct Refusal {
    error: ApiError,
    challenge: Option<String>,
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        let error = ApiError::from(error);
        let challenge = match error.oauth().kind {
            // RFC 6750 §3.1: `invalid_token` tells the client to fetch a new token.
            OAuthErrorKind::RequestUnauthorized => {
                Some("Bearer realm=\"oxydra-admin\", error=\"invalid_token\"".to_owned())
            }
            _ => None,
        };
        Self { error, challenge }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = self.error.into_response();
        if let Some(value) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// The request, passed on (its body re-assembled when it was read), or why it is refused.
async fn authorize(state: &AppState, request: Request) -> Result<Request, Refusal> {
    let (mut parts, body) = request.into_parts();
    let path = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let check = table::find(parts.method.as_str(), &path);
    let Some(Check::Guarded {
        scope,
        resource,
        action,
        context,
    }) = check
    else {
        if check == Some(Check::Open) {
            return Ok(Request::from_parts(parts, body));
        }
        tracing::error!(method = %parts.method, path, "admin route missing from the access-control table; refused");
        return Err(Error::OAuth(OAuthError::new(OAuthErrorKind::RequestForbidden)).into());
    };
    let now = state.now();
    let strategy = state.config.scope_strategy;
    let presented = bearer(&parts);
    let token = match access_control::authenticate(
        &state.store,
        &state.access_tokens(),
        strategy,
        presented,
        now,
    )
    .await
    {
        Ok(token) => token,
        Err(e) => {
            let mut refusal = Refusal::from(e);
            if presented.is_none() && refusal.challenge.is_some() {
                // RFC 6750 §3.1: no error code when the request carried no token at all.
                refusal.challenge = Some("Bearer realm=\"oxydra-admin\"".to_owned());
            }
            return Err(refusal);
        }
    };
    if let Err(e) = access_control::check_scope(strategy, &token, scope) {
        let mut refusal = Refusal::from(e);
        refusal.challenge = Some(format!(
            "Bearer realm=\"oxydra-admin\", error=\"insufficient_scope\", scope=\"{scope}\""
        ));
        return Err(refusal);
    }
    let params = params(&mut parts).await?;
    let (body, bytes) = if context.reads_body() {
        let bytes = read_body(state, body).await?;
        (Body::from(bytes.clone()), bytes)
    } else {
        (body, Bytes::new())
    };
    let request = Guarded {
        subject: &token.subject,
        action,
        resource,
        context,
        prefix: &state.config.resource_name_prefix,
        params: &params,
        body: &bytes,
    };
    match warden::decide(&state.store, &state.policies, now, &request).await {
        Ok(()) => Ok(Request::from_parts(parts, body)),
        Err(Refused::Unresolved(e)) => Err(e.into()),
        Err(Refused::Denied { error, resource }) => {
            tracing::info!(subject = %token.subject, action, resource = ?resource, "admin request refused by the policies");
            Err(error.into())
        }
    }
}

/// Reads the body within the body limit (`payload_too_large` beyond it).
async fn read_body(state: &AppState, body: Body) -> Result<Bytes, Refusal> {
    axum::body::to_bytes(body, state.config.body_limit_bytes)
        .await
        .map_err(|_| {
            Refusal::from(Error::OAuth(OAuthError::new(
                OAuthErrorKind::PayloadTooLarge,
            )))
        })
}

/// `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The percent-decoded path parameters of the matched route, then the query parameters (the
/// Hydra 1.x `?login_challenge=` routes): the warden takes the first of a name.
async fn params(parts: &mut Parts) -> Result<Vec<(String, String)>, Refusal> {
    let path = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|e| {
            Refusal::from(Error::OAuth(OAuthError::invalid_request(format!(
                "The request path is invalid: {}",
                e.body_text()
            ))))
        })?;
    let mut params: Vec<(String, String)> = path
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    if let Some(query) = parts.uri.query() {
        params.extend(url::form_urlencoded::parse(query.as_bytes()).into_owned());
    }
    Ok(params)
}
