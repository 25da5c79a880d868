//! Issuing and checking ID tokens with the server's `hydra.openid.id-token` set: the glue the
//! token and authorization endpoints share.

use std::time::Duration;

use crate::client::{Client, IssuingGrant};
use crate::jwk::{JwkAlgorithm, KeyCipher};
use crate::model::Now;
use crate::oauth2::grant::issue::GrantedAccess;
use crate::oidc::id_token::{self, IdTokenInput};
use crate::service::signing_keys::{KeySetView, SigningKey, SigningKeys};
use crate::store::KeyStore;
use crate::{Error, OAuthError, OAuthErrorKind};
use serde_json::{Map, Value};

/// What ID tokens need from the server.
#[derive(Debug, Clone, Copy)]
pub struct IdTokenIssuer<'a> {
    /// The cached ID-token signing set.
    pub keys: &'a SigningKeys,
    /// Decrypts the stored keys.
    pub cipher: &'a KeyCipher,
    /// The issuer identifier with its trailing `/`.
    pub issuer: &'a str,
    /// `ID_TOKEN_LIFESPAN`.
    pub lifespan: Duration,
}

impl IdTokenIssuer<'_> {
    /// This issuer with `client`'s ID-token lifespan for `grant` (Hydra 2.x), falling back to
    /// `ID_TOKEN_LIFESPAN`.
    pub fn for_client(&self, client: &Client, grant: IssuingGrant) -> Self {
        Self {
            lifespan: client.token_lifespans.id_token(grant, self.lifespan),
            ..*self
        }
    }
}

/// What an ID token is bound to: the tokens issued with it in the same response (hashed
/// into `at_hash` and `c_hash`) and whether it repeats the request's nonce.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdTokenBindings<'a> {
    /// The access token returned in the same response from the authorization endpoint.
    pub access_token: Option<&'a str>,
    /// The code returned in the same response.
    pub code: Option<&'a str>,
    /// Whether the request's nonce is repeated (not on refresh).
    pub with_nonce: bool,
}

/// Whether a grant's scopes make it an OpenID Connect grant.
pub fn is_openid(granted_scope: &[String]) -> bool {
    granted_scope.iter().any(|s| s == "openid")
}

pub use crate::oidc::subject::visible_subject;

impl IdTokenIssuer<'_> {
    /// Signs an ID token for `grant` with `alg` (the client's `id_token_signed_response_alg`;
    /// empty means the server's default).
    pub async fn issue<S: KeyStore>(
        &self,
        store: &S,
        grant: &GrantedAccess,
        alg: &str,
        bindings: IdTokenBindings<'_>,
        now: Now,
    ) -> Result<String, Error> {
        let view = self.keys.current(store, self.cipher, now).await?;
        let signer = self.signer(&view, alg)?;
        let input = IdTokenInput {
            issuer: self.issuer,
            subject: visible_subject(&grant.subject, &grant.session),
            client_id: grant.client_id.as_str(),
            session: &grant.session,
            now,
            lifespan: self.lifespan,
            with_nonce: bindings.with_nonce,
            access_token: bindings.access_token,
            code: bindings.code,
        };
        id_token::sign(&input, signer)
    }

    /// The key of `view` that signs with `alg` (a client's registered algorithm, validated
    /// at registration), or with the set's default when `alg` is empty.
    pub fn signer<'v>(&self, view: &'v KeySetView, alg: &str) -> Result<&'v SigningKey, Error> {
        let wanted = if alg.is_empty() {
            Some(self.keys.alg())
        } else {
            JwkAlgorithm::parse(alg)
        };
        wanted
            .and_then(|wanted| view.signer_for(wanted))
            .map(|key| key.as_ref())
            .ok_or_else(|| {
                Error::OAuth(
                    OAuthError::new(OAuthErrorKind::ServerError)
                        .debug(format!("the ID-token key set holds no {alg:?} signing key")),
                )
            })
    }

    /// The claims of an `id_token_hint` this server issued.
    pub async fn verify_hint<S: KeyStore>(
        &self,
        store: &S,
        hint: &str,
        now: Now,
    ) -> Result<Map<String, Value>, OAuthError> {
        let view = self
            .keys
            .current(store, self.cipher, now)
            .await
            .map_err(OAuthError::from)?;
        id_token::verify_hint(hint, self.issuer, &view)
    }
}
