//! `COMPAT_API_VERSION=0.10`: the 0.x single-port names are read only then, and which
//! configurations select the 0.10 consent-by-id flow.

use super::{UNGUARDED, env, load, minimal, problems};
use crate::config::*;

#[test]
fn port_and_host_are_read_only_in_0_10_mode() {
    let legacy = load(&minimal(&[
        ("COMPAT_API_VERSION", "0.10"),
        UNGUARDED,
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
        UNGUARDED,
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
        &minimal(&[("COMPAT_API_VERSION", "0.10"), UNGUARDED, ("PORT", "http")]),
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
    assert!(flow(&[("COMPAT_API_VERSION", "0.10"), UNGUARDED]));
    assert!(flow(&[
        ("COMPAT_API_VERSION", "0.10"),
        UNGUARDED,
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
    let v010 = load(&minimal(&[("COMPAT_API_VERSION", "0.10"), UNGUARDED]));
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
            UNGUARDED,
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

#[test]
fn the_0_10_admin_api_on_the_public_port_needs_the_guard_or_an_explicit_waiver() {
    let refused = problems(&minimal(&[("COMPAT_API_VERSION", "0.10")]));
    assert_eq!(refused.len(), 1, "{refused:?}");
    let problem = &refused[0];
    assert!(problem.starts_with("COMPAT_API_VERSION"), "{problem}");
    assert!(
        problem.contains("ADMIN_ACCESS_CONTROL=policies"),
        "{problem}"
    );
    assert!(
        problem.contains("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN=true"),
        "{problem}"
    );

    let guarded = load(&minimal(&[
        ("COMPAT_API_VERSION", "0.10"),
        ("ADMIN_ACCESS_CONTROL", "policies"),
    ]));
    assert_eq!(guarded.access_control.mode, AdminAccessControl::Policies);
    let waived = load(&minimal(&[("COMPAT_API_VERSION", "0.10"), UNGUARDED]));
    assert!(waived.access_control.allow_unguarded_legacy_admin);
    // 1.0.0-beta keeps the admin API on its own port: nothing to waive there.
    assert!(
        !load(&minimal(&[]))
            .access_control
            .allow_unguarded_legacy_admin
    );
}
