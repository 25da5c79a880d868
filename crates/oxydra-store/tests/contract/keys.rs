//! `KeyStore`: JWK sets stored encrypted.

use oxydra_core::Secret;
use oxydra_core::jwk::{
    GenerateOptions, JwkAlgorithm, KeyCipher, KeyRow, StoredKey, generate_with,
};
use oxydra_core::model::Now;
use oxydra_core::service::keys::reencrypt_all;
use oxydra_core::store::{KeyStore, RewriteError, StoreError};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

fn key(set: &str, kid: &str, at: i64, encrypted: &str) -> StoredKey {
    StoredKey {
        set: set.into(),
        kid: kid.into(),
        alg: "ES256".into(),
        key_use: "sig".into(),
        created_at: Now::from_unix_micros(at),
        encrypted: encrypted.into(),
    }
}

/// Every `encrypted` column of `oxydra_jwk`, read raw.
async fn raw_rows(store: &SqlStore) -> Vec<String> {
    let sql = "SELECT encrypted FROM oxydra_jwk ORDER BY kid";
    if let Some(pool) = store.sqlite_pool() {
        sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
    } else if let Some(pool) = store.mysql_pool() {
        // The column's binary collation makes sqlx see bytes; they are UTF-8 text.
        let raw: Vec<Vec<u8>> = sqlx::query_scalar(sql).fetch_all(pool).await.unwrap();
        raw.into_iter()
            .map(|b| String::from_utf8(b).unwrap())
            .collect()
    } else {
        sqlx::query_scalar(sql)
            .fetch_all(store.postgres_pool().unwrap())
            .await
            .unwrap()
    }
}

