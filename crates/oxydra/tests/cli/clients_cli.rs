//! `oxydra clients …` against a running server, in human and JSON output.

use serde_json::Value;

use crate::support::{Server, assert_client_fields, clients, oxydra};

/// The value after `prefix` on the line that starts with it.
fn line_value<'a>(out: &'a str, prefix: &str) -> Option<&'a str> {
    out.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(str::trim)
}

#[test]
fn create_get_list_update_delete_in_human_format() {
    let server = Server::start();
    let out = clients(
        &server,
        &[
            "create",
            "--id",
            "cli-human",
            "-n",
            "CLI app",
            "-c",
            "https://app.example/cb",
            "-g",
            "authorization_code,refresh_token",
            "-r",
            "code",
            "-a",
            "openid,offline",
            "--owner",
            "team",
            "--contacts",
            "a@example.com,b@example.com",
            "--id-token-signed-response-alg",
            "ES256",
        ],
    )
    .ok();
    assert_eq!(
        line_value(&out, "OAuth 2.0 Client ID:"),
        Some("cli-human"),
        "{out}"
    );
    let secret = line_value(&out, "OAuth 2.0 Client Secret:").expect("secret line");
    assert_eq!(secret.len(), 32, "{out}");

    let out = clients(&server, &["get", "cli-human"]).ok();
    let client: Value = serde_json::from_str(&out).unwrap();
    assert!(out.lines().count() > 1, "human `get` pretty-prints:\n{out}");
    assert_client_fields(&client, false);
    assert!(!out.contains(secret));
    assert_eq!(client["client_name"], "CLI app");
    assert_eq!(
        client["redirect_uris"],
        serde_json::json!(["https://app.example/cb"])
    );
    assert_eq!(
        client["grant_types"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(client["scope"], "openid offline");
    assert_eq!(client["owner"], "team");
    assert_eq!(
        client["contacts"],
        serde_json::json!(["a@example.com", "b@example.com"])
    );
    assert_eq!(client["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(client["id_token_signed_response_alg"], "ES256");

    let out = clients(&server, &["list"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("CLIENT ID"), "{out}");
    for column in ["NAME", "GRANT TYPES", "AUTH METHOD"] {
        assert!(lines[0].contains(column), "{out}");
    }
    let row = lines
        .iter()
        .find(|l| l.starts_with("cli-human"))
        .expect("row");
    for cell in [
        "CLI app",
        "authorization_code,refresh_token",
        "client_secret_basic",
    ] {
        assert!(row.contains(cell), "{row}");
    }
    assert!(!out.contains(secret));

    // PUT semantics: fields not given are reset, the secret is kept and not echoed.
    let out = clients(
        &server,
        &[
            "update",
            "cli-human",
            "-n",
            "Renamed",
            "-c",
            "https://app.example/cb2",
        ],
    )
    .ok();
    assert_eq!(
        line_value(&out, "OAuth 2.0 Client ID:"),
        Some("cli-human"),
        "{out}"
    );
    assert_eq!(line_value(&out, "OAuth 2.0 Client Secret:"), None, "{out}");
    let client: Value =
        serde_json::from_str(&clients(&server, &["get", "cli-human"]).ok()).unwrap();
    assert_eq!(client["client_name"], "Renamed");
    assert_eq!(
        client["redirect_uris"],
        serde_json::json!(["https://app.example/cb2"])
    );
    assert_eq!(
        client["grant_types"],
        serde_json::json!(["authorization_code"])
    );
    assert_eq!(client["owner"], "");

    let out = clients(&server, &["delete", "cli-human"]).ok();
    assert_eq!(out.trim(), "OAuth 2.0 Client deleted: cli-human");
    let stderr = clients(&server, &["get", "cli-human"]).fails();
    assert!(stderr.starts_with("error: "), "{stderr}");
    let stderr = clients(&server, &["delete", "cli-human"]).fails();
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn create_get_list_update_delete_in_json_format() {
    let server = Server::start();
    let out = clients(
        &server,
        &[
            "--format",
            "json",
            "create",
            "--id",
            "cli-json",
            "--secret",
            "a-chosen-secret",
        ],
    )
    .ok();
    let created: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        out.trim().lines().count(),
        1,
        "json output is one line:\n{out}"
    );
    assert_client_fields(&created, true);
    assert_eq!(created["client_id"], "cli-json");
    assert_eq!(created["client_secret"], "a-chosen-secret");

    // The global flags also work after the subcommand.
    let out = clients(&server, &["get", "cli-json", "--format", "json"]).ok();
    let fetched: Value = serde_json::from_str(&out).unwrap();
    assert_client_fields(&fetched, false);

    let out = clients(&server, &["list", "--format", "json"]).ok();
    let list: Value = serde_json::from_str(&out).unwrap();
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 1);
    assert_client_fields(&list[0], false);

    let out = clients(
        &server,
        &[
            "update",
            "cli-json",
            "--format",
            "json",
            "--secret",
            "another-secret",
            "-n",
            "J",
        ],
    )
    .ok();
    let updated: Value = serde_json::from_str(&out).unwrap();
    assert_client_fields(&updated, true);
    assert_eq!(updated["client_secret"], "another-secret");
    assert_eq!(updated["client_name"], "J");

    let out = clients(&server, &["delete", "cli-json", "--format", "json"]).ok();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        serde_json::json!(["cli-json"])
    );
}

#[test]
fn public_clients_get_no_secret() {
    let server = Server::start();
    let out = clients(
        &server,
        &[
            "create",
            "--token-endpoint-auth-method",
            "none",
            "-c",
            "https://spa.example/cb",
        ],
    )
    .ok();
    let id = line_value(&out, "OAuth 2.0 Client ID:").expect("id line");
    assert!(!id.is_empty());
    assert_eq!(line_value(&out, "OAuth 2.0 Client Secret:"), None, "{out}");
}

#[test]
fn list_pages_with_limit_and_offset() {
    let server = Server::start();
    for id in ["page-a", "page-b", "page-c"] {
        clients(&server, &["create", "--id", id]).ok();
    }
    let run = clients(&server, &["list", "--limit", "2"]);
    assert!(run.stderr.contains("--offset 2"), "{run:#?}");
    let out = run.ok();
    assert!(
        out.contains("page-a") && out.contains("page-b") && !out.contains("page-c"),
        "{out}"
    );
    let run = clients(&server, &["list", "--limit", "2", "--offset", "2"]);
    assert!(!run.stderr.contains("more clients"), "{run:#?}");
    let out = run.ok();
    assert!(out.contains("page-c") && !out.contains("page-a"), "{out}");
}

#[test]
fn import_registers_each_file() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let confidential = dir.path().join("confidential.json");
    std::fs::write(
        &confidential,
        r#"{"client_id":"imported-a","client_name":"A","client_secret":"imported-secret",
            "redirect_uris":["https://a.example/cb"],"grant_types":["authorization_code","refresh_token"],
            "response_types":["code"],"scope":"openid offline"}"#,
    )
    .unwrap();
    let public = dir.path().join("public.json");
    std::fs::write(
        &public,
        r#"{"client_id":"imported-b","token_endpoint_auth_method":"none","redirect_uris":null}"#,
    )
    .unwrap();
    let (a, b) = (confidential.to_str().unwrap(), public.to_str().unwrap());

    let out = clients(&server, &["import", a, b]).ok();
    assert!(
        out.contains(&format!("Imported OAuth 2.0 Client from {a}")),
        "{out}"
    );
    assert!(out.contains("OAuth 2.0 Client ID: imported-a"), "{out}");
    assert!(
        out.contains("OAuth 2.0 Client Secret: imported-secret"),
        "{out}"
    );
    assert!(out.contains("OAuth 2.0 Client ID: imported-b"), "{out}");
    let fetched: Value =
        serde_json::from_str(&clients(&server, &["get", "imported-a"]).ok()).unwrap();
    assert_eq!(
        fetched["grant_types"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    let fetched: Value =
        serde_json::from_str(&clients(&server, &["get", "imported-b"]).ok()).unwrap();
    assert_eq!(fetched["token_endpoint_auth_method"], "none");

    // Importing again conflicts; a broken file names itself.
    let stderr = clients(&server, &["import", a]).fails();
    assert!(stderr.starts_with("error: "), "{stderr}");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{not json").unwrap();
    let stderr = clients(&server, &["import", broken.to_str().unwrap()]).fails();
    assert!(stderr.contains("broken.json"), "{stderr}");
}

#[test]
fn import_json_format_prints_the_created_clients() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.json");
    std::fs::write(&file, r#"{"client_id":"imported-json"}"#).unwrap();
    let out = clients(
        &server,
        &["--format", "json", "import", file.to_str().unwrap()],
    )
    .ok();
    let created: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(created[0]["client_id"], "imported-json");
    assert_client_fields(&created[0], true);
}

#[test]
fn api_errors_print_error_description_and_hint() {
    let server = Server::start();
    let stderr = clients(&server, &["create", "-g", "password"]).fails();
    let line = stderr.lines().next().unwrap_or_default();
    assert!(line.starts_with("error: invalid_request: "), "{stderr}");
    assert!(line.ends_with(')') && line.contains("grant"), "{stderr}");
}

#[test]
fn delete_several_reports_each_failure() {
    let server = Server::start();
    for id in ["del-a", "del-b"] {
        clients(&server, &["create", "--id", id]).ok();
    }
    let run = clients(&server, &["delete", "del-a", "del-missing", "del-b"]);
    assert_eq!(run.status.code(), Some(1), "{run:#?}");
    assert!(
        run.stdout.contains("OAuth 2.0 Client deleted: del-a"),
        "{run:#?}"
    );
    assert!(
        run.stdout.contains("OAuth 2.0 Client deleted: del-b"),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("1 of 3") && run.stderr.contains("del-missing"),
        "{run:#?}"
    );
    let out = clients(&server, &["list", "--format", "json"]).ok();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn the_endpoint_comes_from_the_environment() {
    let server = Server::start();
    let admin = server.admin.as_str();
    oxydra(&["clients", "list"], &[("HYDRA_ADMIN_URL", admin)]).ok();
    oxydra(&["clients", "list"], &[("OXYDRA_ADMIN_URL", admin)]).ok();
    let stderr = oxydra(&["clients", "list"], &[]).fails();
    assert!(
        stderr.starts_with("error:") && stderr.contains("HYDRA_ADMIN_URL"),
        "{stderr}"
    );
}

#[test]
fn unreachable_endpoints_fail_cleanly() {
    // A port the OS just handed out and we closed again: connecting is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let endpoint = format!("http://{closed}");
    let stderr = oxydra(&["clients", "--endpoint", &endpoint, "list"], &[]).fails();
    assert!(stderr.starts_with("error: request failed"), "{stderr}");
    let stderr = oxydra(&["clients", "--endpoint", "not a url", "list"], &[]).fails();
    assert!(stderr.starts_with("error: invalid endpoint"), "{stderr}");
}

#[test]
fn fake_tls_termination_and_skip_tls_verify_are_accepted() {
    let server = Server::start();
    clients(
        &server,
        &["--fake-tls-termination", "--skip-tls-verify", "list"],
    )
    .ok();
}
