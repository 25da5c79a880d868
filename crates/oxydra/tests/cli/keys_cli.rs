//! `oxydra keys …` against a running server.

use serde_json::Value;

use crate::support::{Server, oxydra};

/// `oxydra keys --endpoint <admin> --format json <args>`.
pub fn keys(server: &Server, args: &[&str]) -> crate::support::Run {
    let mut full = vec![
        "keys",
        "--endpoint",
        server.admin.as_str(),
        "--format",
        "json",
    ];
    full.extend(args);
    oxydra(&full, &[])
}

fn kids(out: &str) -> Vec<String> {
    let set: Value = serde_json::from_str(out).unwrap();
    set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn create_get_import_delete() {
    let server = Server::start();
    let out = keys(&server, &["create", "s", "--alg", "ES256", "--kid", "a"]).ok();
    assert_eq!(kids(&out), ["private:a", "public:a"]);
    assert_eq!(
        kids(&keys(&server, &["get", "s"]).ok()),
        ["private:a", "public:a"]
    );
    assert_eq!(
        kids(&keys(&server, &["get", "s", "public:a"]).ok()),
        ["public:a"]
    );

    let set: Value = serde_json::from_str(&out).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("set.json");
    std::fs::write(&file, set.to_string()).unwrap();
    let imported = keys(&server, &["import", "copy", file.to_str().unwrap()]).ok();
    assert_eq!(kids(&imported), ["private:a", "public:a"]);
    assert_eq!(
        kids(&keys(&server, &["get", "copy"]).ok()),
        ["private:a", "public:a"]
    );

    keys(&server, &["delete", "s", "private:a"]).ok();
    assert_eq!(kids(&keys(&server, &["get", "s"]).ok()), ["public:a"]);
    keys(&server, &["delete", "s"]).ok();
    keys(&server, &["get", "s"]).fails();
    keys(&server, &["create", "s", "--alg", "none"]).fails();
}
