//! In-process HTTP tests: every endpoint through the real routers and an in-memory SQLite store.

// A test binary: failing by panicking is the point (clippy only exempts `#[test]` fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_control;
mod admin_put;
mod admin_v2;
mod client_assertion;
mod client_metadata_checks;
mod clients;
mod compat;
mod demo;
mod discovery;
mod flows_admin;
mod flows_sessions;
mod fuzz;
mod fuzz_gen;
mod health;
mod jwt_access;
mod jwt_bearer;
mod keys;
mod logout;
mod middleware;
mod oidc_flow;
mod openapi;
mod policies;
mod prometheus;
mod redirect_uris;
mod refresh_grace;
mod registration;
mod security;
mod token_exchange;
mod token_hook;
mod token_scale;
mod tokens;
mod userinfo;

/// Asserts a successful client answer, and whether it says `dpop_bound_access_tokens: true`
/// (`bound`) or leaves the flag out, as every generation does while it is `false`.
fn assert_dpop_bound(res: &oxydra_testkit::app::TestResponse, bound: bool) {
    assert!(res.status.is_success(), "{}", res.text);
    let flag = res.json.get("dpop_bound_access_tokens");
    let expected = bound.then_some(&serde_json::Value::Bool(true));
    assert_eq!(flag, expected, "{}", res.text);
}
