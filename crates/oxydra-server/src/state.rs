//! The application state every handler, middleware and background task reads: built once from
//! the configuration and the store, then cloned per request. It sits below the routers and the
//! handlers and imports none of them.

mod discovery;

use std::sync::{Arc, OnceLock};

use oxydra_core::Secret;
use oxydra_core::client::SubjectType;
use oxydra_core::client::secret::SecretHasher;
use oxydra_core::clock::{Clock, SystemClock};
use oxydra_core::flow::device::DeviceSettings;
use oxydra_core::jwk::{GenerateOptions, JwkAlgorithm, KeyCipher, OIDC_SIGNING_ALGS};
use oxydra_core::model::Now;
use oxydra_core::oauth2::client_assertion::DEFAULT_MAX_LIFETIME;
use oxydra_core::oauth2::jwt_bearer::AssertionRules;
use oxydra_core::service::access_tokens::AccessTokens;
use oxydra_core::service::authorize::{FlowSettings, LegacyFlowSettings, ROUND_TRIP};
use oxydra_core::service::client_auth::AuthContext;
use oxydra_core::service::id_tokens::IdTokenIssuer;
use oxydra_core::service::policy_cache::PolicyCache;
use oxydra_core::service::provider::Provider;
use oxydra_core::service::signing_keys::{
    ACCESS_TOKEN_SET, DEFAULT_REFRESH, ID_TOKEN_SET, SigningKeys,
};
use oxydra_core::service::token::TokenSettings;
use oxydra_core::token::TokenKeys;
use oxydra_core::{Error, OAuthError, OAuthErrorKind};
use oxydra_store::SqlStore;

use crate::auth_budget::{DEFAULT_TRACKED_KEYS, FailureBudget};
use crate::config::Config;
use crate::cookies::CookieJar;
use crate::demo::Demo;
use crate::device_guesses::GuessBudget;
use crate::hashing::{DEFAULT_SECRET_CACHE_CAPACITY, ServerHasher};
use crate::jwks_fetch::{JwksFetchConfig, JwksFetcher};
use crate::remote_fetch::{FetchPolicy, RemoteFetcher};

/// Everything a handler may use: one `Arc`, so the clone axum makes for every handler and
/// middleware is one reference-count increment, not one per field (a profile of the flow
/// showed the per-field clones and drops). Fields are read through `Deref` as before.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What [`AppState`] shares: built once from the configuration and the store.
pub struct Services {
    /// Validated configuration.
    pub config: Arc<Config>,
    /// The database.
    pub store: SqlStore,
    /// Secret hashing, offloaded to the blocking pool, with the verification cache.
    pub hasher: ServerHasher,
    /// HMAC keys of opaque tokens, derived from the system secrets.
    pub token_keys: Arc<TokenKeys>,
    /// Encrypts and decrypts stored JSON Web Keys (derived from the system secrets).
    pub key_cipher: Arc<KeyCipher>,
    /// Key-generation options (RSA size): Hydra's defaults.
    pub key_options: GenerateOptions,
    /// Fetches and caches `private_key_jwt` clients' `jwks_uri` key sets.
    pub jwks: JwksFetcher,
    /// Fetches client-chosen documents safely (`sector_identifier_uri` at registration; the
    /// downloader under [`Self::jwks`]).
    pub remote: RemoteFetcher,
    /// `<issuer>/oauth2/token`: the audience client assertions must name.
    pub token_endpoint: Arc<str>,
    /// The endpoint URLs DPoP proofs must name (`htu`).
    pub dpop_targets: Arc<crate::dpop::DpopTargets>,
    /// Signs and reads the flow's cookies (`COOKIE_SECRET`).
    pub cookies: CookieJar,
    /// What the login/consent flow needs from the configuration.
    pub flow_settings: Arc<FlowSettings>,
    /// Time source (fixed in tests).
    pub clock: Arc<dyn Clock>,
    /// Base URL of this process's admin API (`http://127.0.0.1:4445`), known only once its
    /// listener is bound (port 0 is allowed); set by [`crate::run`], read by the demo app.
    pub admin_url: Arc<OnceLock<String>>,
    /// The built-in demo login and consent app, when `OXYDRA_DEMO` is on.
    pub demo: Option<Arc<Demo>>,
    /// The cached `hydra.openid.id-token` signing set.
    pub id_token_keys: Arc<SigningKeys>,
    /// The cached `hydra.jwt.access-token` signing set (used only under the JWT strategy).
    pub access_token_keys: Arc<SigningKeys>,
    /// The issuer identifier as ID tokens carry it (with a trailing `/`, as Hydra).
    pub issuer_id: Arc<str>,
    /// Compiled access-control policies (`/policies`), decided against by the admin guard.
    pub policies: Arc<PolicyCache>,
    /// The serialized discovery document: it depends on the configuration only.
    pub discovery: axum::body::Bytes,
    /// This process's request counters (`/health/stats`), shared by both ports.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Failed client authentications per client and IP (`OXYDRA_AUTH_FAILURE*`).
    pub auth_failures: Arc<FailureBudget>,
    /// The device authorization grant, when `OXYDRA_DEVICE_FLOW` is on.
    pub device: Option<Arc<DeviceFlow>>,
    /// The token hook (`OAUTH2_TOKEN_HOOK_URL`), or none.
    pub token_hook: crate::token_hook::HttpTokenHook,
    /// The token side (issuer, token keys, signing sets, lifespans, strategies), built once;
    /// it shares the keys and sets above.
    pub provider: Arc<Provider>,
}

