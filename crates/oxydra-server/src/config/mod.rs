//! Oxydra's configuration: one typed, validated [`Config`] built from Hydra 1.0.0-beta's
//! environment variables, their aliases (0.10 and Hydra 1.x names) and `oxydra serve` flags.
//!
//! Precedence is flag > canonical variable > alias. Every problem is collected into one
//! [`ConfigError`]; non-fatal findings land in [`Config::warnings`]. The key table is
//! [`keys()`], mirrored by `docs/configuration.md` (a test keeps them in sync).

mod access;
mod budget;
mod connections;
mod defaults;
mod demo_users;
mod dev_secret;
mod device;
mod dpop;
mod duration;
mod env;
mod grants;
mod jwt_bearer;
mod keys;
mod load;
mod par;
mod secrets;
mod sections;
mod traces;
mod urls;
mod validate;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use oxydra_core::Secret;
use oxydra_core::client::SubjectType;
use oxydra_core::client::secret::HashAlgorithm;
use oxydra_core::config::{AccessTokenStrategy, ClientPolicy, Lifespans, ScopeStrategy};
use oxydra_core::jwk::JwkAlgorithm;
use url::Url;

pub use access::{AccessControlConfig, AdminAccessControl, RootCredentials};
pub use budget::AuthBudgetConfig;
pub use connections::ConnectionConfig;
pub use defaults::{DEMO_CONSENT_PATH, DEMO_LOGIN_PATH, DEMO_LOGOUT_PATH};
pub use dev_secret::{DEV_SECRET_SUFFIX, secret_file as dev_secret_file};
pub use device::{DeviceFlowConfig, UserCodeGuesses};
pub use duration::{format_go_duration, parse_bytes, parse_duration};
pub use env::{EnvSource, ProcessEnv};
pub use grants::{GrantsConfig, HookApiKey, TokenHookConfig};
pub use jwt_bearer::JwtBearerConfig;
pub use keys::{IGNORED_HYDRA_KEYS, KeyDoc, keys};
pub use par::ParConfig;
pub(crate) use secrets::sha256;
pub use secrets::{MIN_COOKIE_SECRET_LEN, MIN_SYSTEM_SECRET_LEN, redact_dsn};
pub use traces::{OtlpConfig, TracingConfig};

