//! `COMPAT_API_VERSION=0.10`: the 0.x single-port names are read only then, and which
//! configurations select the 0.10 consent-by-id flow.

use super::{env, load, minimal};
use crate::config::*;

#[test]
fn port_and_host_are_read_only_in_0_10_mode() {
    let legacy = load(&minimal(&[
        ("COMPAT_API_VERSION", "0.10"),
        ("PORT", "8080"),
        ("HOST", "127.0.0.1"),
    ]));
    assert_eq!(legacy.public.port, 8080);
    assert_eq!(legacy.public.host, "127.0.0.1");
    assert!(
        !legacy
            .warnings
            .iter()
            .any(|w| w.starts_with("PORT") || w.starts_with("HOST")),
        "{:?}",
        legacy.warnings
    );

    let beta = load(&minimal(&[("PORT", "8080"), ("HOST", "127.0.0.1")]));
    assert_eq!(beta.public.port, 4444);
    assert_eq!(beta.public.host, "");
    for name in ["PORT", "HOST"] {
        assert!(
            beta.warnings
                .iter()
                .any(|w| w.starts_with(&format!("{name} is ignored"))),
            "{:?}",
            beta.warnings
        );
    }
}

#[test]
fn canonical_names_win_over_port_and_host() {
    let c = load(&minimal(&[
        ("COMPAT_API_VERSION", "0.10"),
        ("PUBLIC_PORT", "9000"),
        ("PORT", "8080"),
    ]));
    assert_eq!(c.public.port, 9000);
    assert!(
        c.warnings
            .iter()
            .any(|w| w.starts_with("PORT is ignored because PUBLIC_PORT")),
        "{:?}",
        c.warnings
    );
    // A bad PORT is reported under its own name.
    let e = Config::load(
        &minimal(&[("COMPAT_API_VERSION", "0.10"), ("PORT", "http")]),
        &[],
    )
    .unwrap_err();
    assert!(
        e.problems[0].starts_with("PORT (alias of PUBLIC_PORT)"),
        "{e}"
    );
}

#[test]
fn the_legacy_flow_is_selected_in_0_10_mode_or_with_only_a_consent_url() {
    let flow = |pairs: &[(&str, &str)]| load(&minimal(pairs)).legacy_consent;
    assert!(!flow(&[]));
    assert!(flow(&[("COMPAT_API_VERSION", "0.10")]));
    assert!(flow(&[
        ("COMPAT_API_VERSION", "0.10"),
        ("OAUTH2_LOGIN_URL", "https://login.example"),
        ("OAUTH2_CONSENT_URL", "https://consent.example"),
    ]));
    // A 0.x environment: only a consent URL, under either name.
    assert!(flow(&[("CONSENT_URL", "https://consent.example")]));
    assert!(flow(&[("OAUTH2_CONSENT_URL", "https://consent.example")]));
    assert!(!flow(&[
        ("OAUTH2_LOGIN_URL", "https://login.example"),
        ("OAUTH2_CONSENT_URL", "https://consent.example"),
    ]));
    assert!(!flow(&[("OAUTH2_LOGIN_URL", "https://login.example")]));
    // The demo's login page counts as a login URL.
    let demo = load(&env(&[
        ("OXYDRA_DANGEROUS_FORCE_HTTP", "true"),
        ("OXYDRA_DEMO", "true"),
        ("OAUTH2_CONSENT_URL", "https://consent.example"),
    ]));
    assert!(!demo.legacy_consent);
}

#[test]
fn selecting_the_legacy_flow_is_announced() {
    let only_consent = load(&minimal(&[("CONSENT_URL", "https://consent.example")]));
    assert!(
        only_consent
            .warnings
            .iter()
            .any(|w| w.contains("0.10 consent-by-id flow")),
        "{:?}",
        only_consent.warnings
    );
    let v010 = load(&minimal(&[("COMPAT_API_VERSION", "0.10")]));
    assert!(v010.v010());
    assert!(
        v010.warnings
            .iter()
            .any(|w| w.contains("admin API is also served on the public port")),
        "{:?}",
        v010.warnings
    );
}

#[test]
fn the_demo_app_is_refused_in_0_10_mode() {
    let e = Config::load(
        &env(&[
            ("OXYDRA_DANGEROUS_FORCE_HTTP", "true"),
            ("OXYDRA_DEMO", "true"),
            ("COMPAT_API_VERSION", "0.10"),
        ]),
        &[],
    )
    .unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    assert!(
        e.problems[0].starts_with("OXYDRA_DEMO: the demo login app speaks"),
        "{e}"
    );
}
