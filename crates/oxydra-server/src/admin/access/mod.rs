//! The admin guard (`ADMIN_ACCESS_CONTROL=policies`): a route layer on the admin router that
//! lets a request through only when it carries a bearer access token of this server (RFC 6750
//! §2.1) granted the scope of the route's area, and the policies allow the token's subject
//! the route's action on its resource (`table.rs`).
//!
//! - no or inactive token → 401 `request_unauthorized`, `WWW-Authenticate: Bearer`;
//! - scope missing, or policies deny → 403 `request_forbidden`.
//!
//! With access control off the layer is not installed at all: no per-request work.

mod table;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use oxydra_core::model::ClientId;
use oxydra_core::policy::AccessRequest;
use oxydra_core::service::access_control;
use oxydra_core::store::{ClientStore, KeyStore};
use oxydra_core::{Error, OAuthError, OAuthErrorKind};
use serde_json::Value;

use self::table::{Check, Context};
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
    let params = path_params(&mut parts).await?;
    let lookup = |name: &str| param(&parts, &params, name);
    let prefix = &state.config.resource_name_prefix;
    let (body, targets) = targets(state, context, resource, prefix, &lookup, body).await?;
    let requests: Vec<AccessRequest<'_>> = targets
        .iter()
        .map(|(resource, context)| AccessRequest {
            subject: &token.subject,
            action,
            resource,
            context,
        })
        .collect();
    if let Err(e) =
        access_control::check_policies(&state.store, &state.policies, now, &requests).await
    {
        tracing::info!(subject = %token.subject, action, resource = ?targets.first().map(|t| &t.0), "admin request refused by the policies");
        return Err(e.into());
    }
    Ok(Request::from_parts(parts, body))
}

type Target = (String, BTreeMap<String, Value>);

/// The resources (each with its context) the request must be allowed on, and the body to pass
/// on (read here only for client create/update, to learn the new owner).
async fn targets(
    state: &AppState,
    context: Context,
    resource: &str,
    prefix: &str,
    lookup: &(dyn Fn(&str) -> Option<String> + Sync),
    body: Body,
) -> Result<(Body, Vec<Target>), Refusal> {
    let name = |lookup: &(dyn Fn(&str) -> Option<String> + Sync), template: &str| {
        table::resource_name(prefix, template, lookup).ok_or_else(|| {
            Refusal::from(Error::OAuth(OAuthError::invalid_request(
                "The request lacks a parameter that names the resource.",
            )))
        })
    };
    let owner = |owner: Option<String>| {
        owner
            .map(|o| BTreeMap::from([("owner".to_owned(), Value::String(o))]))
            .unwrap_or_default()
    };
    Ok(match context {
        Context::Empty => (body, vec![(name(lookup, resource)?, BTreeMap::new())]),
        Context::StoredClientOwner => {
            let stored = stored_owner(state, lookup("id")).await?;
            (body, vec![(name(lookup, resource)?, owner(stored))])
        }
        Context::NewClientOwner => {
            let (body, new) = body_owner(state, body).await?;
            (body, vec![(name(lookup, resource)?, owner(Some(new)))])
        }
        Context::StoredAndNewClientOwner => {
            let stored = stored_owner(state, lookup("id")).await?;
            let (body, new) = body_owner(state, body).await?;
            let resource = name(lookup, resource)?;
            (
                body,
                vec![
                    (resource.clone(), owner(stored)),
                    (resource, owner(Some(new))),
                ],
            )
        }
        Context::EachKeyOfSet => {
            let set = lookup("set").unwrap_or_default();
            let kids: Vec<String> = state
                .store
                .get_set(&set)
                .await
                .map_err(|e| Refusal::from(Error::from_store("key set", e)))?
                .into_iter()
                .map(|k| k.kid)
                .collect();
            if kids.is_empty() {
                (body, vec![(name(lookup, "keys:{set}")?, BTreeMap::new())])
            } else {
                let mut targets = Vec::with_capacity(kids.len());
                for kid in kids {
                    let with_kid = |n: &str| {
                        if n == "kid" {
                            Some(kid.clone())
                        } else {
                            lookup(n)
                        }
                    };
                    targets.push((name(&with_kid, resource)?, BTreeMap::new()));
                }
                (body, targets)
            }
        }
    })
}

/// The owner of stored client `id`; `None` when there is no such client (or the id is not
/// one): the context then has no `owner`, so owner conditions fail.
async fn stored_owner(state: &AppState, id: Option<String>) -> Result<Option<String>, Refusal> {
    let Some(id) = id.and_then(|id| ClientId::parse(id).ok()) else {
        return Ok(None);
    };
    let client = state
        .store
        .get_client(&id)
        .await
        .map_err(|e| Refusal::from(Error::from_store("client", e)))?;
    Ok(client.map(|c| c.owner))
}

/// Reads the body (within the body limit) for the `owner` of the client it describes (`""`
/// when absent or unreadable: the handler reports malformed JSON), and rebuilds it.
async fn body_owner(state: &AppState, body: Body) -> Result<(Body, String), Refusal> {
    let bytes = axum::body::to_bytes(body, state.config.body_limit_bytes)
        .await
        .map_err(|_| {
            Refusal::from(Error::OAuth(OAuthError::new(
                OAuthErrorKind::PayloadTooLarge,
            )))
        })?;
    let owner = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("owner").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    Ok((Body::from(bytes), owner))
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

/// The percent-decoded path parameters of the matched route.
async fn path_params(parts: &mut Parts) -> Result<Vec<(String, String)>, Refusal> {
    let params = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|e| {
            Refusal::from(Error::OAuth(OAuthError::invalid_request(format!(
                "The request path is invalid: {}",
                e.body_text()
            ))))
        })?;
    Ok(params
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

/// A path parameter, else a query parameter (the Hydra 1.x `?login_challenge=` routes).
fn param(parts: &Parts, params: &[(String, String)], name: &str) -> Option<String> {
    if let Some((_, v)) = params.iter().find(|(k, _)| k == name) {
        return Some(v.clone());
    }
    let query = parts.uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
