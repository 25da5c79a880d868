//! `oxydra token …` against a running server: a client_credentials token is issued, introspected,
//! revoked and flushed through the CLI alone.

use serde_json::Value;

use crate::support::{Run, Server, clients, oxydra};

/// A client id and secret with characters that must be form-URL-encoded in Basic credentials
/// (RFC 6749 §2.3.1): a `:` in both, spaces, `+`, `%`, `@` and non-ASCII.
const CLIENT_ID: &str = "token cli:svc";
const SECRET: &str = "s3cret:+% @wörd";

/// Registers [`CLIENT_ID`] for client_credentials with scopes `read write`.
fn register(server: &Server) {
    clients(
        server,
        &[
            "create",
            "--id",
            CLIENT_ID,
            "--secret",
            SECRET,
            "-g",
            "client_credentials",
            "-r",
            "token",
            "-a",
            "read,write",
        ],
    )
    .ok();
}

/// Runs `oxydra token <args>` with the public and admin endpoints and the client's credentials
/// in the environment, as Hydra's CLI reads them.
fn token(server: &Server, args: &[&str]) -> Run {
    let mut full = vec!["token"];
    full.extend(args);
    oxydra(
        &full,
        &[
            ("HYDRA_URL", server.public.as_str()),
            ("HYDRA_ADMIN_URL", server.admin.as_str()),
            ("OAUTH2_CLIENT_ID", CLIENT_ID),
            ("OAUTH2_CLIENT_SECRET", SECRET),
        ],
    )
}

fn introspect(server: &Server, access_token: &str) -> Value {
    serde_json::from_str(&token(server, &["introspect", access_token]).ok()).unwrap()
}

#[test]
fn client_introspect_revoke_flush() {
    let server = Server::start();
    register(&server);

    // Human output is the bare access token on one line, for `$(oxydra token client)`.
    let out = token(&server, &["client", "--scope", "read"]).ok();
    assert_eq!(out.lines().count(), 1, "{out}");
    let access_token = out.trim_end_matches('\n');
    assert!(
        !access_token.is_empty() && !access_token.contains(char::is_whitespace),
        "{out:?}"
    );

    let answer = introspect(&server, access_token);
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(answer["sub"], CLIENT_ID);
    assert_eq!(answer["client_id"], CLIENT_ID);
    assert_eq!(answer["scope"], "read");
    assert_eq!(answer["token_type"], "access_token");

    // --scope narrows: a scope the token was not granted makes it inactive, exit status 0.
    let out = token(&server, &["introspect", access_token, "--scope", "write"]).ok();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        serde_json::json!({"active": false})
    );
    let out = token(
        &server,
        &[
            "introspect",
            access_token,
            "--scope",
            "read",
            "--format",
            "json",
        ],
    )
    .ok();
    assert_eq!(out.trim().lines().count(), 1, "json is one line:\n{out}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["active"], true);

    let out = token(&server, &["revoke", access_token]).ok();
    assert_eq!(out.trim(), "OAuth 2.0 token revoked");
    let answer = introspect(&server, access_token);
    assert_eq!(answer, serde_json::json!({"active": false}));

    let out = token(&server, &["flush"]).ok();
    assert_eq!(
        out.trim(),
        "Flushed expired access tokens issued before now"
    );
    let out = token(&server, &["flush", "--not-after", "2020-01-01T00:00:00Z"]).ok();
    assert!(out.contains("before 2020-01-01T00:00:00Z"), "{out}");
    let out = token(&server, &["flush", "--format", "json"]).ok();
    assert_eq!(out, "");
    let stderr = token(&server, &["flush", "--not-after", "yesterday"]).fails();
    assert!(
        stderr.starts_with("error: invalid_request: ") && stderr.contains("RFC 3339"),
        "{stderr}"
    );
}

