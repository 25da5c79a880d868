//! `POST /oauth2/par` (RFC 9126 §2): a client pushes the parameters of an authorization
//! request over an authenticated back channel and gets a short-lived, single-use `request_uri`
//! to send the browser with. The parameters are checked here exactly as the authorization
//! endpoint checks them (client, redirect URI, response type, scope, PKCE, request object), so
//! errors reach the client directly (RFC 9126 §2.3) instead of the user's browser.

use std::time::Duration;

use crate::client::{Client, SubjectType};
use crate::error::Error;
use crate::model::Now;
use crate::oauth2::authorize::{self, AuthorizeParams};
use crate::oauth2::par::{self, FORBIDDEN_PARAMS, PushedRequest};
use crate::service::authorize::{FlowSettings, RequestObjects, RequestUris};
use crate::service::client_auth::ClientKeys;
use crate::store::{PushedRequestStore, StoreError, TokenStore};
use crate::{OAuthError, OAuthErrorKind};

/// Client-authentication parameters: consumed by the endpoint, never stored with the request
/// (a secret or an assertion must not linger in the database).
const CLIENT_AUTH_PARAMS: &[&str] = &["client_secret", "client_assertion", "client_assertion_type"];

/// The answer of a successful push (RFC 9126 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The reference to send the browser to `/oauth2/auth` with.
    pub request_uri: String,
    /// Seconds until the reference stops working.
    pub expires_in: u64,
}

/// How pushing behaves.
#[derive(Debug, Clone, Copy)]
pub struct PushContext<'a, K, U> {
    /// The authorization endpoint's settings (scope strategy, subject types).
    pub settings: &'a FlowSettings,
    /// What a pushed request object is verified with.
    pub objects: &'a RequestObjects<'a, K, U>,
    /// `OXYDRA_PAR_LIFESPAN`: how long a reference is valid.
    pub lifespan: Duration,
}

/// Validates and stores the parameters `client` (already authenticated) pushed; returns the
/// reference. Errors are the authorization endpoint's, plus `invalid_request` for a
/// `request_uri` in the body (RFC 9126 §2.1) or a `client_id` naming another client.
pub async fn push<S, K, U>(
    store: &S,
    context: &PushContext<'_, K, U>,
    client: &Client,
    mut params: AuthorizeParams,
    now: Now,
) -> Result<Pushed, OAuthError>
where
    S: TokenStore + PushedRequestStore,
    K: ClientKeys,
    U: RequestUris,
{
    for name in CLIENT_AUTH_PARAMS {
        params.remove(*name);
    }
    params.retain(|_, value| !value.is_empty());
    if let Some(name) = FORBIDDEN_PARAMS.iter().find(|n| params.contains_key(**n)) {
        return Err(OAuthError::invalid_request(format!(
            "The parameter '{name}' cannot be pushed."
        )));
    }
    check_client_id(&params, client)?;
    params.insert("client_id".to_owned(), client.id.as_str().to_owned());
    let params = match context.objects.unpack(store, client, &params, now).await? {
        Some(merged) => merged,
        None => params,
    };
    // A request object may name a client too: it must be this one.
    check_client_id(&params, client)?;
    validate(&params, client, context.settings)?;
    let request_uri = par::generate_request_uri()?;
    let request = PushedRequest {
        key_hash: par::key_hash(&request_uri),
        client_id: client.id.clone(),
        params,
        requested_at: now,
        expires_at: now.plus(context.lifespan),
        used: false,
    };
    store
        .create_pushed_request(&request)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => OAuthError::new(OAuthErrorKind::InvalidClient)
                .hint("The client was deleted meanwhile."),
            e => OAuthError::from(Error::from_store("pushed request", e)),
        })?;
    Ok(Pushed {
        request_uri,
        expires_in: context.lifespan.as_secs(),
    })
}

/// A `client_id` in the pushed parameters must name the authenticated client (RFC 9126 §2.1).
fn check_client_id(params: &AuthorizeParams, client: &Client) -> Result<(), OAuthError> {
    match params.get("client_id") {
        Some(id) if id != client.id.as_str() => Err(OAuthError::invalid_request(
            "The client_id parameter does not name the authenticated client.",
        )),
        _ => Ok(()),
    }
}

/// The authorization endpoint's checks ([`authorize::check_redirect_uri`],
/// [`authorize::check_request`], the pairwise switch), each failure as the client's error.
fn validate(
    params: &AuthorizeParams,
    client: &Client,
    settings: &FlowSettings,
) -> Result<(), OAuthError> {
    let redirect = authorize::check_redirect_uri(params, client).map_err(|e| e.error)?;
    authorize::check_request(params, client, redirect, settings.scope_strategy)
        .map_err(|e| e.error)?;
    if client.subject_type == SubjectType::Pairwise && !settings.pairwise_enabled {
        return Err(OAuthError::invalid_request(
            "The client uses pairwise subjects, which OIDC_SUBJECT_TYPES_SUPPORTED does not enable.",
        ));
    }
    Ok(())
}
