//! `ImportStore`: `oxydra import`'s writes. One transaction per kind; a row whose key exists is
//! left alone; a dry run writes nothing; a row imported once is never imported again, even
//! after it was deleted (a revoked token must not come back).

use oxydra_core::model::Now;
use oxydra_core::policy::PolicyInput;
use oxydra_core::store::{ClientStore, ImportStore, PolicyStore, TokenStore};
use oxydra_core::token::{RequestId, TokenKind};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;

use crate::tokens::{get, token};
use crate::{cid, minimal_client};

const NOW: Now = Now::from_unix_secs(1_700_000_000);

store_test! {
    async fn a_dry_run_writes_nothing_and_a_second_run_nothing_more(store: SqlStore) {
        let clients = [minimal_client("c1"), minimal_client("c2")];
        assert_eq!(store.import_clients(&clients, false, NOW).await.unwrap(), [true, true]);
        assert!(store.get_client(&cid("c1")).await.unwrap().is_none());
        assert_eq!(store.import_clients(&clients, true, NOW).await.unwrap(), [true, true]);
        assert!(store.get_client(&cid("c1")).await.unwrap().is_some());
        assert_eq!(store.import_clients(&clients, true, NOW).await.unwrap(), [false, false]);
    }

    async fn an_existing_row_is_left_alone(store: SqlStore) {
        let mut mine = minimal_client("c1");
        mine.name = "created in Oxydra".into();
        store.create_client(&mine).await.unwrap();
        let imported = [minimal_client("c1"), minimal_client("c3")];
        assert_eq!(store.import_clients(&imported, true, NOW).await.unwrap(), [false, true]);
        let kept = store.get_client(&cid("c1")).await.unwrap().unwrap();
        assert_eq!(kept.name, "created in Oxydra");
    }

    async fn a_revoked_token_is_not_imported_again(store: SqlStore) {
        store.create_client(&minimal_client("c1")).await.unwrap();
        let rows = [
            token("hydra:a", TokenKind::AccessToken, "r1"),
            token("hydra:r", TokenKind::RefreshToken, "r1"),
        ];
        assert_eq!(store.import_tokens(&rows, true, NOW).await.unwrap(), [true, true]);
        assert!(get(&store, TokenKind::AccessToken, "hydra:a").await.is_some());
        store.revoke_request(&RequestId::from_stored("r1")).await.unwrap();
        assert!(get(&store, TokenKind::AccessToken, "hydra:a").await.is_none());
        // The ledger remembers both: nothing comes back, in a dry run or a real one.
        assert_eq!(store.import_tokens(&rows, false, NOW).await.unwrap(), [false, false]);
        assert_eq!(store.import_tokens(&rows, true, NOW).await.unwrap(), [false, false]);
        assert!(get(&store, TokenKind::RefreshToken, "hydra:r").await.is_none());
    }

    async fn one_failing_row_writes_none_of_its_kind(store: SqlStore) {
        store.create_client(&minimal_client("c1")).await.unwrap();
        let mut orphan = token("hydra:b", TokenKind::AccessToken, "r2");
        orphan.client_id = cid("no-such-client");
        let rows = [token("hydra:a", TokenKind::AccessToken, "r1"), orphan];
        assert!(store.import_tokens(&rows, true, NOW).await.is_err());
        assert!(get(&store, TokenKind::AccessToken, "hydra:a").await.is_none());
        // Nor was the ledger written: a corrected run imports the row.
        let ok = [token("hydra:a", TokenKind::AccessToken, "r1")];
        assert_eq!(store.import_tokens(&ok, true, NOW).await.unwrap(), [true]);
    }

    async fn imported_policies_bump_the_revision(store: SqlStore) {
        let before = store.policy_revision().await.unwrap();
        let policy = PolicyInput {
            id: "owners".into(),
            effect: "allow".into(),
            subjects: vec!["team-<.*>".into()],
            actions: vec!["get".into()],
            resources: vec!["rn:hydra:clients:<.*>".into()],
            ..PolicyInput::default()
        }
        .validate()
        .unwrap();
        let written = store.import_policies(std::slice::from_ref(&policy), true, NOW).await.unwrap();
        assert_eq!(written, [true]);
        assert!(store.policy_revision().await.unwrap() > before);
        let stored = store.get_policy("owners").await.unwrap().unwrap();
        assert_eq!((stored.subjects, stored.actions), (policy.subjects, policy.actions));
    }
}
