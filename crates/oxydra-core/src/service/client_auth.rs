//! Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3,
//! OIDC Core §9): loads the client a request names and checks the credentials it presented
//! against the client's registered `token_endpoint_auth_method`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::client::secret::SecretHashing;
use crate::client::{AuthMethod, Client};
use crate::error::Error;
use crate::model::{ClientId, Now};
use crate::oauth2::client_assertion::{assertion_subject, verify_client_assertion};
use crate::oauth2::client_auth::PresentedCredentials;
use crate::store::{ClientStore, TokenStore};
use crate::{OAuthError, OAuthErrorKind};

/// Where a `private_key_jwt` client's public keys come from: its inline `jwks`, or its
/// `jwks_uri` fetched (and cached) by the server. A port, because fetching is I/O.
pub trait ClientKeys: Send + Sync {
    /// The JWK set to verify `assertion` (whose header may name a `kid`) for `client`.
    fn client_keys(
        &self,
        client: &Client,
        assertion: &str,
    ) -> impl Future<Output = Result<Arc<Value>, OAuthError>> + Send;
}

/// What client authentication needs besides the store.
#[derive(Debug, Clone, Copy)]
pub struct AuthContext<'a> {
    /// The token endpoint URL, which a client assertion's `aud` must contain (RFC 7523 §3).
    pub token_endpoint: &'a str,
    /// The longest-lived assertion accepted; bounds how long `jti`s are remembered.
    pub assertion_max_lifetime: Duration,
}

/// Returns the authenticated client, or `invalid_client` (401) when the client is unknown, used
/// another method than the one it registered, or presented a wrong secret or assertion. The
/// hints never say which of "unknown client" and "wrong secret" happened.
pub async fn authenticate<S, H, K>(
    store: &S,
    hasher: &H,
    keys: &K,
    context: AuthContext<'_>,
    presented: PresentedCredentials,
    now: Now,
) -> Result<Client, Error>
where
    S: ClientStore + TokenStore,
    H: SecretHashing,
    K: ClientKeys,
{
    let id = match &presented {
        PresentedCredentials::Assertion {
            client_id: None,
            assertion,
        } => assertion_subject(assertion),
        other => other.client_id().map(str::to_owned),
    }
    .ok_or_else(|| failed("The client could not be identified."))?;
    let id = ClientId::parse(id).map_err(|_| failed("The client_id is malformed."))?;
    let client = store
        .get_client(&id)
        .await
        .map_err(|e| Error::from_store("client", e))?
        .ok_or_else(|| failed(WRONG_CREDENTIALS))?;
    let registered = client.token_endpoint_auth_method;
    if presented.auth_method() != registered.as_str() {
        return Err(failed_owned(format!(
            "The client is registered for token_endpoint_auth_method '{}' but authenticated with '{}'.",
            registered.as_str(),
            presented.auth_method()
        ))
        .into());
    }
    match presented {
        PresentedCredentials::Basic { secret, .. } | PresentedCredentials::Post { secret, .. } => {
            let Some(hash) = client.secret_hash.clone() else {
                return Err(failed(WRONG_CREDENTIALS).into());
            };
            if hasher.verify_client(&client.id, secret, hash).await {
                Ok(client)
            } else {
                Err(failed(WRONG_CREDENTIALS).into())
            }
        }
        PresentedCredentials::None { .. } if registered == AuthMethod::None => Ok(client),
        PresentedCredentials::None { .. } => Err(failed(WRONG_CREDENTIALS).into()),
        PresentedCredentials::Assertion { assertion, .. } => {
            let jwks = keys.client_keys(&client, &assertion).await?;
            let verified = verify_client_assertion(
                &assertion,
                &client,
                &jwks,
                context.token_endpoint,
                now,
                context.assertion_max_lifetime,
            )?;
            // RFC 7523 §3 item 7: a `jti` is accepted once per client until the assertion expires.
            let fresh = store
                .claim_jti(&client.id, &verified.jti, verified.expires_at, now)
                .await
                .map_err(|e| Error::from_store("client assertion", e))?;
            if fresh {
                Ok(client)
            } else {
                Err(failed("The client assertion's jti has been used already.").into())
            }
        }
    }
}

const WRONG_CREDENTIALS: &str = "The client is unknown or the client credentials are wrong.";

fn failed(hint: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClient).hint(hint)
}

fn failed_owned(hint: String) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClient).hint(hint)
}
