//! Warnings, development mode, redaction, URL resolution and small helpers.

use super::{SECRET, env, load, minimal, url};
use crate::config::*;

#[test]
fn warnings_for_unknown_oxydra_and_ignored_hydra_variables() {
    let c = load(&minimal(&[
        ("OXYDRA_TYPO", "1"),
        ("OXYDRA_TEST_REQUIRE", "postgres"),
        ("OXYDRA_ADMIN_URL", "http://127.0.0.1:4445"),
        ("DATABASE_PLUGIN", "x.so"),
        ("DISABLE_TELEMETRY", "1"),
        ("PROFILING", "cpu"),
        ("PORT", "4444"),
        ("HOST", "x"),
        ("UNRELATED", "y"),
    ]));
    let starts = [
        "DATABASE_PLUGIN",
        "DISABLE_TELEMETRY",
        "HOST",
        "OXYDRA_TYPO",
        "PORT",
        "PROFILING",
    ];
    assert_eq!(c.warnings.len(), starts.len(), "{:?}", c.warnings);
    for (warning, name) in c.warnings.iter().zip(starts) {
        assert!(warning.starts_with(&format!("{name} is")), "{warning}");
    }
}

#[test]
fn dev_mode_generates_a_system_secret_with_a_warning() {
    let map = env(&[("OXYDRA_DANGEROUS_FORCE_HTTP", "true")]);
    let c = load(&map);
    assert!(c.system_secret_generated);
    assert_eq!(c.system_secrets.len(), 1);
    assert_eq!(c.system_secrets[0].expose().len(), 32);
    assert_ne!(
        load(&map).system_secrets[0],
        c.system_secrets[0],
        "random per load"
    );
    assert_eq!(c.issuer, url("http://localhost:4444"));
    assert!(
        c.warnings
            .iter()
            .any(|w| w.starts_with("SYSTEM_SECRET is not set"))
    );
    assert!(c.tls.cert.is_none());
}

#[test]
fn the_default_dev_issuer_follows_the_public_port() {
    let on = ("OXYDRA_DANGEROUS_FORCE_HTTP", "true");
    let c = load(&env(&[on, ("PUBLIC_PORT", "24444")]));
    assert_eq!(c.issuer, url("http://localhost:24444"));
    assert_eq!(c.urls.login.port(), Some(24444));
    // Port 0 is only known once bound: Hydra's default stands.
    let c = load(&env(&[on, ("PUBLIC_PORT", "0")]));
    assert_eq!(c.issuer, url("http://localhost:4444"));
    // An explicit issuer wins over the port.
    let c = load(&env(&[
        on,
        ("PUBLIC_PORT", "24444"),
        ("OAUTH2_ISSUER_URL", "http://auth.test:8080"),
    ]));
    assert_eq!(c.issuer, url("http://auth.test:8080"));
}

#[test]
fn debug_redacts_secrets_and_the_dsn_password() {
    let c = load(&minimal(&[
        (
            "DATABASE_URL",
            "postgres://oxydra:hunter2-db-password@db:5432/oxydra",
        ),
        ("COOKIE_SECRET", "cookie-secret-text"),
        ("ROTATED_SYSTEM_SECRET", "rotated-secret-text"),
        ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "pairwise-salt-text"),
    ]));
    let debug = format!("{c:?}");
    for secret in [
        SECRET,
        "hunter2-db-password",
        "cookie-secret-text",
        "rotated-secret-text",
        "pairwise-salt-text",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked in {debug}");
    }
    // Byte-vector secrets must not leak as numbers either.
    let bytes = format!("{:?}", SECRET.as_bytes());
    assert!(!debug.contains(&bytes[1..20]));
    assert_eq!(
        c.database_url_redacted(),
        "postgres://oxydra:redacted@db:5432/oxydra"
    );
}

#[test]
fn dsn_redaction() {
    let cases = [
        ("memory", "memory"),
        ("sqlite://oxydra.db", "sqlite://oxydra.db"),
        ("postgres://u@h/db", "postgres://u@h/db"),
        (
            "postgres://u:p%40ss@h:5432/db?sslmode=disable",
            "postgres://u:redacted@h:5432/db?sslmode=disable",
        ),
        (
            "mysql://u:p@tcp(h:3306)/db?parseTime=true",
            "mysql://u:redacted@tcp(h:3306)/db?parseTime=true",
        ),
        (
            "postgres://h/db?user=u&password=secret&x=1",
            "postgres://h/db?user=u&password=redacted&x=1",
        ),
        (
            "host=h password=secret dbname=d",
            "host=h password=redacted dbname=d",
        ),
    ];
    for (dsn, want) in cases {
        assert_eq!(redact_dsn(dsn), want, "{dsn}");
    }
}

#[test]
fn relative_urls_resolve_against_the_issuer() {
    let c = load(&minimal(&[
        ("OAUTH2_ISSUER_URL", "https://example.com/hydra"),
        ("OAUTH2_LOGIN_URL", "/login?x=1"),
        ("OAUTH2_CONSENT_URL", "consent"),
        ("OIDC_DISCOVERY_USERINFO_ENDPOINT", "/me"),
    ]));
    assert_eq!(c.urls.login, url("https://example.com/hydra/login?x=1"));
    assert_eq!(c.urls.consent, url("https://example.com/hydra/consent"));
    assert_eq!(
        c.urls.error,
        url("https://example.com/hydra/oauth2/fallbacks/error")
    );
    assert_eq!(
        c.urls.logout_redirect,
        url("https://example.com/hydra/oauth2/fallbacks/logout")
    );
    assert_eq!(c.userinfo_endpoint(), url("https://example.com/hydra/me"));
    let c = load(&minimal(&[(
        "OAUTH2_ISSUER_URL",
        "https://example.com/hydra/",
    )]));
    assert_eq!(
        c.urls.error,
        url("https://example.com/hydra/oauth2/fallbacks/error")
    );
    assert_eq!(
        c.userinfo_endpoint(),
        url("https://example.com/hydra/userinfo")
    );
}

