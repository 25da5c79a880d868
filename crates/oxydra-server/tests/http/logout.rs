//! Logout without logout CSRF, and `__Host-` cookies over https (issue 11 item 18).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_core::flow::LoginSession;
use oxydra_core::store::FlowStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, memory_store};
use serde_json::json;

use crate::oidc_flow::{CB, SECRET, code_tokens, flow_config, register};

const REVOKE: &str = "/oauth2/auth/sessions/login/revoke";
const SESSION: &str = "oauth2_authentication_session";

/// Stores a live login session `sid` of `subject`; returns its signed cookie value.
async fn session(app: &TestApp, sid: &str, subject: &str) -> String {
    let now = app.clock_now();
    let session = LoginSession {
        id: sid.into(),
        subject: subject.into(),
        authenticated_at: now,
        expires_at: now.plus(std::time::Duration::from_secs(3600)),
    };
    app.state
        .store
        .create_login_session(&session)
        .await
        .unwrap();
    app.state.cookies.sign(SESSION, sid)
}

async fn alive(app: &TestApp, sid: &str) -> bool {
    app.state
        .store
        .get_login_session(sid)
        .await
        .unwrap()
        .is_some()
}

/// `method uri` on the public port with a `Cookie` header (and a form body when given),
/// as arriving through a TLS-terminating proxy.
async fn send(
    app: &TestApp,
    method: Method,
    uri: &str,
    cookie: &str,
    form: Option<&str>,
) -> TestResponse {
    send_to(app, Port::Public, method, uri, cookie, form).await
}

/// [`send`] to either port.
async fn send_to(
    app: &TestApp,
    port: Port,
    method: Method,
    uri: &str,
    cookie: &str,
    form: Option<&str>,
) -> TestResponse {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-forwarded-proto", "https");
    if !cookie.is_empty() {
        request = request.header("cookie", cookie);
    }
    let body = match form {
        Some(form) => {
            request = request.header("content-type", "application/x-www-form-urlencoded");
            Body::from(form.to_owned())
        }
        None => Body::empty(),
    };
    app.send(port, request.body(body).unwrap()).await
}

fn location(res: &TestResponse) -> String {
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text);
    res.headers["location"].to_str().unwrap().to_owned()
}

