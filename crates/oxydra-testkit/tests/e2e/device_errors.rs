//! The device authorization grant's refusals through HTTP: every error RFC 8628 §3.5 names at
//! the token endpoint, the device authorization endpoint's RFC 6749 errors, and the
//! verification page's defences (anti-CSRF value, limit on wrong user codes, the login's
//! cookie binding), each of which a test here would catch missing.

use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::device::{DEVICE_GRANT, approve, confirm_code, poll, register, start};
use crate::flow::{CONSENT, accept_login, admin};

/// `POST /oauth2/device/auth` with `form`, optionally with HTTP Basic credentials.
async fn device_auth(
    server: &TestServer,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(server.public("/oauth2/device/auth"));
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let res = req.form(form).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// A device authorization of the public client `tv` for `read`: (device code, user code).
async fn started(server: &TestServer) -> (String, String) {
    let (status, body) = device_auth(server, None, &[("client_id", "tv"), ("scope", "read")]).await;
    assert_eq!(status, 200, "{body}");
    (
        body["device_code"].as_str().unwrap().to_owned(),
        body["user_code"].as_str().unwrap().to_owned(),
    )
}

fn error_of(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"].as_str().unwrap_or(""))
}

/// The form's anti-CSRF value, from a fresh form page in `browser`.
async fn form_csrf(server: &TestServer, browser: &mut Browser) -> String {
    let form = browser.get(&server.public("/oauth2/device/verify")).await;
    let start = form.body.find("name=\"csrf_token\" value=\"").unwrap() + 25;
    form.body[start..].split('"').next().unwrap().to_owned()
}

/// Submits `typed` at the verification page in `browser` with a fresh form.
async fn submit(server: &TestServer, browser: &mut Browser, typed: &str) -> (u16, String) {
    let csrf = form_csrf(server, browser).await;
    let fields = [("user_code", typed), ("csrf_token", csrf.as_str())];
    let nav = browser
        .post_form(&server.public("/oauth2/device/verify"), &fields)
        .await;
    (nav.status, nav.body)
}

store_test! {
    async fn polls_get_every_rfc_8628_error(store: SqlStore) {
        let server = start(store, &[]).await;
        register(&server, json!({
            "client_id": "other-tv", "token_endpoint_auth_method": "none",
            "grant_types": [DEVICE_GRANT], "scope": "read",
        })).await;
        register(&server, json!({
            "client_id": "service", "client_secret": "a-long-service-secret",
            "grant_types": ["client_credentials"], "scope": "read",
        })).await;
        let (device_code, _) = started(&server).await;

        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (400, "authorization_pending"));
        // Polled again at once: slow down, and the interval is now 10 s.
        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (400, "slow_down"));
        server.clock.advance_secs(5);
        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (400, "slow_down"));
        server.clock.advance_secs(15);
        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (400, "authorization_pending"));

        // A device code is bound to the client that asked for it.
        assert_eq!(error_of(&poll(&server, "other-tv", &device_code).await), (400, "invalid_grant"));
        // Forged, unknown or missing codes.
        let forged = format!("{}x", &device_code[..device_code.len() - 1]);
        assert_eq!(error_of(&poll(&server, "tv", &forged).await), (400, "invalid_grant"));
        assert_eq!(error_of(&poll(&server, "tv", "oxy_dc_nope").await), (400, "invalid_grant"));
        assert_eq!(error_of(&poll(&server, "tv", "").await), (400, "invalid_request"));
        // A client registered without the device grant.
        let res = reqwest::Client::new()
            .post(server.public("/oauth2/token"))
            .basic_auth("service", Some("a-long-service-secret"))
            .form(&[("grant_type", DEVICE_GRANT), ("device_code", device_code.as_str())])
            .send().await.unwrap();
        let answer = (res.status().as_u16(), res.json::<Value>().await.unwrap());
        assert_eq!(error_of(&answer), (400, "unauthorized_client"));

        server.clock.advance_secs(600);
        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (400, "expired_token"));
        // The flush (admin `/oauth2/flush`, or the janitor) deletes expired grants.
        let (status, _) = admin(&server, reqwest::Method::POST, "/oauth2/flush", Some(json!({}))).await;
        assert_eq!(status, 204);
        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (400, "invalid_grant"));
    }

    async fn the_device_authorization_endpoint_checks_client_grant_and_scope(store: SqlStore) {
        let server = start(store, &[]).await;
        register(&server, json!({
            "client_id": "service", "client_secret": "a-long-service-secret",
            "grant_types": ["client_credentials"], "scope": "read",
        })).await;
        register(&server, json!({
            "client_id": "kiosk", "client_secret": "a-long-kiosk-secret",
            "grant_types": [DEVICE_GRANT], "scope": "read",
        })).await;
        let secret_of = |id| if id == "kiosk" { "a-long-kiosk-secret" } else { "a-long-service-secret" };
        let as_client = |id: &'static str| Some((id, secret_of(id)));

        let answer = device_auth(&server, as_client("service"), &[("scope", "read")]).await;
        assert_eq!(error_of(&answer), (400, "unauthorized_client"), "{}", answer.1);
        let answer = device_auth(&server, None, &[("client_id", "tv"), ("scope", "admin")]).await;
        assert_eq!(error_of(&answer), (400, "invalid_scope"));
        let answer = device_auth(&server, Some(("kiosk", "wrong-secret-here")), &[]).await;
        assert_eq!(error_of(&answer), (401, "invalid_client"));
        let answer = device_auth(&server, None, &[("client_id", "nobody")]).await;
        assert_eq!(error_of(&answer), (401, "invalid_client"));
        // A confidential device client authenticates as at the token endpoint.
        let answer = device_auth(&server, as_client("kiosk"), &[("scope", "read")]).await;
        assert_eq!(answer.0, 200, "{}", answer.1);
        assert!(answer.1["device_code"].as_str().unwrap().starts_with("oxy_dc_"));
        // Answers are never cached (RFC 8628 §3.2 refers to RFC 6749 §5.1).
        let res = reqwest::Client::new()
            .post(server.public("/oauth2/device/auth"))
            .form(&[("client_id", "tv")]).send().await.unwrap();
        assert_eq!(res.headers()["cache-control"], "no-store");
    }

    async fn a_refusal_by_the_consent_or_login_app_is_access_denied(store: SqlStore) {
        let server = start(store, &[]).await;
        // The consent app refuses.
        let (device_code, user_code) = started(&server).await;
        let mut browser = Browser::new();
        let challenge = confirm_code(&server, &mut browser, &user_code).await;
        let (_, back) = accept_login(&server, &challenge, "alice", false).await;
        let to_consent = browser.get(&back).await.location.unwrap();
        assert!(to_consent.starts_with(CONSENT));
        let consent = param(&to_consent, "consent_challenge").unwrap();
        let path = format!("/oauth2/auth/requests/consent/{consent}/reject");
        let (_, done) = admin(&server, reqwest::Method::PUT, &path, Some(json!({"error": "access_denied"}))).await;
        let page = browser.get(done["redirect_to"].as_str().unwrap()).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Device not connected"), "{}", page.body);
        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (403, "access_denied"));

        // The login app refuses.
        let (device_code, user_code) = started(&server).await;
        let mut browser = Browser::new();
        let challenge = confirm_code(&server, &mut browser, &user_code).await;
        let path = format!("/oauth2/auth/requests/login/{challenge}/reject");
        let (_, done) = admin(&server, reqwest::Method::PUT, &path, Some(json!({"error": "access_denied"}))).await;
        let page = browser.get(done["redirect_to"].as_str().unwrap()).await;
        assert!(page.body.contains("Device not connected"), "{}", page.body);
        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (403, "access_denied"));
    }

    async fn the_verification_form_needs_its_own_cookie(store: SqlStore) {
        let server = start(store, &[]).await;
        let (_, user_code) = started(&server).await;
        // A form posted from elsewhere (another page, another browser) carries a value its
        // cookie does not match, or no cookie at all: refused before the code is looked at.
        let mut victim = Browser::new();
        let csrf = form_csrf(&server, &mut Browser::new()).await;
        let fields = [("user_code", user_code.as_str()), ("csrf_token", csrf.as_str()), ("confirm", "yes")];
        let forged = victim.post_form(&server.public("/oauth2/device/verify"), &fields).await;
        assert_eq!(forged.status, 403, "{}", forged.body);
        assert!(forged.location.is_none());
        let _ = form_csrf(&server, &mut victim).await;
        let forged = victim.post_form(&server.public("/oauth2/device/verify"), &fields).await;
        assert_eq!(forged.status, 403, "a cookie of its own, but the value of another");
    }

    async fn only_the_browser_that_confirmed_the_code_may_finish_the_login(store: SqlStore) {
        let server = start(store, &[]).await;
        let (device_code, user_code) = started(&server).await;
        let mut browser = Browser::new();
        let challenge = confirm_code(&server, &mut browser, &user_code).await;
        let (_, back) = accept_login(&server, &challenge, "alice", false).await;
        // Someone else's browser, with the verifier but not the login's CSRF cookie.
        let stolen = Browser::new().get(&back).await;
        assert_eq!(stolen.status, 403, "{}", stolen.body);
        assert_eq!(error_of(&poll(&server, "tv", &device_code).await), (400, "authorization_pending"));
        // The right browser still can.
        assert!(browser.get(&back).await.location.unwrap().starts_with(CONSENT));
        // A return without a verifier, or for an unknown grant, is an error page.
        let bare = browser.get(&server.public("/oauth2/device/verify?device_challenge=nope")).await;
        assert_eq!(bare.status, 400, "{}", bare.body);
    }

    async fn wrong_user_codes_are_limited_per_address(store: SqlStore) {
        let server = start(store, &[("OXYDRA_DEVICE_USER_CODE_FAILURES_PER_IP", "3")]).await;
        let (_, user_code) = started(&server).await;
        let mut browser = Browser::new();
        for wrong in ["BCDF-GHJK", "AEIO-UBCD", "short"] {
            let (status, body) = submit(&server, &mut browser, wrong).await;
            assert_eq!(status, 400, "{body}");
            assert!(body.contains("wrong or has expired"), "{body}");
        }
        // Spent: even the right code waits until the window ends.
        let (status, body) = submit(&server, &mut browser, &user_code).await;
        assert_eq!(status, 429, "{body}");
        server.clock.advance_secs(60);
        let (status, body) = submit(&server, &mut browser, &user_code).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Living-room TV"), "{body}");
    }

    async fn wrong_user_codes_are_limited_in_total(store: SqlStore) {
        let server = start(store, &[
            ("OXYDRA_DEVICE_USER_CODE_FAILURES_PER_IP", "0"),
            ("OXYDRA_DEVICE_USER_CODE_FAILURES", "2"),
        ]).await;
        let (_, user_code) = started(&server).await;
        for _ in 0..2 {
            assert_eq!(submit(&server, &mut Browser::new(), "BCDF-GHJK").await.0, 400);
        }
        assert_eq!(submit(&server, &mut Browser::new(), &user_code).await.0, 429);
    }

    async fn an_expired_user_code_is_a_wrong_one(store: SqlStore) {
        let server = start(store, &[]).await;
        let (_, user_code) = started(&server).await;
        server.clock.advance_secs(600);
        let (status, body) = submit(&server, &mut Browser::new(), &user_code).await;
        assert_eq!(status, 400, "{body}");
        // Approved once, the code cannot be approved again (nor by another browser).
        let (_, user_code) = started(&server).await;
        let (page, _) = approve(&server, &user_code).await;
        assert!(page.contains("Device connected"));
        assert_eq!(submit(&server, &mut Browser::new(), &user_code).await.0, 400);
    }

    async fn the_device_flow_can_be_turned_off(store: SqlStore) {
        let server = start(store, &[("OXYDRA_DEVICE_FLOW", "false")]).await;
        let (status, _) = device_auth(&server, None, &[("client_id", "tv")]).await;
        assert_eq!(status, 404);
        let page = Browser::new().get(&server.public("/oauth2/device/verify")).await;
        assert_eq!(page.status, 404);
        let answer = poll(&server, "tv", "oxy_dc_anything").await;
        assert_eq!(error_of(&answer), (400, "unsupported_grant_type"));
    }
}