/// The device authorization grant's settings and its verification page's guess counters.
#[derive(Debug)]
pub struct DeviceFlow {
    /// Lifetimes, interval, user-code length, the published verification URI.
    pub settings: DeviceSettings,
    /// Wrong user codes per address and in total.
    pub guesses: GuessBudget,
}

impl AppState {
    /// State with the system clock.
    pub fn new(config: Config, store: SqlStore) -> Result<Self, Error> {
        Self::with_clock(config, store, Arc::new(SystemClock))
    }

    /// State with an injected clock, for tests that move time. Fails only when key material
    /// cannot be derived (an empty system secret, which configuration validation prevents).
    pub fn with_clock(
        config: Config,
        store: SqlStore,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let hasher = ServerHasher::new(
            SecretHasher::new(config.hasher),
            DEFAULT_SECRET_CACHE_CAPACITY,
        )?;
        let token_keys = Arc::new(TokenKeys::new(&config.system_secrets)?);
        let key_cipher = Arc::new(KeyCipher::new(&config.system_secrets)?);
        let (remote, jwks) = fetchers(&config)?;
        let token_endpoint: Arc<str> = Arc::from(format!(
            "{}{}",
            config.issuer.as_str().trim_end_matches('/'),
            oxydra_api::paths::OAUTH2_TOKEN
        ));
        let dpop_targets = Arc::new(crate::dpop::DpopTargets {
            token: url::Url::parse(&token_endpoint).map_err(|e| {
                Error::from(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string()))
            })?,
            userinfo: config.userinfo_endpoint(),
        });
        let cookies = cookie_jar(&config);
        let flow_settings = Arc::new(flow_settings(&config)?);
        let key_options = GenerateOptions {
            rsa_bits: config.rsa_key_bits,
        };
        let (id_token_keys, access_token_keys) = signing_sets(&config, key_options);
        let issuer_id: Arc<str> = Arc::from(config.issuer_with_slash());
        let provider = Arc::new(Provider {
            issuer: issuer_id.clone(),
            token_keys: token_keys.clone(),
            cipher: key_cipher.clone(),
            id_token_keys: id_token_keys.clone(),
            access_token_keys: access_token_keys.clone(),
            access_token_strategy: config.access_token_strategy,
            scope_strategy: config.scope_strategy,
            access_token_lifespan: config.lifespans.access_token,
            id_token_lifespan: config.lifespans.id_token,
            refresh_token_rotation_grace: config.grants.refresh_token_rotation_grace,
            jwt_bearer: AssertionRules {
                token_endpoint: token_endpoint.to_string(),
                max_ttl: config.jwt_bearer.max_ttl,
                jti_optional: config.jwt_bearer.jti_optional,
                iat_optional: config.jwt_bearer.iat_optional,
            },
            dpop: config.dpop,
        });
        let token_hook = crate::token_hook::HttpTokenHook::new(config.grants.token_hook.as_ref())
            .map_err(|e| {
            Error::from(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string()))
        })?;
        let admin_url = Arc::new(OnceLock::new());
        let demo = if config.demo.enabled {
            Some(Arc::new(Demo::new(&config.demo, admin_url.clone())?))
        } else {
            None
        };
        let policies = Arc::new(PolicyCache::new(config.access_control.policy_cache_ttl));
        let discovery = discovery::build(&config, id_token_keys.algorithms())?;
        let device = device_flow(&config)?.map(Arc::new);
        Ok(Self(Arc::new(Services {
            provider,
            token_hook,
            policies,
            discovery,
            metrics: Arc::new(crate::metrics::Metrics::new()),
            auth_failures: Arc::new(FailureBudget::new(config.auth_budget, DEFAULT_TRACKED_KEYS)),
            device,
            cookies,
            flow_settings,
            admin_url,
            demo,
            config: Arc::new(config),
            store,
            hasher,
            token_keys,
            key_cipher,
            key_options,
            id_token_keys,
            access_token_keys,
            issuer_id,
            jwks,
            remote,
            token_endpoint,
            dpop_targets,
            clock,
        })))
    }

    /// Client-authentication settings.
    pub fn auth_context(&self) -> AuthContext<'_> {
        AuthContext {
            token_endpoint: &self.token_endpoint,
            assertion_max_lifetime: DEFAULT_MAX_LIFETIME,
        }
    }

    /// Token-endpoint settings from the configuration.
    pub fn token_settings(&self) -> TokenSettings {
        self.provider.token_settings()
    }

    /// What ID tokens are signed with.
    pub fn id_token_issuer(&self) -> IdTokenIssuer<'_> {
        self.provider.id_token_issuer()
    }

    /// How access tokens are minted and recognised: opaque, or JWTs signed by the
    /// access-token set under `OAUTH2_ACCESS_TOKEN_STRATEGY=jwt`.
    pub fn access_tokens(&self) -> AccessTokens<'_> {
        self.provider.access_tokens()
    }

    /// The public keys `/.well-known/jwks.json` lists (see [`Provider::published_keys`]).
    pub async fn published_keys(&self) -> Result<Vec<oxydra_core::jwk::Jwk>, Error> {
        self.provider.published_keys(&self.store, self.now()).await
    }

    /// The names of the signing key sets this configuration uses.
    pub fn signing_set_names(&self) -> Vec<&'static str> {
        self.provider.signing_set_names()
    }

    /// Creates the signing keys that are missing (see [`Provider::ensure_signing_keys`]).
    pub async fn ensure_signing_keys(&self) -> Result<(), Error> {
        self.provider
            .ensure_signing_keys(&self.store, self.now())
            .await
    }

    /// Installs Hydra's token key when `oxydra import hydra` stored one, so tokens imported
    /// from Hydra verify (see `docs/migrating-from-hydra.md`); tells whether it did.
    pub async fn load_imported_token_key(&self) -> Result<bool, Error> {
        oxydra_core::service::imported_tokens::load(
            &self.store,
            &self.provider.cipher,
            &self.provider.token_keys,
        )
        .await
    }

    /// Reads Hydra's login cookies when `oxydra import hydra` stored Hydra's cookie key, so
    /// users Hydra remembered stay logged in; tells whether it does.
    pub async fn load_imported_cookie_key(&self) -> Result<bool, Error> {
        let key = oxydra_core::service::imported_tokens::load_cookie_key(
            &self.store,
            &self.provider.cipher,
        )
        .await?;
        let found = key.is_some();
        self.cookies.set_hydra_cookies(
            key.map(|key| crate::cookies::HydraCookies::new(key, self.clock.clone())),
        );
        Ok(found)
    }

    /// Tells the signing-key caches that `set` changed through this instance.
    pub fn keys_changed(&self, set: &str) {
        self.provider.keys_changed(set);
    }

    /// The current instant.
    pub fn now(&self) -> Now {
        self.clock.now()
    }
}

