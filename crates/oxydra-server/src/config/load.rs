//! Builds a [`Config`] section by section from a [`Reader`].

use std::time::Duration;

use oxydra_core::Secret;
use oxydra_core::config::{AccessTokenStrategy, Lifespans, ScopeStrategy};
use oxydra_core::jwk::{JwkAlgorithm, OIDC_SIGNING_ALGS};

use super::defaults::{DEMO_CONSENT_PATH, DEMO_LOGIN_PATH, DEMO_LOGOUT_PATH};
use super::duration::{parse_bytes, parse_duration};
use super::env::{EnvSource, Reader};
use super::sections::{cookie_secrets, cors, demo, hasher, listen, oidc, system_secrets, tls};
use super::urls::{issuer, url};
use super::{
    CompatApiVersion, Config, ConfigError, LogConfig, LogFormat, LogLevel, UrlsConfig, validate,
};
use url::Url;

/// See [`Config::load`].
pub(crate) fn load<E: EnvSource + ?Sized>(
    env: &E,
    flags: &[(&str, String)],
) -> Result<Config, ConfigError> {
    let mut r = Reader::new(env, flags);
    let compat_api_version = compat_api_version(&mut r);
    let dangerous_force_http = r.bool_documented("OXYDRA_DANGEROUS_FORCE_HTTP");
    // Before the issuer: in development mode the default issuer follows the public port.
    let public = listen(&mut r, "PUBLIC_HOST", "PUBLIC_PORT");
    let issuer = issuer(&mut r, dangerous_force_http, public.port);
    let (system_secrets, system_secret_generated) = system_secrets(&mut r, dangerous_force_http);
    let (cookie_secret, rotated_cookie_secrets) = cookie_secrets(&mut r, &system_secrets);
    let Storage {
        database_url,
        auto_migrate,
        client_cache_refresh,
        token_cache_refresh,
    } = storage(&mut r);
    let admin = listen(&mut r, "ADMIN_HOST", "ADMIN_PORT");
    let connections = super::connections::connections(&mut r);
    let tls = tls(&mut r);
    let demo = demo(&mut r);
    let base = issuer.as_ref();
    let urls = flow_urls(&mut r, base, demo.enabled);
    let lifespans = lifespans(&mut r);
    let grants = super::grants::grants(&mut r, dangerous_force_http);
    let (access_token_strategy, scope_strategy) = strategies(&mut r);
    let share_error_debug = r.bool_documented("OAUTH2_SHARE_ERROR_DEBUG");
    let hasher = hasher(&mut r);
    let oidc = oidc(&mut r, base);
    let cors = cors(&mut r);
    let log = log_config(&mut r);
    let tracing = super::traces::tracing_config(&mut r);
    let body_limit_bytes = body_limit(&mut r);
    let janitor_interval = janitor_interval(&mut r);
    let rsa_key_bits = rsa_key_bits(&mut r);
    let id_token_signing_alg = id_token_signing_alg(&mut r);
    let legacy_consent = legacy_consent_selected(&r, compat_api_version, demo.enabled);
    let resource_name_prefix = r.string_documented("RESOURCE_NAME_PREFIX");
    let access_control = super::access::access_control(&mut r);
    let auth_budget = super::budget::auth_budget(&mut r);
    let device = super::device::device_flow(&mut r, base);
    let par = super::par::par(&mut r);
    let jwt_bearer = super::jwt_bearer::jwt_bearer(&mut r);
    let dpop = super::dpop::dpop(&mut r);
    let dynamic_registration = r.bool_documented("OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED");
    // Each `None` here was recorded as a problem, so `r.problems` is never empty in that case.
    let (Some(issuer), Some(urls)) = (issuer, urls) else {
        return Err(ConfigError {
            problems: r.problems,
        });
    };
    let config = Config {
        database_url,
        auto_migrate,
        client_cache_refresh,
        token_cache_refresh,
        public,
        admin,
        connections,
        tls,
        dangerous_force_http,
        issuer,
        urls,
        system_secrets,
        system_secret_generated,
        cookie_secret,
        rotated_cookie_secrets,
        lifespans,
        grants,
        access_token_strategy,
        scope_strategy,
        share_error_debug,
        hasher,
        oidc,
        cors,
        log,
        tracing,
        body_limit_bytes,
        janitor_interval,
        rsa_key_bits,
        id_token_signing_alg,
        compat_api_version,
        legacy_consent,
        resource_name_prefix,
        demo,
        access_control,
        auth_budget,
        device,
        par,
        jwt_bearer,
        dpop,
        dynamic_registration,
        warnings: Vec::new(),
    };
    finish(r, config, compat_api_version)
}

/// See [`Config::load_system_secrets`].
pub(crate) fn system_secrets_only<E: EnvSource + ?Sized>(
    env: &E,
) -> Result<Vec<Secret<Vec<u8>>>, ConfigError> {
    let mut r = Reader::new(env, &[]);
    let (secrets, _) = system_secrets(&mut r, false);
    if r.problems.is_empty() {
        Ok(secrets)
    } else {
        Err(ConfigError {
            problems: r.problems,
        })
    }
}

