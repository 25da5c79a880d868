//! `PolicyStore`: policies with their conditions, and the revision every write moves.

use oxydra_core::policy::{Policy, PolicyInput};
use oxydra_core::store::{PolicyStore, StoreError};
use oxydra_store::SqlStore;
use oxydra_testkit::store_test;
use serde_json::json;

use crate::exec_raw;

fn policy(id: &str, effect: &str) -> Policy {
    PolicyInput {
        id: id.into(),
        description: format!("policy {id} — ünïcødé"),
        subjects: vec!["alice".into(), "svc-<[0-9]+>".into()],
        effect: effect.into(),
        resources: vec!["rn:hydra:clients:<.*>".into()],
        actions: vec!["get".into(), "<update|delete>".into()],
        conditions: vec![
            ("owner".into(), "EqualsSubjectCondition".into(), json!({})),
            (
                "ip".into(),
                "CIDRCondition".into(),
                json!({"cidr": "10.0.0.0/8"}),
            ),
            (
                "team".into(),
                "StringEqualCondition".into(),
                json!({"equals": "blue"}),
            ),
            (
                "name".into(),
                "StringMatchCondition".into(),
                json!({"matches": "^a+$"}),
            ),
            (
                "pairs".into(),
                "StringPairsEqualCondition".into(),
                json!({}),
            ),
        ],
    }
    .validate()
    .unwrap()
}

/// What a policy looks like on the wire, for comparing round trips (conditions have no `Eq`).
fn shape(p: &Policy) -> serde_json::Value {
    let conditions: serde_json::Map<String, serde_json::Value> = p
        .conditions
        .iter()
        .map(|(k, c)| (k.clone(), json!({"type": c.kind(), "options": c.options()})))
        .collect();
    json!({
        "id": p.id, "description": p.description, "effect": p.effect.as_str(),
        "subjects": p.subjects, "resources": p.resources, "actions": p.actions,
        "conditions": conditions,
    })
}

store_test! {
    async fn create_get_list_and_conflict(store: SqlStore) {
        assert!(store.get_policy("b").await.unwrap().is_none());
        store.create_policy(&policy("b", "allow")).await.unwrap();
        store.create_policy(&policy("a", "deny")).await.unwrap();
        store.create_policy(&policy("B", "allow")).await.unwrap();
        let got = store.get_policy("b").await.unwrap().unwrap();
        assert_eq!(shape(&got), shape(&policy("b", "allow")));
        let err = store.create_policy(&policy("b", "deny")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        // Ordered by id, byte order on both backends.
        let ids: Vec<String> = store.list_policies(10, 0).await.unwrap().into_iter().map(|p| p.id).collect();
        assert_eq!(ids, ["B", "a", "b"]);
        let page: Vec<String> = store.list_policies(1, 1).await.unwrap().into_iter().map(|p| p.id).collect();
        assert_eq!(page, ["a"]);
        assert!(store.list_policies(0, 0).await.unwrap().is_empty());
        assert!(store.list_policies(10, 10).await.unwrap().is_empty());
    }

    async fn update_and_delete(store: SqlStore) {
        let err = store.update_policy(&policy("p", "allow")).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        store.create_policy(&policy("p", "allow")).await.unwrap();
        let mut changed = policy("p", "deny");
        changed.description = "changed".into();
        changed.conditions.clear();
        changed.subjects = vec![];
        store.update_policy(&changed).await.unwrap();
        let got = store.get_policy("p").await.unwrap().unwrap();
        assert_eq!(shape(&got), shape(&changed));
        assert!(store.delete_policy("p").await.unwrap());
        assert!(!store.delete_policy("p").await.unwrap());
        assert!(store.get_policy("p").await.unwrap().is_none());
    }

    async fn every_write_moves_the_revision_and_failures_do_not(store: SqlStore) {
        let r0 = store.policy_revision().await.unwrap();
        store.create_policy(&policy("p", "allow")).await.unwrap();
        let r1 = store.policy_revision().await.unwrap();
        assert_ne!(r0, r1);
        assert!(store.create_policy(&policy("p", "allow")).await.is_err());
        assert!(store.update_policy(&policy("missing", "allow")).await.is_err());
        assert!(!store.delete_policy("missing").await.unwrap());
        assert_eq!(store.policy_revision().await.unwrap(), r1, "failed writes leave it alone");
        store.update_policy(&policy("p", "deny")).await.unwrap();
        let r2 = store.policy_revision().await.unwrap();
        assert_ne!(r1, r2);
        store.delete_policy("p").await.unwrap();
        let r3 = store.policy_revision().await.unwrap();
        assert_ne!(r2, r3);

        store.create_policy(&policy("x", "allow")).await.unwrap();
        store.create_policy(&policy("y", "deny")).await.unwrap();
        let (revision, all) = store.load_policies().await.unwrap();
        assert_eq!(revision, store.policy_revision().await.unwrap());
        assert_eq!(all.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["x", "y"]);
    }

    async fn corrupt_rows_are_reported_not_skipped(store: SqlStore) {
        store.create_policy(&policy("p", "allow")).await.unwrap();
        exec_raw(&store, "UPDATE oxydra_policy SET conditions = '{\"k\": {\"type\": \"Nope\"}}'").await;
        let err = store.get_policy("p").await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        assert!(store.load_policies().await.is_err());
        exec_raw(&store, "DELETE FROM oxydra_policy_revision").await;
        assert!(matches!(store.policy_revision().await, Err(StoreError::Corrupt(_))));
    }
}
