//! `--help` of every command exits 0 and documents its flags.

use crate::support::oxydra;

fn help(args: &[&str], expected: &[&str]) {
    let mut argv = args.to_vec();
    argv.push("--help");
    let out = oxydra(&argv, &[]).ok();
    for word in expected {
        assert!(
            out.contains(word),
            "`oxydra {}` does not mention {word}:\n{out}",
            argv.join(" ")
        );
    }
}

#[test]
fn top_level_help_lists_the_commands() {
    help(
        &[],
        &[
            "serve",
            "migrate",
            "clients",
            "keys",
            "token",
            "version",
            "Hydra",
            "--version",
        ],
    );
}

#[test]
fn serve_help_lists_modes_and_flags() {
    help(&["serve"], &["all", "public", "admin", "DATABASE_URL"]);
    let flags = [
        "--database-url",
        "--dsn",
        "--dangerous-force-http",
        "--dev",
        "--auto-migrate",
        "--https-tls-cert-path",
        "--https-tls-key-path",
        "--public-host",
        "--public-port",
        "--admin-host",
        "--admin-port",
        "--issuer",
        "--janitor-interval",
        "--demo",
    ];
    for mode in ["all", "public", "admin"] {
        help(&["serve", mode], &flags);
    }
}

#[test]
fn migrate_help_lists_flags() {
    help(&["migrate"], &["sql"]);
    help(
        &["migrate", "sql"],
        &["DSN", "--read-from-env", "-e", "DATABASE_URL"],
    );
}

#[test]
fn clients_help_lists_commands_and_flags() {
    let global = [
        "--endpoint",
        "HYDRA_ADMIN_URL",
        "--skip-tls-verify",
        "--fake-tls-termination",
        "--format",
    ];
    let mut top = global.to_vec();
    top.extend(["create", "get", "list", "update", "delete", "import"]);
    help(&["clients"], &top);
    let fields = [
        "--name",
        "--secret",
        "--callbacks",
        "--grant-types",
        "--response-types",
        "--scope",
        "--token-endpoint-auth-method",
        "--jwks-uri",
        "--policy-uri",
        "--tos-uri",
        "--client-uri",
        "--logo-uri",
        "--subject-type",
        "--owner",
        "--contacts",
        "--id-token-signed-response-alg",
    ];
    let mut create = fields.to_vec();
    create.extend([
        "--id",
        "-n",
        "-c",
        "-g",
        "-r",
        "-a",
        "authorization_code",
        "client_secret_basic",
    ]);
    help(&["clients", "create"], &create);
    let mut update = fields.to_vec();
    update.extend(["<ID>", "full replacement"]);
    help(&["clients", "update"], &update);
    help(&["clients", "get"], &["<ID>", "--endpoint"]);
    help(&["clients", "list"], &["--limit", "--offset", "--format"]);
    help(&["clients", "delete"], &["<ID>..."]);
    help(&["clients", "import"], &["<FILE>..."]);
}

#[test]
fn token_help_lists_commands_and_flags() {
    let connection = ["--skip-tls-verify", "--fake-tls-termination", "--format"];
    let mut top = connection.to_vec();
    top.extend([
        "client",
        "user",
        "introspect",
        "revoke",
        "flush",
        "Examples:",
    ]);
    help(&["token"], &top);
    let public = ["--endpoint", "HYDRA_URL", "OXYDRA_URL"];
    let credentials = [
        "--client-id",
        "OAUTH2_CLIENT_ID",
        "--client-secret",
        "OAUTH2_CLIENT_SECRET",
    ];
    let admin = ["--endpoint", "HYDRA_ADMIN_URL", "OXYDRA_ADMIN_URL"];
    let mut client = [public.as_slice(), &credentials, &connection].concat();
    client.extend(["--scope", "-v", "--verbose", "client_credentials"]);
    help(&["token", "client"], &client);
    let mut introspect = [admin.as_slice(), &connection].concat();
    introspect.extend(["<TOKEN>", "--scope", "active"]);
    help(&["token", "introspect"], &introspect);
    let mut revoke = [public.as_slice(), &credentials, &connection].concat();
    revoke.extend(["<TOKEN>", "RFC 7009"]);
    help(&["token", "revoke"], &revoke);
    let mut flush = [admin.as_slice(), &connection].concat();
    flush.extend(["--not-after", "RFC 3339"]);
    help(&["token", "flush"], &flush);
    let mut user = [public.as_slice(), &credentials, &connection].concat();
    user.extend([
        "--port",
        "4446",
        "--scope",
        "--redirect",
        "--prompt",
        "--max-age",
        "--timeout",
        "5m",
        "PKCE",
    ]);
    help(&["token", "user"], &user);
}

