//! Fetches request objects by reference (OIDC Core §6.2): the I/O half of
//! `oxydra_core::service::authorize::RequestUris`. The download goes through the same
//! [`RemoteFetcher`] as `jwks_uri` — https and public addresses only outside development mode,
//! the same timeout, size cap and checked redirects — so a `request_uri` can reach nothing a
//! `jwks_uri` could not. Nothing is cached: a signed object is single-use (its `jti`) anyway.

use oxydra_core::service::authorize::RequestUris;
use oxydra_core::{OAuthError, OAuthErrorKind};

use crate::remote_fetch::RemoteFetcher;

/// RFC 9101 §10.2's media type first, then the generic JWT one.
const ACCEPT: &str = "application/oauth-authz-req+jwt, application/jwt";

impl RequestUris for RemoteFetcher {
    async fn fetch_request_object(&self, uri: &str) -> Result<String, OAuthError> {
        let body = self
            .get(uri, ACCEPT)
            .await
            .map_err(|e| invalid_uri(format!("The request_uri {}.", e.reason())))?;
        String::from_utf8(body)
            .map(|text| text.trim().to_owned())
            .map_err(|_| {
                invalid_uri("The request_uri did not return a JWT (the body is not text).")
            })
    }
}

fn invalid_uri(hint: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidRequestUri).hint(hint)
}
