//! OIDC logout end to end (issue 15 items 2 and 4): two clients of one login session, an
//! RP-initiated logout with `id_token_hint`, `post_logout_redirect_uri` and `state` through
//! the logout app (the test, on the admin API), the front-channel page framing both clients
//! with `iss` and `sid`, and a back-channel `logout_token` received by a loopback RP and
//! verified independently against the JWKS. Also: an unregistered target and a forged hint
//! are refused, a rejection keeps the session, and a back-channel endpoint that never answers
//! does not hold up the browser.

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::flow::{CB, CONSENT, LOGIN, SECRET, accept_consent, accept_login, admin, auth_url};
use crate::oauth2_client::register;

pub(crate) const LOGOUT_APP: &str = "https://logout.example/logout";
pub(crate) const BYE: &str = "https://app.example/bye";

/// A loopback RP receiving back-channel logouts: each body is sent down the channel.
pub(crate) async fn backchannel_rp() -> (String, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/bc",
        post(move |body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                ""
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bc", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

/// A loopback endpoint that accepts connections and never answers.
async fn silent_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bc", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}

async fn start(store: SqlStore, web_bc: &str, rp2_bc: &str) -> TestServer {
    let server = TestServer::start(
        store,
        &[
            ("OAUTH2_LOGIN_URL", LOGIN),
            ("OAUTH2_CONSENT_URL", CONSENT),
            ("OAUTH2_LOGOUT_URL", LOGOUT_APP),
        ],
    )
    .await;
    for (id, bc) in [("web", web_bc), ("rp2", rp2_bc)] {
        register(
            &server,
            id,
            SECRET,
            json!({
                "scope": "openid offline read",
                "post_logout_redirect_uris": [BYE],
                "frontchannel_logout_uri": format!("https://{id}.example/fc"),
                "frontchannel_logout_session_required": true,
                "backchannel_logout_uri": bc,
                "backchannel_logout_session_required": true,
            }),
        )
        .await;
    }
    server
}

/// Logs alice in at `client` (remembered), consents, and redeems the code: the ID token.
async fn id_token_for(server: &TestServer, browser: &mut Browser, client: &str) -> String {
    let url = auth_url(server, "&nonce=n-123456")
        .replace("client_id=web", &format!("client_id={client}"));
    let to_login = browser.get(&url).await.location.unwrap();
    let challenge = param(&to_login, "login_challenge").unwrap();
    let (_, back) = accept_login(server, &challenge, "alice", true).await;
    let to_consent = browser.get(&back).await.location.unwrap();
    let challenge = param(&to_consent, "consent_challenge").unwrap();
    let (_, back) = accept_consent(server, &challenge, true).await;
    let to_client = browser.get(&back).await.location.unwrap();
    let code = param(&to_client, "code").unwrap();
    let res = reqwest::Client::new()
        .post(server.public("/oauth2/token"))
        .basic_auth(client, Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CB),
            (
                "code_verifier",
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tokens: Value = res.json().await.unwrap();
    tokens["id_token"].as_str().unwrap().to_owned()
}

pub(crate) fn logout_url(server: &TestServer, hint: &str, target: &str, state: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id_token_hint", hint)
        .append_pair("post_logout_redirect_uri", target)
        .append_pair("state", state)
        .finish();
    server.public(&format!("/oauth2/sessions/logout?{query}"))
}

/// The claims of `token`, verified against the server's JWKS with `audience`.
pub(crate) async fn verified(server: &TestServer, token: &str, audience: &str) -> Value {
    let jwks: JwkSet = reqwest::get(server.public("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = decode_header(token).unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[server.public("/")]);
    // The server's clock is fixed in 2023; the token's exp is checked against it below.
    validation.validate_exp = false;
    decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap()
        .claims
}

/// The error page's `error` parameter of a refused logout.
fn refused(location: &str) -> String {
    param(location, "error").unwrap_or_default()
}

store_test! {
    async fn rp_initiated_logout_ends_the_session_front_and_back_channel(store: SqlStore) {
        let (bc_url, mut received) = backchannel_rp().await;
        let server = start(store, &bc_url, &bc_url).await;
        let mut browser = Browser::new();
        let hint = id_token_for(&server, &mut browser, "web").await;
        id_token_for(&server, &mut browser, "rp2").await;
        let id_claims = verified(&server, &hint, "web").await;
        let sid = id_claims["sid"].as_str().unwrap().to_owned();

        // Discovery advertises what is served.
        let doc: Value = reqwest::get(server.public("/.well-known/openid-configuration"))
            .await.unwrap().json().await.unwrap();
        assert_eq!(doc["end_session_endpoint"], server.public("/oauth2/sessions/logout"));
        assert_eq!(doc["backchannel_logout_supported"], true);
        assert_eq!(doc["frontchannel_logout_session_supported"], true);

        // Refusals: an unregistered target, a forged hint.
        let nav = browser.get(&logout_url(&server, &hint, "https://evil.example/", "s")).await;
        assert_eq!(refused(nav.location.as_deref().unwrap()), "invalid_request");
        let mut forged = hint.clone();
        forged.replace_range(forged.len() - 4.., "AAAA");
        let nav = browser.get(&logout_url(&server, &forged, BYE, "s")).await;
        assert_eq!(refused(nav.location.as_deref().unwrap()), "invalid_request");

        // The logout app is asked; rejecting keeps the session.
        let to_app = browser.get(&logout_url(&server, &hint, BYE, "st-1")).await.location.unwrap();
        assert!(to_app.starts_with(LOGOUT_APP), "{to_app}");
        let challenge = param(&to_app, "logout_challenge").unwrap();
        let path = format!("/oauth2/auth/requests/logout/reject?logout_challenge={challenge}");
        let (status, _) = admin(&server, reqwest::Method::PUT, &path, None).await;
        assert_eq!(status, 204);
        let to_login = browser.get(&auth_url(&server, "")).await.location.unwrap();
        let login = param(&to_login, "login_challenge").unwrap();
        let (request, _) = accept_login(&server, &login, "alice", true).await;
        assert_eq!(request["skip"], true, "a rejected logout keeps the session");

        // Accepting, on the Hydra 2.x path.
        let to_app = browser.get(&logout_url(&server, &hint, BYE, "st-1")).await.location.unwrap();
        let challenge = param(&to_app, "logout_challenge").unwrap();
        let path = format!("/admin/oauth2/auth/requests/logout?logout_challenge={challenge}");
        let (status, request) = admin(&server, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{request}");
        assert_eq!(request["subject"], "alice");
        assert_eq!(request["sid"], sid);
        assert_eq!(request["rp_initiated"], true);
        assert_eq!(request["client"]["client_id"], "web");
        let path = format!("/oauth2/auth/requests/logout/accept?logout_challenge={challenge}");
        let (status, done) = admin(&server, reqwest::Method::PUT, &path, None).await;
        assert_eq!(status, 200, "{done}");
        let page = browser.get(done["redirect_to"].as_str().unwrap()).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let iss = url::form_urlencoded::byte_serialize(server.public("/").as_bytes()).collect::<String>();
        for id in ["web", "rp2"] {
            let frame = format!("https://{id}.example/fc?iss={iss}&amp;sid={sid}");
            assert!(page.body.contains(&frame), "{frame} in {}", page.body);
        }
        assert!(page.body.contains(&format!("{BYE}?state=st-1")), "{}", page.body);

        // Both clients get a logout token, verified independently.
        let mut audiences = Vec::new();
        for _ in 0..2 {
            let body = tokio::time::timeout(Duration::from_secs(10), received.recv())
                .await.unwrap().unwrap();
            let token = param(&format!("x:?{body}"), "logout_token").unwrap();
            let aud = ["web", "rp2"].into_iter()
                .find(|a| token_audience(&token) == *a).unwrap();
            let claims = verified(&server, &token, aud).await;
            assert_eq!(claims["sid"], sid);
            assert_eq!(claims["sub"], "alice");
            assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
            assert!(claims.get("nonce").is_none(), "a logout token never carries a nonce");
            assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
            audiences.push(aud);
        }
        audiences.sort_unstable();
        assert_eq!(audiences, ["rp2", "web"]);

        // The session is over: the next authorization asks for a login again.
        let to_login = browser.get(&auth_url(&server, "")).await.location.unwrap();
        let login = param(&to_login, "login_challenge").unwrap();
        let path = format!("/oauth2/auth/requests/login/{login}");
        let (_, request) = admin(&server, reqwest::Method::GET, &path, None).await;
        assert_eq!(request["skip"], false);
    }

    async fn an_unanswering_backchannel_endpoint_does_not_hold_up_the_browser(store: SqlStore) {
        let silent = silent_endpoint().await;
        let server = start(store, &silent, &silent).await;
        let mut browser = Browser::new();
        let hint = id_token_for(&server, &mut browser, "web").await;
        let to_app = browser.get(&logout_url(&server, &hint, BYE, "s")).await.location.unwrap();
        let challenge = param(&to_app, "logout_challenge").unwrap();
        let path = format!("/oauth2/auth/requests/logout/accept?logout_challenge={challenge}");
        let (_, done) = admin(&server, reqwest::Method::PUT, &path, None).await;
        let page = tokio::time::timeout(
            Duration::from_secs(2),
            browser.get(done["redirect_to"].as_str().unwrap()),
        )
        .await
        .expect("the browser is answered without waiting for the back channel");
        assert_eq!(page.status, 200);
    }

    /// A hint names a session; it does not carry the right to end it. A holder of alice's ID
    /// token (the client it was issued to, say) cannot log her out from another browser: a
    /// browser without a session is just sent on, and one logged in as someone else is
    /// refused. Her session stays.
    async fn a_hint_ends_only_the_browsers_own_session(store: SqlStore) {
        let (bc_url, _received) = backchannel_rp().await;
        let server = start(store, &bc_url, &bc_url).await;
        let mut alice = Browser::new();
        let hint = id_token_for(&server, &mut alice, "web").await;

        let mut stranger = Browser::new();
        let nav = stranger.get(&logout_url(&server, &hint, BYE, "s")).await;
        let to = nav.location.unwrap();
        assert!(to.starts_with(BYE), "no session here, nothing to ask about: {to}");

        let mut bob = Browser::new();
        let to_login = bob.get(&auth_url(&server, "")).await.location.unwrap();
        let challenge = param(&to_login, "login_challenge").unwrap();
        let (_, back) = accept_login(&server, &challenge, "bob", true).await;
        bob.get(&back).await;
        let nav = bob.get(&logout_url(&server, &hint, BYE, "s")).await;
        assert_eq!(refused(nav.location.as_deref().unwrap()), "invalid_request");

        let to_login = alice.get(&auth_url(&server, "")).await.location.unwrap();
        let login = param(&to_login, "login_challenge").unwrap();
        let (request, _) = accept_login(&server, &login, "alice", true).await;
        assert_eq!(request["skip"], true, "alice is still logged in");
    }
}

/// The single audience of an unverified JWT (to pick whom to verify it for).
fn token_audience(token: &str) -> String {
    crate::flow::unverified_claims(token)["aud"][0]
        .as_str()
        .unwrap()
        .to_owned()
}
