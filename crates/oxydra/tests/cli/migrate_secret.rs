//! `oxydra migrate secret`: every stored key moves to the new system secret in one transaction,
//! or none does.

use oxydra_core::store::KeyStore;
use oxydra_store::{Dsn, OpenOptions, SqlStore};
use oxydra_testkit::{TestBackend, open_store};
use serde_json::Value;

use crate::keys_cli::keys;
use crate::migrate::sqlite_dsn;
use crate::support::{Run, SYSTEM_SECRET, Server, oxydra, postgres_url, server_env};

const NEW_SECRET: &str = "the-new-system-secret-of-32-char";
const OTHER_SECRET: &str = "some-unrelated-secret-32-chars!!";

/// `oxydra migrate secret <dsn>` with exactly these secrets in the environment.
fn migrate_secret(dsn: &str, current: &str, rotated: Option<&str>) -> Run {
    let mut env = vec![("SYSTEM_SECRET", current)];
    env.extend(rotated.map(|r| ("ROTATED_SYSTEM_SECRET", r)));
    oxydra(&["migrate", "secret", dsn], &env)
}

/// The stored ciphertext of every key of `sets`, as the database holds it.
async fn ciphertexts(dsn: &str, sets: &[&str]) -> Vec<String> {
    let dsn = Dsn::parse(dsn).unwrap();
    let store = SqlStore::open(&dsn, &OpenOptions::default())
        .await
        .unwrap()
        .store;
    let mut all = Vec::new();
    for set in sets {
        all.extend(
            store
                .get_set(set)
                .await
                .unwrap()
                .into_iter()
                .map(|k| k.encrypted),
        );
    }
    store.close().await;
    all
}

/// Creates an ES256 pair in `set` on a server whose system secrets are `secrets`; returns the
/// private key as the API answered it.
fn create_keys(dsn: &str, set: &str, secrets: &[(&str, &str)]) -> Value {
    let mut env = vec![("DATABASE_URL", dsn)];
    env.extend_from_slice(secrets);
    let server = Server::start_with(&env);
    let out = keys(&server, &["create", set, "--alg", "ES256", "--kid", "k"]).ok();
    private_key(&out)
}

fn private_key(set_json: &str) -> Value {
    let set: Value = serde_json::from_str(set_json).unwrap();
    set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "private:k")
        .cloned()
        .unwrap_or_else(|| panic!("no private key in {set_json}"))
}

