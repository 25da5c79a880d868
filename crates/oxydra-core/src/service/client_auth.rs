//! Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3,
//! OIDC Core §9): loads the client a request names and checks the credentials it presented
//! against the client's registered `token_endpoint_auth_method`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::client::Client;
use crate::client::secret::SecretHashing;
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
/// another method than the one it registered, or presented a wrong secret or assertion.
///
/// None of these cases is told apart, neither by the hint (which never names the registered
/// method) nor by timing: a presented secret is always hashed once, whether or not the client
/// exists and uses secrets, so response times do not reveal which client ids exist.
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
        .map_err(|e| Error::from_store("client", e))?;
    let method = presented.auth_method();
    let Some(client) = client.filter(|c| c.token_endpoint_auth_method.as_str() == method) else {
        // Unknown, or registered for another method: the same work and answer as a wrong secret.
        if let Some(secret) = presented.secret() {
            hasher.verify_absent(secret.clone()).await;
        }
        return Err(refused(method).into());
    };
    match presented {
        PresentedCredentials::Basic { secret, .. } | PresentedCredentials::Post { secret, .. } => {
            let verified = match client.secret_hash.clone() {
                Some(hash) => hasher.verify_client(&client.id, secret, hash).await,
                None => {
                    hasher.verify_absent(secret).await;
                    false
                }
            };
            if verified {
                Ok(client)
            } else {
                Err(refused(method).into())
            }
        }
        PresentedCredentials::None { .. } => Ok(client),
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

fn failed(hint: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClient).hint(hint)
}

/// The one answer for an unknown client, a method mismatch and wrong credentials: it names
/// only the method the request used, never the one the client registered.
fn refused(method: &str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClient).hint(format!(
        "The client is unknown, is not registered for token_endpoint_auth_method '{method}', \
         or the credentials are wrong."
    ))
}
