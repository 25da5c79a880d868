//! The device authorization grant (RFC 8628) end to end: the device is the `oauth2` crate's
//! device flow (an independent RFC 8628 client), the user a scripted browser at the
//! verification page, and the login and consent apps the test, unchanged from the code flow
//! (`flow.rs`). Time is the server's clock, which the device's "sleep" between polls advances.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    ClientId, DeviceAuthorizationUrl, Scope, StandardDeviceAuthorizationResponse, TokenResponse,
    TokenUrl,
};
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{CONSENT, LOGIN, accept_consent, accept_login, admin};
use crate::oauth2_client::{introspect, send};

pub(crate) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A server with the test's login and consent apps, `extra` settings, and the public device
/// client `tv` (a TV app: `none` authentication, as RFC 8628 devices usually are).
pub(crate) async fn start(store: SqlStore, extra: &[(&str, &str)]) -> TestServer {
    let mut env = vec![("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)];
    env.extend_from_slice(extra);
    let server = TestServer::start(store, &env).await;
    register(
        &server,
        json!({
            "client_id": "tv",
            "client_name": "Living-room TV",
            "token_endpoint_auth_method": "none",
            "grant_types": [DEVICE_GRANT, "refresh_token"],
            "scope": "openid offline read",
        }),
    )
    .await;
    server
}

pub(crate) async fn register(server: &TestServer, body: Value) {
    let (status, created) = admin(server, reqwest::Method::POST, "/clients", Some(body)).await;
    assert_eq!(status, 201, "{created}");
}

/// The device's half, through the `oauth2` crate.
fn device_client(
    server: &TestServer,
    id: &str,
) -> oauth2::basic::BasicClient<
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
> {
    BasicClient::new(ClientId::new(id.into()))
        .set_device_authorization_url(
            DeviceAuthorizationUrl::new(server.public("/oauth2/device/auth")).unwrap(),
        )
        .set_token_uri(TokenUrl::new(server.public("/oauth2/token")).unwrap())
}

/// The device's clock: the server's, so its own timeout is decided in the same (test) time.
fn server_time(server: &TestServer) -> impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync {
    let clock = server.clock.clone();
    move || {
        let now = oxydra_core::clock::Clock::now(clock.as_ref());
        chrono::DateTime::from_timestamp(now.unix_secs(), 0).unwrap()
    }
}

/// `POST /oauth2/device/auth` through the `oauth2` crate.
pub(crate) async fn device_authorization(
    server: &TestServer,
    scopes: &[&str],
) -> StandardDeviceAuthorizationResponse {
    let client = device_client(server, "tv");
    let mut request = client.exchange_device_code();
    for s in scopes {
        request = request.add_scope(Scope::new((*s).into()));
    }
    request.request_async(&send).await.unwrap()
}

/// The hidden anti-CSRF value of a verification page.
fn csrf_of(body: &str) -> String {
    let start = body.find("name=\"csrf_token\" value=\"").unwrap() + 25;
    body[start..].split('"').next().unwrap().to_owned()
}

/// The user at the verification page: types `typed`, confirms, and is sent to the login app;
/// returns the login challenge.
pub(crate) async fn confirm_code(
    server: &TestServer,
    browser: &mut Browser,
    typed: &str,
) -> String {
    let form = browser.get(&server.public("/oauth2/device/verify")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = csrf_of(&form.body);
    let verify = server.public("/oauth2/device/verify");
    let fields = [("user_code", typed), ("csrf_token", csrf.as_str())];
    let confirm = browser.post_form(&verify, &fields).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    // RFC 8628 §5.4: the page names the client and the scopes before anything starts.
    assert!(confirm.body.contains("Living-room TV"), "{}", confirm.body);
    assert!(
        confirm.body.contains("<code>read</code>"),
        "{}",
        confirm.body
    );
    let csrf = csrf_of(&confirm.body);
    let fields = [
        ("user_code", typed),
        ("csrf_token", csrf.as_str()),
        ("confirm", "yes"),
    ];
    let to_login = browser.post_form(&verify, &fields).await;
    assert_eq!(to_login.status, 302, "{}", to_login.body);
    let location = to_login.location.unwrap();
    assert!(location.starts_with(LOGIN), "{location}");
    param(&location, "login_challenge").unwrap()
}

/// The whole browser side for `typed`: confirm, log in as alice, consent; returns the final
/// page and the consent request the consent app saw.
pub(crate) async fn approve(server: &TestServer, typed: &str) -> (String, Value) {
    let mut browser = Browser::new();
    let challenge = confirm_code(server, &mut browser, typed).await;
    let (login, back) = accept_login(server, &challenge, "alice", true).await;
    assert_eq!(login["client"]["client_id"], "tv");
    assert!(
        back.starts_with(&server.public("/oauth2/device/verify?")),
        "{back}"
    );
    let to_consent = browser.get(&back).await.location.unwrap();
    assert!(to_consent.starts_with(CONSENT), "{to_consent}");
    let (consent, back) = accept_consent(
        server,
        &param(&to_consent, "consent_challenge").unwrap(),
        true,
    )
    .await;
    let done = browser.get(&back).await;
    assert_eq!(done.status, 200, "{}", done.body);
    (done.body, consent)
}

/// `POST /oauth2/token` with the device grant, as the public client `id`.
pub(crate) async fn poll(server: &TestServer, id: &str, device_code: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(server.public("/oauth2/token"))
        .form(&[
            ("grant_type", DEVICE_GRANT),
            ("device_code", device_code),
            ("client_id", id),
        ])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

store_test! {
    async fn a_device_gets_tokens_once_the_user_approves_it(store: SqlStore) {
        let server = start(store, &[]).await;
        let details = device_authorization(&server, &["openid", "offline", "read"]).await;
        let code = details.user_code().secret().clone();
        assert_eq!(code.len(), 9, "{code}");
        assert_eq!(code.as_bytes()[4], b'-');
        assert!(code.bytes().filter(|b| *b != b'-').all(|b| b"BCDFGHJKLMNPQRSTVWXZ".contains(&b)));
        assert_eq!(details.verification_uri().as_str(), server.public("/oauth2/device/verify"));
        let complete = details.verification_uri_complete().unwrap().secret();
        assert!(complete.ends_with(&format!("?user_code={code}")), "{complete}");
        assert_eq!(details.expires_in(), Duration::from_secs(600));
        assert_eq!(details.interval(), Duration::from_secs(5));

        // The device polls; between two polls ("sleeping", which moves the server's clock)
        // the user approves it in a browser, typing the code in lower case without the dash.
        let typed = code.replace('-', "").to_lowercase();
        let sleeps = AtomicUsize::new(0);
        let device = device_client(&server, "tv");
        let tokens = device
            .exchange_device_access_token(&details)
            .set_time_fn(server_time(&server))
            .request_async(
                &send,
                |wait| {
                    let (server, typed, sleeps) = (&server, typed.clone(), &sleeps);
                    async move {
                        server.clock.advance_secs(i64::try_from(wait.as_secs()).unwrap());
                        if sleeps.fetch_add(1, Ordering::SeqCst) == 0 {
                            let (page, consent) = approve(server, &typed).await;
                            assert!(page.contains("Device connected"), "{page}");
                            // A remembered consent never approves a device by itself.
                            assert_eq!(consent["skip"], false);
                        }
                    }
                },
                None,
            )
            .await
            .unwrap();
        // Exactly one `authorization_pending` before the approval.
        assert_eq!(sleeps.load(Ordering::SeqCst), 1);
        assert!(tokens.refresh_token().is_some());
        let scopes: Vec<String> = tokens.scopes().unwrap().iter().map(|s| s.to_string()).collect();
        assert_eq!(scopes, ["openid", "offline", "read"]);
        let access = tokens.access_token().secret().clone();
        let info = introspect(&server, &access).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["client_id"], "tv");
        assert_eq!(info["ext"], json!({"team": "blue"}));

        // The same device code again: invalid_grant, and what it issued is revoked (as for a
        // reused authorization code).
        let (status, body) = poll(&server, "tv", details.device_code().secret()).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
        assert_eq!(introspect(&server, &access).await["active"], false);
        let refresh = tokens.refresh_token().unwrap().secret();
        assert_eq!(introspect(&server, refresh).await["active"], false);

        // The user code is spent too.
        let mut browser = Browser::new();
        let form = browser.get(&server.public("/oauth2/device/verify")).await;
        let csrf = csrf_of(&form.body);
        let fields = [("user_code", typed.as_str()), ("csrf_token", csrf.as_str())];
        let again = browser.post_form(&server.public("/oauth2/device/verify"), &fields).await;
        assert_eq!(again.status, 400, "{}", again.body);
        assert!(again.body.contains("wrong or has expired"), "{}", again.body);
    }

    async fn a_device_code_expires_while_nobody_approves_it(store: SqlStore) {
        let server = start(store, &[("OXYDRA_DEVICE_CODE_LIFESPAN", "1m")]).await;
        let details = device_authorization(&server, &["read"]).await;
        assert_eq!(details.expires_in(), Duration::from_secs(60));
        // Through the crate: it polls until the server says the code expired. Its own
        // timeout is set beyond the code's lifetime, so the answer is the server's.
        let polls = AtomicUsize::new(0);
        let device = device_client(&server, "tv");
        let error = device
            .exchange_device_access_token(&details)
            .set_time_fn(server_time(&server))
            .request_async(
                &send,
                |wait| {
                    polls.fetch_add(1, Ordering::SeqCst);
                    server.clock.advance_secs(i64::try_from(wait.as_secs()).unwrap());
                    std::future::ready(())
                },
                Some(Duration::from_secs(3600)),
            )
            .await
            .unwrap_err();
        let oauth2::RequestTokenError::ServerResponse(response) = error else {
            panic!("{error:?}");
        };
        assert_eq!(response.error(), &oauth2::DeviceCodeErrorResponseType::ExpiredToken);
        assert_eq!(polls.load(Ordering::SeqCst), 12, "every 5 s for a minute");
    }

    /// The token hook (issue 15 item 3) is consulted for the device grant too: what it adds
    /// reaches the access token, and it is told the grant type.
    async fn the_token_hook_sees_the_device_grant(store: SqlStore) {
        let (tx, mut seen) = tokio::sync::mpsc::unbounded_channel::<String>();
        let hook = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |body: String| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(body);
                    axum::Json(json!({"session": {"access_token": {"hooked": "device"}}}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });
        let server = start(store, &[("OAUTH2_TOKEN_HOOK_URL", url.as_str())]).await;
        let details = device_authorization(&server, &["read"]).await;
        approve(&server, details.user_code().secret()).await;
        let (status, tokens) = poll(&server, "tv", details.device_code().secret()).await;
        assert_eq!(status, 200, "{tokens}");
        let info = introspect(&server, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(info["ext"]["hooked"], "device", "{info}");
        let body: Value = serde_json::from_str(&seen.recv().await.unwrap()).unwrap();
        assert_eq!(body["request"]["grant_types"], json!([DEVICE_GRANT]), "{body}");
    }
}

store_test! {
    async fn the_clients_device_grant_lifespans_apply(store: SqlStore) {
        let server = start(store, &[]).await;
        // Hydra 25's per-client lifespans of the device grant, set through the 2.x API.
        let (status, body) = admin(
            &server,
            reqwest::Method::PUT,
            "/admin/clients/tv/lifespans",
            Some(json!({
                "device_authorization_grant_access_token_lifespan": "5m",
                "device_authorization_grant_id_token_lifespan": "2m",
                "device_authorization_grant_refresh_token_lifespan": "1h",
            })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["device_authorization_grant_access_token_lifespan"], "5m0s");
        let details = device_authorization(&server, &["openid", "offline", "read"]).await;
        approve(&server, details.user_code().secret()).await;
        let (status, tokens) = poll(&server, "tv", details.device_code().secret()).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(tokens["expires_in"], 300);
        let id_token = crate::flow::unverified_claims(tokens["id_token"].as_str().unwrap());
        let id_life = id_token["exp"].as_i64().unwrap() - id_token["iat"].as_i64().unwrap();
        assert_eq!(id_life, 120);
        let refresh = introspect(&server, tokens["refresh_token"].as_str().unwrap()).await;
        let refresh_life = refresh["exp"].as_i64().unwrap() - refresh["iat"].as_i64().unwrap();
        assert_eq!(refresh_life, 3600, "{refresh}");
    }
}
