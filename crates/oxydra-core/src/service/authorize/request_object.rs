//! Unpacking a request object (OIDC Core §6, RFC 9101) before the authorization request is
//! checked: fetch it when sent by reference, load the client's keys when it is signed, verify
//! it (`oauth2::request_object`), refuse a replayed `jti`, and merge its parameters into the
//! request. What comes out is an ordinary authorization request: the flow continues unchanged,
//! and the login and consent requests carry the merged parameters.

use std::future::Future;

use crate::client::Client;
use crate::error::Error;
use crate::model::Now;
use crate::oauth2::authorize::AuthorizeParams;
use crate::oauth2::client_assertion::KeySource;
use crate::oauth2::request_object::{
    self, ObjectContext, RequestObjectSource, check_request_uri, is_signed, verify_request_object,
};
use crate::service::client_auth::ClientKeys;
use crate::store::TokenStore;
use crate::{OAuthError, OAuthErrorKind};

/// Fetches a request object by reference (OIDC Core §6.2). A port, because fetching is I/O:
/// the server implements it with the same bounded, address-checked client as `jwks_uri`.
pub trait RequestUris: Send + Sync {
    /// The JWT at `uri` (already checked as registered by the client), as text; failures are
    /// `invalid_request_uri`.
    fn fetch_request_object(
        &self,
        uri: &str,
    ) -> impl Future<Output = Result<String, OAuthError>> + Send;
}

/// What unpacking needs besides the store: the client-key and `request_uri` ports, and the
/// issuer request objects must be addressed to.
#[derive(Debug, Clone, Copy)]
pub struct RequestObjects<'a, K, U> {
    /// The client's verification keys (inline `jwks` or fetched `jwks_uri`).
    pub keys: &'a K,
    /// The `request_uri` fetcher.
    pub uris: &'a U,
    /// The issuer identifier, which `aud` must name.
    pub issuer: &'a str,
}

/// Request-object `jti`s share the client's replay record with client assertions; the prefix
/// keeps the two kinds of token from refusing each other's identifiers.
const JTI_PREFIX: &str = "request_object:";

impl<K: ClientKeys, U: RequestUris> RequestObjects<'_, K, U> {
    /// The request `params` with its request object unpacked into it, or `None` when it has
    /// none. Errors are `invalid_request` (both `request` and `request_uri`),
    /// `invalid_request_uri` and `invalid_request_object`.
    pub async fn unpack<S: TokenStore>(
        &self,
        store: &S,
        client: &Client,
        params: &AuthorizeParams,
        now: Now,
    ) -> Result<Option<AuthorizeParams>, OAuthError> {
        let jwt = match request_object::source(params)? {
            None => return Ok(None),
            Some(RequestObjectSource::Value(jwt)) => jwt.to_owned(),
            Some(RequestObjectSource::Reference(uri)) => {
                check_request_uri(uri, client)?;
                self.uris.fetch_request_object(uri).await?
            }
        };
        let keys = match (is_signed(&jwt), KeySource::of(client)) {
            (true, KeySource::Inline(_) | KeySource::Uri(_)) => Some(
                self.keys
                    .client_keys(client, &jwt)
                    .await
                    .map_err(as_object_error)?,
            ),
            _ => None,
        };
        let context = ObjectContext {
            issuer: self.issuer,
            now,
        };
        let verified = verify_request_object(&jwt, client, keys.as_deref(), context)?;
        let merged = request_object::merge(params.clone(), verified.params)?;
        // RFC 9101 §10.8 (replay): a signed object is accepted once until it expires.
        if let Some((jti, expires_at)) = verified.replay {
            let fresh = store
                .claim_jti(&client.id, &format!("{JTI_PREFIX}{jti}"), expires_at, now)
                .await
                .map_err(|e| OAuthError::from(Error::from_store("request object", e)))?;
            if !fresh {
                return Err(OAuthError::new(OAuthErrorKind::InvalidRequestObject)
                    .hint("The request object's jti has been used already."));
            }
        }
        Ok(Some(merged))
    }
}

/// The key port speaks `invalid_client` (it serves client authentication); a key set that
/// cannot be had makes the request object unverifiable instead.
fn as_object_error(error: OAuthError) -> OAuthError {
    if error.kind != OAuthErrorKind::InvalidClient {
        return error;
    }
    let mut mapped = OAuthError::new(OAuthErrorKind::InvalidRequestObject);
    mapped.hint = error.hint;
    mapped.debug = error.debug;
    mapped
}
