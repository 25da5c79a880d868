//! Access tokens under the configured strategy (`OAUTH2_ACCESS_TOKEN_STRATEGY`,
//! `shared/spec/behaviour.md` §4.1–§4.2): how the token endpoint and the authorization endpoint
//! mint them, and the one place a *presented* token becomes the key of its stored row — for
//! introspection, revocation and userinfo alike.
//!
//! A presented opaque token is routed by its prefix and checked by HMAC; anything shaped like
//! a JWT is checked against the public keys of the `hydra.jwt.access-token` set (when the JWT
//! strategy is on) and stored under a hash of the whole token. Opaque tokens issued before a
//! switch to JWT therefore keep working until they expire.

use std::sync::Arc;

use crate::Error;
use crate::jwk::KeyCipher;
use crate::model::Now;
use crate::oauth2::grant::issue::Minter;
use crate::service::signing_keys::{KeySetView, SigningKeys};
use crate::store::{KeyStore, TokenStore};
use crate::token::jwt::{self, JwtSigner};
use crate::token::{StoredToken, TokenKeys, TokenKind, TokenSignature};

/// The JWT access-token signing set and the issuer its tokens name.
#[derive(Debug, Clone, Copy)]
pub struct JwtAccessTokens<'a> {
    /// The cached `hydra.jwt.access-token` set.
    pub keys: &'a SigningKeys,
    /// Decrypts the stored keys.
    pub cipher: &'a KeyCipher,
    /// The issuer identifier with its trailing `/`.
    pub issuer: &'a str,
}

/// How this server mints and recognises access tokens.
#[derive(Debug, Clone, Copy)]
pub struct AccessTokens<'a> {
    /// Opaque-token HMAC keys: refresh tokens and codes always, access tokens by default.
    pub opaque: &'a TokenKeys,
    /// Set under `OAUTH2_ACCESS_TOKEN_STRATEGY=jwt`.
    pub jwt: Option<JwtAccessTokens<'a>>,
}

/// The keys one request mints access tokens with (the opaque HMAC keys and, under the JWT
/// strategy, the loaded access-token set and issuer): lends the pure [`Minter`].
pub struct MintingKeys<'a> {
    opaque: &'a TokenKeys,
    jwt: Option<(Arc<KeySetView>, &'a str)>,
}

impl MintingKeys<'_> {
    /// The minter `issue()` takes.
    pub fn minter(&self) -> Minter<'_> {
        Minter {
            opaque: self.opaque,
            jwt: self.jwt.as_ref().map(|(view, issuer)| JwtSigner {
                key: &view.signer.key,
                kid: &view.signer.kid,
                issuer,
            }),
        }
    }
}

impl<'a> AccessTokens<'a> {
    /// Loads the current access-token signer (JWT strategy only; cached, created when missing).
    pub async fn load<S: KeyStore>(&self, store: &S, now: Now) -> Result<MintingKeys<'a>, Error> {
        let jwt = match &self.jwt {
            Some(jwt) => Some((jwt.keys.current(store, jwt.cipher, now).await?, jwt.issuer)),
            None => None,
        };
        Ok(MintingKeys {
            opaque: self.opaque,
            jwt,
        })
    }

    /// The kind and row key of a presented access or refresh token, after checking its HMAC
    /// or JWT signature; `None` for anything this server did not issue as one (a code, a
    /// forged, malformed or foreign token, a JWT while the JWT strategy is off).
    pub async fn recognise<S: KeyStore + TokenStore>(
        &self,
        store: &S,
        token: &str,
        now: Now,
    ) -> Result<Option<(TokenKind, TokenSignature)>, Error> {
        match TokenKind::detect(token) {
            Some(kind @ (TokenKind::AccessToken | TokenKind::RefreshToken)) => {
                Ok(self.opaque.verify(kind, token).ok().map(|sig| (kind, sig)))
            }
            Some(TokenKind::AuthorizeCode) => Ok(None),
            None => {
                if let Some(signature) = self.opaque.verify_imported(token) {
                    return imported_kind(store, signature).await;
                }
                match &self.jwt {
                    Some(jwt) if jwt::looks_like_jwt(token) => {
                        let view = jwt.keys.current(store, jwt.cipher, now).await?;
                        Ok(jwt::verify(token, &view.verifiers)
                            .ok()
                            .map(|sig| (TokenKind::AccessToken, sig)))
                    }
                    _ => Ok(None),
                }
            }
        }
    }

    /// The stored row of a presented access or refresh token, active or not; `None` when the
    /// token is not recognised or has no row (revoked, rotated, flushed).
    pub async fn find<S: TokenStore + KeyStore>(
        &self,
        store: &S,
        token: &str,
        now: Now,
    ) -> Result<Option<StoredToken>, Error> {
        let Some((kind, signature)) = self.recognise(store, token, now).await? else {
            return Ok(None);
        };
        find_row(store, kind, &signature).await
    }
}

/// The kind of an imported Hydra token, read from its row (Hydra's access and refresh tokens
/// share one format); an access token when there is no row, which then finds nothing.
async fn imported_kind<S: TokenStore>(
    store: &S,
    signature: TokenSignature,
) -> Result<Option<(TokenKind, TokenSignature)>, Error> {
    let access = store
        .get_token(TokenKind::AccessToken, &signature)
        .await
        .map_err(|e| Error::from_store("token", e))?;
    let kind = match access {
        Some(_) => TokenKind::AccessToken,
        None => TokenKind::RefreshToken,
    };
    Ok(Some((kind, signature)))
}

/// The stored row of a token of `kind` under `signature`, active or not. A row stored before
/// row keys began with the issue time is found under its legacy key (see
/// [`TokenSignature::legacy`]); that second lookup happens only on a miss.
pub async fn find_row<S: TokenStore>(
    store: &S,
    kind: TokenKind,
    signature: &TokenSignature,
) -> Result<Option<StoredToken>, Error> {
    let found = store
        .get_token(kind, signature)
        .await
        .map_err(|e| Error::from_store("token", e))?;
    match (found, signature.legacy()) {
        (None, Some(legacy)) => store
            .get_token(kind, &legacy)
            .await
            .map_err(|e| Error::from_store("token", e)),
        (found, _) => Ok(found),
    }
}