/// The whole server configuration. `Debug` redacts every secret, the DSN included.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database DSN (`DATABASE_URL`, alias `DSN`); default `sqlite://oxydra.db`.
    pub database_url: Secret<String>,
    /// Apply pending migrations at start-up (`OXYDRA_AUTO_MIGRATE`, `--auto-migrate`).
    pub auto_migrate: bool,
    /// How long cached client records are trusted before the client revision is re-read
    /// (`OXYDRA_CLIENT_CACHE_REFRESH`): how late this instance sees another's client writes.
    pub client_cache_refresh: std::time::Duration,
    /// How long a looked-up access-token row is used before it is read again
    /// (`OXYDRA_TOKEN_CACHE_REFRESH`): how late this instance sees another's revocation.
    pub token_cache_refresh: std::time::Duration,
    /// Public listener (`PUBLIC_HOST`, `PUBLIC_PORT`).
    pub public: ListenConfig,
    /// Admin listener (`ADMIN_HOST`, `ADMIN_PORT`).
    pub admin: ListenConfig,
    /// Timeouts and connection caps of both listeners (`OXYDRA_*_TIMEOUT`,
    /// `OXYDRA_*_MAX_CONNECTIONS`).
    pub connections: ConnectionConfig,
    /// Certificate, key and trusted TLS-terminating proxies.
    pub tls: TlsConfig,
    /// Development mode: plain HTTP, non-https issuer, generated system secret allowed.
    pub dangerous_force_http: bool,
    /// The issuer (`OAUTH2_ISSUER_URL`), as given (see [`Config::issuer_with_slash`]).
    pub issuer: Url,
    /// Login, consent, error and post-logout URLs, absolute.
    pub urls: UrlsConfig,
    /// System secrets: the current one first, then rotated ones. Raw bytes, not yet hashed.
    pub system_secrets: Vec<Secret<Vec<u8>>>,
    /// Whether the current system secret was generated because none was configured (dev mode).
    pub system_secret_generated: bool,
    /// Key that signs cookies (`COOKIE_SECRET`); default SHA-256 of the current system secret.
    pub cookie_secret: Secret<Vec<u8>>,
    /// Older cookie secrets (the rest of the `SECRETS_COOKIE` list): cookies they signed still
    /// verify, so a rotation does not log every browser out; nothing new is signed with them.
    pub rotated_cookie_secrets: Vec<Secret<Vec<u8>>>,
    /// Token and challenge lifespans.
    pub lifespans: Lifespans,
    /// Refresh-token rotation grace period and token hook.
    pub grants: GrantsConfig,
    /// Access-token format.
    pub access_token_strategy: AccessTokenStrategy,
    /// Scope matching.
    pub scope_strategy: ScopeStrategy,
    /// Include `error_debug` in OAuth 2.0 errors (`OAUTH2_SHARE_ERROR_DEBUG`).
    pub share_error_debug: bool,
    /// How new client secrets are hashed.
    pub hasher: HashAlgorithm,
    /// OpenID Connect discovery and subject identifiers.
    pub oidc: OidcConfig,
    /// CORS for both listeners.
    pub cors: CorsConfig,
    /// Logging.
    pub log: LogConfig,
    /// Span export (`TRACING_*`); off by default.
    pub tracing: TracingConfig,
    /// Largest accepted request body, in bytes (`OXYDRA_BODY_LIMIT`).
    pub body_limit_bytes: usize,
    /// How often expired rows are deleted; `None` = never (`OXYDRA_JANITOR_INTERVAL`).
    pub janitor_interval: Option<Duration>,
    /// Size of the RSA keys the server generates: its own signing sets and `POST /keys`
    /// with `RS256` (`OXYDRA_RSA_KEY_BITS`; 4096 as Hydra).
    pub rsa_key_bits: usize,
    /// How ID tokens (and signed userinfo) of a client that chose no algorithm are signed
    /// (`OXYDRA_ID_TOKEN_SIGNING_ALG`; RS256 as Hydra).
    pub id_token_signing_alg: JwkAlgorithm,
    /// API generation served (`COMPAT_API_VERSION`).
    pub compat_api_version: CompatApiVersion,
    /// Whether `/oauth2/auth` runs the 0.10 consent-by-id flow: in 0.10 mode, or when only a
    /// consent URL is configured (see `docs/configuration.md`).
    pub legacy_consent: bool,
    /// Prefix of 0.x policy resource names (`RESOURCE_NAME_PREFIX`).
    pub resource_name_prefix: String,
    /// The built-in demo login and consent app (`OXYDRA_DEMO`, `--demo`).
    pub demo: DemoConfig,
    /// Who may call the admin API (`ADMIN_ACCESS_CONTROL`, `FORCE_ROOT_CLIENT_CREDENTIALS`).
    pub access_control: AccessControlConfig,
    /// Failed client authentications allowed per client and per IP (`OXYDRA_AUTH_FAILURE*`).
    pub auth_budget: AuthBudgetConfig,
    /// The device authorization grant (`OXYDRA_DEVICE_*`, RFC 8628).
    pub device: DeviceFlowConfig,
    /// Pushed authorization requests (`OXYDRA_PAR*`, RFC 9126).
    pub par: ParConfig,
    /// The JWT-bearer grant (`OXYDRA_JWT_BEARER_GRANT`, `OAUTH2_GRANT_JWT_*`, RFC 7523).
    pub jwt_bearer: JwtBearerConfig,
    /// DPoP proofs and sender-constrained tokens (`OXYDRA_DPOP*`, RFC 9449).
    pub dpop: oxydra_core::service::dpop::DpopRules,
    /// Dynamic client registration on the public port
    /// (`OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED`, RFC 7591/7592).
    pub dynamic_registration: bool,
    /// Non-fatal findings for the server to log at start-up.
    pub warnings: Vec<String>,
}

