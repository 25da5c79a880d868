use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;

fn input(
    id: &str,
    effect: &str,
    subjects: &[&str],
    resources: &[&str],
    actions: &[&str],
) -> PolicyInput {
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
    PolicyInput {
        id: id.into(),
        description: String::new(),
        subjects: own(subjects),
        effect: effect.into(),
        resources: own(resources),
        actions: own(actions),
        conditions: vec![],
    }
}

fn policy(
    id: &str,
    effect: &str,
    subjects: &[&str],
    resources: &[&str],
    actions: &[&str],
) -> Policy {
    input(id, effect, subjects, resources, actions)
        .validate()
        .unwrap()
}

fn decide(
    set: &PolicySet,
    subject: &str,
    action: &str,
    resource: &str,
    context: Value,
) -> Decision {
    let context: BTreeMap<String, Value> = serde_json::from_value(context).unwrap();
    set.decide(&AccessRequest {
        subject,
        action,
        resource,
        context: &context,
    })
}

#[test]
fn default_deny_when_nothing_matches() {
    let empty = PolicySet::new(&[]).unwrap();
    assert!(empty.is_empty());
    assert_eq!(
        decide(&empty, "alice", "get", "rn:hydra:clients", json!({})),
        Decision::NotAllowed
    );
    let set = PolicySet::new(&[policy(
        "p",
        "allow",
        &["alice"],
        &["rn:hydra:clients"],
        &["get"],
    )])
    .unwrap();
    assert_eq!(
        decide(&set, "alice", "get", "rn:hydra:clients", json!({})),
        Decision::Allowed
    );
    // Each of subject, action and resource must match.
    assert_eq!(
        decide(&set, "bob", "get", "rn:hydra:clients", json!({})),
        Decision::NotAllowed
    );
    assert_eq!(
        decide(&set, "alice", "delete", "rn:hydra:clients", json!({})),
        Decision::NotAllowed
    );
    assert_eq!(
        decide(&set, "alice", "get", "rn:hydra:clients:x", json!({})),
        Decision::NotAllowed
    );
}

#[test]
fn explicit_deny_beats_allow_in_any_order() {
    let allow = policy("allow-all", "allow", &["<.*>"], &["<.*>"], &["<.*>"]);
    let deny = policy(
        "no-delete",
        "deny",
        &["mallory"],
        &["rn:hydra:<.*>"],
        &["delete"],
    );
    for order in [
        vec![allow.clone(), deny.clone()],
        vec![deny.clone(), allow.clone()],
    ] {
        let set = PolicySet::new(&order).unwrap();
        assert_eq!(
            decide(&set, "mallory", "delete", "rn:hydra:clients:1", json!({})),
            Decision::Denied {
                policy: "no-delete".into()
            }
        );
        assert_eq!(
            decide(&set, "mallory", "get", "rn:hydra:clients:1", json!({})),
            Decision::Allowed
        );
        assert_eq!(
            decide(&set, "alice", "delete", "rn:hydra:clients:1", json!({})),
            Decision::Allowed
        );
    }
}

#[test]
fn a_deny_whose_condition_fails_does_not_apply() {
    let mut deny = input("deny-outside", "deny", &["<.*>"], &["<.*>"], &["<.*>"]);
    deny.conditions = vec![(
        "ip".into(),
        "CIDRCondition".into(),
        json!({"cidr": "10.0.0.0/8"}),
    )];
    let set = PolicySet::new(&[
        deny.validate().unwrap(),
        policy("allow", "allow", &["alice"], &["r"], &["get"]),
    ])
    .unwrap();
    assert_eq!(
        decide(&set, "alice", "get", "r", json!({"ip": "192.168.0.1"})),
        Decision::Allowed
    );
    assert_eq!(
        decide(&set, "alice", "get", "r", json!({"ip": "10.1.2.3"})),
        Decision::Denied {
            policy: "deny-outside".into()
        }
    );
}

#[test]
fn matching_is_anchored_and_case_sensitive() {
    let set = PolicySet::new(&[policy(
        "p",
        "allow",
        &["svc-<[0-9]+>"],
        &["rn:hydra:clients:<[a-z]+>"],
        &["<get|update>"],
    )])
    .unwrap();
    assert_eq!(
        decide(&set, "svc-12", "get", "rn:hydra:clients:abc", json!({})),
        Decision::Allowed
    );
    assert_eq!(
        decide(&set, "svc-12", "update", "rn:hydra:clients:abc", json!({})),
        Decision::Allowed
    );
    for (subject, action, resource) in [
        ("svc-12x", "get", "rn:hydra:clients:abc"),
        ("xsvc-12", "get", "rn:hydra:clients:abc"),
        ("SVC-12", "get", "rn:hydra:clients:abc"),
        ("svc-12", "GET", "rn:hydra:clients:abc"),
        ("svc-12", "getx", "rn:hydra:clients:abc"),
        ("svc-12", "get", "rn:hydra:clients:abc:more"),
        ("svc-12", "get", "prefix:rn:hydra:clients:abc"),
        ("svc-12", "get", "rn:hydra:clients:ABC"),
    ] {
        assert_eq!(
            decide(&set, subject, action, resource, json!({})),
            Decision::NotAllowed,
            "{subject} {action} {resource}"
        );
    }
}