/// The flow's URLs (login, consent, error, logout redirect, logout app), resolved against the
/// issuer; with the demo on, unset login, consent and logout URLs point at its pages. `None`
/// when any is unusable (each recorded as a problem; all five are read either way).
fn flow_urls<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    base: Option<&Url>,
    demo: bool,
) -> Option<UrlsConfig> {
    let login = url(r, base, "OAUTH2_LOGIN_URL", demo.then_some(DEMO_LOGIN_PATH));
    let consent = url(
        r,
        base,
        "OAUTH2_CONSENT_URL",
        demo.then_some(DEMO_CONSENT_PATH),
    );
    let error = url(r, base, "OAUTH2_ERROR_URL", None);
    let logout = url(r, base, "OAUTH2_LOGOUT_REDIRECT_URL", None);
    let logout_app = url(
        r,
        base,
        "OAUTH2_LOGOUT_URL",
        demo.then_some(DEMO_LOGOUT_PATH),
    );
    Some(UrlsConfig {
        login: login?,
        consent: consent?,
        error: error?,
        logout_redirect: logout?,
        logout: logout_app?,
    })
}

/// The storage settings [`storage`] reads.
struct Storage {
    database_url: Secret<String>,
    auto_migrate: bool,
    client_cache_refresh: Duration,
    token_cache_refresh: Duration,
}

/// Where data is kept: `DATABASE_URL`, whether to migrate at start-up, and how long an
/// instance trusts its cached client records and access-token rows.
fn storage<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> Storage {
    Storage {
        database_url: Secret::new(r.string_documented("DATABASE_URL")),
        auto_migrate: r.bool_documented("OXYDRA_AUTO_MIGRATE"),
        client_cache_refresh: r.parse_documented("OXYDRA_CLIENT_CACHE_REFRESH", parse_duration),
        token_cache_refresh: r.parse_documented("OXYDRA_TOKEN_CACHE_REFRESH", parse_duration),
    }
}

/// `COMPAT_API_VERSION`, read first: it decides which aliases the rest is read under (and
/// the scan for unknown variables runs once that is known).
fn compat_api_version<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> CompatApiVersion {
    let compat_api_version = r.parse_documented("COMPAT_API_VERSION", parse_compat);
    r.v010 = compat_api_version == CompatApiVersion::V010;
    r.scan_environment();
    compat_api_version
}

/// The default algorithm of ID tokens (one the ID-token set keeps a key of).
fn id_token_signing_alg<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> JwkAlgorithm {
    // `None` only when the table default does not parse, which is already a problem.
    r.parse_documented("OXYDRA_ID_TOKEN_SIGNING_ALG", |s| {
        parse_id_token_alg(s).map(Some)
    })
    .unwrap_or(OIDC_SIGNING_ALGS[0])
}

/// Token and flow lifespans.
fn lifespans<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> Lifespans {
    Lifespans {
        access_token: r.parse_documented("ACCESS_TOKEN_LIFESPAN", positive),
        id_token: r.parse_documented("ID_TOKEN_LIFESPAN", positive),
        auth_code: r.parse_documented("AUTH_CODE_LIFESPAN", positive),
        challenge: r.parse_documented("CHALLENGE_TOKEN_LIFESPAN", positive),
        browser_session: r.parse_documented("OXYDRA_BROWSER_SESSION_LIFESPAN", positive),
    }
}

/// The access-token format and the scope-matching strategy.
fn strategies<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
) -> (AccessTokenStrategy, ScopeStrategy) {
    let access_token_strategy =
        r.parse_documented("OAUTH2_ACCESS_TOKEN_STRATEGY", parse_token_strategy);
    let scope_strategy = r.parse_documented("SCOPE_STRATEGY", parse_scope_strategy);
    (access_token_strategy, scope_strategy)
}

/// The log level and format.
fn log_config<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> LogConfig {
    LogConfig {
        level: r.parse_documented("LOG_LEVEL", parse_log_level),
        format: r.parse_documented("LOG_FORMAT", parse_log_format),
    }
}

/// The largest request body accepted, in bytes (more than 0).
fn body_limit<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> usize {
    r.parse_documented("OXYDRA_BODY_LIMIT", |s| {
        parse_bytes(s).and_then(|n| match n {
            0 => Err("must be more than 0 bytes".to_owned()),
            n => Ok(n),
        })
    })
}

/// How often the janitor flushes expired rows; `None` (also for `0`) when it does not run.
fn janitor_interval<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> Option<Duration> {
    r.parse("OXYDRA_JANITOR_INTERVAL", None, |s| {
        parse_duration(s).map(|d| (!d.is_zero()).then_some(d))
    })
}

