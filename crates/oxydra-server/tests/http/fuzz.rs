//! A bounded fuzz run over every route of both ports: hostile authorize queries, form bodies,
//! Basic headers, JWT assertions, policy templates, malformed and deeply nested JSON, invalid
//! UTF-8, huge headers and lying `Content-Length`s. No case may panic or answer 5xx.
//!
//! Deterministic: case `n` is seeded with `n`, so a failure names its seed. Reproduce (the
//! figures are printed): `cargo test -p oxydra-server --test http fuzz -- --nocapture`; set
//! `OXYDRA_TEST_FUZZ_CASES` for a longer run.

use axum::body::Body;
use axum::http::{Method, Request};
use oxydra_testkit::app::{Port, TestApp};
use serde_json::json;

use crate::fuzz_gen::{self as generate, Rng};

/// Requests per run in CI: a few seconds.
const DEFAULT_CASES: u64 = 1_500;

/// Every route, by port, with `{}` where a path segment goes, and the methods it serves.
const ROUTES: &[(Port, &str, &[Method])] = &[
    (Port::Public, "/oauth2/auth", &[Method::GET]),
    (Port::Public, "/oauth2/token", &[Method::POST]),
    (Port::Public, "/oauth2/revoke", &[Method::POST]),
    (
        Port::Public,
        "/oauth2/auth/sessions/login/revoke",
        &[Method::GET],
    ),
    (Port::Public, "/userinfo", &[Method::GET, Method::POST]),
    (Port::Public, "/.well-known/jwks.json", &[Method::GET]),
    (
        Port::Public,
        "/.well-known/openid-configuration",
        &[Method::GET],
    ),
    (Port::Public, "/oauth2/fallbacks/consent", &[Method::GET]),
    (Port::Public, "/oauth2/fallbacks/error", &[Method::GET]),
    (Port::Public, "/health/ready", &[Method::GET]),
    (Port::Public, "/{}", &[Method::GET]),
    (Port::Admin, "/clients", &[Method::GET, Method::POST]),
    (
        Port::Admin,
        "/clients/{}",
        &[Method::GET, Method::PUT, Method::DELETE],
    ),
    (
        Port::Admin,
        "/keys/{}",
        &[Method::GET, Method::POST, Method::PUT, Method::DELETE],
    ),
    (
        Port::Admin,
        "/keys/{}/{}",
        &[Method::GET, Method::PUT, Method::DELETE],
    ),
    (Port::Admin, "/oauth2/introspect", &[Method::POST]),
    (Port::Admin, "/oauth2/flush", &[Method::POST]),
    (
        Port::Admin,
        "/oauth2/auth/requests/login/{}",
        &[Method::GET],
    ),
    (
        Port::Admin,
        "/oauth2/auth/requests/login/{}/accept",
        &[Method::PUT],
    ),
    (
        Port::Admin,
        "/oauth2/auth/requests/login/{}/reject",
        &[Method::PUT],
    ),
    (
        Port::Admin,
        "/oauth2/auth/requests/login/accept",
        &[Method::PUT],
    ),
    (
        Port::Admin,
        "/oauth2/auth/requests/consent/{}",
        &[Method::GET],
    ),
    (
        Port::Admin,
        "/oauth2/auth/requests/consent/{}/accept",
        &[Method::PUT],
    ),
    (
        Port::Admin,
        "/oauth2/auth/requests/consent/{}/reject",
        &[Method::PUT],
    ),
    (
        Port::Admin,
        "/oauth2/auth/requests/consent/reject",
        &[Method::PUT],
    ),
    (
        Port::Admin,
        "/oauth2/auth/sessions/consent/{}",
        &[Method::GET, Method::DELETE],
    ),
    (
        Port::Admin,
        "/oauth2/auth/sessions/consent/{}/{}",
        &[Method::DELETE],
    ),
    (
        Port::Admin,
        "/oauth2/auth/sessions/login/{}",
        &[Method::DELETE],
    ),
    (Port::Admin, "/oauth2/consent/requests/{}", &[Method::GET]),
    (
        Port::Admin,
        "/oauth2/consent/requests/{}/accept",
        &[Method::PATCH],
    ),
    (Port::Admin, "/policies", &[Method::GET, Method::POST]),
    (
        Port::Admin,
        "/policies/{}",
        &[Method::GET, Method::PUT, Method::DELETE],
    ),
    (Port::Admin, "/health/stats", &[Method::GET]),
    (Port::Admin, "/version", &[Method::GET]),
];