#[test]
fn conditions_all_have_to_hold() {
    let mut owned = input(
        "owner",
        "allow",
        &["<.*>"],
        &["rn:hydra:clients:<.*>"],
        &["get"],
    );
    owned.conditions = vec![
        ("owner".into(), "EqualsSubjectCondition".into(), json!({})),
        (
            "team".into(),
            "StringEqualCondition".into(),
            json!({"equals": "blue"}),
        ),
    ];
    let set = PolicySet::new(&[owned.validate().unwrap()]).unwrap();
    let r = "rn:hydra:clients:x";
    assert_eq!(
        decide(
            &set,
            "alice",
            "get",
            r,
            json!({"owner": "alice", "team": "blue"})
        ),
        Decision::Allowed
    );
    assert_eq!(
        decide(
            &set,
            "alice",
            "get",
            r,
            json!({"owner": "bob", "team": "blue"})
        ),
        Decision::NotAllowed
    );
    assert_eq!(
        decide(&set, "alice", "get", r, json!({"owner": "alice"})),
        Decision::NotAllowed
    );
    assert_eq!(
        decide(&set, "alice", "get", r, json!({})),
        Decision::NotAllowed
    );
}

#[test]
fn literal_and_templated_subjects_are_both_found() {
    let set = PolicySet::new(&[
        policy("lit", "allow", &["alice", "bob"], &["a"], &["get"]),
        policy("mixed", "allow", &["carol", "<team-.*>"], &["b"], &["get"]),
        policy("dup", "allow", &["dave", "dave"], &["c"], &["get"]),
    ])
    .unwrap();
    assert_eq!(set.len(), 3);
    assert_eq!(
        decide(&set, "bob", "get", "a", json!({})),
        Decision::Allowed
    );
    assert_eq!(
        decide(&set, "carol", "get", "b", json!({})),
        Decision::Allowed
    );
    assert_eq!(
        decide(&set, "team-x", "get", "b", json!({})),
        Decision::Allowed
    );
    assert_eq!(
        decide(&set, "team-x", "get", "a", json!({})),
        Decision::NotAllowed
    );
    assert_eq!(
        decide(&set, "dave", "get", "c", json!({})),
        Decision::Allowed
    );
    // A policy without subjects matches no one.
    let none = PolicySet::new(&[policy("none", "allow", &[], &["<.*>"], &["<.*>"])]).unwrap();
    assert_eq!(
        decide(&none, "", "get", "a", json!({})),
        Decision::NotAllowed
    );
}

#[test]
fn validation_refuses_bad_policies() {
    let bad = |mutate: &dyn Fn(&mut PolicyInput)| {
        let mut p = input("p", "allow", &["a"], &["r"], &["get"]);
        mutate(&mut p);
        match p.validate() {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    };
    assert_eq!(bad(&|p| p.id = String::new()), "id");
    assert_eq!(bad(&|p| p.id = "a\nb".into()), "id");
    assert_eq!(bad(&|p| p.id = "x".repeat(MAX_ID_LEN + 1)), "id");
    assert_eq!(bad(&|p| p.effect = "Allow".into()), "effect");
    assert_eq!(bad(&|p| p.effect = String::new()), "effect");
    assert_eq!(bad(&|p| p.subjects = vec!["<(>".into()]), "subjects");
    assert_eq!(bad(&|p| p.resources = vec!["rn:<x".into()]), "resources");
    assert_eq!(
        bad(&|p| p.actions = vec!["x".repeat(MAX_TEMPLATE_LEN + 1)]),
        "actions"
    );
    assert_eq!(
        bad(&|p| p.actions = vec!["a".into(); MAX_PATTERNS_PER_LIST + 1]),
        "actions"
    );
    assert_eq!(
        bad(&|p| p.conditions = vec![("k".into(), "MagicCondition".into(), json!({}))]),
        "conditions"
    );
    assert_eq!(
        bad(&|p| p.conditions = vec![(
            "k".into(),
            "StringMatchCondition".into(),
            json!({"matches": "["})
        )]),
        "conditions"
    );
    let many = (0..=MAX_CONDITIONS)
        .map(|i| {
            (
                format!("k{i}"),
                "EqualsSubjectCondition".to_owned(),
                json!({}),
            )
        })
        .collect();
    let mut p = input("p", "deny", &[], &[], &[]);
    p.conditions = many;
    assert!(p.validate().is_err());
}

#[test]
fn effects_round_trip() {
    for effect in [Effect::Allow, Effect::Deny] {
        assert_eq!(Effect::parse(effect.as_str()).unwrap(), effect);
    }
}

#[test]
fn literal_patterns_match_only_their_value() {
    for value in ["plain-id", "a<b", "x<.*>y", "<", "a>b<c"] {
        let pattern = literal_pattern(value);
        let set = PolicySet::new(&[policy("p", "allow", &[&pattern], &["r"], &["get"])]).unwrap();
        assert_eq!(
            decide(&set, value, "get", "r", json!({})),
            Decision::Allowed,
            "{value}"
        );
        assert_eq!(
            decide(&set, &format!("{value}x"), "get", "r", json!({})),
            Decision::NotAllowed
        );
        assert_eq!(
            decide(&set, "xay", "get", "r", json!({})),
            Decision::NotAllowed
        );
    }
    assert_eq!(literal_pattern("plain"), "plain");
}
