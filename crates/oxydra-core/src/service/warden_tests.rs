use std::time::Duration;

use serde_json::json;

use super::*;
use crate::client::Client;
use crate::jwk::StoredKey;
use crate::oauth2::grant::tests_support::client;
use crate::policy::{Policy, PolicyInput};
use crate::store::{RewriteError, SecretChange, StoreError};

/// An in-memory store with clients, keys and policies; the ports the warden does not use fail.
#[derive(Default)]
struct Fake {
    clients: Vec<Client>,
    keys: Vec<StoredKey>,
    policies: Vec<Policy>,
}

fn unused<T>() -> Result<T, StoreError> {
    Err(StoreError::Corrupt("not used by the warden".into()))
}

impl ClientStore for Fake {
    async fn create_client(&self, _: &Client) -> Result<(), StoreError> {
        unused()
    }
    async fn get_client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        Ok(self.clients.iter().find(|c| &c.id == id).cloned())
    }
    async fn list_clients(&self, _: u32, _: u32) -> Result<Vec<Client>, StoreError> {
        unused()
    }
    async fn list_clients_after(
        &self,
        _: &str,
        _: &crate::store::ClientFilter,
        _: u32,
    ) -> Result<Vec<Client>, StoreError> {
        unused()
    }
    async fn update_client(
        &self,
        _: &Client,
        _: SecretChange,
    ) -> Result<Option<String>, StoreError> {
        unused()
    }
    async fn delete_client(&self, _: &ClientId) -> Result<bool, StoreError> {
        unused()
    }
}

impl KeyStore for Fake {
    async fn create_keys(&self, _: &[StoredKey]) -> Result<(), StoreError> {
        unused()
    }
    async fn create_set_if_empty(&self, _: &str, _: &[StoredKey]) -> Result<bool, StoreError> {
        unused()
    }
    async fn extend_set<F, E>(&self, _: &str, _: F) -> Result<usize, RewriteError<E>>
    where
        F: FnOnce(&[StoredKey]) -> Result<Vec<StoredKey>, E> + Send,
        E: Send,
    {
        unused().map_err(RewriteError::Store)
    }
    async fn get_set(&self, set: &str) -> Result<Vec<StoredKey>, StoreError> {
        Ok(self.keys.iter().filter(|k| k.set == set).cloned().collect())
    }
    async fn get_key(&self, _: &str, _: &str) -> Result<Option<StoredKey>, StoreError> {
        unused()
    }
    async fn replace_set(&self, _: &str, _: &[StoredKey]) -> Result<(), StoreError> {
        unused()
    }
    async fn replace_key(&self, _: &StoredKey) -> Result<(), StoreError> {
        unused()
    }
    async fn delete_set(&self, _: &str) -> Result<bool, StoreError> {
        unused()
    }
    async fn delete_key(&self, _: &str, _: &str) -> Result<bool, StoreError> {
        unused()
    }
    async fn rewrite_all_keys<F, E>(&self, _: F) -> Result<u64, RewriteError<E>>
    where
        F: FnMut(&StoredKey) -> Result<String, E> + Send,
        E: Send,
    {
        unused().map_err(RewriteError::Store)
    }
}

impl PolicyStore for Fake {
    async fn create_policy(&self, _: &Policy) -> Result<(), StoreError> {
        unused()
    }
    async fn get_policy(&self, _: &str) -> Result<Option<Policy>, StoreError> {
        unused()
    }
    async fn list_policies(&self, _: u32, _: u32) -> Result<Vec<Policy>, StoreError> {
        unused()
    }
    async fn update_policy(&self, _: &Policy) -> Result<(), StoreError> {
        unused()
    }
    async fn delete_policy(&self, _: &str) -> Result<bool, StoreError> {
        unused()
    }
    async fn policy_revision(&self) -> Result<i64, StoreError> {
        Ok(1)
    }
    async fn load_policies(&self) -> Result<(i64, Vec<Policy>), StoreError> {
        Ok((1, self.policies.clone()))
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn key(set: &str, kid: &str) -> StoredKey {
    StoredKey {
        set: set.into(),
        kid: kid.into(),
        alg: String::new(),
        key_use: String::new(),
        created_at: Now::from_unix_secs(0),
        encrypted: String::new(),
    }
}

fn store() -> Fake {
    let mut app = client("app", "");
    app.owner = "alice".into();
    let only_alice = PolicyInput {
        id: "alice-clients".into(),
        effect: "allow".into(),
        subjects: vec!["admin".into()],
        actions: vec!["<.*>".into()],
        resources: vec!["rn:hydra:<.*>".into()],
        conditions: vec![(
            "owner".into(),
            "StringEqualCondition".into(),
            json!({"equals": "alice"}),
        )],
        ..PolicyInput::default()
    };
    Fake {
        clients: vec![app],
        keys: vec![key("s", "a"), key("s", "b"), key("other", "c")],
        policies: vec![only_alice.validate().unwrap()],
    }
}

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn guarded<'a>(
    resource: &'a str,
    context: Context,
    params: &'a [(String, String)],
    body: &'a [u8],
) -> Guarded<'a> {
    Guarded {
        subject: "admin",
        action: "update",
        resource,
        context,
        prefix: "rn:hydra",
        params,
        body,
    }
}

