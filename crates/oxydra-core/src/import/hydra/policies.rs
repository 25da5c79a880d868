//! 0.10/0.11 access-control policies (Ladon's SQL manager, `hydra_policy_migration`) into
//! Oxydra policies, which keep Ladon's semantics: the same templates (`<regex>` parts),
//! effect and conditions, validated by Oxydra's own rules.

use serde_json::Value;

use crate::policy::{Policy, PolicyInput};

use super::PolicyRow;

/// Converts one policy; `Err` says why Oxydra refuses it.
pub fn convert(row: &PolicyRow) -> Result<Policy, String> {
    let conditions = match serde_json::from_str::<Value>(&row.conditions) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .map(|(key, c)| {
                let kind = c.get("type").and_then(Value::as_str).unwrap_or_default();
                let options = c.get("options").cloned().unwrap_or(Value::Null);
                (key, kind.to_owned(), options)
            })
            .collect(),
        Ok(Value::Null) => Vec::new(),
        _ if row.conditions.trim().is_empty() => Vec::new(),
        _ => return Err("its conditions are not a JSON object".into()),
    };
    let sorted = |list: &[String]| {
        let mut list = list.to_vec();
        list.sort();
        list.dedup();
        list
    };
    PolicyInput {
        id: row.id.clone(),
        description: row.description.clone(),
        subjects: sorted(&row.subjects),
        effect: row.effect.clone(),
        resources: sorted(&row.resources),
        actions: sorted(&row.actions),
        conditions,
    }
    .validate()
    .map_err(|e| format!("Oxydra refuses it: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> PolicyRow {
        PolicyRow {
            id: "owners".into(),
            description: "Owners manage their clients".into(),
            effect: "allow".into(),
            conditions: r#"{"owner":{"type":"EqualsSubjectCondition","options":{}}}"#.into(),
            subjects: vec!["team-<.*>".into()],
            actions: vec!["get".into(), "delete".into()],
            resources: vec!["rn:hydra:clients:<.*>".into()],
        }
    }

    #[test]
    fn a_ladon_policy_keeps_its_templates_and_conditions() {
        let p = convert(&row()).unwrap();
        assert_eq!(p.actions, ["delete", "get"]);
        assert_eq!(p.subjects, ["team-<.*>"]);
        assert_eq!(p.conditions.len(), 1);
    }

    #[test]
    fn invalid_policies_carry_a_reason() {
        let mut r = row();
        r.effect = "maybe".into();
        assert!(convert(&r).unwrap_err().contains("refuses"));
        let mut r = row();
        r.conditions = "[1]".into();
        assert!(convert(&r).unwrap_err().contains("conditions"));
    }
}
