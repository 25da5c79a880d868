//! `ClientStore`: round-trips, conflicts, atomic updates with each `SecretChange`, listing.

use oxydra_core::client::{AuthMethod, GrantType, SubjectType};
use oxydra_core::model::Now;
use oxydra_core::store::{ClientStore, SecretChange, StoreError};
use oxydra_store::{Backend, SqlStore};
use oxydra_testkit::store_test;

use crate::{cid, exec_raw, full_client, minimal_client};

/// A full client turned into a different one with the same id.
fn changed(id: &str) -> oxydra_core::client::Client {
    let mut c = minimal_client(id);
    c.name = "renamed".into();
    c.redirect_uris = vec!["https://other.example/cb".into()];
    c.grant_types = vec![GrantType::ClientCredentials];
    c.response_types = vec!["token".into()];
    c.scope = "a b".into();
    c.owner = "team-b".into();
    c.contacts = vec!["x@y.z".into()];
    c.subject_type = SubjectType::Public;
    c.jwks = Some(serde_json::json!({"keys": []}));
    c.token_endpoint_auth_method = AuthMethod::ClientSecretPost;
    c.request_uris = vec![];
    c.request_object_signing_alg = "RS256".into();
    c.userinfo_signed_response_alg = "none".into();
    c.id_token_signed_response_alg = "EdDSA".into();
    c.post_logout_redirect_uris = vec!["https://changed.example/bye".into()];
    c.frontchannel_logout_uri = String::new();
    c.frontchannel_logout_session_required = false;
    c.backchannel_logout_uri = "https://changed.example/bc".into();
    c.backchannel_logout_session_required = false;
    // A caller passing a different created_at must not move it.
    c.created_at = Now::from_unix_secs(42);
    c.updated_at = Now::from_unix_micros(1_800_000_000_000_001);
    c
}

/// Stores `full_client(id)` with the given hash (or none).
async fn seed(store: &SqlStore, id: &str, hash: Option<&str>) {
    let mut c = full_client(id);
    c.secret_hash = hash.map(str::to_owned);
    store.create_client(&c).await.unwrap();
}

