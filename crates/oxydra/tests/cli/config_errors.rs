//! Invalid configuration stops `serve` before it binds, with one clear line per problem.

use crate::support::{SYSTEM_SECRET, oxydra, server_env};

/// Runs `oxydra serve <args>` with the test environment plus `overrides`; it must fail.
fn serve_fails(args: &[&str], overrides: &[(&str, &str)]) -> String {
    let env = server_env();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.retain(|(k, _)| !overrides.iter().any(|(o, _)| o == k));
    env.extend(overrides);
    let mut argv = vec!["serve"];
    argv.extend(args);
    let run = oxydra(&argv, &env);
    assert!(!run.status.success(), "serve should have failed: {run:#?}");
    assert!(
        !run.stdout.contains("listening"),
        "serve bound a listener: {run:#?}"
    );
    run.stderr
}

fn assert_error_line_names(stderr: &str, variable: &str) {
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("error:") && l.contains(variable)),
        "no `error:` line names {variable}:\n{stderr}"
    );
}

#[test]
fn short_system_secret_without_dev_is_refused() {
    let stderr = serve_fails(
        &["all"],
        &[
            ("SYSTEM_SECRET", "short"),
            ("OAUTH2_ISSUER_URL", "https://auth.example.com/"),
        ],
    );
    assert_error_line_names(&stderr, "SYSTEM_SECRET");
}

#[test]
fn short_system_secret_is_refused_even_with_dev() {
    let stderr = serve_fails(&["all", "--dev"], &[("SYSTEM_SECRET", "short")]);
    assert_error_line_names(&stderr, "SYSTEM_SECRET");
}

#[test]
fn plain_http_issuer_without_dev_is_refused() {
    let stderr = serve_fails(
        &["all"],
        &[
            ("SYSTEM_SECRET", SYSTEM_SECRET),
            ("OAUTH2_ISSUER_URL", "http://auth.example.com/"),
        ],
    );
    assert_error_line_names(&stderr, "OAUTH2_ISSUER_URL");
}

#[test]
fn the_issuer_flag_is_checked_like_the_variable() {
    let stderr = serve_fails(&["all", "--issuer", "http://auth.example.com/"], &[]);
    assert_error_line_names(&stderr, "OAUTH2_ISSUER_URL");
}

#[test]
fn memory_database_needs_serve_all() {
    for mode in ["public", "admin"] {
        let stderr = serve_fails(&[mode, "--dev"], &[]);
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("error:") && l.contains("memory")),
            "serve {mode} with DATABASE_URL=memory:\n{stderr}"
        );
    }
}

#[test]
fn unknown_database_scheme_is_refused() {
    let stderr = serve_fails(&["all", "--dev", "--database-url", "oracle://db"], &[]);
    assert!(stderr.lines().any(|l| l.starts_with("error:")), "{stderr}");
}

#[test]
fn the_demo_needs_dev_mode_and_serve_all() {
    let stderr = serve_fails(
        &["all", "--demo"],
        &[
            ("OAUTH2_ISSUER_URL", "https://auth.example.com/"),
            ("HTTPS_ALLOW_TERMINATION_FROM", "127.0.0.1/32"),
        ],
    );
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: OXYDRA_DEMO"))
        .collect();
    assert_eq!(problems.len(), 1, "{stderr}");
    assert!(problems[0].contains("--dangerous-force-http"), "{stderr}");
    for mode in ["public", "admin"] {
        let stderr = serve_fails(&[mode, "--dev", "--demo"], &[]);
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("error:") && l.contains("needs `serve all`")),
            "serve {mode} --demo:\n{stderr}"
        );
    }
}

#[test]
fn the_0_10_admin_api_is_not_served_unguarded_on_the_public_port() {
    let stderr = serve_fails(&["all", "--dev"], &[("COMPAT_API_VERSION", "0.10")]);
    assert_error_line_names(&stderr, "COMPAT_API_VERSION");
    assert!(stderr.contains("ADMIN_ACCESS_CONTROL=policies"), "{stderr}");
    assert!(
        stderr.contains("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN=true"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_tracing_provider_is_refused() {
    let stderr = serve_fails(&["all", "--dev"], &[("TRACING_PROVIDER", "jaeger")]);
    assert_error_line_names(&stderr, "TRACING_PROVIDER");
}
