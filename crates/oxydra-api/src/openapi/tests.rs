//! The committed `docs/openapi.json` is the generated document, and the route table is sound.

use std::collections::HashSet;

use super::*;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");

#[test]
fn committed_document_is_the_generated_one() {
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == to_json(),
        "docs/openapi.json differs from the document the code generates; regenerate it with \
         `cargo run -q -p oxydra -- openapi > docs/openapi.json` and review the diff"
    );
}

#[test]
fn the_document_is_openapi_3_1() {
    let value: serde_json::Value = serde_json::from_str(&to_json()).unwrap();
    assert_eq!(value["openapi"], "3.1.0");
    assert!(value["paths"].as_object().unwrap().len() > 40);
}

#[test]
fn each_route_is_listed_once_with_a_unique_operation_id() {
    let mut pairs = HashSet::new();
    let mut ids = HashSet::new();
    for route in routes() {
        assert!(
            pairs.insert((route.method, route.path)),
            "{:?} {}",
            route.method,
            route.path
        );
        assert!(ids.insert(route.operation_id), "{}", route.operation_id);
    }
}

#[test]
fn each_route_answers_each_status_once_and_has_a_success() {
    for route in routes() {
        let mut statuses = HashSet::new();
        for reply in route.answers() {
            assert!(
                statuses.insert(reply.status),
                "{} {}",
                route.path,
                reply.status
            );
        }
        assert!(
            route.answers().any(|r| r.status < 400),
            "{} has no success answer",
            route.path
        );
    }
}

#[test]
fn every_referenced_schema_is_a_component() {
    let text = to_json();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let components = value["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            components.contains_key(name),
            "{name} is referenced but not defined"
        );
    }
}
