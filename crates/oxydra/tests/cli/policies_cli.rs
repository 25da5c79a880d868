//! `oxydra policies …` and admin authentication against a server started with
//! `ADMIN_ACCESS_CONTROL=policies` and a root client.

use serde_json::Value;

use crate::support::{Server, oxydra};

const ROOT_SECRET: &str = "root-secret-of-the-cli-test";

fn guarded() -> Server {
    Server::start_with(&[
        ("ADMIN_ACCESS_CONTROL", "policies"),
        (
            "FORCE_ROOT_CLIENT_CREDENTIALS",
            &format!("root:{ROOT_SECRET}"),
        ),
    ])
}

/// `oxydra <group> --endpoint <admin> --format json <args>` authenticating as the root client
/// through the environment.
fn as_root(server: &Server, group: &str, args: &[&str]) -> crate::support::Run {
    let mut full = vec![
        group,
        "--endpoint",
        server.admin.as_str(),
        "--format",
        "json",
    ];
    full.extend(args);
    oxydra(
        &full,
        &[
            ("OXYDRA_ADMIN_CLIENT_ID", "root"),
            ("OXYDRA_ADMIN_CLIENT_SECRET", ROOT_SECRET),
            ("HYDRA_URL", server.public.as_str()),
        ],
    )
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap()
}

#[test]
fn policies_crud_through_a_guarded_admin_api() {
    let server = guarded();
    // Without credentials the guard answers 401.
    let err = oxydra(
        &["policies", "--endpoint", server.admin.as_str(), "list"],
        &[],
    )
    .fails();
    assert!(err.contains("request_unauthorized"), "{err}");

    let list = json(&as_root(&server, "policies", &["list"]).ok());
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the root client's policy: {list}"
    );
    assert_eq!(list[0]["id"], "root-client:root");

    let made = json(
        &as_root(
            &server,
            "policies",
            &[
                "create",
                "-i",
                "readers",
                "-d",
                "read clients",
                "-s",
                "svc-<[0-9]+>",
                "-r",
                "rn:hydra:clients:<.*>",
                "-a",
                "get",
                "--allow",
            ],
        )
        .ok(),
    );
    assert_eq!(made["effect"], "allow");
    assert_eq!(made["subjects"], serde_json::json!(["svc-<[0-9]+>"]));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.json");
    std::fs::write(
        &file,
        r#"{"id": "owners", "effect": "allow", "subjects": ["<.*>"],
        "resources": ["rn:hydra:clients:<.*>"], "actions": ["delete"],
        "conditions": {"owner": {"type": "EqualsSubjectCondition"}}}"#,
    )
    .unwrap();
    let created = json(
        &as_root(
            &server,
            "policies",
            &["create", "-f", file.to_str().unwrap()],
        )
        .ok(),
    );
    assert_eq!(
        created[0]["conditions"]["owner"]["type"],
        "EqualsSubjectCondition"
    );
    std::fs::write(
        &file,
        r#"{"id": "bad", "effect": "allow", "conditions": {"k": {"type": "Nope"}}}"#,
    )
    .unwrap();
    let err = as_root(
        &server,
        "policies",
        &["create", "-f", file.to_str().unwrap()],
    )
    .fails();
    assert!(err.contains("invalid_request"), "{err}");

    let got = json(&as_root(&server, "policies", &["get", "readers"]).ok());
    assert_eq!(got["description"], "read clients");
    let ids: Vec<String> = json(&as_root(&server, "policies", &["list", "--limit", "2"]).ok())
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["owners", "readers"]);
    as_root(&server, "policies", &["delete", "readers", "owners"]).ok();
    as_root(&server, "policies", &["get", "readers"]).fails();

    // The other admin commands authenticate the same way, each asking for its own scope.
    as_root(
        &server,
        "clients",
        &[
            "create",
            "--id",
            "app",
            "-g",
            "client_credentials",
            "-a",
            "hydra.policies",
        ],
    )
    .ok();
    assert_eq!(
        json(&as_root(&server, "clients", &["get", "app"]).ok())["client_id"],
        "app"
    );
    as_root(
        &server,
        "keys",
        &["create", "s", "--alg", "HS256", "--kid", "k"],
    )
    .ok();
    oxydra(
        &["token", "flush", "--endpoint", server.admin.as_str()],
        &[
            ("OXYDRA_ADMIN_CLIENT_ID", "root"),
            ("OXYDRA_ADMIN_CLIENT_SECRET", ROOT_SECRET),
            ("HYDRA_URL", server.public.as_str()),
        ],
    )
    .ok();
    assert!(
        !server.stderr().contains(ROOT_SECRET),
        "the root secret is never logged"
    );
}

#[test]
fn an_access_token_can_be_passed_directly() {
    let server = guarded();
    let token = oxydra(
        &[
            "token",
            "client",
            "--endpoint",
            server.public.as_str(),
            "--client-id",
            "root",
            "--client-secret",
            ROOT_SECRET,
            "--scope",
            "hydra.policies,hydra.introspect",
        ],
        &[],
    )
    .ok();
    let token = token.trim();
    let out = oxydra(
        &[
            "policies",
            "--endpoint",
            server.admin.as_str(),
            "--format",
            "json",
            "list",
        ],
        &[("OAUTH2_ACCESS_TOKEN", token)],
    )
    .ok();
    assert_eq!(json(&out).as_array().unwrap().len(), 1);
    let info = oxydra(
        &[
            "token",
            "introspect",
            token,
            "--endpoint",
            server.admin.as_str(),
            "--access-token",
            token,
        ],
        &[],
    )
    .ok();
    assert_eq!(json(&info)["sub"], "root");
    // The token lacks hydra.clients: 403.
    let err = oxydra(
        &[
            "clients",
            "--endpoint",
            server.admin.as_str(),
            "--access-token",
            token,
            "list",
        ],
        &[],
    )
    .fails();
    assert!(err.contains("request_forbidden"), "{err}");
    // A client id without its secret is a usage error, not a request.
    let err = oxydra(
        &[
            "policies",
            "--endpoint",
            server.admin.as_str(),
            "--admin-client-id",
            "root",
            "list",
        ],
        &[],
    )
    .fails();
    assert!(err.contains("--admin-client-secret"), "{err}");
}