#[test]
fn token_help_never_shows_the_client_secret() {
    for command in ["client", "user"] {
        let run = crate::support::oxydra(
            &["token", command, "--help"],
            &[("OAUTH2_CLIENT_SECRET", "a-secret-from-the-env")],
        );
        assert!(!run.ok().contains("a-secret-from-the-env"));
    }
}

#[test]
fn version_prints_the_crate_version() {
    let expected = format!("oxydra {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(oxydra(&["version"], &[]).ok().trim(), expected);
    assert_eq!(oxydra(&["--version"], &[]).ok().trim(), expected);
    help(&["version"], &["version"]);
}

#[test]
fn unknown_commands_are_usage_errors() {
    let run = oxydra(&["frobnicate"], &[]);
    assert_eq!(run.status.code(), Some(2), "{run:#?}");
    let run = oxydra(&["serve", "all", "--public-port", "not-a-port"], &[]);
    assert_eq!(run.status.code(), Some(2), "{run:#?}");
}

#[test]
fn keys_help_lists_commands_and_flags() {
    help(
        &["keys"],
        &["create", "get", "delete", "import", "--endpoint"],
    );
    help(&["keys", "create"], &["<SET>", "--alg", "--kid", "--use"]);
    help(&["keys", "import"], &["<SET>", "<FILE>..."]);
}

#[test]
fn policies_help_lists_commands_and_hides_admin_secrets() {
    help(
        &["policies"],
        &[
            "create",
            "get",
            "list",
            "delete",
            "--endpoint",
            "--access-token",
            "--admin-client-id",
        ],
    );
    help(
        &["policies", "create"],
        &[
            "--id",
            "--subjects",
            "--resources",
            "--actions",
            "--allow",
            "--files",
        ],
    );
    let run = crate::support::oxydra(
        &["clients", "--help"],
        &[
            ("OXYDRA_ADMIN_CLIENT_SECRET", "an-admin-secret-from-the-env"),
            ("OAUTH2_ACCESS_TOKEN", "a-token-from-the-env"),
        ],
    );
    let out = run.ok();
    assert!(!out.contains("an-admin-secret-from-the-env") && !out.contains("a-token-from-the-env"));
}

#[test]
fn leaf_commands_show_an_example() {
    help(&["keys", "create"], &["Example:", "oxydra keys create"]);
    help(
        &["migrate", "secret"],
        &["Example:", "oxydra migrate secret -e"],
    );
    // A group keeps its own examples and gains none twice.
    let out = oxydra(&["clients", "--help"], &[]).ok();
    assert_eq!(out.matches("Examples:").count(), 1, "{out}");
}

#[test]
fn completion_scripts_cover_every_command_in_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _oxydra"),
        ("zsh", "#compdef oxydra"),
        ("fish", "complete -c oxydra"),
    ] {
        let script = oxydra(&["completion", shell], &[]).ok();
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for command in [
            "serve",
            "clients",
            "policies",
            "completion",
            "--dangerous-force-http",
        ] {
            assert!(script.contains(command), "{shell}: no {command}");
        }
    }
    // The bash script is valid bash.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oxydra.bash");
    std::fs::write(&path, oxydra(&["completion", "bash"], &[]).ok()).unwrap();
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(checked.success());
    let refused = oxydra(&["completion", "tcsh"], &[]);
    assert!(!refused.status.success());
}

#[test]
fn openapi_help_shows_an_example() {
    help(
        &["openapi"],
        &["OpenAPI", "oxydra openapi > docs/openapi.json"],
    );
    help(&[], &["openapi"]);
}

#[test]
fn openapi_prints_the_committed_document() {
    let printed = oxydra(&["openapi"], &[]).ok();
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi.json"
    ))
    .unwrap();
    assert!(
        printed == committed,
        "oxydra openapi differs from docs/openapi.json"
    );
}
