//! Application state and the two routers (public and admin port).

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use oxydra_core::client::secret::SecretHasher;
use oxydra_core::clock::{Clock, SystemClock};
use oxydra_core::jwk::{GenerateOptions, KeyCipher};
use oxydra_core::model::Now;
use oxydra_core::oauth2::client_assertion::DEFAULT_MAX_LIFETIME;
use oxydra_core::service::authorize::{FlowSettings, ROUND_TRIP};
use oxydra_core::service::client_auth::AuthContext;
use oxydra_core::service::token::TokenSettings;
use oxydra_core::token::TokenKeys;
use oxydra_core::{Error, OAuthError, OAuthErrorKind};
use oxydra_store::SqlStore;

use crate::config::Config;
use crate::cookies::CookieJar;
use crate::demo::Demo;
use crate::hashing::{DEFAULT_SECRET_CACHE_CAPACITY, ServerHasher};
use crate::jwks_fetch::{JwksFetchConfig, JwksFetcher};
use crate::{admin, demo, health, middleware, public};

/// Everything a handler may use. Cheap to clone (all `Arc`s and pools).
#[derive(Clone)]
pub struct AppState {
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
    /// `<issuer>/oauth2/token`: the audience client assertions must name.
    pub token_endpoint: Arc<str>,
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
    /// The serialized discovery document: it depends on the configuration only.
    pub discovery: axum::body::Bytes,
    /// This process's request counters (`/health/stats`), shared by both ports.
    pub metrics: Arc<crate::metrics::Metrics>,
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
        let jwks = JwksFetcher::new(JwksFetchConfig::default()).map_err(|e| {
            Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string()))
        })?;
        let token_endpoint = Arc::from(format!(
            "{}{}",
            config.issuer.as_str().trim_end_matches('/'),
            oxydra_api::paths::OAUTH2_TOKEN
        ));
        let cookies = CookieJar::new(config.cookie_secret.expose(), config.https());
        let flow_settings = Arc::new(FlowSettings {
            authorize_url: issuer_url(&config, oxydra_api::paths::OAUTH2_AUTH)?,
            login_url: config.urls.login.clone(),
            consent_url: config.urls.consent.clone(),
            scope_strategy: config.scope_strategy,
            auth_code_lifespan: config.lifespans.auth_code,
            round_trip: ROUND_TRIP,
        });
        let admin_url = Arc::new(OnceLock::new());
        let demo = if config.demo.enabled {
            Some(Arc::new(Demo::new(&config.demo, admin_url.clone())?))
        } else {
            None
        };
        let discovery = public::discovery::build(&config)?;
        Ok(Self {
            discovery,
            metrics: Arc::new(crate::metrics::Metrics::new()),
            cookies,
            flow_settings,
            admin_url,
            demo,
            config: Arc::new(config),
            store,
            hasher,
            token_keys,
            key_cipher,
            key_options: GenerateOptions::default(),
            jwks,
            token_endpoint,
            clock,
        })
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
        TokenSettings {
            access_token_lifespan: self.config.lifespans.access_token,
            scope_strategy: self.config.scope_strategy,
        }
    }

    /// The current instant.
    pub fn now(&self) -> Now {
        self.clock.now()
    }
}

/// `<issuer><path>`, the issuer's own path kept (`https://example.com/auth` + `/oauth2/auth`).
fn issuer_url(config: &Config, path: &str) -> Result<url::Url, Error> {
    let base = config.issuer.as_str().trim_end_matches('/');
    url::Url::parse(&format!("{base}{path}")).map_err(|e| {
        Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string()))
    })
}

/// The router for the public port (OAuth 2.0 / OIDC endpoints browsers and clients reach).
pub fn public_router(state: AppState) -> Router {
    let mut router = Router::new()
        .merge(health::routes())
        .merge(public::routes());
    if let Some(app) = &state.demo {
        router = router.merge(demo::routes(app.clone()));
    }
    finish(router, state)
}

/// The router for the admin port (management API; the port itself is the trust boundary).
pub fn admin_router(state: AppState) -> Router {
    let router = Router::new().merge(health::routes()).merge(admin::routes());
    finish(router, state)
}

fn finish(router: Router<AppState>, state: AppState) -> Router {
    let limit = state.config.body_limit_bytes;
    let router = router
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(DefaultBodyLimit::max(limit));
    middleware::wrap(router, &state).with_state(state)
}
