//! Every validation rule, and that problems are collected rather than stopping at the first.

use super::{SECRET, env, minimal, problems};
use crate::config::Config;
use oxydra_core::jwk::JwkAlgorithm;

/// Asserts `map` fails with exactly one problem naming `variable` and containing `needle`.
fn fails_once(map: &std::collections::BTreeMap<String, String>, variable: &str, needle: &str) {
    let found = problems(map);
    assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
    assert!(
        found[0].starts_with(variable),
        "{:?} should name {variable}",
        found[0]
    );
    assert!(
        found[0].contains(needle),
        "{:?} should contain {needle:?}",
        found[0]
    );
}

fn without(
    mut map: std::collections::BTreeMap<String, String>,
    keys: &[&str],
) -> std::collections::BTreeMap<String, String> {
    for key in keys {
        map.remove(*key);
    }
    map
}

#[test]
fn system_secret_rules() {
    fails_once(
        &minimal(&[("SYSTEM_SECRET", "too-short")]),
        "SYSTEM_SECRET",
        "at least 16",
    );
    fails_once(
        &minimal(&[("ROTATED_SYSTEM_SECRET", "old")]),
        "ROTATED_SYSTEM_SECRET",
        "at least 16",
    );
    fails_once(
        &without(minimal(&[("SECRETS_SYSTEM", "short")]), &["SYSTEM_SECRET"]),
        "SECRETS_SYSTEM (alias of SYSTEM_SECRET)",
        "at least 16",
    );
    fails_once(
        &without(minimal(&[]), &["SYSTEM_SECRET"]),
        "SYSTEM_SECRET",
        "--dangerous-force-http",
    );
    // Exactly 16 bytes is enough.
    assert!(Config::load(&minimal(&[("SYSTEM_SECRET", "0123456789abcdef")]), &[]).is_ok());
}

#[test]
fn issuer_rules() {
    fails_once(
        &minimal(&[("OAUTH2_ISSUER_URL", "http://auth.example.com")]),
        "OAUTH2_ISSUER_URL",
        "not https",
    );
    fails_once(
        &without(minimal(&[]), &["OAUTH2_ISSUER_URL"]),
        "OAUTH2_ISSUER_URL",
        "not set",
    );
    fails_once(
        &minimal(&[("OAUTH2_ISSUER_URL", "not a url")]),
        "OAUTH2_ISSUER_URL",
        "absolute",
    );
    fails_once(
        &minimal(&[("OAUTH2_ISSUER_URL", "ftp://auth.example.com")]),
        "OAUTH2_ISSUER_URL",
        "absolute",
    );
    fails_once(
        &minimal(&[("OAUTH2_ISSUER_URL", "https://a.example.com/?x=1")]),
        "OAUTH2_ISSUER_URL",
        "query",
    );
    fails_once(
        &without(
            minimal(&[("ISSUER", "http://a.example.com")]),
            &["OAUTH2_ISSUER_URL"],
        ),
        "ISSUER (alias of OAUTH2_ISSUER_URL)",
        "not https",
    );
}