/// Where one listener binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenConfig {
    /// Interface; empty means all interfaces.
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
}

impl ListenConfig {
    /// `host:port` for binding: an empty host becomes `0.0.0.0`, IPv6 literals are bracketed.
    pub fn bind_addr(&self) -> String {
        let host = self.host.trim();
        if host.is_empty() {
            format!("0.0.0.0:{}", self.port)
        } else if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{}", self.port)
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// TLS material and trusted proxies.
#[derive(Debug, Clone, Default)]
pub struct TlsConfig {
    /// Certificate chain (`HTTPS_TLS_CERT_PATH` or `HTTPS_TLS_CERT`).
    pub cert: Option<PemSource>,
    /// Private key (`HTTPS_TLS_KEY_PATH` or `HTTPS_TLS_KEY`).
    pub key: Option<PemSource>,
    /// Networks whose requests may arrive over plain HTTP with `X-Forwarded-Proto: https`.
    pub allow_termination_from: Vec<IpNet>,
}

/// Where PEM data comes from.
#[derive(Debug, Clone)]
pub enum PemSource {
    /// A file, read when the server starts.
    Path(PathBuf),
    /// PEM text from the environment (base64 already decoded).
    Inline(Secret<String>),
}

/// The URLs of the login/consent provider and fallbacks, resolved against the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlsConfig {
    /// Login provider (`OAUTH2_LOGIN_URL`).
    pub login: Url,
    /// Consent provider (`OAUTH2_CONSENT_URL`).
    pub consent: Url,
    /// Error page (`OAUTH2_ERROR_URL`).
    pub error: Url,
    /// Target after a login session is revoked (`OAUTH2_LOGOUT_REDIRECT_URL`).
    pub logout_redirect: Url,
    /// The logout app (`OAUTH2_LOGOUT_URL`), which accepts or rejects logout requests.
    pub logout: Url,
}

/// The built-in demo login and consent app: for trying Oxydra, refused outside development mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoConfig {
    /// Serve `/demo/login` and `/demo/consent` on the public port (`OXYDRA_DEMO`).
    pub enabled: bool,
    /// The accounts the login page accepts (`OXYDRA_DEMO_USERS`).
    pub users: Vec<DemoUser>,
}

/// One demo account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// The user name, which becomes the subject.
    pub name: String,
    /// The password, compared in constant time.
    pub password: Secret<String>,
    /// The end-user's claims (OIDC Core §5.1), which the demo consent grants by scope and by
    /// the `claims` parameter: from the JSON form of `OXYDRA_DEMO_USERS`, else generated
    /// from the name.
    pub claims: serde_json::Map<String, serde_json::Value>,
}

/// OpenID Connect settings.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// Claims advertised in discovery: `sub`, then `OIDC_DISCOVERY_CLAIMS_SUPPORTED`.
    pub claims_supported: Vec<String>,
    /// Scopes advertised in discovery: `offline`, `openid`, then `OIDC_DISCOVERY_SCOPES_SUPPORTED`.
    pub scopes_supported: Vec<String>,
    /// Advertised userinfo URL when configured; `None` means `<issuer>/userinfo`
    /// (see [`Config::userinfo_endpoint`]).
    pub userinfo_endpoint: Option<Url>,
    /// Scope of clients registered without one, space separated.
    pub default_client_scope: String,
    /// Supported subject types; the first is the default of new clients.
    pub subject_types: Vec<SubjectType>,
    /// Salt of pairwise subject identifiers.
    pub pairwise_salt: Secret<String>,
}

