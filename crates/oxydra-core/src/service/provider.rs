//! The token side of this server, built once per process: the issuer, the opaque-token keys,
//! the signing sets and the cipher that opens them, the lifespans and the strategies. Calls
//! then read `provider.exchange(&store, &client, grant, request, now)` instead of threading
//! each piece through every function; the views ([`Provider::access_tokens`],
//! [`Provider::id_token_issuer`], [`Provider::token_settings`]) are what the narrower
//! services take. [`Provider::exchange`] itself lives with the token use case
//! (`service/token.rs`).

use std::sync::Arc;
use std::time::Duration;

use crate::config::{AccessTokenStrategy, ScopeStrategy};
use crate::error::Error;
use crate::jwk::{Jwk, KeyCipher};
use crate::model::Now;
use crate::oauth2::jwt_bearer::AssertionRules;
use crate::service::access_tokens::{AccessTokens, JwtAccessTokens};
use crate::service::dpop::DpopRules;
use crate::service::id_tokens::IdTokenIssuer;
use crate::service::signing_keys::SigningKeys;
use crate::store::KeyStore;
use crate::token::TokenKeys;

/// Token-endpoint settings from configuration.
#[derive(Debug, Clone, Copy)]
pub struct TokenSettings {
    /// `ACCESS_TOKEN_LIFESPAN`.
    pub access_token_lifespan: Duration,
    /// `SCOPE_STRATEGY`.
    pub scope_strategy: ScopeStrategy,
    /// How long a rotated refresh token may be presented again for the same successor pair
    /// (`OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD`; zero = never).
    pub refresh_token_rotation_grace: Duration,
}

/// What tokens and ID tokens are minted with; cheap to share (`Arc`s and plain values).
#[derive(Debug, Clone)]
pub struct Provider {
    /// The issuer identifier as tokens carry it (with a trailing `/`, as Hydra).
    pub issuer: Arc<str>,
    /// HMAC keys of opaque tokens.
    pub token_keys: Arc<TokenKeys>,
    /// Decrypts the stored signing keys.
    pub cipher: Arc<KeyCipher>,
    /// The cached `hydra.openid.id-token` signing set.
    pub id_token_keys: Arc<SigningKeys>,
    /// The cached `hydra.jwt.access-token` signing set (used only under the JWT strategy).
    pub access_token_keys: Arc<SigningKeys>,
    /// `OAUTH2_ACCESS_TOKEN_STRATEGY`.
    pub access_token_strategy: AccessTokenStrategy,
    /// `SCOPE_STRATEGY`.
    pub scope_strategy: ScopeStrategy,
    /// `ACCESS_TOKEN_LIFESPAN`.
    pub access_token_lifespan: Duration,
    /// `ID_TOKEN_LIFESPAN`.
    pub id_token_lifespan: Duration,
    /// `OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD` (zero = off).
    pub refresh_token_rotation_grace: Duration,
    /// How JWT-bearer assertions are checked (`OAUTH2_GRANT_JWT_*`, RFC 7523).
    pub jwt_bearer: AssertionRules,
    /// How DPoP proofs are accepted (RFC 9449, `OXYDRA_DPOP*`).
    pub dpop: DpopRules,
}

impl Provider {
    /// Whether access tokens are JWTs signed by the access-token set.
    pub fn jwt_access_tokens(&self) -> bool {
        self.access_token_strategy == AccessTokenStrategy::Jwt
    }

    /// Token-endpoint settings.
    pub fn token_settings(&self) -> TokenSettings {
        TokenSettings {
            access_token_lifespan: self.access_token_lifespan,
            scope_strategy: self.scope_strategy,
            refresh_token_rotation_grace: self.refresh_token_rotation_grace,
        }
    }

    /// What ID tokens are signed with.
    pub fn id_token_issuer(&self) -> IdTokenIssuer<'_> {
        IdTokenIssuer {
            keys: &self.id_token_keys,
            cipher: &self.cipher,
            issuer: &self.issuer,
            lifespan: self.id_token_lifespan,
        }
    }

    /// How access tokens are minted and recognised: opaque, or JWTs signed by the
    /// access-token set under `OAUTH2_ACCESS_TOKEN_STRATEGY=jwt`.
    pub fn access_tokens(&self) -> AccessTokens<'_> {
        AccessTokens {
            opaque: &self.token_keys,
            jwt: JwtAccessTokens {
                keys: &self.access_token_keys,
                cipher: &self.cipher,
                issuer: &self.issuer,
            },
            jwt_by_default: self.jwt_access_tokens(),
        }
    }

    /// The signing sets in use: the ID-token set, plus the access-token set under the JWT
    /// strategy.
    pub fn signing_sets(&self) -> Vec<&SigningKeys> {
        let mut sets = vec![self.id_token_keys.as_ref()];
        if self.jwt_access_tokens() {
            sets.push(&self.access_token_keys);
        }
        sets
    }

    /// The names of the signing key sets in use.
    pub fn signing_set_names(&self) -> Vec<&'static str> {
        self.signing_sets().iter().map(|s| s.set()).collect()
    }

    /// The public keys `/.well-known/jwks.json` lists: those of every signing set in use,
    /// and the access-token set's once a client's `access_token_strategy: jwt` created it
    /// under the opaque strategy (resource servers verify those clients' tokens with them).
    pub async fn published_keys<S: KeyStore>(
        &self,
        store: &S,
        now: Now,
    ) -> Result<Vec<Jwk>, Error> {
        let mut keys = Vec::new();
        for set in self.signing_sets() {
            let view = set.current(store, &self.cipher, now).await?;
            keys.extend(view.public.iter().cloned());
        }
        if !self.jwt_access_tokens()
            && let Some(view) = (self.access_token_keys)
                .existing(store, &self.cipher, now)
                .await?
        {
            keys.extend(view.public.iter().cloned());
        }
        Ok(keys)
    }

    /// Creates the signing keys that are missing (at start-up, so the first token request
    /// does not wait for an RSA key to be generated). Safe when instances start together.
    pub async fn ensure_signing_keys<S: KeyStore>(&self, store: &S, now: Now) -> Result<(), Error> {
        for set in self.signing_sets() {
            set.current(store, &self.cipher, now).await?;
        }
        Ok(())
    }

    /// Tells the signing-key caches that `set` changed through this process.
    pub fn keys_changed(&self, set: &str) {
        for keys in [&self.id_token_keys, &self.access_token_keys] {
            if set == keys.set() {
                keys.invalidate();
            }
        }
    }
}