#[test]
fn https_mode_needs_tls_material() {
    let found = problems(&without(
        minimal(&[]),
        &["HTTPS_TLS_CERT_PATH", "HTTPS_TLS_KEY_PATH"],
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    for way in [
        "HTTPS_TLS_CERT_PATH",
        "HTTPS_ALLOW_TERMINATION_FROM",
        "--dangerous-force-http",
        "self-signed",
    ] {
        assert!(
            found[0].contains(way),
            "{:?} should mention {way}",
            found[0]
        );
    }
    fails_once(
        &without(minimal(&[]), &["HTTPS_TLS_KEY_PATH"]),
        "HTTPS_TLS_KEY_PATH",
        "no private key",
    );
    fails_once(
        &without(minimal(&[]), &["HTTPS_TLS_CERT_PATH"]),
        "HTTPS_TLS_CERT_PATH",
        "no certificate",
    );
    fails_once(
        &without(
            minimal(&[("HTTPS_TLS_CERT", "garbage!")]),
            &["HTTPS_TLS_CERT_PATH"],
        ),
        "HTTPS_TLS_CERT",
        "PEM",
    );
}

#[test]
fn hashing_rules() {
    for bad in ["3", "32", "ten", "-1"] {
        fails_once(&minimal(&[("BCRYPT_COST", bad)]), "BCRYPT_COST", "4 to 31");
    }
    for good in ["4", "31"] {
        assert!(
            Config::load(&minimal(&[("BCRYPT_COST", good)]), &[]).is_ok(),
            "{good}"
        );
    }
    fails_once(
        &minimal(&[("OXYDRA_SECRET_HASHER", "md5")]),
        "OXYDRA_SECRET_HASHER",
        "bcrypt or pbkdf2",
    );
    fails_once(
        &minimal(&[("OXYDRA_PBKDF2_ITERATIONS", "0")]),
        "OXYDRA_PBKDF2_ITERATIONS",
        "positive",
    );
}

#[test]
fn strategy_rules() {
    fails_once(
        &minimal(&[("OAUTH2_ACCESS_TOKEN_STRATEGY", "macaroon")]),
        "OAUTH2_ACCESS_TOKEN_STRATEGY",
        "opaque or jwt",
    );
    fails_once(
        &minimal(&[("SCOPE_STRATEGY", "exact")]),
        "SCOPE_STRATEGY",
        "wildcard",
    );
}

#[test]
fn pairwise_rules() {
    // The default salt ("public") is too short, as in Hydra.
    fails_once(
        &minimal(&[("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise")]),
        "OIDC_SUBJECT_TYPE_PAIRWISE_SALT",
        "at least 8",
    );
    fails_once(
        &minimal(&[
            ("OIDC_SUBJECT_TYPES_SUPPORTED", "pairwise"),
            ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "long-enough-salt"),
            ("OAUTH2_ACCESS_TOKEN_STRATEGY", "jwt"),
        ]),
        "OIDC_SUBJECT_TYPES_SUPPORTED",
        "jwt",
    );
    fails_once(
        &minimal(&[("OIDC_SUBJECT_TYPES_SUPPORTED", "public,anonymous")]),
        "OIDC_SUBJECT_TYPES_SUPPORTED",
        "\"anonymous\"",
    );
}

#[test]
fn malformed_values() {
    let cases: &[(&str, &str, &str)] = &[
        ("PUBLIC_PORT", "70000", "port"),
        ("ADMIN_PORT", "http", "port"),
        ("PUBLIC_HOST", "http://x", "host"),
        ("OAUTH2_LOGIN_URL", "ftp://login.example.com", "http(s)"),
        ("OAUTH2_CONSENT_URL", "http://[::1", "not a URL"),
        (
            "OIDC_DISCOVERY_USERINFO_ENDPOINT",
            "mailto:a@example.com",
            "http(s)",
        ),
        (
            "HTTPS_ALLOW_TERMINATION_FROM",
            "10.0.0.0/8,10.0.0.0/33,proxy",
            "10.0.0.0/33, proxy",
        ),
        ("CORS_ENABLED", "yes", "boolean"),
        ("OXYDRA_AUTO_MIGRATE", "on", "boolean"),
        ("LOG_LEVEL", "verbose", "log level"),
        ("LOG_FORMAT", "xml", "log format"),
        ("COMPAT_API_VERSION", "0.9", "1.0.0-beta or 0.10"),
        ("ACCESS_TOKEN_LIFESPAN", "3600", "unit"),
        ("ID_TOKEN_LIFESPAN", "0s", "longer than 0"),
        ("OXYDRA_JANITOR_INTERVAL", "hourly", "duration"),
        ("CORS_MAX_AGE", "ten", "duration"),
        ("OXYDRA_BODY_LIMIT", "0", "more than 0"),
    ];
    for (key, value, needle) in cases {
        fails_once(&minimal(&[(key, value)]), key, needle);
    }
    // A flag value is attributed to the flag.
    let err = Config::load(&minimal(&[]), &[("PUBLIC_PORT", "x".to_owned())]).unwrap_err();
    assert!(err.problems[0].starts_with("PUBLIC_PORT (flag)"), "{err}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let map = env(&[
        ("SYSTEM_SECRET", "short"),
        ("OAUTH2_ISSUER_URL", "http://auth.example.com"),
        ("BCRYPT_COST", "99"),
        ("OAUTH2_ACCESS_TOKEN_STRATEGY", "jwt"),
        ("OIDC_SUBJECT_TYPES_SUPPORTED", "pairwise"),
        ("PUBLIC_PORT", "-1"),
        ("LOG_LEVEL", "loud"),
        ("HTTPS_TLS_CERT_PATH", "/c.pem"),
    ]);
    let err = Config::load(&map, &[]).unwrap_err();
    let names = [
        "OAUTH2_ISSUER_URL",
        "SYSTEM_SECRET",
        "PUBLIC_PORT",
        "BCRYPT_COST",
        "LOG_LEVEL",
        "HTTPS_TLS_KEY_PATH",
        "OIDC_SUBJECT_TYPE_PAIRWISE_SALT",
        "OIDC_SUBJECT_TYPES_SUPPORTED",
    ];
    assert_eq!(err.problems.len(), names.len(), "{err}");
    for name in names {
        assert!(
            err.problems.iter().any(|p| p.starts_with(name)),
            "{name} missing from\n{err}"
        );
    }
    let display = err.to_string();
    assert_eq!(display.lines().count(), names.len());
    assert!(
        !display.contains("short"),
        "secrets are not echoed: {display}"
    );
    assert!(!display.contains(SECRET));
}

