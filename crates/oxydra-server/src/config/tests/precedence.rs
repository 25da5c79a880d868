//! Aliases, flags and which source wins.

use std::time::Duration;

use super::{SECRET, env, load, minimal, url};
use crate::config::*;

/// Pairs of (canonical key, alias): the alias alone must set what the key sets.
#[test]
fn each_alias_is_read() {
    let cases: &[(&str, &str, &str)] = &[
        ("DATABASE_URL", "DSN", "memory"),
        ("PUBLIC_HOST", "SERVE_PUBLIC_HOST", "127.0.0.1"),
        ("PUBLIC_PORT", "SERVE_PUBLIC_PORT", "1234"),
        ("ADMIN_HOST", "SERVE_ADMIN_HOST", "127.0.0.2"),
        ("ADMIN_PORT", "SERVE_ADMIN_PORT", "1235"),
        ("OAUTH2_ISSUER_URL", "ISSUER", "https://issuer.example.com/"),
        (
            "OAUTH2_ISSUER_URL",
            "URLS_SELF_ISSUER",
            "https://self.example.com/",
        ),
        ("OAUTH2_LOGIN_URL", "URLS_LOGIN", "https://l.example.com/"),
        (
            "OAUTH2_CONSENT_URL",
            "CONSENT_URL",
            "https://c.example.com/",
        ),
        (
            "OAUTH2_CONSENT_URL",
            "URLS_CONSENT",
            "https://c2.example.com/",
        ),
        ("OAUTH2_ERROR_URL", "URLS_ERROR", "https://e.example.com/"),
        (
            "OAUTH2_LOGOUT_REDIRECT_URL",
            "URLS_POST_LOGOUT_REDIRECT",
            "https://o.example.com/",
        ),
        ("ACCESS_TOKEN_LIFESPAN", "TTL_ACCESS_TOKEN", "5m"),
        ("ID_TOKEN_LIFESPAN", "TTL_ID_TOKEN", "6m"),
        ("AUTH_CODE_LIFESPAN", "TTL_AUTH_CODE", "7m"),
        (
            "CHALLENGE_TOKEN_LIFESPAN",
            "TTL_LOGIN_CONSENT_REQUEST",
            "8m",
        ),
        (
            "OAUTH2_ACCESS_TOKEN_STRATEGY",
            "STRATEGIES_ACCESS_TOKEN",
            "jwt",
        ),
        (
            "SCOPE_STRATEGY",
            "STRATEGIES_SCOPE",
            "DEPRECATED_HIERARCHICAL_SCOPE_STRATEGY",
        ),
        (
            "OAUTH2_SHARE_ERROR_DEBUG",
            "OAUTH2_EXPOSE_INTERNAL_ERRORS",
            "true",
        ),
        ("BCRYPT_COST", "OAUTH2_HASHERS_BCRYPT_COST", "5"),
        ("COOKIE_SECRET", "SECRETS_COOKIE", "cookie-one-0123456"),
        (
            "HTTPS_ALLOW_TERMINATION_FROM",
            "SERVE_TLS_ALLOW_TERMINATION_FROM",
            "10.0.0.0/8",
        ),
        (
            "OIDC_DISCOVERY_CLAIMS_SUPPORTED",
            "WEBFINGER_OIDC_DISCOVERY_SUPPORTED_CLAIMS",
            "email",
        ),
        (
            "OIDC_DISCOVERY_SCOPES_SUPPORTED",
            "WEBFINGER_OIDC_DISCOVERY_SUPPORTED_SCOPE",
            "email",
        ),
        (
            "OIDC_DISCOVERY_USERINFO_ENDPOINT",
            "WEBFINGER_OIDC_DISCOVERY_USERINFO_URL",
            "https://u.example.com/",
        ),
        (
            "OIDC_SUBJECT_TYPES_SUPPORTED",
            "OIDC_SUBJECT_IDENTIFIERS_ENABLED",
            "public,pairwise",
        ),
        (
            "OIDC_SUBJECT_TYPE_PAIRWISE_SALT",
            "OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT",
            "salty-salt",
        ),
        ("CORS_ENABLED", "SERVE_PUBLIC_CORS_ENABLED", "true"),
        (
            "CORS_ALLOWED_ORIGINS",
            "SERVE_PUBLIC_CORS_ALLOWED_ORIGINS",
            "https://a.example.com",
        ),
        (
            "CORS_ALLOWED_METHODS",
            "SERVE_PUBLIC_CORS_ALLOWED_METHODS",
            "PATCH",
        ),
        (
            "CORS_ALLOWED_HEADERS",
            "SERVE_PUBLIC_CORS_ALLOWED_HEADERS",
            "Origin,X-A",
        ),
        (
            "CORS_EXPOSED_HEADERS",
            "SERVE_PUBLIC_CORS_EXPOSED_HEADERS",
            "X-B",
        ),
        (
            "CORS_ALLOWED_CREDENTIALS",
            "SERVE_PUBLIC_CORS_ALLOW_CREDENTIALS",
            "true",
        ),
        ("CORS_MAX_AGE", "SERVE_PUBLIC_CORS_MAX_AGE", "60"),
        ("CORS_DEBUG", "SERVE_PUBLIC_CORS_DEBUG", "true"),
    ];
    // Secrets are redacted in Debug, so compare them explicitly.
    let fingerprint = |c: &Config| {
        let (dsn, cookie, salt) = (
            c.database_url.expose(),
            c.cookie_secret.expose(),
            c.oidc.pairwise_salt.expose(),
        );
        format!("{c:?} {dsn:?} {cookie:?} {salt:?}")
    };
    for (key, alias, value) in cases {
        let base = minimal(&[("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "base-salt-long")]);
        let mut via_key = base.clone();
        via_key.insert((*key).to_owned(), (*value).to_owned());
        let mut via_alias = base.clone();
        via_alias.remove(*key);
        via_alias.insert((*alias).to_owned(), (*value).to_owned());
        let (a, b) = (load(&via_key), load(&via_alias));
        let (a, b) = (fingerprint(&a), fingerprint(&b));
        assert_eq!(a, b, "{alias} should act like {key}");
        assert_ne!(
            a,
            fingerprint(&load(&base)),
            "{key}={value} should change the config"
        );
    }
}

#[test]
fn secret_aliases_and_tls_aliases() {
    // Hydra 1.x's SECRETS_SYSTEM: a list, first = current, the rest rotated.
    let mut map = minimal(&[(
        "SECRETS_SYSTEM",
        "current-secret-0123, previous-secret-0123",
    )]);
    map.remove("SYSTEM_SECRET");
    let c = load(&map);
    let secrets: Vec<&[u8]> = c
        .system_secrets
        .iter()
        .map(|s| s.expose().as_slice())
        .collect();
    assert_eq!(
        secrets,
        [b"current-secret-0123".as_slice(), b"previous-secret-0123"]
    );
    assert_eq!(
        c.cookie_secret.expose(),
        &secrets::sha256(b"current-secret-0123")
    );

    let c = load(&minimal(&[(
        "SECRETS_COOKIE",
        "first-cookie-0123456,second-cookie-012345",
    )]));
    assert_eq!(c.cookie_secret.expose(), b"first-cookie-0123456");
    let rotated: Vec<&[u8]> = c
        .rotated_cookie_secrets
        .iter()
        .map(|s| s.expose().as_slice())
        .collect();
    assert_eq!(rotated, [b"second-cookie-012345".as_slice()]);

    let mut map = minimal(&[
        ("SERVE_TLS_CERT_PATH", "/alias/cert.pem"),
        ("SERVE_TLS_KEY_PATH", "/alias/key.pem"),
    ]);
    map.remove("HTTPS_TLS_CERT_PATH");
    map.remove("HTTPS_TLS_KEY_PATH");
    let c = load(&map);
    assert!(matches!(c.tls.cert, Some(PemSource::Path(ref p)) if p.starts_with("/alias")));
    assert!(matches!(c.tls.key, Some(PemSource::Path(ref p)) if p.starts_with("/alias")));
}

#[test]
fn inline_pem_plain_and_base64() {
    use base64::Engine as _;
    let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    let key_b64 = base64::engine::general_purpose::STANDARD.encode(key);
    let mut map = minimal(&[("HTTPS_TLS_CERT", cert), ("SERVE_TLS_KEY_BASE64", &key_b64)]);
    map.remove("HTTPS_TLS_CERT_PATH");
    map.remove("HTTPS_TLS_KEY_PATH");
    let c = load(&map);
    assert!(matches!(c.tls.cert, Some(PemSource::Inline(ref p)) if p.expose() == cert.trim()));
    assert!(matches!(c.tls.key, Some(PemSource::Inline(ref p)) if p.expose() == key));
    assert!(
        !format!("{c:?}").contains("MIIE"),
        "inline keys are redacted"
    );

    // A path wins over inline PEM, with a warning.
    let c = load(&minimal(&[("HTTPS_TLS_CERT", cert)]));
    assert!(matches!(c.tls.cert, Some(PemSource::Path(_))));
    assert!(
        c.warnings
            .iter()
            .any(|w| w.starts_with("HTTPS_TLS_CERT is ignored")),
        "{:?}",
        c.warnings
    );
}

#[test]
fn flags_win_over_env() {
    let map = minimal(&[("PUBLIC_PORT", "1111"), ("DATABASE_URL", "sqlite://env.db")]);
    let flags = [
        ("PUBLIC_PORT", "0".to_owned()),
        ("DATABASE_URL", "memory".to_owned()),
        ("OXYDRA_AUTO_MIGRATE", "true".to_owned()),
        ("OXYDRA_JANITOR_INTERVAL", "1h".to_owned()),
        ("HTTPS_TLS_CERT_PATH", "/flag/cert.pem".to_owned()),
    ];
    let c = Config::load(&map, &flags).unwrap();
    assert_eq!(c.public.port, 0);
    assert_eq!(c.database_url.expose(), "memory");
    assert!(c.auto_migrate);
    assert_eq!(c.janitor_interval, Some(Duration::from_secs(3600)));
    assert!(matches!(c.tls.cert, Some(PemSource::Path(ref p)) if p.starts_with("/flag")));

    // Dev mode from the flag lifts the https rules.
    let map = env(&[
        ("SYSTEM_SECRET", SECRET),
        ("OAUTH2_ISSUER_URL", "http://127.0.0.1:4444"),
    ]);
    let c = Config::load(&map, &[("OXYDRA_DANGEROUS_FORCE_HTTP", "true".to_owned())]).unwrap();
    assert!(c.dangerous_force_http && !c.https());

    // A flag naming no key is a problem, not silently ignored.
    let err = Config::load(&minimal(&[]), &[("NOT_A_KEY", "x".to_owned())]).unwrap_err();
    assert!(err.problems[0].starts_with("NOT_A_KEY"), "{err}");
}

#[test]
fn canonical_wins_over_alias_with_a_warning() {
    let c = load(&minimal(&[
        ("PUBLIC_PORT", "1111"),
        ("SERVE_PUBLIC_PORT", "2222"),
    ]));
    assert_eq!(c.public.port, 1111);
    assert!(
        c.warnings
            .iter()
            .any(|w| w.starts_with("SERVE_PUBLIC_PORT is ignored")),
        "{:?}",
        c.warnings
    );
    // The first alias wins over later ones.
    let mut map = minimal(&[
        ("ISSUER", "https://first.example.com"),
        ("URLS_SELF_ISSUER", "https://second.example.com"),
    ]);
    map.remove("OAUTH2_ISSUER_URL");
    assert_eq!(load(&map).issuer, url("https://first.example.com"));
    // Same value under both names: no warning.
    let c = load(&minimal(&[
        ("PUBLIC_PORT", "1111"),
        ("SERVE_PUBLIC_PORT", "1111"),
    ]));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn blank_values_count_as_unset() {
    let c = load(&minimal(&[("PUBLIC_PORT", " "), ("LOG_LEVEL", "")]));
    assert_eq!(c.public.port, 4444);
    assert_eq!(c.log.level, LogLevel::Info);
}