/// The confirmation token in the page's form.
fn confirmation(page: &TestResponse) -> String {
    let at = page
        .text
        .find("name=\"logout_confirmation\" value=\"")
        .unwrap();
    let rest = &page.text[at + "name=\"logout_confirmation\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Submits the confirmation form of `page` with `cookie`.
async fn confirm(app: &TestApp, cookie: &str, page: &TestResponse) -> TestResponse {
    let form = format!("logout_confirmation={}", confirmation(page));
    send(app, Method::POST, REVOKE, cookie, Some(&form)).await
}

#[tokio::test]
async fn logout_needs_an_id_token_hint_or_a_confirmation() {
    let app = TestApp::with_store(memory_store().await, flow_config(&[]));
    register(&app, "web", json!({})).await;
    let cookie = format!("{SESSION}={}", session(&app, "sid-1", "alice").await);

    // A cross-site GET (an <img src>) only gets a page; the session lives on.
    let page = send(&app, Method::GET, REVOKE, &cookie, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(alive(&app, "sid-1").await);
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    // A forged confirmation is refused.
    let forged = send(
        &app,
        Method::POST,
        REVOKE,
        &cookie,
        Some("logout_confirmation=AAAA"),
    )
    .await;
    assert!(
        location(&forged).contains("error=request_forbidden"),
        "{}",
        location(&forged)
    );
    assert!(alive(&app, "sid-1").await);
    // Another session's token does not fit this one.
    let other = format!("{SESSION}={}", session(&app, "sid-2", "alice").await);
    let other_token = confirmation(&send(&app, Method::GET, REVOKE, &other, None).await);
    let wrong = send(
        &app,
        Method::POST,
        REVOKE,
        &cookie,
        Some(&format!("logout_confirmation={other_token}")),
    )
    .await;
    assert!(location(&wrong).contains("error=request_forbidden"));
    // The user's own confirmation ends it.
    let done = confirm(&app, &cookie, &page).await;
    assert!(
        location(&done).ends_with("/oauth2/fallbacks/logout"),
        "{}",
        location(&done)
    );
    assert!(
        done.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert!(!alive(&app, "sid-1").await);

    // RP-initiated: an ID token of the session's user ends it at once.
    let tokens = code_tokens(&app, "web", "openid", json!({})).await;
    let hint = tokens["id_token"].as_str().unwrap();
    let with_hint = format!("{REVOKE}?id_token_hint={hint}");
    let res = send(&app, Method::GET, &with_hint, &other, None).await;
    assert!(location(&res).ends_with("/oauth2/fallbacks/logout"));
    assert!(!alive(&app, "sid-2").await);
    // A hint of another user only gets the page; a forged one is an error.
    let bobs = format!("{SESSION}={}", session(&app, "sid-3", "bob").await);
    assert_eq!(
        send(&app, Method::GET, &with_hint, &bobs, None)
            .await
            .status,
        StatusCode::OK
    );
    assert!(alive(&app, "sid-3").await);
    let forged = send(
        &app,
        Method::GET,
        &format!("{REVOKE}?id_token_hint=a.b.c"),
        &bobs,
        None,
    )
    .await;
    assert!(location(&forged).contains("error=invalid_request"));
    assert!(alive(&app, "sid-3").await);
    // Without a session (a Hydra SDK call) it redirects, as Hydra does.
    let sdk = send(&app, Method::GET, REVOKE, "", None).await;
    assert!(location(&sdk).ends_with("/oauth2/fallbacks/logout"));
}

#[tokio::test]
async fn https_cookies_carry_the_host_prefix() {
    let config = flow_config(&[
        ("OXYDRA_DANGEROUS_FORCE_HTTP", "false"),
        ("OAUTH2_ISSUER_URL", "https://auth.example"),
        ("HTTPS_ALLOW_TERMINATION_FROM", "127.0.0.0/8"),
    ]);
    let app = TestApp::with_store(memory_store().await, config);
    let body = json!({
        "client_id": "web", "client_secret": SECRET, "redirect_uris": [CB],
        "grant_types": ["authorization_code"], "response_types": ["code"], "scope": "openid",
    });
    let request = Request::builder()
        .method(Method::POST)
        .uri("/clients")
        .header("x-forwarded-proto", "https")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app.send(Port::Admin, request).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let enc: String = url::form_urlencoded::byte_serialize(CB.as_bytes()).collect();
    let auth = format!(
        "/oauth2/auth?client_id=web&response_type=code&scope=openid&state=state-1234&redirect_uri={enc}"
    );
    let res = send(&app, Method::GET, &auth, "", None).await;
    let set = res.headers["set-cookie"].to_str().unwrap();
    assert!(
        set.starts_with("__Host-oauth2_authentication_csrf="),
        "{set}"
    );
    assert!(
        set.contains("; Path=/;") && set.contains("Secure") && !set.contains("Domain"),
        "{set}"
    );

    // Only the prefixed session cookie counts: an unprefixed one (which a sibling subdomain
    // could set) is ignored.
    let signed = session(&app, "sid-1", "alice").await;
    let skip = |cookie: String| {
        let app = &app;
        let auth = auth.clone();
        async move {
            let to_login = location(&send(app, Method::GET, &auth, &cookie, None).await);
            let challenge = oxydra_testkit::browser::param(&to_login, "login_challenge").unwrap();
            let path = format!("/oauth2/auth/requests/login/{challenge}");
            send_to(app, Port::Admin, Method::GET, &path, "", None)
                .await
                .json["skip"]
                .as_bool()
                .unwrap()
        }
    };
    assert!(!skip(format!("{SESSION}={signed}")).await);
    assert!(skip(format!("__Host-{SESSION}={signed}")).await);

    // Logging out clears the prefixed cookie and the one older versions set.
    let cookie = format!("__Host-{SESSION}={signed}");
    let page = send(&app, Method::GET, REVOKE, &cookie, None).await;
    let done = confirm(&app, &cookie, &page).await;
    let cleared: Vec<&str> = done
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with(&format!("__Host-{SESSION}=;"))),
        "{cleared:?}"
    );
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with(&format!("{SESSION}=;"))),
        "{cleared:?}"
    );
    assert!(!alive(&app, "sid-1").await);
}