#[test]
fn json_and_verbose_print_the_whole_token_response() {
    let server = Server::start();
    register(&server);
    let out = token(
        &server,
        &["client", "--scope", "read write", "--format", "json"],
    )
    .ok();
    assert_eq!(out.trim().lines().count(), 1, "json is one line:\n{out}");
    let response: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(response["token_type"], "bearer");
    assert_eq!(response["scope"], "read write");
    assert!(response["expires_in"].as_i64().unwrap() > 0, "{response}");
    assert!(response.get("refresh_token").is_none(), "{response}");
    let answer = introspect(&server, response["access_token"].as_str().unwrap());
    assert_eq!(answer["scope"], "read write");

    let out = token(&server, &["client", "-v"]).ok();
    assert!(out.lines().count() > 1, "verbose pretty-prints:\n{out}");
    let response: Value = serde_json::from_str(&out).unwrap();
    assert!(response["access_token"].is_string(), "{response}");
}

#[test]
fn flags_work_without_the_environment() {
    let server = Server::start();
    register(&server);
    let credentials = ["--client-id", CLIENT_ID, "--client-secret", SECRET];
    let mut args = vec!["token", "client", "--endpoint", &server.public];
    args.extend(credentials);
    let access_token = oxydra(&args, &[]).ok().trim().to_owned();

    let args = [
        "token",
        "introspect",
        &access_token,
        "--endpoint",
        &server.admin,
    ];
    let answer: Value = serde_json::from_str(&oxydra(&args, &[]).ok()).unwrap();
    assert_eq!(answer["active"], true, "{answer}");

    // OXYDRA_URL / OXYDRA_ADMIN_URL are the fallbacks when the Hydra variables are unset.
    let mut args = vec!["token", "revoke", &access_token];
    args.extend(credentials);
    oxydra(&args, &[("OXYDRA_URL", &server.public)]).ok();
    let args = ["token", "introspect", &access_token];
    let out = oxydra(&args, &[("OXYDRA_ADMIN_URL", &server.admin)]).ok();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["active"],
        false
    );

    let stderr = oxydra(
        &[
            "token",
            "client",
            "--client-id",
            "a",
            "--client-secret",
            "b",
        ],
        &[],
    )
    .fails();
    assert!(
        stderr.starts_with("error: no public endpoint") && stderr.contains("HYDRA_URL"),
        "{stderr}"
    );
    let stderr = oxydra(&["token", "flush"], &[]).fails();
    assert!(stderr.contains("HYDRA_ADMIN_URL"), "{stderr}");
}

#[test]
fn wrong_credentials_fail_with_invalid_client() {
    let server = Server::start();
    register(&server);
    let wrong = [
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        "not-the-secret",
    ];
    let mut args = vec!["client"];
    args.extend(wrong);
    let stderr = token(&server, &args).fails();
    let line = stderr.lines().next().unwrap_or_default();
    assert!(line.starts_with("error: invalid_client: "), "{stderr}");
    assert!(
        line.len() > "error: invalid_client: ".len(),
        "the description is printed: {stderr}"
    );

    let access_token = token(&server, &["client"]).ok().trim().to_owned();
    let mut args = vec!["revoke", access_token.as_str()];
    args.extend(wrong);
    let stderr = token(&server, &args).fails();
    assert!(stderr.starts_with("error: invalid_client: "), "{stderr}");
    assert_eq!(introspect(&server, &access_token)["active"], true);

    // A scope the client may not request.
    let stderr = token(&server, &["client", "--scope", "admin"]).fails();
    assert!(stderr.starts_with("error: invalid_scope"), "{stderr}");

    // Missing credentials are a usage error (exit status 2), as for any required flag.
    let run = oxydra(
        &["token", "client", "--endpoint", &server.public],
        &[("OAUTH2_CLIENT_ID", CLIENT_ID)],
    );
    assert_eq!(run.status.code(), Some(2), "{run:#?}");
    assert!(run.stderr.contains("--client-secret"), "{run:#?}");
}