/// The size of generated RSA keys: 2048 or 4096 bits.
fn rsa_key_bits<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> usize {
    r.parse_documented("OXYDRA_RSA_KEY_BITS", |s| match s {
        "2048" => Ok(2048),
        "4096" => Ok(4096),
        _ => Err("must be 2048 or 4096".to_owned()),
    })
}

/// Adds the legacy-flow notice, runs the cross-key checks, and returns the configuration
/// with its warnings, or every problem found.
fn finish<E: EnvSource + ?Sized>(
    mut r: Reader<'_, E>,
    mut config: Config,
    compat_api_version: CompatApiVersion,
) -> Result<Config, ConfigError> {
    if config.legacy_consent {
        r.warnings.push(legacy_consent_notice(compat_api_version));
    }
    validate::check(&config, &mut r);
    if r.problems.is_empty() {
        config.warnings = r.warnings;
        Ok(config)
    } else {
        Err(ConfigError {
            problems: r.problems,
        })
    }
}

/// One of the algorithms the ID-token set keeps a key of.
fn parse_id_token_alg(s: &str) -> Result<JwkAlgorithm, String> {
    JwkAlgorithm::parse(s)
        .filter(|alg| OIDC_SIGNING_ALGS.contains(alg))
        .ok_or_else(|| {
            let names: Vec<&str> = OIDC_SIGNING_ALGS.iter().map(|a| a.name()).collect();
            format!(
                "{s:?} is not an ID-token signing algorithm ({})",
                names.join(", ")
            )
        })
}

fn parse_token_strategy(s: &str) -> Result<AccessTokenStrategy, String> {
    match s.to_ascii_lowercase().as_str() {
        "opaque" => Ok(AccessTokenStrategy::Opaque),
        "jwt" => Ok(AccessTokenStrategy::Jwt),
        _ => Err(format!(
            "{s:?} is not an access-token strategy (opaque or jwt)"
        )),
    }
}

fn parse_scope_strategy(s: &str) -> Result<ScopeStrategy, String> {
    if s.eq_ignore_ascii_case("wildcard") {
        Ok(ScopeStrategy::Wildcard)
    } else if s.eq_ignore_ascii_case("DEPRECATED_HIERARCHICAL_SCOPE_STRATEGY") {
        Ok(ScopeStrategy::Hierarchical)
    } else {
        Err(format!(
            "{s:?} is not a scope strategy (wildcard or DEPRECATED_HIERARCHICAL_SCOPE_STRATEGY)"
        ))
    }
}

fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    match s.to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(format!("{s:?} is not a log format (text or json)")),
    }
}

/// A duration that must be more than zero.
fn positive(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err("must be longer than 0".to_owned()),
        d => Ok(d),
    }
}

fn parse_log_level(s: &str) -> Result<LogLevel, String> {
    match s.to_ascii_lowercase().as_str() {
        "trace" => Ok(LogLevel::Trace),
        "debug" => Ok(LogLevel::Debug),
        "info" => Ok(LogLevel::Info),
        "warn" | "warning" => Ok(LogLevel::Warn),
        "error" | "fatal" | "panic" => Ok(LogLevel::Error),
        _ => Err(format!(
            "{s:?} is not a log level (trace, debug, info, warn, error)"
        )),
    }
}

fn parse_compat(s: &str) -> Result<CompatApiVersion, String> {
    let v = s.strip_prefix('v').unwrap_or(s);
    if v == "1.0.0-beta" || v.starts_with("1.0.0-beta.") {
        Ok(CompatApiVersion::V1Beta)
    } else if v == "0.10" || v.starts_with("0.10.") {
        Ok(CompatApiVersion::V010)
    } else {
        Err(format!(
            "{s:?} is not a supported API version (1.0.0-beta or 0.10)"
        ))
    }
}

/// The 0.10 consent-by-id flow serves `/oauth2/auth` in 0.10 mode, and also when only a consent
/// URL is configured (a 0.x deployment's environment: there is no login app to send users to).
/// With the demo on, its login page counts as configured.
fn legacy_consent_selected<E: EnvSource + ?Sized>(
    r: &Reader<'_, E>,
    compat: CompatApiVersion,
    demo: bool,
) -> bool {
    compat == CompatApiVersion::V010
        || (!demo && !r.is_set("OAUTH2_LOGIN_URL") && r.is_set("OAUTH2_CONSENT_URL"))
}

/// The start-up notice saying the legacy flow is on, and why.
fn legacy_consent_notice(compat: CompatApiVersion) -> String {
    if compat == CompatApiVersion::V010 {
        "COMPAT_API_VERSION=0.10: the admin API is also served on the public port (as Hydra 0.x \
         did); protect that port, since the admin API has no authentication of its own"
            .to_owned()
    } else {
        "OAUTH2_CONSENT_URL is set without OAUTH2_LOGIN_URL: /oauth2/auth runs the 0.10 \
         consent-by-id flow (GET/PATCH /oauth2/consent/requests/{id} on the admin port)"
            .to_owned()
    }
}
