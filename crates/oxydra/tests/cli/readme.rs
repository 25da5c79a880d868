//! The README's first commands as a new user runs them: `serve all --dev`, a client created
//! with the CLI, then the demo command, again and again in one directory, with no
//! `SYSTEM_SECRET` and the default `./oxydra.db`.

use std::net::TcpListener;

use serde_json::Value;

use crate::support::{Server, oxydra};

/// What a user's shell does not set: the server falls back to `./oxydra.db` and, in
/// development mode, to the secret kept beside it.
const UNSET: [&str; 2] = ["SYSTEM_SECRET", "DATABASE_URL"];

/// The README's `clients create` line, against `admin`.
fn create_demo_client(admin: &str) -> crate::support::Run {
    oxydra(
        &[
            "clients",
            "create",
            "--endpoint",
            admin,
            "--id",
            "demo-app",
            "--token-endpoint-auth-method",
            "none",
            "-c",
            "http://127.0.0.1:4446/callback",
            "-g",
            "authorization_code,refresh_token",
            "-r",
            "code",
            "-a",
            "openid,offline",
        ],
        &[],
    )
}

/// The key ids the server publishes for verifying ID tokens.
async fn published_kids(server: &Server) -> Vec<String> {
    let url = format!("{}/.well-known/jwks.json", server.public);
    let jwks: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn readme_commands_work_again_after_each_restart_in_the_same_directory() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("oxydra.db.dev-secret");

    let first = Server::start_in(Some(dir.path()), &[], &[], &UNSET);
    assert!(dir.path().join("oxydra.db").exists());
    let secret = std::fs::read_to_string(&secret_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file).unwrap().permissions();
        assert_eq!(mode.mode() & 0o777, 0o600, "the secret file is private");
    }
    create_demo_client(&first.admin).ok();
    let kids = published_kids(&first).await;
    drop(first);

    // The README's next command, in the same directory: the stored keys still decrypt.
    let demo = Server::start_in(Some(dir.path()), &["--demo"], &[], &UNSET);
    assert_eq!(published_kids(&demo).await, kids);
    let again = create_demo_client(&demo.admin);
    assert!(!again.status.success(), "the client is still there");
    drop(demo);

    // And the first command once more.
    let third = Server::start_in(Some(dir.path()), &[], &[], &UNSET);
    assert_eq!(published_kids(&third).await, kids);
    let stderr = third.stderr();
    drop(third);
    assert_eq!(std::fs::read_to_string(&secret_file).unwrap(), secret);
    assert!(
        !stderr.contains(secret.trim()),
        "the secret is never logged"
    );
}

#[tokio::test]
async fn the_default_dev_issuer_follows_the_public_port() {
    // A port that was free a moment ago; the server binds it itself.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let server = Server::start_in(None, &[], &[("PUBLIC_PORT", &port)], &[]);
    let url = format!("{}/.well-known/openid-configuration", server.public);
    let discovery: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let issuer = discovery["issuer"].as_str().unwrap();
    assert_eq!(
        issuer.trim_end_matches('/'),
        format!("http://localhost:{port}")
    );
}
