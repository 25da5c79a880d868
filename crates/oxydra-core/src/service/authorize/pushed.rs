//! The authorization endpoint's side of pushed authorization requests (RFC 9126 §4): a
//! `request_uri` holding a pushed reference is swapped for the parameters pushed with it, once,
//! by the client that pushed them, before it expires; and where pushing is required
//! (RFC 9126 §5–6), a request that was not pushed is refused.

use crate::client::Client;
use crate::error::Error;
use crate::flow::legacy::CONSENT_PARAM;
use crate::model::Now;
use crate::oauth2::authorize::{self, AuthorizeError, AuthorizeParams};
use crate::oauth2::par::{self, invalid_reference, is_pushed_reference};
use crate::store::PushedRequestStore;
use crate::{OAuthError, OAuthErrorKind};

/// Parameters that mark the browser's return from the login or consent app: the flow was
/// started (and checked) already, and the stored request URL binds the parameters.
const RETURN_PARAMS: &[&str] = &["login_verifier", "consent_verifier", CONSENT_PARAM];

/// The parameters the flow runs on: the pushed ones when `params` carries a pushed reference
/// (everything else in the request is ignored, RFC 9126 §4), else `params` themselves, which
/// must not start a flow when the client or the server requires pushing.
pub(super) async fn resolve<S: PushedRequestStore>(
    store: &S,
    client: &Client,
    params: AuthorizeParams,
    server_requires: bool,
    now: Now,
) -> Result<AuthorizeParams, AuthorizeError> {
    let reference = params
        .get("request_uri")
        .filter(|uri| is_pushed_reference(uri));
    let Some(reference) = reference else {
        let returning = RETURN_PARAMS.iter().any(|name| params.contains_key(*name));
        if (server_requires || client.require_pushed_authorization_requests) && !returning {
            let error = OAuthError::invalid_request(
                "Authorization requests of this client must be pushed to /oauth2/par first and sent with the request_uri it returns.",
            );
            return Err(authorize::refuse_early(&params, client, error));
        }
        return Ok(params);
    };
    let untrusted = AuthorizeError::untrusted;
    if params.contains_key("request") {
        return Err(untrusted(OAuthError::invalid_request(
            "The request and request_uri parameters cannot be used together.",
        )));
    }
    let key = par::key_hash(reference);
    let pushed = store
        .get_pushed_request(&key)
        .await
        .map_err(|e| untrusted(OAuthError::from(Error::from_store("pushed request", e))))?
        .ok_or_else(|| untrusted(invalid_reference("The request_uri is unknown.")))?;
    // Checked before the reference is spent, so that presenting someone else's reference
    // cannot burn it.
    if pushed.client_id != client.id {
        return Err(untrusted(invalid_reference(
            "The request_uri was not pushed by the client named by client_id.",
        )));
    }
    if pushed.used {
        return Err(untrusted(invalid_reference(
            "The request_uri has been used already; push the request again.",
        )));
    }
    if pushed.expires_at <= now {
        return Err(untrusted(invalid_reference(
            "The request_uri has expired; push the request again.",
        )));
    }
    let fresh = store
        .use_pushed_request(&key, now)
        .await
        .map_err(|e| untrusted(OAuthError::from(Error::from_store("pushed request", e))))?;
    if !fresh {
        return Err(untrusted(
            OAuthError::new(OAuthErrorKind::InvalidRequestUri)
                .hint("The request_uri has been used already; push the request again."),
        ));
    }
    Ok(pushed.params)
}