#[test]
fn the_demo_needs_development_mode() {
    fails_once(
        &minimal(&[("OXYDRA_DEMO", "true")]),
        "OXYDRA_DEMO",
        "needs --dangerous-force-http",
    );
    fails_once(
        &minimal(&[("OXYDRA_DEMO_USERS", "alice")]),
        "OXYDRA_DEMO_USERS",
        "entry 1 is not `user:password`",
    );
    fails_once(
        &minimal(&[("OXYDRA_DEMO_USERS", "a:1,:2")]),
        "OXYDRA_DEMO_USERS",
        "entry 2 needs both",
    );
    fails_once(
        &minimal(&[("OXYDRA_DEMO_USERS", "a:1,a:2")]),
        "OXYDRA_DEMO_USERS",
        "listed twice",
    );
    // A malformed entry is reported by position: the password never reaches the message.
    let found = problems(&minimal(&[("OXYDRA_DEMO_USERS", "hunter2hunter2")]));
    assert!(!found[0].contains("hunter2"), "{found:?}");
}

#[test]
fn rsa_key_bits_are_a_size_the_generator_supports() {
    fails_once(
        &minimal(&[("OXYDRA_RSA_KEY_BITS", "3072")]),
        "OXYDRA_RSA_KEY_BITS",
        "2048 or 4096",
    );
    let config = Config::load(&minimal(&[("OXYDRA_RSA_KEY_BITS", "2048")]), &[]).unwrap();
    assert_eq!(config.rsa_key_bits, 2048);
    assert_eq!(Config::load(&minimal(&[]), &[]).unwrap().rsa_key_bits, 4096);
}

#[test]
fn the_id_token_signing_algorithm_is_one_the_set_keeps() {
    for bad in ["HS256", "none", "rs256", "ES512"] {
        fails_once(
            &minimal(&[("OXYDRA_ID_TOKEN_SIGNING_ALG", bad)]),
            "OXYDRA_ID_TOKEN_SIGNING_ALG",
            "RS256, ES256, EdDSA",
        );
    }
    let load = |alg: &str| {
        Config::load(&minimal(&[("OXYDRA_ID_TOKEN_SIGNING_ALG", alg)]), &[])
            .unwrap()
            .id_token_signing_alg
    };
    assert_eq!(load("ES256"), JwkAlgorithm::Es256);
    assert_eq!(load("EdDSA"), JwkAlgorithm::EdDsa);
    let default = Config::load(&minimal(&[]), &[]).unwrap();
    assert_eq!(default.id_token_signing_alg, JwkAlgorithm::Rs256);
}

#[test]
fn cookie_secrets_need_16_bytes_each() {
    fails_once(
        &minimal(&[("COOKIE_SECRET", "too-short")]),
        "COOKIE_SECRET",
        "at least 16",
    );
    fails_once(
        &minimal(&[("SECRETS_COOKIE", "a-current-cookie-secret,old")]),
        "SECRETS_COOKIE (alias of COOKIE_SECRET)",
        "entry 2 is 3 bytes long",
    );
    // The secret itself is never echoed.
    assert!(!problems(&minimal(&[("COOKIE_SECRET", "too-short")]))[0].contains("too-short"));
    assert!(Config::load(&minimal(&[("COOKIE_SECRET", "0123456789abcdef")]), &[]).is_ok());
}

