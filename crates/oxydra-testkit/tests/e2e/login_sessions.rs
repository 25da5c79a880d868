//! Remembered login sessions end on the server, not only in the browser (issue 11 item 2): a
//! copied `oauth2_authentication_session` cookie stops skipping the login once `remember_for`
//! is over, a "browser session" login (`remember_for: 0`) is bounded by
//! `OXYDRA_BROWSER_SESSION_LIFESPAN` (24 h by default), and the flush deletes expired rows.

use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::json;

use crate::flow::{CONSENT, LOGIN, admin, auth_url, start};

/// Logs alice in from `browser`, remembered for `remember_for` seconds; returns the session
/// id its cookie carries.
async fn remember(server: &TestServer, browser: &mut Browser, remember_for: i64) -> String {
    let to_login = browser.get(&auth_url(server, "")).await.location.unwrap();
    let challenge = param(&to_login, "login_challenge").unwrap();
    let path = format!("/oauth2/auth/requests/login/{challenge}/accept");
    let body = json!({"subject": "alice", "remember": true, "remember_for": remember_for});
    let (status, done) = admin(server, reqwest::Method::PUT, &path, Some(body)).await;
    assert_eq!(status, 200, "{done}");
    let to_consent = browser
        .get(done["redirect_to"].as_str().unwrap())
        .await
        .location
        .unwrap();
    assert!(to_consent.starts_with(CONSENT), "{to_consent}");
    let cookie = browser
        .cookies
        .iter()
        .find(|(name, _)| name.ends_with("oauth2_authentication_session"))
        .map(|(_, value)| value.clone())
        .unwrap_or_else(|| panic!("no session cookie: {:?}", browser.cookies));
    cookie.rsplit_once('.').unwrap().0.to_owned()
}

/// Whether the next authorization request from `browser` skips the login.
async fn skipped(server: &TestServer, browser: &mut Browser) -> bool {
    let to_login = browser.get(&auth_url(server, "")).await.location.unwrap();
    assert!(to_login.starts_with(LOGIN), "{to_login}");
    let challenge = param(&to_login, "login_challenge").unwrap();
    let path = format!("/oauth2/auth/requests/login/{challenge}");
    let (status, request) = admin(server, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 200, "{request}");
    request["skip"].as_bool().unwrap()
}

store_test! {
    async fn remembered_logins_expire_on_the_server(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let sid = remember(&server, &mut browser, 3600).await;
        assert!(skipped(&server, &mut browser).await);
        // The cookie is still sent (copied, or its Max-Age ignored): the server says no.
        server.clock.advance_secs(3601);
        assert!(!skipped(&server, &mut browser).await);

        // remember_for 0 ("until the browser closes") is bounded server-side.
        let mut other = Browser::new();
        let browser_sid = remember(&server, &mut other, 0).await;
        server.clock.advance_secs(23 * 3600);
        assert!(skipped(&server, &mut other).await);
        server.clock.advance_secs(3601);
        assert!(!skipped(&server, &mut other).await);

        // The flush deletes both expired rows.
        let store = &server.state.store;
        use oxydra_core::store::FlowStore as _;
        assert!(store.get_login_session(&sid).await.unwrap().is_some());
        let (status, _) = admin(&server, reqwest::Method::POST, "/oauth2/flush", None).await;
        assert_eq!(status, 204);
        assert_eq!(store.get_login_session(&sid).await.unwrap(), None);
        assert_eq!(store.get_login_session(&browser_sid).await.unwrap(), None);
    }

    async fn the_browser_session_maximum_is_configurable(store: SqlStore) {
        let server = TestServer::start(
            store,
            &[
                ("OAUTH2_LOGIN_URL", LOGIN),
                ("OAUTH2_CONSENT_URL", CONSENT),
                ("OXYDRA_BROWSER_SESSION_LIFESPAN", "1h"),
            ],
        )
        .await;
        crate::oauth2_client::register(&server, "web", "flow-client-secret", json!({"scope": "openid offline read write"})).await;
        let mut browser = Browser::new();
        remember(&server, &mut browser, 0).await;
        server.clock.advance_secs(3599);
        assert!(skipped(&server, &mut browser).await);
        server.clock.advance_secs(2);
        assert!(!skipped(&server, &mut browser).await);
    }
}
