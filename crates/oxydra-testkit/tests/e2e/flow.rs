//! The login and consent flow end to end: real listeners, a scripted browser (cookie jar,
//! manual redirects) and the test playing the operator's login and consent app through the
//! admin API, on every configured backend.

use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::oauth2_client::{introspect, register};

pub(crate) const LOGIN: &str = "https://login.example/login";
pub(crate) const CONSENT: &str = "https://consent.example/consent";
pub(crate) const CB: &str = "https://app.example/cb";
pub(crate) const SECRET: &str = "flow-client-secret";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub(crate) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The claims of a JWT, read without verifying it (tests that verify do so separately).
pub(crate) fn unverified_claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub async fn start(store: SqlStore) -> TestServer {
    start_with(store, json!({})).await
}

/// [`start`], with `client` metadata overriding the `web` client's defaults.
pub async fn start_with(store: SqlStore, client: Value) -> TestServer {
    let server = TestServer::start(
        store,
        &[("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)],
    )
    .await;
    let mut metadata = json!({"scope": "openid offline read write"});
    for (k, v) in client.as_object().into_iter().flatten() {
        metadata[k] = v.clone();
    }
    register(&server, "web", SECRET, metadata).await;
    server
}

pub(crate) fn auth_url(server: &TestServer, extra: &str) -> String {
    server.public(&format!(
        "/oauth2/auth?client_id=web&response_type=code&scope=openid+offline+read&state=state-1234&redirect_uri={}&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
        url::form_urlencoded::byte_serialize(CB.as_bytes()).collect::<String>()
    ))
}

pub async fn admin(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, server.admin(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The login app: reads the request, then accepts it for `subject`.
pub(crate) async fn accept_login(
    server: &TestServer,
    challenge: &str,
    subject: &str,
    remember: bool,
) -> (Value, String) {
    let (status, request) = admin(
        server,
        reqwest::Method::GET,
        &format!("/oauth2/auth/requests/login/{challenge}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{request}");
    let body = if request["skip"] == true {
        json!({"subject": request["subject"]})
    } else {
        json!({"subject": subject, "remember": remember, "remember_for": 3600})
    };
    let (status, done) = admin(
        server,
        reqwest::Method::PUT,
        &format!("/oauth2/auth/requests/login/{challenge}/accept"),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    (request, done["redirect_to"].as_str().unwrap().to_owned())
}

/// The consent app: reads the request, then grants what was requested.
pub(crate) async fn accept_consent(
    server: &TestServer,
    challenge: &str,
    remember: bool,
) -> (Value, String) {
    let (status, request) = admin(
        server,
        reqwest::Method::GET,
        &format!("/oauth2/auth/requests/consent/{challenge}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{request}");
    let remember = remember && request["skip"] != true;
    let body = json!({
        "grant_scope": request["requested_scope"],
        "remember": remember,
        "remember_for": 0,
        "session": {"access_token": {"team": "blue"}, "id_token": {"email": "alice@example.com"}},
    });
    let (status, done) = admin(
        server,
        reqwest::Method::PUT,
        &format!("/oauth2/auth/requests/consent/{challenge}/accept"),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    (request, done["redirect_to"].as_str().unwrap().to_owned())
}

/// Runs the whole flow in `browser`; returns (login request, consent request, code).
pub async fn run_flow(
    server: &TestServer,
    browser: &mut Browser,
    remember: bool,
) -> (Value, Value, String) {
    let nav = browser.get(&auth_url(server, "")).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let to_login = nav.location.unwrap();
    assert!(to_login.starts_with(LOGIN), "{to_login}");
    let (login, back) = accept_login(
        server,
        &param(&to_login, "login_challenge").unwrap(),
        "alice",
        remember,
    )
    .await;
    let to_consent = browser.get(&back).await.location.unwrap();
    assert!(to_consent.starts_with(CONSENT), "{to_consent}");
    let (consent, back) = accept_consent(
        server,
        &param(&to_consent, "consent_challenge").unwrap(),
        remember,
    )
    .await;
    let to_client = browser.get(&back).await.location.unwrap();
    assert!(to_client.starts_with(CB), "{to_client}");
    assert_eq!(param(&to_client, "state").as_deref(), Some("state-1234"));
    (login, consent, param(&to_client, "code").unwrap())
}

/// `POST /oauth2/token` as client `id` (HTTP Basic with [`SECRET`]) with `form`.
pub async fn token_request(
    server: &TestServer,
    id: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.public("/oauth2/token"))
        .basic_auth(id, Some(SECRET))
        .form(form)
        .send()
        .await
        .unwrap()
}

pub async fn redeem(server: &TestServer, code: &str) -> Value {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CB),
        ("code_verifier", VERIFIER),
    ];
    let res = token_request(server, "web", &form).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

store_test! {
    async fn code_flow_with_remembered_login_and_consent(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let (login, consent, code) = run_flow(&server, &mut browser, true).await;
        assert_eq!(login["skip"], false);
        assert_eq!(login["client"]["client_id"], "web");
        assert!(login["client"].get("client_secret").is_none());
        assert_eq!(consent["subject"], "alice");
        assert_eq!(consent["requested_scope"], json!(["openid", "offline", "read"]));
        let tokens = redeem(&server, &code).await;
        assert_eq!(tokens["scope"], "openid offline read");
        let info = introspect(&server, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["ext"], json!({"team": "blue"}));

        // The second time, both are remembered: the apps see skip=true.
        let (login, consent, code) = run_flow(&server, &mut browser, false).await;
        assert_eq!(login["skip"], true);
        assert_eq!(login["subject"], "alice");
        assert_eq!(consent["skip"], true);
        redeem(&server, &code).await;

        // Revoking the consent session kills the grant's tokens.
        let (status, _) = admin(&server, reqwest::Method::DELETE, "/oauth2/auth/sessions/consent/alice/web", None).await;
        assert_eq!(status, 204);
        assert_eq!(introspect(&server, tokens["access_token"].as_str().unwrap()).await, json!({"active": false}));
        assert_eq!(introspect(&server, tokens["refresh_token"].as_str().unwrap()).await, json!({"active": false}));

        // Revoking the login session: the next login is not skipped.
        let (status, _) = admin(&server, reqwest::Method::DELETE, "/oauth2/auth/sessions/login/alice", None).await;
        assert_eq!(status, 204);
        let (login, _, _) = run_flow(&server, &mut browser, false).await;
        assert_eq!(login["skip"], false);
    }

    async fn rejections_and_prompt_none_reach_the_client(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let none = browser.get(&auth_url(&server, "&prompt=none")).await.location.unwrap();
        assert!(none.starts_with(CB), "{none}");
        assert_eq!(param(&none, "error").as_deref(), Some("login_required"));
        assert_eq!(param(&none, "state").as_deref(), Some("state-1234"));

        let to_login = browser.get(&auth_url(&server, "")).await.location.unwrap();
        let challenge = param(&to_login, "login_challenge").unwrap();
        let (status, done) = admin(&server, reqwest::Method::PUT, &format!("/oauth2/auth/requests/login/{challenge}/reject"), Some(json!({"error": "access_denied", "error_description": "No."}))).await;
        assert_eq!(status, 200);
        let back = browser.get(done["redirect_to"].as_str().unwrap()).await.location.unwrap();
        assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
        assert_eq!(param(&back, "error_description").as_deref(), Some("No."));

        let to_login = browser.get(&auth_url(&server, "")).await.location.unwrap();
        let (_, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        let to_consent = browser.get(&back).await.location.unwrap();
        let challenge = param(&to_consent, "consent_challenge").unwrap();
        let (_, done) = admin(&server, reqwest::Method::PUT, &format!("/oauth2/auth/requests/consent/{challenge}/reject"), Some(json!({"error": "access_denied"}))).await;
        let back = browser.get(done["redirect_to"].as_str().unwrap()).await.location.unwrap();
        assert!(back.starts_with(CB));
        assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    }

    async fn replayed_foreign_and_expired_verifiers_are_refused(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let to_login = browser.get(&auth_url(&server, "")).await.location.unwrap();
        let (_, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;

        // Another browser (no CSRF cookie) cannot use the verifier.
        let mut stranger = Browser::new();
        let stolen = stranger.get(&back).await.location.unwrap();
        assert_eq!(param(&stolen, "error").as_deref(), Some("request_forbidden"));
        // The stranger burned nothing: the right browser goes on, and only then is the
        // verifier used up.
        let to_consent = browser.get(&back).await.location.unwrap();
        assert!(to_consent.starts_with(CONSENT), "{to_consent}");
        let replay = browser.get(&back).await.location.unwrap();
        assert_eq!(param(&replay, "error").as_deref(), Some("invalid_request"));

        // A round trip longer than 15 minutes fails.
        let to_login = browser.get(&auth_url(&server, "")).await.location.unwrap();
        let (_, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        server.clock.advance_secs(16 * 60);
        let late = browser.get(&back).await.location.unwrap();
        assert_eq!(param(&late, "error").as_deref(), Some("request_unauthorized"));
    }

    async fn an_unregistered_redirect_uri_is_never_redirected_to(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let url = auth_url(&server, "").replace("app.example", "evil.example");
        let nav = browser.get(&url).await;
        let location = nav.location.unwrap();
        assert!(!location.contains("evil.example"), "{location}");
        assert!(location.starts_with(&server.public("/oauth2/fallbacks/error")), "{location}");
        assert_eq!(param(&location, "error").as_deref(), Some("invalid_request"));
        let page = browser.get(&location).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("invalid_request"));
        let unknown = browser.get(&url.replace("client_id=web", "client_id=nobody")).await.location.unwrap();
        assert_eq!(param(&unknown, "error").as_deref(), Some("invalid_client"));
    }
}