#[test]
fn credentialed_cors_for_every_origin_is_refused() {
    let credentialed = |origins: &str| {
        minimal(&[
            ("CORS_ENABLED", "true"),
            ("CORS_ALLOWED_CREDENTIALS", "true"),
            ("CORS_ALLOWED_ORIGINS", origins),
        ])
    };
    for origins in ["*", "https://app.example.com, *", "https://*", "http://**"] {
        fails_once(
            &credentialed(origins),
            "CORS_ALLOWED_ORIGINS",
            "CORS_ALLOWED_CREDENTIALS",
        );
    }
    // The default origin list is `*`.
    let mut default_origins = credentialed("");
    default_origins.remove("CORS_ALLOWED_ORIGINS");
    fails_once(&default_origins, "CORS_ALLOWED_ORIGINS", "every origin");
    // Listed origins (wildcards inside a host included), no credentials, or CORS off are fine.
    for map in [
        credentialed("https://app.example.com,https://*.example.org"),
        minimal(&[("CORS_ENABLED", "true"), ("CORS_ALLOWED_ORIGINS", "*")]),
        minimal(&[("CORS_ALLOWED_CREDENTIALS", "true")]),
    ] {
        assert!(Config::load(&map, &[]).is_ok(), "{map:?}");
    }
}

#[test]
fn pushed_request_rules() {
    let config = super::load(&minimal(&[]));
    assert!(config.par.enabled);
    assert!(!config.par.required);
    assert_eq!(config.par.lifespan, std::time::Duration::from_secs(60));
    fails_once(
        &minimal(&[("OXYDRA_PAR_LIFESPAN", "11m")]),
        "OXYDRA_PAR_LIFESPAN",
        "from 1s to 10m",
    );
    fails_once(
        &minimal(&[("OXYDRA_PAR_LIFESPAN", "500ms")]),
        "OXYDRA_PAR_LIFESPAN",
        "from 1s to 10m",
    );
    fails_once(
        &minimal(&[("OXYDRA_PAR", "false"), ("OXYDRA_PAR_REQUIRED", "true")]),
        "OXYDRA_PAR_REQUIRED",
        "OXYDRA_PAR=true",
    );
    let config = super::load(&minimal(&[
        ("OXYDRA_PAR_REQUIRED", "true"),
        ("OXYDRA_PAR_LIFESPAN", "10m"),
    ]));
    assert!(config.par.required);
    assert_eq!(config.par.lifespan, std::time::Duration::from_secs(600));
}

#[test]
fn dpop_rules() {
    use std::time::Duration;
    let config = super::load(&minimal(&[]));
    assert!(config.dpop.enabled);
    assert_eq!(config.dpop.proof_max_age, Duration::from_secs(60));
    assert_eq!(config.dpop.nonce_lifespan, None);
    for (key, value, text) in [
        ("OXYDRA_DPOP_PROOF_MAX_AGE", "4s", "from 5s to 10m"),
        ("OXYDRA_DPOP_PROOF_MAX_AGE", "11m", "from 5s to 10m"),
        ("OXYDRA_DPOP_NONCE_LIFESPAN", "9s", "from 10s to 1h"),
        ("OXYDRA_DPOP_NONCE_LIFESPAN", "2h", "from 10s to 1h"),
    ] {
        fails_once(&minimal(&[(key, value)]), key, text);
    }
    fails_once(
        &minimal(&[("OXYDRA_DPOP", "false"), ("OXYDRA_DPOP_NONCE", "true")]),
        "OXYDRA_DPOP_NONCE",
        "OXYDRA_DPOP=true",
    );
    let config = super::load(&minimal(&[
        ("OXYDRA_DPOP_NONCE", "true"),
        ("OXYDRA_DPOP_NONCE_LIFESPAN", "30s"),
        ("OXYDRA_DPOP_PROOF_MAX_AGE", "2m"),
    ]));
    assert_eq!(config.dpop.nonce_lifespan, Some(Duration::from_secs(30)));
    assert_eq!(config.dpop.proof_max_age, Duration::from_secs(120));
}

#[test]
fn dynamic_registration_is_off_unless_enabled() {
    assert!(!super::load(&minimal(&[])).dynamic_registration);
    let on = [("OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED", "true")];
    assert!(super::load(&minimal(&on)).dynamic_registration);
    let bad = minimal(&[("OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED", "sometimes")]);
    assert!(Config::load(&bad, &[]).is_err());
}