store_test! {
    async fn create_then_get_round_trips_every_field(store: SqlStore) {
        let full = full_client("full");
        let minimal = minimal_client("minimal");
        store.create_client(&full).await.unwrap();
        store.create_client(&minimal).await.unwrap();
        assert_eq!(store.get_client(&cid("full")).await.unwrap(), Some(full));
        assert_eq!(store.get_client(&cid("minimal")).await.unwrap(), Some(minimal));
    }

    async fn negative_and_extreme_timestamps_round_trip(store: SqlStore) {
        let mut c = minimal_client("times");
        c.created_at = Now::from_unix_micros(-1);
        c.updated_at = Now::from_unix_micros(i64::MAX);
        store.create_client(&c).await.unwrap();
        assert_eq!(store.get_client(&cid("times")).await.unwrap(), Some(c));
    }

    async fn get_absent_is_none(store: SqlStore) {
        assert_eq!(store.get_client(&cid("nobody")).await.unwrap(), None);
    }

    async fn ids_are_case_sensitive(store: SqlStore) {
        store.create_client(&minimal_client("Case")).await.unwrap();
        store.create_client(&minimal_client("case")).await.unwrap();
        assert_eq!(store.get_client(&cid("CASE")).await.unwrap(), None);
    }

    async fn duplicate_create_conflicts(store: SqlStore) {
        store.create_client(&full_client("dup")).await.unwrap();
        let err = store.create_client(&minimal_client("dup")).await.unwrap_err();
        let StoreError::Conflict { constraint } = err else {
            panic!("expected Conflict, got {err:?}");
        };
        let expected = match store.backend() {
            Backend::Postgres => "oxydra_client_pkey",
            Backend::Mysql => "PRIMARY",
            Backend::Sqlite => "oxydra_client.id",
        };
        assert_eq!(constraint.as_deref(), Some(expected));
        // The first row is untouched.
        assert_eq!(store.get_client(&cid("dup")).await.unwrap(), Some(full_client("dup")));
    }

    async fn update_replaces_fields_and_keeps_created_at(store: SqlStore) {
        seed(&store, "u", Some("old-hash")).await;
        let new = changed("u");
        let hash = store.update_client(&new, SecretChange::Keep).await.unwrap();
        assert_eq!(hash.as_deref(), Some("old-hash"));
        let mut expected = new.clone();
        expected.created_at = full_client("u").created_at;
        expected.secret_hash = Some("old-hash".into());
        assert_eq!(store.get_client(&cid("u")).await.unwrap(), Some(expected));
    }

    async fn update_ignores_the_secret_hash_field_of_the_client(store: SqlStore) {
        seed(&store, "u", Some("old-hash")).await;
        let mut new = changed("u");
        new.secret_hash = Some("sneaky".into());
        store.update_client(&new, SecretChange::Keep).await.unwrap();
        let stored = store.get_client(&cid("u")).await.unwrap().unwrap();
        assert_eq!(stored.secret_hash.as_deref(), Some("old-hash"));
    }

    async fn update_secret_set_replaces_the_hash(store: SqlStore) {
        seed(&store, "u", Some("old-hash")).await;
        let hash = store.update_client(&changed("u"), SecretChange::Set("new-hash".into())).await;
        assert_eq!(hash.unwrap().as_deref(), Some("new-hash"));
        let stored = store.get_client(&cid("u")).await.unwrap().unwrap();
        assert_eq!(stored.secret_hash.as_deref(), Some("new-hash"));
    }

    async fn update_secret_clear_removes_the_hash(store: SqlStore) {
        seed(&store, "u", Some("old-hash")).await;
        let hash = store.update_client(&changed("u"), SecretChange::Clear).await.unwrap();
        assert_eq!(hash, None);
        assert_eq!(store.get_client(&cid("u")).await.unwrap().unwrap().secret_hash, None);
    }

    async fn update_secret_keep_without_a_hash_stays_none(store: SqlStore) {
        seed(&store, "u", None).await;
        let hash = store.update_client(&changed("u"), SecretChange::Keep).await.unwrap();
        assert_eq!(hash, None);
        assert_eq!(store.get_client(&cid("u")).await.unwrap().unwrap().secret_hash, None);
    }

    async fn update_secret_keep_or_set_keeps_a_stored_hash(store: SqlStore) {
        seed(&store, "u", Some("old-hash")).await;
        let change = SecretChange::KeepOrSet("generated".into());
        let hash = store.update_client(&changed("u"), change).await.unwrap();
        assert_eq!(hash.as_deref(), Some("old-hash"));
        let stored = store.get_client(&cid("u")).await.unwrap().unwrap();
        assert_eq!(stored.secret_hash.as_deref(), Some("old-hash"));
    }

    async fn update_secret_keep_or_set_sets_when_none_is_stored(store: SqlStore) {
        seed(&store, "u", None).await;
        let change = SecretChange::KeepOrSet("generated".into());
        let hash = store.update_client(&changed("u"), change).await.unwrap();
        assert_eq!(hash.as_deref(), Some("generated"));
        let stored = store.get_client(&cid("u")).await.unwrap().unwrap();
        assert_eq!(stored.secret_hash.as_deref(), Some("generated"));
    }

    async fn update_absent_is_not_found(store: SqlStore) {
        for change in [SecretChange::Keep, SecretChange::Set("h".into()), SecretChange::Clear] {
            let err = store.update_client(&changed("ghost"), change).await.unwrap_err();
            assert!(matches!(err, StoreError::NotFound), "{err:?}");
        }
        assert_eq!(store.get_client(&cid("ghost")).await.unwrap(), None);
    }

    async fn update_touches_only_its_row(store: SqlStore) {
        seed(&store, "a", Some("ha")).await;
        seed(&store, "b", Some("hb")).await;
        store.update_client(&changed("a"), SecretChange::Clear).await.unwrap();
        let mut b = full_client("b");
        b.secret_hash = Some("hb".into());
        assert_eq!(store.get_client(&cid("b")).await.unwrap(), Some(b));
    }

    async fn delete_then_again(store: SqlStore) {
        seed(&store, "d", None).await;
        seed(&store, "keep", None).await;
        assert!(store.delete_client(&cid("d")).await.unwrap());
        assert!(!store.delete_client(&cid("d")).await.unwrap());
        assert_eq!(store.get_client(&cid("d")).await.unwrap(), None);
        assert!(store.get_client(&cid("keep")).await.unwrap().is_some());
    }

    async fn list_orders_by_id_with_limit_and_offset(store: SqlStore) {
        for id in ["b", "c-1", "A", "c", "a", "_z", "Z9"] {
            store.create_client(&minimal_client(id)).await.unwrap();
        }
        let ids = |clients: Vec<oxydra_core::client::Client>| {
            clients.into_iter().map(|c| c.id.to_string()).collect::<Vec<_>>()
        };
        // Byte order on every backend.
        let all = ids(store.list_clients(100, 0).await.unwrap());
        assert_eq!(all, ["A", "Z9", "_z", "a", "b", "c", "c-1"]);
        assert_eq!(ids(store.list_clients(2, 3).await.unwrap()), ["a", "b"]);
        assert_eq!(ids(store.list_clients(10, 5).await.unwrap()), ["c", "c-1"]);
        assert!(store.list_clients(10, 7).await.unwrap().is_empty());
        assert!(store.list_clients(0, 0).await.unwrap().is_empty());
        assert_eq!(store.list_clients(u32::MAX, 0).await.unwrap().len(), 7);
    }

    async fn list_returns_every_field(store: SqlStore) {
        store.create_client(&full_client("full")).await.unwrap();
        assert_eq!(store.list_clients(10, 0).await.unwrap(), vec![full_client("full")]);
    }

    async fn list_empty(store: SqlStore) {
        assert!(store.list_clients(10, 0).await.unwrap().is_empty());
    }

    async fn undecodable_rows_are_corrupt_not_absent(store: SqlStore) {
        store.create_client(&full_client("bad")).await.unwrap();
        exec_raw(&store, "UPDATE oxydra_client SET grant_types = '[\"telepathy\"]'").await;
        let err = store.get_client(&cid("bad")).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        let err = store.list_clients(10, 0).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        exec_raw(&store, "UPDATE oxydra_client SET grant_types = '[]', jwks = 'not json'").await;
        let err = store.get_client(&cid("bad")).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        exec_raw(&store, "UPDATE oxydra_client SET jwks = NULL, subject_type = 'secret'").await;
        let err = store.get_client(&cid("bad")).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    }
}