store_test! {
    async fn create_get_and_conflict(store: SqlStore) {
        store.create_keys(&[key("s", "b", 2, "B"), key("s", "a", 1, "A")]).await.unwrap();
        store.create_keys(&[key("other", "a", 1, "O")]).await.unwrap();
        let set = store.get_set("s").await.unwrap();
        assert_eq!(set, vec![key("s", "a", 1, "A"), key("s", "b", 2, "B")]);
        assert_eq!(store.get_key("s", "b").await.unwrap(), Some(key("s", "b", 2, "B")));
        assert_eq!(store.get_key("s", "zz").await.unwrap(), None);
        assert!(store.get_set("missing").await.unwrap().is_empty());
        // A duplicate kid fails the whole batch.
        let err = store
            .create_keys(&[key("s", "c", 3, "C"), key("s", "a", 3, "X")])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert_eq!(store.get_set("s").await.unwrap().len(), 2);
    }

    async fn a_set_is_created_once_by_concurrent_starters(store: SqlStore) {
        let mut attempts = tokio::task::JoinSet::new();
        for i in 0..8 {
            let store = store.clone();
            attempts.spawn(async move {
                let keys = [key("boot", &format!("private:{i}"), i, "P"), key("boot", &format!("public:{i}"), i, "Q")];
                store.create_set_if_empty("boot", &keys).await.unwrap()
            });
        }
        let won = attempts.join_all().await;
        assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
        let set = store.get_set("boot").await.unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set[0].kid.split(':').nth(1), set[1].kid.split(':').nth(1));
        // Still nothing inserted once the set exists, and an emptied set can be created again.
        assert!(!store.create_set_if_empty("boot", &[key("boot", "x", 9, "X")]).await.unwrap());
        assert!(store.create_set_if_empty("boot", &[key("other", "x", 9, "X")]).await.is_err());
        store.delete_set("boot").await.unwrap();
        assert!(store.create_set_if_empty("boot", &[key("boot", "x", 9, "X")]).await.unwrap());
    }

    async fn a_set_is_extended_once_by_concurrent_starters(store: SqlStore) {
        store.create_keys(&[key("boot", "rsa", 1, "R")]).await.unwrap();
        let mut attempts = tokio::task::JoinSet::new();
        for i in 0..8 {
            let store = store.clone();
            attempts.spawn(async move {
                let mine = key("boot", &format!("ec:{i}"), 2, "E");
                store
                    .extend_set("boot", move |held: &[StoredKey]| {
                        // Add an "ES256" key only when none is there yet.
                        let missing = !held.iter().any(|k| k.kid.starts_with("ec:"));
                        Ok::<_, ()>(if missing { vec![mine] } else { Vec::new() })
                    })
                    .await
                    .unwrap()
            });
        }
        let added = attempts.join_all().await;
        assert_eq!(added.iter().sum::<usize>(), 1, "{added:?}");
        assert_eq!(store.get_set("boot").await.unwrap().len(), 2);
        // A refusal or a key of another set inserts nothing.
        let refused = store.extend_set("boot", |_: &[StoredKey]| Err::<Vec<StoredKey>, _>("no")).await;
        assert!(matches!(refused, Err(RewriteError::Rejected("no"))));
        let foreign = store
            .extend_set("boot", |_: &[StoredKey]| Ok::<_, ()>(vec![key("x", "y", 3, "Y"), key("boot", "z", 3, "Z")]))
            .await;
        assert!(matches!(foreign, Err(RewriteError::Store(_))));
        assert_eq!(store.get_set("boot").await.unwrap().len(), 2);
        // An empty set is extended too.
        let n = store
            .extend_set("fresh", |held: &[StoredKey]| Ok::<_, ()>(if held.is_empty() { vec![key("fresh", "a", 1, "A")] } else { Vec::new() }))
            .await
            .unwrap();
        assert_eq!(n, 1);
    }

    async fn replace_and_delete(store: SqlStore) {
        store.create_keys(&[key("s", "a", 1, "A"), key("s", "b", 2, "B")]).await.unwrap();
        store.replace_set("s", &[key("s", "c", 3, "C")]).await.unwrap();
        assert_eq!(store.get_set("s").await.unwrap(), vec![key("s", "c", 3, "C")]);
        assert!(store.replace_set("s", &[key("t", "x", 1, "X")]).await.is_err());
        store.replace_key(&key("s", "c", 4, "C2")).await.unwrap();
        store.replace_key(&key("s", "d", 5, "D")).await.unwrap();
        assert_eq!(store.get_key("s", "c").await.unwrap(), Some(key("s", "c", 4, "C2")));
        assert!(store.delete_key("s", "c").await.unwrap());
        assert!(!store.delete_key("s", "c").await.unwrap());
        assert!(store.delete_set("s").await.unwrap());
        assert!(!store.delete_set("s").await.unwrap());
        assert!(store.get_set("s").await.unwrap().is_empty());
    }

    async fn no_private_parameter_is_stored_in_clear(store: SqlStore) {
        let cipher = KeyCipher::new(&[Secret::new(b"a-system-secret-of-32-bytes-long".to_vec())]).unwrap();
        let opts = GenerateOptions { rsa_bits: 2048 };
        let mut stored = Vec::new();
        let mut privates = Vec::new();
        for (i, alg) in [JwkAlgorithm::Rs256, JwkAlgorithm::Es256, JwkAlgorithm::Hs256].into_iter().enumerate() {
            for jwk in generate_with(alg, &format!("k{i}"), "sig", opts).unwrap() {
                for secret in [&jwk.d, &jwk.p, &jwk.q, &jwk.k].into_iter().flatten() {
                    privates.push(secret.clone());
                }
                let json = serde_json::to_vec(&jwk).unwrap();
                stored.push(StoredKey {
                    set: "s".into(),
                    kid: jwk.kid.clone(),
                    alg: jwk.alg.clone(),
                    key_use: jwk.key_use.clone(),
                    created_at: Now::from_unix_micros(1),
                    encrypted: cipher.encrypt(&json, KeyRow { set: "s", kid: &jwk.kid }).unwrap(),
                });
            }
        }
        store.create_keys(&stored).await.unwrap();
        let rows = raw_rows(&store).await;
        assert_eq!(rows.len(), 5);
        assert!(!privates.is_empty());
        for row in &rows {
            assert!(!row.contains("\"d\"") && !row.contains("\"k\""), "{row}");
            for secret in &privates {
                assert!(!row.contains(secret.as_str()));
            }
        }
        for key in store.get_set("s").await.unwrap() {
            let plain = cipher.decrypt(&key.encrypted, key.row()).unwrap();
            assert!(serde_json::from_slice::<serde_json::Value>(&plain).is_ok());
        }
    }

    async fn rewrite_all_keys_changes_every_row_or_none(store: SqlStore) {
        store
            .create_keys(&[key("s", "a", 1, "A"), key("s", "b", 2, "B"), key("t", "a", 3, "C")])
            .await
            .unwrap();
        // The callback refuses the second key: the first one's rewrite is rolled back too.
        let mut seen = Vec::new();
        let err = store
            .rewrite_all_keys(|k| {
                seen.push(format!("{}/{}", k.set, k.kid));
                if seen.len() == 2 { Err("refused") } else { Ok(format!("new-{}", k.encrypted)) }
            })
            .await
            .unwrap_err();
        assert!(matches!(err, RewriteError::Rejected("refused")), "{err:?}");
        assert_eq!(seen, ["s/a", "s/b"]);
        assert_eq!(raw_rows(&store).await, ["A", "C", "B"]);

        let count = store
            .rewrite_all_keys(|k| Ok::<_, ()>(format!("new-{}", k.encrypted)))
            .await
            .unwrap();
        assert_eq!(count, 3);
        assert_eq!(store.get_key("t", "a").await.unwrap(), Some(key("t", "a", 3, "new-C")));
        assert_eq!(store.get_set("s").await.unwrap(), vec![key("s", "a", 1, "new-A"), key("s", "b", 2, "new-B")]);
        assert_eq!(store.rewrite_all_keys(|_| Ok::<_, ()>(String::new())).await.unwrap(), 3);

        store.delete_set("s").await.unwrap();
        store.delete_set("t").await.unwrap();
        assert_eq!(store.rewrite_all_keys(|_| Err(())).await.unwrap(), 0, "no keys, no calls");
    }

    async fn reencrypt_all_moves_keys_to_the_new_secret(store: SqlStore) {
        let secret = |s: &str| Secret::new(s.as_bytes().to_vec());
        let old = KeyCipher::new(&[secret("the-old-system-secret")]).unwrap();
        let rotating = KeyCipher::new(&[secret("the-new-system-secret"), secret("the-old-system-secret")]).unwrap();
        let new_only = KeyCipher::new(&[secret("the-new-system-secret")]).unwrap();
        let (row_a, row_b) = (KeyRow { set: "s", kid: "a" }, KeyRow { set: "s", kid: "b" });
        store
            .create_keys(&[
                // Written before ciphertexts were bound to their row.
                key("s", "a", 1, &old.encrypt_unbound(b"{\"kid\":\"a\"}").unwrap()),
                key("s", "b", 2, &rotating.encrypt(b"{\"kid\":\"b\"}", row_b).unwrap()),
            ])
            .await
            .unwrap();
        let before = raw_rows(&store).await;
        // The unbound form is what made a row swap possible: it opens in any row.
        assert!(old.decrypt(&before[0], row_b).is_ok());

        // A cipher without the old secret cannot open key a: nothing changes.
        let err = reencrypt_all(&store, &new_only).await.unwrap_err();
        assert!(err.to_string().contains("\"a\""), "{err}");
        assert_eq!(raw_rows(&store).await, before);

        assert_eq!(reencrypt_all(&store, &rotating).await.unwrap(), 2);
        let after = raw_rows(&store).await;
        assert_ne!(after[0], before[0]);
        assert_eq!(new_only.decrypt(&after[0], row_a).unwrap(), b"{\"kid\":\"a\"}");
        assert_eq!(new_only.decrypt(&after[1], row_b).unwrap(), b"{\"kid\":\"b\"}");
        assert!(old.decrypt(&after[0], row_a).is_err(), "the old secret no longer opens it");
        // Rewritten rows are bound: copied into the other row, neither decrypts.
        assert!(new_only.decrypt(&after[0], row_b).is_err());
        assert!(new_only.decrypt(&after[1], row_a).is_err());
    }
}
