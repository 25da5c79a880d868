//! Rules that involve several keys at once.

use oxydra_core::client::SubjectType;
use oxydra_core::config::AccessTokenStrategy;

use super::Config;
use super::env::{EnvSource, Reader};

/// Shortest pairwise salt accepted when pairwise subjects are enabled (Hydra's rule).
pub const MIN_PAIRWISE_SALT_LEN: usize = 8;

/// Records every cross-key problem of `config` in `r`.
pub(crate) fn check<E: EnvSource + ?Sized>(config: &Config, r: &mut Reader<'_, E>) {
    check_tls(config, r);
    check_pairwise(config, r);
    check_demo(config, r);
    check_access_control(config, r);
    check_cors(config, r);
}

/// Credentialed CORS for every origin would let any web page read authenticated responses (the
/// layer mirrors the request's origin, since `*` is not allowed with credentials): refused.
fn check_cors<E: EnvSource + ?Sized>(config: &Config, r: &mut Reader<'_, E>) {
    let cors = &config.cors;
    if !cors.enabled || !cors.allow_credentials {
        return;
    }
    let any_origin =
        cors.allowed_origins.is_empty() || cors.allowed_origins.iter().any(|o| allows_any_host(o));
    if any_origin {
        r.problem(
            "CORS_ALLOWED_ORIGINS",
            "allows every origin while CORS_ALLOWED_CREDENTIALS is true, which would let any web \
             page make credentialed requests and read the answers; list the trusted origins \
             (e.g. https://app.example.com) or turn credentials off",
        );
    }
}

/// Whether an origin pattern matches every host: `*`, or a scheme followed by wildcards only
/// (`https://*`).
fn allows_any_host(pattern: &str) -> bool {
    let host = pattern
        .split_once("://")
        .map_or(pattern, |(_, rest)| rest)
        .trim();
    host.chars().all(|c| c == '*')
}

/// The guard needs someone who may pass it; the demo app calls the admin API without a token.
/// 0.10 mode serves the admin API on the public port, which browsers reach: it needs the guard
/// (as Hydra 0.10 always required a warden token there) unless explicitly waived.
fn check_access_control<E: EnvSource + ?Sized>(config: &Config, r: &mut Reader<'_, E>) {
    if config.access_control.mode != super::AdminAccessControl::Policies {
        if config.v010() && !config.access_control.allow_unguarded_legacy_admin {
            r.problem(
                "COMPAT_API_VERSION",
                "0.10 serves the admin API (consent, clients, keys) on the public port, which \
                 browsers reach, so it needs a guard: set ADMIN_ACCESS_CONTROL=policies (with \
                 FORCE_ROOT_CLIENT_CREDENTIALS for a first admin client), or, on a trusted \
                 network only, OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN=true",
            );
        }
        return;
    }
    if config.demo.enabled {
        r.problem(
            "ADMIN_ACCESS_CONTROL",
            "the demo login app (--demo) calls the admin API without an access token; it cannot \
             run with ADMIN_ACCESS_CONTROL=policies",
        );
    }
    if config.access_control.root_client.is_none() {
        r.warnings.push(
            "ADMIN_ACCESS_CONTROL=policies without FORCE_ROOT_CLIENT_CREDENTIALS: only clients \
             that existing policies allow can use the admin API"
                .to_owned(),
        );
    }
}

/// The demo login app accepts passwords from the environment: development mode only. It
/// speaks the 1.0 login and consent flow, which 0.10 mode does not run.
fn check_demo<E: EnvSource + ?Sized>(config: &Config, r: &mut Reader<'_, E>) {
    if config.demo.enabled && !config.dangerous_force_http {
        r.problem(
            "OXYDRA_DEMO",
            "the demo login app (--demo) is for trying Oxydra only and needs --dangerous-force-http; \
             never enable it in production",
        );
    }
    if config.demo.enabled && config.v010() {
        r.problem(
            "OXYDRA_DEMO",
            "the demo login app speaks the 1.0.0-beta login and consent flow, which \
             COMPAT_API_VERSION=0.10 replaces with the consent-by-id flow",
        );
    }
}

fn check_tls<E: EnvSource + ?Sized>(config: &Config, r: &mut Reader<'_, E>) {
    let tls = &config.tls;
    // A certificate or key that failed to decode was reported already; do not pile on.
    if r.problems
        .iter()
        .any(|p| p.starts_with("HTTPS_TLS_") || p.starts_with("SERVE_TLS_"))
    {
        return;
    }
    match (&tls.cert, &tls.key) {
        (Some(_), None) => r.problem(
            "HTTPS_TLS_KEY_PATH",
            "a TLS certificate is configured but no private key (set HTTPS_TLS_KEY_PATH or HTTPS_TLS_KEY)",
        ),
        (None, Some(_)) => r.problem(
            "HTTPS_TLS_CERT_PATH",
            "a TLS private key is configured but no certificate (set HTTPS_TLS_CERT_PATH or HTTPS_TLS_CERT)",
        ),
        (Some(_), Some(_)) if config.dangerous_force_http => r.warnings.push(
            "HTTPS_TLS_*: the certificate and key are ignored because --dangerous-force-http serves plain HTTP"
                .to_owned(),
        ),
        (None, None) if !config.dangerous_force_http && tls.allow_termination_from.is_empty() => {
            r.problem(
                "HTTPS_TLS_CERT_PATH",
                "HTTPS mode needs TLS. Either (1) set HTTPS_TLS_CERT_PATH and HTTPS_TLS_KEY_PATH \
                 (or inline HTTPS_TLS_CERT and HTTPS_TLS_KEY), (2) set HTTPS_ALLOW_TERMINATION_FROM \
                 to the CIDRs of the proxy that terminates TLS, or (3) run with \
                 --dangerous-force-http for local development. Unlike Hydra, Oxydra does not \
                 generate a self-signed certificate",
            );
        }
        _ => {}
    }
}

fn check_pairwise<E: EnvSource + ?Sized>(config: &Config, r: &mut Reader<'_, E>) {
    if !config.oidc.subject_types.contains(&SubjectType::Pairwise) {
        return;
    }
    let salt_len = config.oidc.pairwise_salt.expose().len();
    if salt_len < MIN_PAIRWISE_SALT_LEN {
        r.problem(
            "OIDC_SUBJECT_TYPE_PAIRWISE_SALT",
            format!(
                "is {salt_len} bytes long; pairwise subjects (OIDC_SUBJECT_TYPES_SUPPORTED) need a salt \
                 of at least {MIN_PAIRWISE_SALT_LEN}"
            ),
        );
    }
    if config.access_token_strategy == AccessTokenStrategy::Jwt {
        r.problem(
            "OIDC_SUBJECT_TYPES_SUPPORTED",
            "pairwise subjects cannot be combined with OAUTH2_ACCESS_TOKEN_STRATEGY=jwt \
             (a JWT access token would reveal the public subject)",
        );
    }
}
