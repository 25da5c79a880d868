//! Security findings of issue 11 pinned over HTTP: cookie-secret rotation, client
//! authentication without a timing or hint oracle, and the budget of failed authentications.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use oxydra_server::cookies::{CookieJar, SESSION};
use oxydra_testkit::app::{Port, TestApp, TestResponse, basic_auth};
use serde_json::json;

use crate::tokens::{SECRET, client};

/// Form fields of a request.
type Fields<'a> = &'a [(&'a str, &'a str)];

/// A named request: its form fields and Basic credentials.
type Case<'a> = (&'a str, Fields<'a>, Option<(&'a str, &'a str)>);

const CC: Fields<'static> = &[("grant_type", "client_credentials")];

async fn token_basic(app: &TestApp, id: &str, secret: &str) -> TestResponse {
    app.form(Port::Public, "/oauth2/token", CC, Some((id, secret)))
        .await
}

/// A client-credentials request with Basic credentials, relayed with `X-Forwarded-For`.
async fn token_forwarded(app: &TestApp, id: &str, forwarded_for: &str) -> TestResponse {
    let request = Request::post("/oauth2/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", basic_auth(id, "wrong-secret"))
        .header("x-forwarded-for", forwarded_for)
        .header("x-forwarded-proto", "https")
        .body(Body::from("grant_type=client_credentials"))
        .unwrap();
    app.send(Port::Public, request).await
}

fn assert_status(res: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.json["error"], code, "{}", res.text);
}

#[tokio::test]
async fn cookies_signed_with_a_rotated_cookie_secret_still_verify() {
    let app = TestApp::new(&[(
        "SECRETS_COOKIE",
        "new-cookie-secret-0123,old-cookie-secret-0123",
    )])
    .await;
    let old = CookieJar::new(b"old-cookie-secret-0123", false);
    let new = CookieJar::new(b"new-cookie-secret-0123", false);
    let by_old = old.sign(SESSION, "session-before-rotation");
    assert_eq!(
        app.state.cookies.verify(SESSION, &by_old).as_deref(),
        Some("session-before-rotation")
    );
    // New cookies are signed with the first secret only.
    let fresh = app.state.cookies.sign(SESSION, "session-after");
    assert!(new.verify(SESSION, &fresh).is_some());
    assert!(old.verify(SESSION, &fresh).is_none());
}

#[tokio::test]
async fn unknown_clients_and_method_mismatches_cost_a_hash_and_name_no_method() {
    let app = TestApp::new(&[]).await;
    client(
        &app,
        "svc",
        json!({"token_endpoint_auth_method": "client_secret_post"}),
    )
    .await;
    let hashes = |app: &TestApp| app.state.hasher.hashes_run();
    let mut hints = Vec::new();
    let cases: [Case; 3] = [
        // Unknown client.
        ("unknown", CC, Some(("ghost", SECRET))),
        // Known client, registered for client_secret_post, using Basic.
        ("mismatch", CC, Some(("svc", SECRET))),
        // Known client, right method, wrong secret.
        (
            "wrong secret",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "svc"),
                ("client_secret", "wrong-secret"),
            ],
            None,
        ),
    ];
    for (case, fields, basic) in cases {
        let before = hashes(&app);
        let res = app.form(Port::Public, "/oauth2/token", fields, basic).await;
        assert_status(&res, StatusCode::UNAUTHORIZED, "invalid_client");
        assert_eq!(hashes(&app), before + 1, "{case}: exactly one hash");
        let hint = res.json["error_hint"].as_str().unwrap().to_owned();
        assert!(
            !hint.contains("client_secret_post") || case == "wrong secret",
            "{case}: {hint}"
        );
        hints.push(hint);
    }
    // Unknown and mismatched Basic requests get the same answer.
    assert_eq!(hints[0], hints[1]);
}

#[tokio::test]
async fn a_burst_of_wrong_secrets_is_cut_off_without_locking_the_client_out() {
    let app = TestApp::new(&[
        ("OXYDRA_AUTH_FAILURES_PER_CLIENT", "3"),
        ("OXYDRA_AUTH_FAILURE_WINDOW", "1m"),
    ])
    .await;
    client(&app, "svc", json!({})).await;
    // The client authenticated before the attack: its secret is remembered.
    assert_eq!(
        token_basic(&app, "svc", SECRET).await.status,
        StatusCode::OK
    );
    for _ in 0..3 {
        let res = token_basic(&app, "svc", "guess").await;
        assert_status(&res, StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let before = app.state.hasher.hashes_run();
    for path in ["/oauth2/token", "/oauth2/revoke"] {
        let fields: &[(&str, &str)] = &[("grant_type", "client_credentials"), ("token", "t")];
        let res = app
            .form(Port::Public, path, fields, Some(("svc", "guess")))
            .await;
        assert_status(&res, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
        assert_eq!(res.headers["retry-after"], "60", "{path}");
    }
    assert_eq!(
        app.state.hasher.hashes_run(),
        before,
        "a spent budget hashes nothing"
    );
    // The legitimate client still gets tokens.
    assert_eq!(
        token_basic(&app, "svc", SECRET).await.status,
        StatusCode::OK
    );
    // The budget refills when the window ends.
    app.clock.advance_secs(60);
    let res = token_basic(&app, "svc", "guess").await;
    assert_status(&res, StatusCode::UNAUTHORIZED, "invalid_client");
}

/// Two failed attempts through `send` (an IP budget of 2), then the third is refused.
async fn spend_ip_budget<F, Fut>(send: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = TestResponse>,
{
    for id in ["a", "b"] {
        assert_status(&send(id).await, StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let third = send("c").await;
    assert_status(&third, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
}

#[tokio::test]
async fn the_ip_budget_spans_client_ids_and_trusts_only_configured_proxies() {
    let app = TestApp::new(&[("OXYDRA_AUTH_FAILURES_PER_IP", "2")]).await;
    spend_ip_budget(|id| token_basic(&app, id, "guess")).await;
    // An untrusted peer cannot pick a fresh address with X-Forwarded-For.
    let res = token_forwarded(&app, "d", "192.0.2.9").await;
    assert_status(&res, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");

    // Behind a trusted proxy each forwarded address has its own budget.
    let proxied = [
        ("OXYDRA_AUTH_FAILURES_PER_IP", "2"),
        ("HTTPS_ALLOW_TERMINATION_FROM", "127.0.0.1/32"),
    ];
    let app = TestApp::new(&proxied).await;
    spend_ip_budget(|id| token_forwarded(&app, id, "192.0.2.1")).await;
    let res = token_forwarded(&app, "c", "192.0.2.2").await;
    assert_status(&res, StatusCode::UNAUTHORIZED, "invalid_client");
}
