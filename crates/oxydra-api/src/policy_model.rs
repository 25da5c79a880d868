//! The 1.0.0-alpha1 access-control policy models (`shared/spec/api.md` §6.3, seed 003):
//! `Policy` and `PolicyConditions`, as Ladon serialises them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::serde_util::null_as_default;

/// An access-control policy (`policy`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Policy {
    /// Unique id; a UUID is generated when empty on create.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Free text.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// Subjects: literals or patterns with regex parts in `<…>`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub subjects: Vec<String>,
    /// `allow` or `deny`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub effect: String,
    /// Resources: literals or patterns.
    #[serde(default, deserialize_with = "null_as_default")]
    pub resources: Vec<String>,
    /// Actions: literals or patterns.
    #[serde(default, deserialize_with = "null_as_default")]
    pub actions: Vec<String>,
    /// Conditions by request-context key.
    #[serde(default, deserialize_with = "null_as_default")]
    pub conditions: BTreeMap<String, PolicyCondition>,
}

/// One condition of a policy (SDK `PolicyConditions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PolicyCondition {
    /// `StringEqualCondition`, `StringMatchCondition`, `CIDRCondition`,
    /// `EqualsSubjectCondition` or `StringPairsEqualCondition`.
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub condition_type: String,
    /// Type-specific options (`{"equals": …}`, `{"matches": …}`, `{"cidr": …}`, `{}`).
    #[serde(default = "empty_object")]
    pub options: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_shape_and_writes_it_back() {
        let text = r#"{"id":"p1","description":"d","subjects":["alice","<.*>"],"effect":"allow",
            "resources":["rn:hydra:clients:<.*>"],"actions":["get"],
            "conditions":{"owner":{"type":"EqualsSubjectCondition","options":{}},
                          "ip":{"type":"CIDRCondition","options":{"cidr":"10.0.0.0/8"}}}}"#;
        let p: Policy = serde_json::from_str(text).unwrap();
        assert_eq!(p.subjects, ["alice", "<.*>"]);
        assert_eq!(p.conditions["ip"].condition_type, "CIDRCondition");
        assert_eq!(p.conditions["ip"].options["cidr"], "10.0.0.0/8");
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }

    #[test]
    fn nulls_and_missing_fields_are_empty() {
        let p: Policy = serde_json::from_str(
            r#"{"subjects":null,"conditions":{"k":{"type":"EqualsSubjectCondition"}}}"#,
        )
        .unwrap();
        assert!(p.id.is_empty() && p.subjects.is_empty() && p.actions.is_empty());
        assert_eq!(p.conditions["k"].options, serde_json::json!({}));
    }
}