/// The safe downloader and, on top of it, the `jwks_uri` fetcher.
fn fetchers(config: &Config) -> Result<(RemoteFetcher, JwksFetcher), Error> {
    let remote = RemoteFetcher::new(FetchPolicy {
        dev: config.dangerous_force_http,
        ..FetchPolicy::default()
    })
    .map_err(|e| Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string())))?;
    let jwks = JwksFetcher::new(JwksFetchConfig::default(), remote.clone());
    Ok((remote, jwks))
}

/// Signs and reads the flow's cookies with `COOKIE_SECRET` (and the rotated ones).
fn cookie_jar(config: &Config) -> CookieJar {
    CookieJar::new(config.cookie_secret.expose(), config.https()).with_rotated(
        config
            .rotated_cookie_secrets
            .iter()
            .map(|s| s.expose().as_slice()),
    )
}

/// What the login/consent flow needs from the configuration.
/// The device flow's settings and guess counters, when it is on.
fn device_flow(config: &Config) -> Result<Option<DeviceFlow>, Error> {
    let device = &config.device;
    if !config.device_flow_served() {
        return Ok(None);
    }
    let verification_uri = match &device.verification_url {
        Some(url) => url.clone(),
        None => issuer_url(config, oxydra_api::paths::OAUTH2_DEVICE_VERIFY)?,
    };
    Ok(Some(DeviceFlow {
        settings: DeviceSettings {
            lifespan: device.code_lifespan,
            interval: device.polling_interval,
            user_code_length: device.user_code_length,
            verification_uri,
        },
        guesses: GuessBudget::new(device.guesses),
    }))
}

