//! The demo login and consent app (`OXYDRA_DEMO`): its pages driven by a scripted browser
//! through the real authorization flow, on real loopback listeners (the demo calls the admin
//! API over HTTP, as an operator's app does).

use oxydra_testkit::app::memory_store;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use serde_json::json;

const CB: &str = "https://app.example/cb";
const HOSTILE_NAME: &str = "<script>alert('name')</script>";
const HOSTILE_HINT: &str = "\"><script>alert(1)</script>";

async fn start() -> TestServer {
    let server = TestServer::start(
        memory_store().await,
        &[
            ("OXYDRA_DEMO", "true"),
            ("OXYDRA_DEMO_USERS", "alice:alice-password,bob:b0b"),
        ],
    )
    .await;
    let res = reqwest::Client::new()
        .post(server.admin("/clients"))
        .json(&json!({
            "client_id": "web",
            "client_secret": "a-long-enough-secret",
            "client_name": HOSTILE_NAME,
            "redirect_uris": [CB],
            "grant_types": ["authorization_code", "refresh_token"],
            "scope": "openid offline read",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    server
}

fn auth_url(server: &TestServer, extra: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    server.public(&format!(
        "/oauth2/auth?client_id=web&response_type=code&scope=openid+offline+read&state=state-1234&redirect_uri={}{extra}",
        enc(CB)
    ))
}

/// Gets `url`, which must redirect to `prefix…`; returns where it redirects.
async fn redirect_of(browser: &mut Browser, url: &str, prefix: &str) -> String {
    let nav = browser.get(url).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let location = nav.location.unwrap();
    assert!(location.starts_with(prefix), "{location}");
    location
}

/// Starts a flow; returns the login page's URL (the server's redirect).
async fn to_login(server: &TestServer, browser: &mut Browser, extra: &str) -> String {
    let prefix = server.public("/demo/login?login_challenge=");
    redirect_of(browser, &auth_url(server, extra), &prefix).await
}

/// Logs in as alice from the login page; returns the consent page's URL.
async fn log_in(server: &TestServer, browser: &mut Browser, login: &str) -> String {
    let challenge = param(login, "login_challenge").unwrap();
    let nav = browser
        .post_form(
            &server.public("/demo/login"),
            &[
                ("challenge", &challenge),
                ("username", "alice"),
                ("password", "alice-password"),
                ("remember", "1"),
                ("action", "accept"),
            ],
        )
        .await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let back = nav.location.unwrap();
    assert!(back.contains("login_verifier="), "{back}");
    let nav = browser.get(&back).await;
    let consent = nav.location.unwrap();
    assert!(
        consent.starts_with(&server.public("/demo/consent?consent_challenge=")),
        "{consent}"
    );
    consent
}

#[tokio::test]
async fn login_page_has_labels_and_escapes_the_client_name_and_login_hint() {
    let server = start().await;
    let mut browser = Browser::new();
    let enc: String = url::form_urlencoded::byte_serialize(HOSTILE_HINT.as_bytes()).collect();
    let login = to_login(&server, &mut browser, &format!("&login_hint={enc}")).await;
    let page = browser.get(&login).await;
    assert_eq!(page.status, 200);
    let html = page.body;
    assert!(html.starts_with("<!doctype html>") && html.contains("<html lang=\"en\">"));
    assert!(html.contains("<h1>Log in</h1>"));
    for id in ["username", "password", "remember"] {
        assert!(
            html.contains(&format!("<label for=\"{id}\">")),
            "{id}: {html}"
        );
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
    }
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"));
    assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
    let challenge = param(&login, "login_challenge").unwrap();
    assert!(html.contains(&format!("name=\"challenge\" value=\"{challenge}\"")));
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_and_the_right_one_goes_on() {
    let server = start().await;
    let mut browser = Browser::new();
    let login = to_login(&server, &mut browser, "").await;
    let challenge = param(&login, "login_challenge").unwrap();
    for (user, password) in [
        ("alice", "wrong"),
        ("alice", "b0b"),
        ("nobody", "alice-password"),
    ] {
        let nav = browser
            .post_form(
                &server.public("/demo/login"),
                &[
                    ("challenge", &challenge),
                    ("username", user),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(nav.status, 200, "{user}/{password}");
        assert!(nav.body.contains("role=\"alert\""), "{}", nav.body);
        assert!(nav.body.contains("wrong"), "{}", nav.body);
        assert!(nav.body.contains(&format!("value=\"{user}\"")));
    }
    // The challenge is still usable, and the accept answer's redirect_to is followed.
    let consent = log_in(&server, &mut browser, &login).await;
    assert!(
        browser
            .cookies
            .contains_key("oauth2_authentication_session")
    );
    assert!(consent.contains("consent_challenge="));
}

#[tokio::test]
async fn consent_lists_the_scopes_and_unchecking_one_grants_fewer() {
    let server = start().await;
    let mut browser = Browser::new();
    let login = to_login(&server, &mut browser, "").await;
    let consent = log_in(&server, &mut browser, &login).await;
    let page = browser.get(&consent).await;
    assert_eq!(page.status, 200);
    for scope in ["openid", "offline", "read"] {
        assert!(
            page.body
                .contains(&format!("name=\"grant_scope\" value=\"{scope}\" checked")),
            "{scope}: {}",
            page.body
        );
    }
    assert!(page.body.contains("<strong>alice</strong>"));
    let challenge = param(&consent, "consent_challenge").unwrap();
    // "read" unchecked; a forged extra scope is ignored.
    let nav = browser
        .post_form(
            &server.public("/demo/consent"),
            &[
                ("challenge", &challenge),
                ("grant_scope", "openid"),
                ("grant_scope", "offline"),
                ("grant_scope", "admin"),
                ("action", "allow"),
            ],
        )
        .await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let back = nav.location.unwrap();
    assert!(back.contains("consent_verifier="), "{back}");
    let to_client = browser.get(&back).await.location.unwrap();
    assert!(to_client.starts_with(CB), "{to_client}");
    assert_eq!(
        param(&to_client, "scope").as_deref(),
        Some("openid offline")
    );
    assert!(param(&to_client, "code").is_some());

    // The login was remembered: the next login page is skipped straight to consent.
    let login = to_login(&server, &mut browser, "").await;
    let nav = browser.get(&login).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    assert!(nav.location.unwrap().contains("login_verifier="));
}

#[tokio::test]
async fn deny_on_either_page_sends_access_denied_to_the_client() {
    let server = start().await;
    let mut browser = Browser::new();
    let login = to_login(&server, &mut browser, "").await;
    let challenge = param(&login, "login_challenge").unwrap();
    let nav = browser
        .post_form(
            &server.public("/demo/login"),
            &[("challenge", &challenge), ("action", "deny")],
        )
        .await;
    let back = browser.get(&nav.location.unwrap()).await.location.unwrap();
    assert!(back.starts_with(CB), "{back}");
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "state").as_deref(), Some("state-1234"));

    let login = to_login(&server, &mut browser, "").await;
    let consent = log_in(&server, &mut browser, &login).await;
    let challenge = param(&consent, "consent_challenge").unwrap();
    let nav = browser
        .post_form(
            &server.public("/demo/consent"),
            &[("challenge", &challenge), ("action", "deny")],
        )
        .await;
    let back = browser.get(&nav.location.unwrap()).await.location.unwrap();
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn unknown_or_missing_challenges_get_an_error_page() {
    let server = start().await;
    let mut browser = Browser::new();
    let nav = browser.get(&server.public("/demo/login")).await;
    assert_eq!(nav.status, 400);
    assert!(nav.body.contains("login_challenge"), "{}", nav.body);
    let nav = browser
        .get(&server.public("/demo/consent?consent_challenge=%3Cnope%3E"))
        .await;
    assert_eq!(nav.status, 404, "{}", nav.body);
    assert!(nav.body.contains("does not exist"), "{}", nav.body);
    assert!(!nav.body.contains("<nope>"));
}

#[tokio::test]
async fn the_demo_routes_exist_only_when_enabled() {
    let server = TestServer::start(memory_store().await, &[]).await;
    let res = reqwest::get(server.public("/demo/login?login_challenge=x"))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

/// Hydra 2.x `skip_consent` (issue 15 item 3): the consent app is told through the client of
/// the 2.x consent request, and the demo app accepts a first-party client's consent unasked.
#[tokio::test]
async fn a_first_party_clients_consent_is_accepted_without_a_page() {
    let server = start().await;
    let patch = json!([{"op": "replace", "path": "/skip_consent", "value": true}]);
    let res = reqwest::Client::new()
        .patch(server.admin("/admin/clients/web"))
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let mut browser = Browser::new();
    let login = to_login(&server, &mut browser, "").await;
    let consent = log_in(&server, &mut browser, &login).await;
    let challenge = param(&consent, "consent_challenge").unwrap();
    let read = |path: String| async move {
        let res = reqwest::get(path).await.unwrap();
        res.json::<serde_json::Value>().await.unwrap()
    };
    let path = format!("/admin/oauth2/auth/requests/consent?consent_challenge={challenge}");
    let request = read(server.admin(&path)).await;
    assert_eq!(request["client"]["skip_consent"], true, "{request}");
    // The 1.0.0-beta route keeps its shape.
    let beta = read(server.admin(&format!("/oauth2/auth/requests/consent/{challenge}"))).await;
    assert!(beta["client"].get("skip_consent").is_none(), "{beta}");

    // No page: straight back to the authorization endpoint with every requested scope.
    let nav = browser.get(&consent).await;
    assert_eq!(nav.status, 302, "no consent page: {}", nav.body);
    let to_client = browser.get(&nav.location.unwrap()).await.location.unwrap();
    let granted = param(&to_client, "scope");
    assert_eq!(
        granted.as_deref(),
        Some("openid offline read"),
        "{to_client}"
    );
}

/// Logs alice in (remembered) and through consent; returns once the client has its code.
async fn remembered_login(server: &TestServer, browser: &mut Browser) {
    let login = to_login(server, browser, "").await;
    let consent = log_in(server, browser, &login).await;
    let challenge = param(&consent, "consent_challenge").unwrap();
    let nav = browser
        .post_form(
            &server.public("/demo/consent"),
            &[
                ("challenge", &challenge),
                ("grant_scope", "openid"),
                ("action", "allow"),
            ],
        )
        .await;
    let to_client = browser.get(&nav.location.unwrap()).await.location.unwrap();
    assert!(param(&to_client, "code").is_some(), "{to_client}");
}

/// Whether the next authorization request skips the login page (a remembered login).
async fn login_is_remembered(server: &TestServer, browser: &mut Browser) -> bool {
    let login = to_login(server, browser, "").await;
    let nav = browser.get(&login).await;
    nav.status == 302 && nav.location.is_some_and(|l| l.contains("login_verifier="))
}

/// Starts a browser-initiated logout; returns the demo logout page's URL.
async fn to_logout(server: &TestServer, browser: &mut Browser) -> String {
    let prefix = server.public("/demo/logout?logout_challenge=");
    redirect_of(browser, &server.public("/oauth2/sessions/logout"), &prefix).await
}

/// The demo logout page (issue 15 item 2): "Stay logged in" rejects and keeps the session;
/// "Log out" accepts, and the login is no longer remembered.
#[tokio::test]
async fn the_demo_logout_page_confirms_and_ends_the_session() {
    let server = start().await;
    let mut browser = Browser::new();
    remembered_login(&server, &mut browser).await;
    assert!(login_is_remembered(&server, &mut browser).await);

    let page_url = to_logout(&server, &mut browser).await;
    let page = browser.get(&page_url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<strong>alice</strong>"),
        "{}",
        page.body
    );
    let challenge = param(&page_url, "logout_challenge").unwrap();
    assert!(
        page.body
            .contains(&format!("name=\"challenge\" value=\"{challenge}\""))
    );
    let nav = browser
        .post_form(
            &server.public("/demo/logout"),
            &[("challenge", &challenge), ("action", "reject")],
        )
        .await;
    assert_eq!(nav.status, 200, "{}", nav.body);
    assert!(nav.body.contains("still logged in"), "{}", nav.body);
    assert!(login_is_remembered(&server, &mut browser).await);

    let page_url = to_logout(&server, &mut browser).await;
    let challenge = param(&page_url, "logout_challenge").unwrap();
    let nav = browser
        .post_form(
            &server.public("/demo/logout"),
            &[("challenge", &challenge), ("action", "accept")],
        )
        .await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let back = nav.location.unwrap();
    assert!(back.contains("logout_verifier="), "{back}");
    let done = browser.get(&back).await;
    assert!(done.status == 200 || done.status == 302, "{}", done.body);
    assert!(!login_is_remembered(&server, &mut browser).await);

    // A used challenge is an error page, not a second logout.
    let nav = browser
        .post_form(
            &server.public("/demo/logout"),
            &[("challenge", &challenge), ("action", "accept")],
        )
        .await;
    assert!((400..500).contains(&nav.status), "{}", nav.status);
}