/// CORS settings (both listeners).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsConfig {
    /// Whether CORS is answered at all.
    pub enabled: bool,
    /// Allowed origins; `*` inside an origin is a wildcard, `*` alone allows all.
    pub allowed_origins: Vec<String>,
    /// Allowed methods.
    pub allowed_methods: Vec<String>,
    /// Allowed request headers (`Origin` always included).
    pub allowed_headers: Vec<String>,
    /// Response headers exposed to scripts.
    pub exposed_headers: Vec<String>,
    /// Whether credentialed requests are allowed.
    pub allow_credentials: bool,
    /// Preflight cache time.
    pub max_age: Duration,
    /// Log CORS decisions.
    pub debug: bool,
}

/// Logging settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogConfig {
    /// Lowest level logged.
    pub level: LogLevel,
    /// Output format.
    pub format: LogFormat,
}

/// Log levels (Hydra's `panic` and `fatal` map to [`LogLevel::Error`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum LogLevel {
    /// Everything.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal operation.
    #[default]
    Info,
    /// Suspicious but handled.
    Warn,
    /// Failures only.
    Error,
}

impl LogLevel {
    /// The `tracing` filter directive for this level.
    pub fn as_filter(self) -> &'static str {
        match self {
            Self::Trace => "trace",
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// API generation served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompatApiVersion {
    /// Hydra 1.0.0-beta (login and consent challenges).
    #[default]
    V1Beta,
    /// Hydra 0.10 (legacy consent-by-id flow).
    V010,
}

impl Config {
    /// Builds and validates the configuration. `flags` are CLI values keyed by canonical variable
    /// name (e.g. `("PUBLIC_PORT", "0")`); flags win over the environment, canonical names over
    /// aliases. Every problem is reported, not just the first.
    pub fn load(env: &impl EnvSource, flags: &[(&str, String)]) -> Result<Config, ConfigError> {
        load::load(env, flags)
    }

    /// Only the system secrets, current first (`SYSTEM_SECRET`, then `ROTATED_SYSTEM_SECRET`; or
    /// the `SECRETS_SYSTEM` list), checked as [`Config::load`] checks them, for commands that
    /// need nothing else (`oxydra migrate secret`). None is ever generated: unset is an error.
    pub fn load_system_secrets(env: &impl EnvSource) -> Result<Vec<Secret<Vec<u8>>>, ConfigError> {
        load::system_secrets_only(env)
    }

    /// Registration rules for clients.
    pub fn client_policy(&self) -> ClientPolicy {
        ClientPolicy {
            default_scope: self.oidc.default_client_scope.clone(),
            subject_types: self.oidc.subject_types.clone(),
            loopback_http_documents: self.dangerous_force_http,
        }
    }

    /// The issuer with exactly one trailing `/`.
    pub fn issuer_with_slash(&self) -> String {
        format!("{}/", self.issuer.as_str().trim_end_matches('/'))
    }

    /// Whether the server runs in HTTPS mode (serving TLS or behind a terminating proxy).
    pub fn https(&self) -> bool {
        !self.dangerous_force_http
    }

    /// The userinfo URL to advertise: the configured one, else `<issuer>/userinfo`.
    pub fn userinfo_endpoint(&self) -> Url {
        match &self.oidc.userinfo_endpoint {
            Some(url) => url.clone(),
            None => urls::resolve_against(&self.issuer, "/userinfo")
                .unwrap_or_else(|_| self.issuer.clone()),
        }
    }

    /// Whether the device authorization grant is served: `OXYDRA_DEVICE_FLOW`, unless the 0.10
    /// consent-by-id flow is selected (it has no login app to send the browser to).
    pub fn device_flow_served(&self) -> bool {
        self.device.enabled && !self.legacy_consent
    }

    /// Whether the server speaks Hydra 0.10 to its clients (`COMPAT_API_VERSION=0.10`).
    pub fn v010(&self) -> bool {
        self.compat_api_version == CompatApiVersion::V010
    }

    /// The DSN with its password replaced, safe to log.
    pub fn database_url_redacted(&self) -> String {
        redact_dsn(self.database_url.expose())
    }
}

/// Every configuration problem found; `Display` prints one line per problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// One message per problem, each naming the variable concerned.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for ConfigError {}