const METHODS: &[Method] = &[
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// One hostile request of case `rng`, with a short description for failure messages.
fn request(rng: &mut Rng) -> (Port, Request<Body>, String) {
    let (port, template, served) = *rng.pick(ROUTES);
    let mut path = String::new();
    for (i, part) in template.split("{}").enumerate() {
        if i > 0 {
            path.push_str(&generate::segment(rng));
        }
        path.push_str(part);
    }
    if rng.below(2) == 0 {
        path.push('?');
        path.push_str(&String::from_utf8_lossy(&generate::form(rng)).replace(['#', ' '], "%20"));
    }
    // Mostly a method the route serves, so the input reaches the handler.
    let method = if rng.below(8) == 0 {
        rng.pick(METHODS)
    } else {
        rng.pick(served)
    }
    .clone();
    let (content_type, body): (&str, Vec<u8>) = match rng.below(9) {
        0 => {
            let depth = 1 + rng.below(20_000);
            ("application/json", generate::deep_json(rng, depth))
        }
        1 => (
            "application/json",
            generate::json_value(rng, 4).to_string().into_bytes(),
        ),
        2 => (
            "application/json",
            generate::policy(rng).to_string().into_bytes(),
        ),
        3 => ("application/json", rng.bytes(300)),
        4 => (
            "application/json",
            b"{\"keys\": [{\"kty\": \"RSA\", \"n\": \"\\ud800\"}]}".to_vec(),
        ),
        5 | 6 => ("application/x-www-form-urlencoded", generate::form(rng)),
        7 => ("text/plain; charset=\u{fffd}", rng.bytes(100)),
        _ => ("", Vec::new()),
    };
    let mut builder = Request::builder().method(method.clone());
    if !content_type.is_empty() {
        builder = builder.header("content-type", content_type);
    }
    if rng.below(2) == 0 {
        builder = builder.header("authorization", generate::authorization(rng));
    }
    if rng.below(8) == 0 {
        // A Content-Length that lies about the body.
        builder = builder.header(
            "content-length",
            (body.len() + 1 + rng.below(1000)).to_string(),
        );
    }
    if rng.below(10) == 0 {
        builder = builder.header("cookie", "a".repeat(16 * 1024 + rng.below(64 * 1024)));
    }
    if rng.below(10) == 0 {
        builder = builder.header("x-forwarded-proto", generate::segment(rng));
    }
    let what = format!("{method} {path} ({content_type}, {} bytes)", body.len());
    let uri = path
        .parse::<axum::http::Uri>()
        .unwrap_or_else(|_| "/".parse().unwrap());
    let request = builder
        .uri(uri)
        .body(Body::from(body))
        .unwrap_or_else(|e| panic!("cannot build {what}: {e}"));
    (port, request, what)
}

#[tokio::test]
async fn hostile_requests_never_panic_or_answer_5xx() {
    let app = TestApp::new(&[]).await;
    // A real client, so some Basic headers and forms get past "unknown client".
    let res = app
        .json(
            Port::Admin,
            Method::POST,
            "/clients",
            Some(
                json!({"client_id": "x", "client_secret": "a-long-enough-secret",
                "grant_types": ["client_credentials", "authorization_code", "refresh_token"],
                "redirect_uris": ["https://example.com/cb"], "scope": "openid offline"}),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let cases = std::env::var("OXYDRA_TEST_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let mut by_status = std::collections::BTreeMap::<u16, u64>::new();
    for seed in 0..cases {
        let mut rng = Rng::new(seed);
        let (port, request, what) = request(&mut rng);
        let res = app.send(port, request).await;
        let status = res.status.as_u16();
        assert!(status < 500, "seed {seed}: {what} → {status}: {}", res.text);
        if status >= 400 && status != 405 && !res.text.is_empty() && res.json.is_object() {
            assert!(
                res.json.get("error").is_some(),
                "seed {seed}: {what}: {}",
                res.text
            );
        }
        *by_status.entry(status).or_default() += 1;
    }
    println!("fuzz: {cases} hostile requests, 0 panics, 0 5xx; by status: {by_status:?}");
}