/// Keys made under the old secret are readable with only the new one after the migration.
async fn rotates(dsn: &str) {
    let before_key = create_keys(dsn, "rot", &[]);
    assert!(before_key["d"].is_string(), "{before_key}");
    let before = ciphertexts(dsn, &["rot"]).await;
    assert_eq!(before.len(), 2);

    let out = migrate_secret(dsn, NEW_SECRET, Some(SYSTEM_SECRET)).ok();
    // The two keys of `rot`, and the `hydra.openid.id-token` pairs (RS256, ES256, EdDSA) the
    // server created at start.
    assert!(out.contains("re-encrypted 8 key(s)"), "{out}");
    let after = ciphertexts(dsn, &["rot"]).await;
    assert_eq!(after.len(), 2);
    for (old, new) in before.iter().zip(&after) {
        assert_ne!(old, new, "the stored row changed");
    }

    let server = Server::start_with(&[("DATABASE_URL", dsn), ("SYSTEM_SECRET", NEW_SECRET)]);
    let read = private_key(&keys(&server, &["get", "rot"]).ok());
    assert_eq!(read, before_key, "the private key decrypts unchanged");
    drop(server);
    // The old secret alone no longer opens them: a server refuses to start, because its own
    // ID-token signing keys do not decrypt, and says which secret is missing.
    let mut env: Vec<(&str, String)> = server_env();
    env.retain(|(k, _)| *k != "DATABASE_URL");
    env.push(("DATABASE_URL", dsn.to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stderr = oxydra(&["serve", "all", "--dev"], &env).fails();
    assert!(
        stderr.contains("hydra.openid.id-token") && stderr.contains("ROTATED_SYSTEM_SECRET"),
        "{stderr}"
    );
}

/// One key no given secret opens: the command fails and no row changes, not even the rows
/// that would have decrypted.
async fn refuses_atomically(dsn: &str) {
    create_keys(dsn, "old", &[]);
    create_keys(
        dsn,
        "new",
        &[
            ("SYSTEM_SECRET", NEW_SECRET),
            ("ROTATED_SYSTEM_SECRET", SYSTEM_SECRET),
        ],
    );
    let before = ciphertexts(dsn, &["old", "new"]).await;
    assert_eq!(before.len(), 4);

    let stderr = migrate_secret(dsn, OTHER_SECRET, Some(NEW_SECRET)).fails();
    assert!(
        stderr.contains("does not decrypt") && stderr.contains("ROTATED_SYSTEM_SECRET"),
        "{stderr}"
    );
    assert!(stderr.contains("no key in"), "{stderr}");
    assert!(
        !stderr.contains(NEW_SECRET) && !stderr.contains(OTHER_SECRET),
        "{stderr}"
    );
    assert_eq!(ciphertexts(dsn, &["old", "new"]).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_secret_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let dsn = sqlite_dsn(&dir);
    // Before the schema exists there is nothing to rotate, and the command says why.
    let stderr = migrate_secret(&dsn, NEW_SECRET, Some(SYSTEM_SECRET)).fails();
    assert!(stderr.contains("oxydra migrate sql"), "{stderr}");
    oxydra(&["migrate", "sql", &dsn], &[]).ok();
    rotates(&dsn).await;

    let dir = tempfile::tempdir().unwrap();
    let dsn = sqlite_dsn(&dir);
    oxydra(&["migrate", "sql", &dsn], &[]).ok();
    refuses_atomically(&dsn).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_secret_on_postgres() {
    if postgres_url("migrate_secret_on_postgres").is_none() {
        return;
    }
    // A fresh schema each, so the rotation never touches keys of other tests.
    for scenario in [0, 1] {
        let store = open_store(TestBackend::Postgres).await.unwrap();
        let schema = store.schema().unwrap().to_owned();
        let mut url = url::Url::parse(&std::env::var("TEST_DATABASE_URL").unwrap()).unwrap();
        url.query_pairs_mut()
            .append_pair("options", &format!("-c search_path={schema}"));
        match scenario {
            0 => rotates(url.as_str()).await,
            _ => refuses_atomically(url.as_str()).await,
        }
        store.cleanup().await;
    }
}

/// Keys written before ciphertexts were bound to their row are rewritten bound, so a
/// ciphertext copied into another row no longer decrypts (run with the unchanged secret).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_secret_binds_rows_written_before_binding() {
    use oxydra_core::jwk::{KeyCipher, KeyRow, StoredKey};
    let dir = tempfile::tempdir().unwrap();
    let dsn = sqlite_dsn(&dir);
    oxydra(&["migrate", "sql", &dsn], &[]).ok();
    let cipher =
        KeyCipher::new(&[oxydra_core::Secret::new(SYSTEM_SECRET.as_bytes().to_vec())]).unwrap();
    let legacy = |kid: &str| StoredKey {
        set: "s".into(),
        kid: kid.into(),
        alg: "HS256".into(),
        key_use: "sig".into(),
        created_at: oxydra_core::Now::from_unix_secs(1_700_000_000),
        encrypted: cipher.encrypt_unbound(kid.as_bytes()).unwrap(),
    };
    let store = SqlStore::open(&Dsn::parse(&dsn).unwrap(), &OpenOptions::default())
        .await
        .unwrap()
        .store;
    store
        .create_keys(&[legacy("a"), legacy("b")])
        .await
        .unwrap();
    store.close().await;

    let out = migrate_secret(&dsn, SYSTEM_SECRET, None).ok();
    assert!(out.contains("re-encrypted 2 key(s)"), "{out}");
    let store = SqlStore::open(&Dsn::parse(&dsn).unwrap(), &OpenOptions::default())
        .await
        .unwrap()
        .store;
    let (a, b) = (KeyRow { set: "s", kid: "a" }, KeyRow { set: "s", kid: "b" });
    let stored_a = store.get_key("s", "a").await.unwrap().unwrap().encrypted;
    let stored_b = store.get_key("s", "b").await.unwrap().unwrap().encrypted;
    store.close().await;
    assert_eq!(cipher.decrypt(&stored_a, a).unwrap(), b"a");
    assert_eq!(cipher.decrypt(&stored_b, b).unwrap(), b"b");
    assert!(
        cipher.decrypt(&stored_a, b).is_err(),
        "a's ciphertext does not open in b's row"
    );
    assert!(cipher.decrypt(&stored_b, a).is_err());
}

#[test]
fn migrate_secret_needs_a_usable_secret_and_database() {
    let stderr = oxydra(
        &["migrate", "secret", "memory"],
        &[("SYSTEM_SECRET", NEW_SECRET)],
    )
    .fails();
    assert!(stderr.contains("in-memory"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let dsn = sqlite_dsn(&dir);
    let stderr = oxydra(&["migrate", "secret", &dsn], &[]).fails();
    assert!(stderr.contains("SYSTEM_SECRET"), "{stderr}");
    let stderr = migrate_secret(&dsn, NEW_SECRET, Some("short")).fails();
    assert!(stderr.contains("ROTATED_SYSTEM_SECRET"), "{stderr}");
    let run = oxydra(&["migrate", "secret"], &[]);
    assert_eq!(run.status.code(), Some(2), "{run:#?}");
}
