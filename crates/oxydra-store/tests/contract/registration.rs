//! `RegistrationTokenStore`: RFC 7592 registration access token hashes — none for a client
//! until set, set once, rotated only from the current hash (one winner of a race), untouched
//! by client updates, gone with the client.

use oxydra_core::store::{ClientStore, RegistrationTokenStore, SecretChange};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::cid;
use crate::token_races::{RACERS, race};
use crate::tokens::seed_client;

store_test! {
    async fn registration_tokens_are_set_once_and_rotated_from_the_current_hash(store: SqlStore) {
        let client = seed_client(&store, "c1").await;
        let id = cid("c1");
        assert_eq!(store.registration_token_hash(&id).await.unwrap(), None);
        assert_eq!(store.registration_token_hash(&cid("nobody")).await.unwrap(), None);
        assert!(!store.replace_registration_token(&cid("nobody"), None, "h0").await.unwrap());

        assert!(store.replace_registration_token(&id, None, "h1").await.unwrap());
        assert!(!store.replace_registration_token(&id, None, "h2").await.unwrap());
        assert_eq!(store.registration_token_hash(&id).await.unwrap().as_deref(), Some("h1"));

        assert!(!store.replace_registration_token(&id, Some("wrong"), "h2").await.unwrap());
        assert!(store.replace_registration_token(&id, Some("h1"), "h2").await.unwrap());
        assert_eq!(store.registration_token_hash(&id).await.unwrap().as_deref(), Some("h2"));

        // An admin update of the client's fields leaves the token alone.
        store.update_client(&client, SecretChange::Keep).await.unwrap();
        assert_eq!(store.registration_token_hash(&id).await.unwrap().as_deref(), Some("h2"));

        assert!(store.delete_client(&id).await.unwrap());
        assert_eq!(store.registration_token_hash(&id).await.unwrap(), None);
        assert!(!store.replace_registration_token(&id, Some("h2"), "h3").await.unwrap());
    }

    async fn one_of_concurrent_rotations_wins(store: SqlStore) {
        seed_client(&store, "c1").await;
        assert!(store.replace_registration_token(&cid("c1"), None, "h0").await.unwrap());
        let wins = race(&store, RACERS, |store, i| async move {
            store
                .replace_registration_token(&cid("c1"), Some("h0"), &format!("h{}", i + 1))
                .await
                .unwrap()
        })
        .await;
        assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
    }
}