fn flow_settings(config: &Config) -> Result<FlowSettings, Error> {
    Ok(FlowSettings {
        authorize_url: issuer_url(config, oxydra_api::paths::OAUTH2_AUTH)?,
        device_verify_url: issuer_url(config, oxydra_api::paths::OAUTH2_DEVICE_VERIFY)?,
        login_url: config.urls.login.clone(),
        consent_url: config.urls.consent.clone(),
        logout_url: config.urls.logout.clone(),
        logout_redirect_url: config.urls.logout_redirect.clone(),
        end_session_url: issuer_url(config, oxydra_api::paths::END_SESSION)?,
        scope_strategy: config.scope_strategy,
        auth_code_lifespan: config.lifespans.auth_code,
        round_trip: ROUND_TRIP,
        access_token_lifespan: config.lifespans.access_token,
        browser_session: config.lifespans.browser_session,
        pairwise_enabled: config.oidc.subject_types.contains(&SubjectType::Pairwise),
        pairwise_salt: Secret::new(config.oidc.pairwise_salt.expose().as_bytes().to_vec()),
        legacy: config.legacy_consent.then_some(LegacyFlowSettings {
            lifespan: config.lifespans.challenge,
        }),
        par_required: config.par.required,
    })
}

/// The cached ID-token set (a key of every OIDC algorithm) and access-token set.
fn signing_sets(
    config: &Config,
    key_options: GenerateOptions,
) -> (Arc<SigningKeys>, Arc<SigningKeys>) {
    let id_token_keys = Arc::new(
        SigningKeys::new(
            ID_TOKEN_SET,
            config.id_token_signing_alg,
            key_options,
            DEFAULT_REFRESH,
        )
        .with_algorithms(&OIDC_SIGNING_ALGS),
    );
    let access_token_keys = Arc::new(SigningKeys::new(
        ACCESS_TOKEN_SET,
        JwkAlgorithm::Rs256,
        key_options,
        DEFAULT_REFRESH,
    ));
    (id_token_keys, access_token_keys)
}

/// `<issuer><path>`, the issuer's own path kept (`https://example.com/auth` + `/oauth2/auth`).
fn issuer_url(config: &Config, path: &str) -> Result<url::Url, Error> {
    let base = config.issuer.as_str().trim_end_matches('/');
    url::Url::parse(&format!("{base}{path}")).map_err(|e| {
        Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string()))
    })
}
