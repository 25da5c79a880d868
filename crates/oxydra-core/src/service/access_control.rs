//! Guarding the admin API with OAuth 2.0 access tokens and access-control policies, as Hydra
//! 0.x's warden did (`shared/spec/api.md` §4, `shared/spec/behaviour.md` §16): the caller shows
//! a bearer token issued by this server (RFC 6750 §2.1), the token carries the scope of the
//! area, and a policy allows the token's subject the action on the resource.
//!
//! The three checks are separate so the HTTP edge can authenticate before it reads a body.

use crate::config::ScopeStrategy;
use crate::error::Error;
use crate::model::Now;
use crate::oauth2::scope;
use crate::policy::{AccessRequest, Decision};
use crate::service::access_tokens::AccessTokens;
use crate::service::introspect;
use crate::service::policy_cache::PolicyCache;
use crate::store::{KeyStore, PolicyStore, TokenStore};
use crate::token::{StoredToken, TokenKind};
use crate::{OAuthError, OAuthErrorKind};

fn unauthorized(hint: &'static str) -> Error {
    Error::OAuth(OAuthError::new(OAuthErrorKind::RequestUnauthorized).hint(hint))
}

fn forbidden(hint: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::OAuth(OAuthError::new(OAuthErrorKind::RequestForbidden).hint(hint))
}

/// The access token a request presents, when it is an active access token of this server
/// (validated as introspection validates: known, untampered, unexpired, unrevoked). Anything
/// else — no token, a refresh token, an expired one — is `request_unauthorized` (401).
///
/// Only a `client_credentials` token counts as an admin caller: policies name clients by id,
/// and an end-user token whose subject happens to equal a client id (say the root client's)
/// must not inherit that client's policies. Any other token is `request_forbidden` (403).
pub async fn authenticate<S: TokenStore + KeyStore>(
    store: &S,
    keys: &AccessTokens<'_>,
    strategy: ScopeStrategy,
    token: Option<&str>,
    now: Now,
) -> Result<StoredToken, Error> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(unauthorized(
            "This endpoint needs an access token: send Authorization: Bearer <token>.",
        ));
    };
    match introspect::introspect(store, keys, strategy, token, "", now).await? {
        Some(row) if row.kind == TokenKind::AccessToken => {
            if row.session.client_credentials && row.subject == row.client_id.as_str() {
                Ok(row)
            } else {
                Err(forbidden(
                    "Only access tokens of the client_credentials grant may call the admin API.",
                ))
            }
        }
        _ => Err(unauthorized(
            "The access token is not active: it is unknown, expired or revoked.",
        )),
    }
}

/// The token must have been granted `required` (under the configured scope strategy), else
/// `request_forbidden` (403).
pub fn check_scope(
    strategy: ScopeStrategy,
    token: &StoredToken,
    required: &str,
) -> Result<(), Error> {
    let granted: Vec<&str> = token.granted_scope.iter().map(String::as_str).collect();
    scope::all_allowed(strategy, &granted, &[required]).map_err(|missing| {
        forbidden(format!(
            "The access token was not granted the scope '{missing}'."
        ))
    })
}

/// Every request must be allowed by the policies (deny wins, default deny), else
/// `request_forbidden` (403). An empty list is refused: there is nothing that allowed it.
pub async fn check_policies<S: PolicyStore>(
    store: &S,
    cache: &PolicyCache,
    now: Now,
    requests: &[AccessRequest<'_>],
) -> Result<(), Error> {
    if requests.is_empty() {
        return Err(forbidden("No policy allows this request."));
    }
    let set = cache.current(store, now).await?;
    for request in requests {
        match set.decide(request) {
            Decision::Allowed => {}
            Decision::NotAllowed => return Err(forbidden("No policy allows this request.")),
            Decision::Denied { .. } => {
                return Err(forbidden("A policy explicitly denies this request."));
            }
        }
    }
    Ok(())
}
