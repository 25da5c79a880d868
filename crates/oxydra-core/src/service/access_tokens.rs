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
use crate::client::Client;
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
    /// The JWT access-token set, used for the clients whose tokens are JWTs.
    pub jwt: JwtAccessTokens<'a>,
    /// `OAUTH2_ACCESS_TOKEN_STRATEGY=jwt`: JWTs for every client that did not choose.
    pub jwt_by_default: bool,
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
            dpop_jkt: None,
        }
    }
}

impl<'a> AccessTokens<'a> {
    /// Whether `client`'s access tokens are JWTs: its Hydra 2.x `access_token_strategy`, else
    /// the server's.
    pub fn jwt_for(&self, client: &Client) -> bool {
        match client.access_token_strategy.as_str() {
            "jwt" => true,
            "opaque" => false,
            _ => self.jwt_by_default,
        }
    }

    /// What `client`'s access tokens are minted with: the opaque keys, and for a JWT client
    /// the current access-token signer (cached, created when missing).
    pub async fn load<S: KeyStore>(
        &self,
        store: &S,
        client: &Client,
        now: Now,
    ) -> Result<MintingKeys<'a>, Error> {
        let jwt = if self.jwt_for(client) {
            let jwt = &self.jwt;
            Some((jwt.keys.current(store, jwt.cipher, now).await?, jwt.issuer))
        } else {
            None
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
            Some(TokenKind::AuthorizeCode | TokenKind::DeviceCode) => Ok(None),
            None => {
                if let Some(signature) = self.opaque.verify_imported(token) {
                    return imported_kind(store, signature).await;
                }
                if !jwt::looks_like_jwt(token) {
                    return Ok(None);
                }
                let Some(view) = self.jwt_view(store, now).await? else {
                    return Ok(None);
                };
                Ok(jwt::verify(token, &view.verifiers)
                    .ok()
                    .map(|sig| (TokenKind::AccessToken, sig)))
            }
        }
    }

    /// The access-token set's keys, if JWT access tokens can exist: under the JWT strategy
    /// (created when missing), else only once a client's `access_token_strategy` made the
    /// set (a presented JWT never creates it).
    pub async fn jwt_view<S: KeyStore>(
        &self,
        store: &S,
        now: Now,
    ) -> Result<Option<Arc<KeySetView>>, Error> {
        let jwt = &self.jwt;
        if self.jwt_by_default {
            jwt.keys.current(store, jwt.cipher, now).await.map(Some)
        } else {
            jwt.keys.existing(store, jwt.cipher, now).await
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
