//! The OpenAPI document (`oxydra_api::openapi`) lists exactly the routes the routers serve, on
//! the ports that serve them, in every mode: a route added to a router without an entry in the
//! route table (or an entry left behind by a removed route) fails here.
//!
//! axum does not list a router's routes, but its `Debug` output names each route's path and
//! the methods it allows (`allow_header`); that is what these tests read.

use std::collections::BTreeSet;

use oxydra_api::openapi::{Generation, routes};
use oxydra_server::app::{admin_router, public_router};
use oxydra_testkit::app::TestApp;

/// `(method, path)` pairs.
type Served = BTreeSet<(String, String)>;

/// The main path router's part of a router's `Debug` text (the fallback router numbers its
/// routes on its own).
fn main_part(text: &str) -> &str {
    text.split(", fallback_router:").next().unwrap()
}

/// Reads `RouteId(n): "path"` and `RouteId(n): MethodRouter(… allow_header: Bytes(b"GET,…")`.
fn served(router: &axum::Router) -> Served {
    let text = format!("{router:?}");
    let text = main_part(&text);
    let mut paths = std::collections::BTreeMap::new();
    let mut methods = std::collections::BTreeMap::new();
    for chunk in text.split("RouteId(").skip(1) {
        let (id, rest) = chunk.split_once("): ").unwrap();
        if let Some(path) = rest.strip_prefix('"') {
            paths.insert(id.to_owned(), path.split('"').next().unwrap().to_owned());
        } else if rest.starts_with("MethodRouter(") {
            let allow = rest.split("allow_header: Bytes(b\"").nth(1).unwrap();
            methods.insert(id.to_owned(), allow.split('"').next().unwrap().to_owned());
        }
    }
    let mut out = Served::new();
    for (id, allow) in methods {
        let path = &paths[&id];
        for method in allow.split(',').filter(|m| *m != "HEAD") {
            out.insert((method.to_owned(), path.clone()));
        }
    }
    out
}

/// The device flow's routes, served unless `OXYDRA_DEVICE_FLOW=false` or the 0.10
/// consent-by-id flow is selected.
fn is_device_route(path: &str) -> bool {
    path.starts_with("/oauth2/device/")
}

/// Dynamic client registration's routes, served only when it is enabled.
fn is_registration_route(path: &str) -> bool {
    path.starts_with("/oauth2/register")
}

/// What the table says a port serves, given which optional route groups are on.
fn documented(admin_port: bool, legacy: bool, demo: bool, admin_on_public: bool) -> Served {
    documented_with(admin_port, legacy, demo, admin_on_public, !legacy)
}

/// [`documented`], saying whether the device flow is on.
fn documented_with(
    admin_port: bool,
    legacy: bool,
    demo: bool,
    admin_on_public: bool,
    device: bool,
) -> Served {
    routes()
        .filter(|r| device || !is_device_route(r.path))
        .filter(|r| !is_registration_route(r.path))
        .filter(|r| match r.generation {
            Generation::V010 => legacy,
            Generation::Oxydra => demo,
            Generation::V1Beta | Generation::V1Alpha1 | Generation::V1x | Generation::V2 => true,
        })
        .filter(|r| {
            if admin_port {
                r.ports.admin()
            } else {
                r.ports.public() || (admin_on_public && r.ports.admin())
            }
        })
        .map(|r| (r.method.as_str().to_owned(), r.path.to_owned()))
        .collect()
}

async fn check(env: &[(&str, &str)], legacy: bool, demo: bool, admin_on_public: bool) {
    let app = TestApp::new(env).await;
    let public = served(&public_router(app.state.clone()));
    let admin = served(&admin_router(app.state.clone()));
    assert_eq!(
        public,
        documented(false, legacy, demo, admin_on_public),
        "public port, {env:?}"
    );
    assert_eq!(
        admin,
        documented(true, legacy, demo, false),
        "admin port, {env:?}"
    );
}

#[tokio::test]
async fn the_document_lists_every_route_of_the_default_mode() {
    check(&[], false, false, false).await;
}

#[tokio::test]
async fn the_document_lists_the_legacy_consent_routes() {
    let consent_only = [("OAUTH2_CONSENT_URL", "https://consent.example")];
    check(&consent_only, true, false, false).await;
}

#[tokio::test]
async fn the_document_lists_every_route_of_the_0_10_mode() {
    let v010 = [
        ("COMPAT_API_VERSION", "0.10"),
        ("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN", "true"),
    ];
    check(&v010, true, false, true).await;
}

#[tokio::test]
async fn the_pushed_request_route_goes_with_oxydra_par() {
    let app = TestApp::new(&[("OXYDRA_PAR", "false")]).await;
    let public = served(&public_router(app.state.clone()));
    let mut expected = documented(false, false, false, false);
    assert!(expected.remove(&("POST".to_owned(), "/oauth2/par".to_owned())));
    assert_eq!(public, expected);
}

#[tokio::test]
async fn the_registration_routes_go_with_dynamic_registration() {
    let app = TestApp::new(&[("OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED", "true")]).await;
    let public = served(&public_router(app.state.clone()));
    let mut expected = documented(false, false, false, false);
    for (method, path) in [
        ("POST", "/oauth2/register"),
        ("GET", "/oauth2/register/{id}"),
        ("PUT", "/oauth2/register/{id}"),
        ("DELETE", "/oauth2/register/{id}"),
    ] {
        assert!(expected.insert((method.to_owned(), path.to_owned())));
    }
    assert_eq!(public, expected);
}

#[tokio::test]
async fn the_device_routes_go_with_the_device_flow() {
    let app = TestApp::new(&[("OXYDRA_DEVICE_FLOW", "false")]).await;
    let public = served(&public_router(app.state.clone()));
    assert_eq!(public, documented_with(false, false, false, false, false));
    assert!(
        documented(false, false, false, false)
            .iter()
            .any(|(_, p)| is_device_route(p))
    );
}

#[tokio::test]
async fn the_document_lists_the_demo_pages() {
    let demo = [
        ("OXYDRA_DEMO", "true"),
        ("OXYDRA_DEMO_USERS", "alice:alice-password"),
    ];
    check(&demo, false, true, false).await;
}

#[tokio::test]
async fn a_route_missing_from_the_table_is_noticed() {
    let app = TestApp::new(&[]).await;
    let router = public_router(app.state.clone());
    let extra = router.route("/undocumented", axum::routing::get(|| async { "" }));
    let served = served(&extra);
    assert!(served.contains(&("GET".to_owned(), "/undocumented".to_owned())));
    assert_ne!(served, documented(false, false, false, false));
}
