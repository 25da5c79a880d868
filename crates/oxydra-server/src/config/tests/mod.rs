//! Unit tests of the configuration loader. Environments are injected as maps; the process
//! environment is never touched.

mod compat;
mod docs;
mod duration;
mod misc;
mod precedence;
mod validation;

use std::collections::BTreeMap;
use std::time::Duration;

use oxydra_core::client::SubjectType;
use oxydra_core::client::secret::HashAlgorithm;
use oxydra_core::config::{AccessTokenStrategy, Lifespans, ScopeStrategy};

use super::*;

pub(super) const SECRET: &str = "a-system-secret-of-32-characters";

/// 0.10 mode's explicit waiver of the admin guard on the public port, for tests of other keys.
pub(super) const UNGUARDED: (&str, &str) =
    ("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN", "true");

/// A map from pairs.
pub(super) fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The smallest valid production environment, plus `extra` (which overrides).
pub(super) fn minimal(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut map = env(&[
        ("SYSTEM_SECRET", SECRET),
        ("OAUTH2_ISSUER_URL", "https://auth.example.com"),
        ("HTTPS_TLS_CERT_PATH", "/etc/oxydra/cert.pem"),
        ("HTTPS_TLS_KEY_PATH", "/etc/oxydra/key.pem"),
    ]);
    map.extend(env(extra));
    map
}

/// Loads `map` with no flags, failing the test with every problem listed.
pub(super) fn load(map: &BTreeMap<String, String>) -> Config {
    match Config::load(map, &[]) {
        Ok(config) => config,
        Err(e) => panic!("expected a valid configuration, got:\n{e}"),
    }
}

/// Loads `map`, expecting failure; returns the problems.
pub(super) fn problems(map: &BTreeMap<String, String>) -> Vec<String> {
    match Config::load(map, &[]) {
        Ok(_) => panic!("expected a configuration error"),
        Err(e) => e.problems,
    }
}