#[test]
fn issuer_with_slash_has_exactly_one() {
    for (issuer, want) in [
        ("https://a.example.com", "https://a.example.com/"),
        ("https://a.example.com/", "https://a.example.com/"),
        ("https://a.example.com/x", "https://a.example.com/x/"),
        ("https://a.example.com/x/", "https://a.example.com/x/"),
        ("https://a.example.com/x//", "https://a.example.com/x/"),
    ] {
        let c = load(&minimal(&[("OAUTH2_ISSUER_URL", issuer)]));
        assert_eq!(c.issuer_with_slash(), want, "{issuer}");
    }
}

#[test]
fn bind_addr() {
    let l = |host: &str| {
        ListenConfig {
            host: host.to_owned(),
            port: 80,
        }
        .bind_addr()
    };
    assert_eq!(l(""), "0.0.0.0:80");
    assert_eq!(l("127.0.0.1"), "127.0.0.1:80");
    assert_eq!(l("localhost"), "localhost:80");
    assert_eq!(l("::"), "[::]:80");
    assert_eq!(l("[::1]"), "[::1]:80");
}

#[test]
fn pbkdf2_hasher() {
    let c = load(&minimal(&[("OXYDRA_SECRET_HASHER", "pbkdf2")]));
    assert!(
        matches!(c.hasher, HashAlgorithm::Pbkdf2 { iterations } if iterations.get() == 600_000)
    );
    let c = load(&minimal(&[
        ("OXYDRA_SECRET_HASHER", "PBKDF2"),
        ("OXYDRA_PBKDF2_ITERATIONS", "1000"),
    ]));
    assert!(matches!(c.hasher, HashAlgorithm::Pbkdf2 { iterations } if iterations.get() == 1000));
}

#[test]
fn termination_from_replaces_a_certificate() {
    let mut map = minimal(&[("HTTPS_ALLOW_TERMINATION_FROM", "127.0.0.1/32")]);
    map.remove("HTTPS_TLS_CERT_PATH");
    map.remove("HTTPS_TLS_KEY_PATH");
    let c = load(&map);
    assert!(c.https() && c.tls.cert.is_none());
}

#[test]
fn janitor_zero_is_off_and_compat_versions() {
    assert_eq!(
        load(&minimal(&[("OXYDRA_JANITOR_INTERVAL", "0")])).janitor_interval,
        None
    );
    assert_eq!(
        load(&minimal(&[("OXYDRA_JANITOR_INTERVAL", "0s")])).janitor_interval,
        None
    );
    for (v, want) in [
        ("1.0.0-beta", CompatApiVersion::V1Beta),
        ("1.0.0-beta.8", CompatApiVersion::V1Beta),
        ("v0.10", CompatApiVersion::V010),
        ("0.10.10", CompatApiVersion::V010),
    ] {
        assert_eq!(
            load(&minimal(&[("COMPAT_API_VERSION", v), super::UNGUARDED])).compat_api_version,
            want,
            "{v}"
        );
    }
}

#[test]
fn the_demo_points_unset_login_and_consent_urls_at_its_pages() {
    let off = load(&minimal(&[]));
    assert!(!off.demo.enabled);
    assert_eq!(
        off.urls.login,
        url("https://auth.example.com/oauth2/fallbacks/consent")
    );
    let dev = [
        ("OXYDRA_DANGEROUS_FORCE_HTTP", "true"),
        ("OXYDRA_DEMO", "true"),
        ("OAUTH2_ISSUER_URL", "http://127.0.0.1:4444/"),
    ];
    let c = load(&env(&dev));
    assert!(c.demo.enabled);
    assert_eq!(c.urls.login, url("http://127.0.0.1:4444/demo/login"));
    assert_eq!(c.urls.consent, url("http://127.0.0.1:4444/demo/consent"));
    assert_eq!(c.demo.users.len(), 1);
    assert_eq!(c.demo.users[0].name, "alice");
    assert_eq!(c.demo.users[0].password.expose(), "alice-password");
    assert!(!format!("{c:?}").contains("alice-password"), "redacted");

    let mut map = env(&dev);
    map.extend(env(&[
        ("OAUTH2_LOGIN_URL", "https://login.example/in"),
        ("OXYDRA_DEMO_USERS", " bob : pass:with:colons , carol:c "),
    ]));
    let c = load(&map);
    assert_eq!(c.urls.login, url("https://login.example/in"));
    assert_eq!(c.urls.consent, url("http://127.0.0.1:4444/demo/consent"));
    let users: Vec<(&str, &str)> = c
        .demo
        .users
        .iter()
        .map(|u| (u.name.as_str(), u.password.expose().as_str()))
        .collect();
    assert_eq!(users, [("bob", " pass:with:colons"), ("carol", "c")]);
}