fn owners(targets: &[Target]) -> Vec<(&str, Option<&Value>)> {
    targets
        .iter()
        .map(|(name, context)| (name.as_str(), context.get("owner")))
        .collect()
}

#[test]
fn resource_names_follow_hydra() {
    let lookup = |name: &str| match name {
        "set" => Some("hydra.openid.id-token".to_owned()),
        "kid" => Some("public:a".to_owned()),
        _ => None,
    };
    assert_eq!(
        resource_name("rn:hydra", "keys:{set}:{kid}", lookup).as_deref(),
        Some("rn:hydra:keys:hydra.openid.id-token:public:a")
    );
    assert_eq!(
        resource_name("rn:acme:", "clients", lookup).as_deref(),
        Some("rn:acme:clients")
    );
    assert_eq!(resource_name("rn:hydra", "clients:{id}", lookup), None);
}

#[test]
fn client_routes_carry_the_stored_and_the_new_owner() {
    block(async {
        let store = store();
        let id = params(&[("id", "app")]);
        let body = br#"{"owner":"bob"}"#;
        let stored = guarded("clients:{id}", Context::StoredClientOwner, &id, b"");
        let t = targets(&store, &stored).await.unwrap();
        assert_eq!(
            owners(&t),
            [("rn:hydra:clients:app", Some(&json!("alice")))]
        );

        let both = guarded("clients", Context::StoredAndNewClientOwner, &id, body);
        let t = targets(&store, &both).await.unwrap();
        assert_eq!(
            owners(&t),
            [
                ("rn:hydra:clients", Some(&json!("alice"))),
                ("rn:hydra:clients", Some(&json!("bob")))
            ]
        );

        let missing = params(&[("id", "nobody")]);
        let unknown = guarded("clients:{id}", Context::StoredClientOwner, &missing, b"");
        let t = targets(&store, &unknown).await.unwrap();
        assert_eq!(owners(&t), [("rn:hydra:clients:nobody", None)]);

        let new = guarded("clients", Context::NewClientOwner, &[], b"not json");
        let t = targets(&store, &new).await.unwrap();
        assert_eq!(owners(&t), [("rn:hydra:clients", Some(&json!("")))]);
    });
}

#[test]
fn a_key_set_is_checked_key_by_key() {
    block(async {
        let store = store();
        let set = params(&[("set", "s")]);
        let each = guarded("keys:{set}:{kid}", Context::EachKeyOfSet, &set, b"");
        let t = targets(&store, &each).await.unwrap();
        assert_eq!(
            owners(&t),
            [("rn:hydra:keys:s:a", None), ("rn:hydra:keys:s:b", None)]
        );

        let empty = params(&[("set", "none")]);
        let each = guarded("keys:{set}:{kid}", Context::EachKeyOfSet, &empty, b"");
        let t = targets(&store, &each).await.unwrap();
        assert_eq!(owners(&t), [("rn:hydra:keys:none", None)]);

        let lacking = guarded("policies:{id}", Context::Empty, &[], b"");
        assert!(targets(&store, &lacking).await.is_err());
    });
}

#[test]
fn every_target_must_be_allowed() {
    block(async {
        let store = store();
        let cache = PolicyCache::new(Duration::from_secs(60));
        let now = Now::from_unix_secs(1);
        let id = params(&[("id", "app")]);
        let to_alice = guarded(
            "clients",
            Context::StoredAndNewClientOwner,
            &id,
            br#"{"owner":"alice"}"#,
        );
        assert!(decide(&store, &cache, now, &to_alice).await.is_ok());

        let to_bob = guarded(
            "clients",
            Context::StoredAndNewClientOwner,
            &id,
            br#"{"owner":"bob"}"#,
        );
        match decide(&store, &cache, now, &to_bob).await {
            Err(Refused::Denied { resource, .. }) => {
                assert_eq!(resource.as_deref(), Some("rn:hydra:clients"));
            }
            other => panic!("expected a denial, got {other:?}"),
        }

        let lacking = guarded("clients:{id}", Context::Empty, &[], b"");
        assert!(matches!(
            decide(&store, &cache, now, &lacking).await,
            Err(Refused::Unresolved(_))
        ));
    });
}