pub(super) fn url(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

#[test]
fn defaults_with_a_minimal_valid_env() {
    let c = load(&minimal(&[]));
    assert_eq!(c.database_url.expose(), "sqlite://oxydra.db");
    assert!(!c.auto_migrate);
    assert_eq!(
        c.public,
        ListenConfig {
            host: String::new(),
            port: 4444
        }
    );
    assert_eq!(
        c.admin,
        ListenConfig {
            host: String::new(),
            port: 4445
        }
    );
    assert!(matches!(c.tls.cert, Some(PemSource::Path(ref p)) if p.ends_with("cert.pem")));
    assert!(matches!(c.tls.key, Some(PemSource::Path(ref p)) if p.ends_with("key.pem")));
    assert!(c.tls.allow_termination_from.is_empty());
    assert!(!c.dangerous_force_http);
    assert!(c.https());
    assert_eq!(c.issuer, url("https://auth.example.com"));
    assert_eq!(
        c.urls.login,
        url("https://auth.example.com/oauth2/fallbacks/consent")
    );
    assert_eq!(
        c.urls.consent,
        url("https://auth.example.com/oauth2/fallbacks/consent")
    );
    assert_eq!(
        c.urls.error,
        url("https://auth.example.com/oauth2/fallbacks/error")
    );
    assert_eq!(
        c.urls.logout_redirect,
        url("https://auth.example.com/oauth2/fallbacks/logout")
    );
    assert_eq!(c.system_secrets.len(), 1);
    assert_eq!(c.system_secrets[0].expose(), SECRET.as_bytes());
    assert!(!c.system_secret_generated);
    assert_eq!(
        c.cookie_secret.expose(),
        &secrets::sha256(SECRET.as_bytes())
    );
    assert_eq!(c.lifespans, Lifespans::default());
    assert_eq!(c.access_token_strategy, AccessTokenStrategy::Opaque);
    assert_eq!(c.scope_strategy, ScopeStrategy::Wildcard);
    assert!(!c.share_error_debug);
    assert_eq!(c.hasher, HashAlgorithm::Bcrypt { cost: 10 });
    assert_eq!(c.oidc.claims_supported, ["sub"]);
    assert_eq!(c.oidc.scopes_supported, ["offline", "openid"]);
    assert_eq!(c.oidc.userinfo_endpoint, None);
    assert_eq!(
        c.userinfo_endpoint(),
        url("https://auth.example.com/userinfo")
    );
    assert_eq!(c.oidc.default_client_scope, "");
    assert_eq!(c.oidc.subject_types, [SubjectType::Public]);
    assert_eq!(c.oidc.pairwise_salt.expose(), "public");
    assert!(!c.cors.enabled);
    assert_eq!(c.cors.allowed_origins, ["*"]);
    assert_eq!(c.cors.allowed_methods, ["GET", "POST"]);
    assert_eq!(c.cors.allowed_headers, ["Origin", "Accept", "Content-Type"]);
    assert!(c.cors.exposed_headers.is_empty());
    assert!(!c.cors.allow_credentials);
    assert_eq!(c.cors.max_age, Duration::ZERO);
    assert!(!c.cors.debug);
    assert_eq!(
        c.log,
        LogConfig {
            level: LogLevel::Info,
            format: LogFormat::Text
        }
    );
    assert_eq!(c.body_limit_bytes, 1 << 20);
    assert_eq!(c.janitor_interval, None);
    assert_eq!(c.compat_api_version, CompatApiVersion::V1Beta);
    assert_eq!(c.resource_name_prefix, "rn:hydra");
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let policy = c.client_policy();
    assert_eq!(policy.default_scope, "");
    assert_eq!(policy.subject_types, [SubjectType::Public]);
}

#[test]
fn every_canonical_key_is_read() {
    let c = load(&minimal(&[
        ("DATABASE_URL", "postgres://u:p@db/oxydra"),
        ("OXYDRA_AUTO_MIGRATE", "TRUE"),
        ("PUBLIC_HOST", "::1"),
        ("PUBLIC_PORT", "8444"),
        ("ADMIN_HOST", "127.0.0.1"),
        ("ADMIN_PORT", "0"),
        (
            "HTTPS_ALLOW_TERMINATION_FROM",
            "10.0.0.0/8, 192.168.1.1 ,,fd00::/8",
        ),
        ("OAUTH2_LOGIN_URL", "https://login.example.com/login"),
        ("OAUTH2_CONSENT_URL", "/consent"),
        ("OAUTH2_ERROR_URL", "https://app.example.com/error"),
        ("OAUTH2_LOGOUT_REDIRECT_URL", "https://app.example.com/bye"),
        ("ROTATED_SYSTEM_SECRET", "an-older-system-secret"),
        ("COOKIE_SECRET", "cookie-secret-0123"),
        ("ACCESS_TOKEN_LIFESPAN", "30m"),
        ("ID_TOKEN_LIFESPAN", "2h"),
        ("AUTH_CODE_LIFESPAN", "90s"),
        ("CHALLENGE_TOKEN_LIFESPAN", "1.5m"),
        ("OAUTH2_ACCESS_TOKEN_STRATEGY", "Opaque"),
        ("SCOPE_STRATEGY", "DEPRECATED_HIERARCHICAL_SCOPE_STRATEGY"),
        ("OAUTH2_SHARE_ERROR_DEBUG", "1"),
        ("BCRYPT_COST", "12"),
        ("OIDC_DISCOVERY_CLAIMS_SUPPORTED", "email, name"),
        ("OIDC_DISCOVERY_SCOPES_SUPPORTED", "email,openid"),
        (
            "OIDC_DISCOVERY_USERINFO_ENDPOINT",
            "https://api.example.com/me",
        ),
        (
            "OIDC_DYNAMIC_CLIENT_REGISTRATION_DEFAULT_SCOPE",
            "openid, offline",
        ),
        ("OIDC_SUBJECT_TYPES_SUPPORTED", "pairwise,public"),
        ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-long-salt"),
        ("CORS_ENABLED", "true"),
        (
            "CORS_ALLOWED_ORIGINS",
            "https://*.example.com, https://app.example.org",
        ),
        ("CORS_ALLOWED_METHODS", "GET,POST,PUT"),
        ("CORS_ALLOWED_HEADERS", "Authorization"),
        ("CORS_EXPOSED_HEADERS", "X-Request-Id"),
        ("CORS_ALLOWED_CREDENTIALS", "true"),
        ("CORS_MAX_AGE", "600"),
        ("CORS_DEBUG", "t"),
        ("LOG_LEVEL", "fatal"),
        ("LOG_FORMAT", "json"),
        ("OXYDRA_BODY_LIMIT", "2MiB"),
        ("OXYDRA_JANITOR_INTERVAL", "1h"),
        ("COMPAT_API_VERSION", "0.10"),
        UNGUARDED,
        ("RESOURCE_NAME_PREFIX", "rn:oxydra"),
    ]));
    assert_eq!(c.public.bind_addr(), "[::1]:8444");
    assert_eq!(c.admin.bind_addr(), "127.0.0.1:0");
    assert!(c.auto_migrate);
    let nets: Vec<String> = c
        .tls
        .allow_termination_from
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(nets, ["10.0.0.0/8", "192.168.1.1/32", "fd00::/8"]);
    assert_eq!(c.urls.login, url("https://login.example.com/login"));
    assert_eq!(c.urls.consent, url("https://auth.example.com/consent"));
    assert_eq!(c.system_secrets.len(), 2);
    assert_eq!(c.system_secrets[1].expose(), b"an-older-system-secret");
    assert_eq!(c.cookie_secret.expose(), b"cookie-secret-0123");
    assert_eq!(c.lifespans.access_token, Duration::from_secs(1800));
    assert_eq!(c.lifespans.id_token, Duration::from_secs(7200));
    assert_eq!(c.lifespans.auth_code, Duration::from_secs(90));
    assert_eq!(c.lifespans.challenge, Duration::from_secs(90));
    assert_eq!(c.access_token_strategy, AccessTokenStrategy::Opaque);
    assert_eq!(c.scope_strategy, ScopeStrategy::Hierarchical);
    assert!(c.share_error_debug);
    assert_eq!(c.hasher, HashAlgorithm::Bcrypt { cost: 12 });
    assert_eq!(c.oidc.claims_supported, ["sub", "email", "name"]);
    assert_eq!(c.oidc.scopes_supported, ["offline", "openid", "email"]);
    assert_eq!(c.userinfo_endpoint(), url("https://api.example.com/me"));
    assert_eq!(c.client_policy().default_scope, "openid offline");
    assert_eq!(
        c.oidc.subject_types,
        [SubjectType::Pairwise, SubjectType::Public]
    );
    assert_eq!(c.client_policy().subject_types[0], SubjectType::Pairwise);
    assert!(c.cors.enabled && c.cors.allow_credentials && c.cors.debug);
    assert_eq!(
        c.cors.allowed_origins,
        ["https://*.example.com", "https://app.example.org"]
    );
    assert_eq!(c.cors.allowed_methods, ["GET", "POST", "PUT"]);
    assert_eq!(
        c.cors.allowed_headers,
        ["Origin", "Authorization"],
        "Origin is always added"
    );
    assert_eq!(c.cors.exposed_headers, ["X-Request-Id"]);
    assert_eq!(c.cors.max_age, Duration::from_secs(600));
    assert_eq!(
        c.log,
        LogConfig {
            level: LogLevel::Error,
            format: LogFormat::Json
        }
    );
    assert_eq!(c.body_limit_bytes, 2 << 20);
    assert_eq!(c.janitor_interval, Some(Duration::from_secs(3600)));
    assert_eq!(c.compat_api_version, CompatApiVersion::V010);
    assert_eq!(c.resource_name_prefix, "rn:oxydra");
}
