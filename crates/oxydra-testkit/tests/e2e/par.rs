//! Pushed authorization requests (RFC 9126) end to end. The relying party is the
//! `openidconnect` crate: it discovers the server, builds its authorization request (nonce,
//! PKCE, state), and those very parameters are pushed to `/oauth2/par` over HTTP Basic; the
//! browser then carries only `client_id` and the `request_uri`, and the crate redeems the code
//! and validates the ID token. Every error RFC 9126 and RFC 9101 name is checked over HTTP,
//! at the push and at the authorization endpoint.

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, TokenResponse};
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{CB, CHALLENGE, CONSENT, LOGIN, accept_consent, accept_login, admin};
use crate::oauth2_client::register;
use crate::oidc_client::{authorize, clock, exchange, relying_party_as};

const SECRET: &str = "par-client-secret";
const PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// A server with the test's apps, `extra` settings, the confidential client `web` and the
/// public client `spa` (both redirecting to [`CB`]).
async fn start(store: SqlStore, extra: &[(&str, &str)]) -> TestServer {
    let mut env = vec![("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)];
    env.extend_from_slice(extra);
    let server = TestServer::start(store, &env).await;
    register(
        &server,
        "web",
        SECRET,
        json!({"scope": "openid offline read"}),
    )
    .await;
    let (status, body) = admin(
        &server,
        reqwest::Method::POST,
        "/clients",
        Some(json!({
            "client_id": "spa",
            "token_endpoint_auth_method": "none",
            "redirect_uris": [CB],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "scope": "openid read",
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    server
}

/// How a push authenticates.
enum Auth<'a> {
    /// HTTP Basic as `(id, secret)`.
    Basic(&'a str, &'a str),
    /// None (a public client names itself with `client_id` in the form).
    Public,
}

/// `POST /oauth2/par` with `form`; returns the status, the `Cache-Control` header and the body.
async fn push(server: &TestServer, auth: Auth<'_>, form: &[(&str, &str)]) -> (u16, String, Value) {
    let mut request = reqwest::Client::new().post(server.public("/oauth2/par"));
    if let Auth::Basic(id, secret) = auth {
        request = request.basic_auth(id, Some(secret));
    }
    let res = request.form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let cache = res
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, cache, res.json().await.unwrap_or(Value::Null))
}

/// A valid code request of `web`, as form fields.
fn web_request() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("redirect_uri", CB),
        ("scope", "openid read"),
        ("state", "pushed-state-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// Pushes [`web_request`] with `extra` fields for `web`; returns the `request_uri`.
async fn push_web(server: &TestServer, extra: &[(&str, &str)]) -> String {
    let mut form = web_request();
    form.extend_from_slice(extra);
    let (status, _, body) = push(server, Auth::Basic("web", SECRET), &form).await;
    assert_eq!(status, 201, "{body}");
    body["request_uri"].as_str().unwrap().to_owned()
}

/// `/oauth2/auth` with only `client_id` and `request_uri` (plus `extra`, raw query text).
fn auth_with(server: &TestServer, client: &str, request_uri: &str, extra: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(request_uri.as_bytes()).collect();
    server.public(&format!(
        "/oauth2/auth?client_id={client}&request_uri={encoded}{extra}"
    ))
}

/// Where a refused authorization request sends the browser: `(error, to the client?)`.
async fn refused(browser: &mut Browser, url: &str) -> (String, bool) {
    let nav = browser.get(url).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let to = nav.location.unwrap();
    let error = param(&to, "error").unwrap_or_else(|| panic!("no error: {to}"));
    (error, to.starts_with(CB))
}

/// The `error` of a failed push, after checking its status.
async fn push_error(
    server: &TestServer,
    auth: Auth<'_>,
    form: &[(&str, &str)],
    status: u16,
) -> String {
    let (got, cache, body) = push(server, auth, form).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(cache, "no-store");
    body["error"].as_str().unwrap().to_owned()
}

store_test! {
    async fn a_pushed_request_runs_the_openid_code_flow_once(store: SqlStore) {
        let server = start(store, &[]).await;
        let client = relying_party_as(&server, "web", SECRET).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(openidconnect::Scope::new("read".into()))
            .set_pkce_challenge(challenge)
            .url();
        // The crate's own request, pushed as is.
        let fields: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, cache, body) = push(&server, Auth::Basic("web", SECRET), &form).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(cache, "no-store");
        assert_eq!(body["expires_in"], 60);
        let request_uri = body["request_uri"].as_str().unwrap().to_owned();
        assert!(request_uri.starts_with(PREFIX), "{request_uri}");
        assert!(request_uri.len() >= PREFIX.len() + 43, "256 random bits: {request_uri}");

        // Only the pushed parameters count: the query's scope, state and redirect are ignored.
        let mut browser = Browser::new();
        let tampered = auth_with(&server, "web", &request_uri, "&scope=offline&state=other-state&redirect_uri=https%3A%2F%2Fevil.example%2Fcb");
        let back = authorize(&server, &mut browser, &tampered).await;
        assert_eq!(param(&back, "state").as_deref(), Some(state.secret().as_str()));
        let tokens = exchange(&client, &back, verifier).await;
        let verifier = client.id_token_verifier().set_time_fn(clock(&server));
        let claims = tokens.id_token().unwrap().claims(&verifier, &nonce).unwrap();
        assert_eq!(claims.subject().as_str(), "alice");
        let scopes: Vec<String> = tokens.scopes().unwrap().iter().map(|s| s.to_string()).collect();
        assert_eq!(scopes, ["openid", "read"]);

        // Single use: a second authorization request with it is refused.
        let (error, to_client) = refused(&mut browser, &auth_with(&server, "web", &request_uri, "")).await;
        assert_eq!(error, "invalid_request_uri");
        assert!(!to_client, "an unusable reference says nothing to trust a redirect URI by");
    }

    async fn a_public_client_pushes_with_its_client_id_and_must_use_pkce(store: SqlStore) {
        let server = start(store, &[]).await;
        let mut form = vec![("client_id", "spa")];
        form.extend(web_request());
        let (status, _, body) = push(&server, Auth::Public, &form).await;
        assert_eq!(status, 201, "{body}");
        let request_uri = body["request_uri"].as_str().unwrap();
        let mut browser = Browser::new();
        let to_login = browser.get(&auth_with(&server, "spa", request_uri, "")).await.location.unwrap();
        assert!(to_login.starts_with(LOGIN), "{to_login}");

        let no_pkce: Vec<_> = form.iter().copied().filter(|(k, _)| !k.starts_with("code_challenge")).collect();
        assert_eq!(push_error(&server, Auth::Public, &no_pkce, 400).await, "invalid_request");
    }

    async fn client_credentials_in_the_body_are_not_kept_with_the_request(store: SqlStore) {
        let server = start(store, &[]).await;
        let metadata = json!({"scope": "openid read", "token_endpoint_auth_method": "client_secret_post"});
        register(&server, "post", SECRET, metadata).await;
        let mut form = vec![("client_id", "post"), ("client_secret", SECRET)];
        form.extend(web_request());
        let (status, _, body) = push(&server, Auth::Public, &form).await;
        assert_eq!(status, 201, "{body}");
        let mut browser = Browser::new();
        let nav = browser.get(&auth_with(&server, "post", body["request_uri"].as_str().unwrap(), "")).await;
        let to_login = nav.location.unwrap();
        let challenge = param(&to_login, "login_challenge").unwrap();
        let (_, login) = admin(&server, reqwest::Method::GET, &format!("/oauth2/auth/requests/login/{challenge}"), None).await;
        let request_url = login["request_url"].as_str().unwrap();
        assert_eq!(param(request_url, "client_secret"), None, "{request_url}");
        assert_eq!(param(request_url, "request_uri"), None, "{request_url}");
        assert_eq!(param(request_url, "state").as_deref(), Some("pushed-state-1"));
        assert_eq!(login["requested_scope"], json!(["openid", "read"]));
    }

    async fn the_push_refuses_what_the_authorization_endpoint_would(store: SqlStore) {
        let server = start(store, &[]).await;
        let web = || Auth::Basic("web", SECRET);
        let with = |name: &'static str, value: &'static str| {
            let mut form: Vec<_> = web_request().into_iter().filter(|(k, _)| *k != name).collect();
            form.push((name, value));
            form
        };
        // RFC 9126 §2.1: a request_uri cannot be pushed.
        let nested = with("request_uri", "urn:ietf:params:oauth:request_uri:abc");
        assert_eq!(push_error(&server, web(), &nested, 400).await, "invalid_request");
        // Client authentication as at the token endpoint.
        assert_eq!(push_error(&server, Auth::Basic("web", "wrong"), &web_request(), 401).await, "invalid_client");
        assert_eq!(push_error(&server, Auth::Public, &with("client_id", "web"), 401).await, "invalid_client");
        assert_eq!(push_error(&server, Auth::Public, &with("client_id", "nobody"), 401).await, "invalid_client");
        // client_id must name the authenticated client.
        assert_eq!(push_error(&server, web(), &with("client_id", "spa"), 400).await, "invalid_request");
        // The request's own checks, answered to the client directly.
        let evil = with("redirect_uri", "https://evil.example/cb");
        assert_eq!(push_error(&server, web(), &evil, 400).await, "invalid_request");
        assert_eq!(push_error(&server, web(), &with("response_type", "token"), 400).await, "unsupported_response_type");
        assert_eq!(push_error(&server, web(), &with("scope", "openid admin"), 400).await, "invalid_scope");
        assert_eq!(push_error(&server, web(), &with("state", "short"), 400).await, "invalid_state");
        assert_eq!(push_error(&server, web(), &with("code_challenge_method", "plain"), 400).await, "invalid_request");
        assert_eq!(push_error(&server, web(), &with("login_verifier", "x"), 400).await, "invalid_request");
        assert_eq!(push_error(&server, web(), &with("request", "not-a-jwt"), 400).await, "invalid_request_object");
        // A repeated parameter.
        let mut twice = web_request();
        twice.push(("scope", "openid"));
        assert_eq!(push_error(&server, web(), &twice, 400).await, "invalid_request");
        // Not a form; too big.
        let res = reqwest::Client::new().post(server.public("/oauth2/par")).basic_auth("web", Some(SECRET))
            .json(&json!({"response_type": "code"})).send().await.unwrap();
        assert_eq!(res.status(), 400);
        let huge = "x".repeat(2 * 1024 * 1024);
        let res = reqwest::Client::new().post(server.public("/oauth2/par")).basic_auth("web", Some(SECRET))
            .form(&[("state", huge.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 413);
        // Only POST.
        let res = reqwest::Client::new().get(server.public("/oauth2/par")).send().await.unwrap();
        assert_eq!(res.status(), 405);
    }

    async fn unknown_expired_reused_and_foreign_references_are_invalid_request_uri(store: SqlStore) {
        let server = start(store, &[]).await;
        let mut browser = Browser::new();
        let forged = format!("{PREFIX}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(refused(&mut browser, &auth_with(&server, "web", &forged, "")).await.0, "invalid_request_uri");

        // Another client cannot use web's reference, and trying does not spend it.
        let request_uri = push_web(&server, &[]).await;
        assert_eq!(refused(&mut browser, &auth_with(&server, "spa", &request_uri, "")).await.0, "invalid_request_uri");
        let nav = browser.get(&auth_with(&server, "web", &request_uri, "")).await;
        assert!(nav.location.as_deref().unwrap().starts_with(LOGIN), "{nav:?}");
        assert_eq!(refused(&mut browser, &auth_with(&server, "web", &request_uri, "")).await.0, "invalid_request_uri");

        // With both request and request_uri.
        let request_uri = push_web(&server, &[]).await;
        let both = auth_with(&server, "web", &request_uri, "&request=e30.e30.");
        assert_eq!(refused(&mut browser, &both).await.0, "invalid_request");

        // Expired after OXYDRA_PAR_LIFESPAN (60 s here).
        let request_uri = push_web(&server, &[]).await;
        server.clock.advance_secs(60);
        assert_eq!(refused(&mut browser, &auth_with(&server, "web", &request_uri, "")).await.0, "invalid_request_uri");
    }

    async fn the_lifespan_is_configurable(store: SqlStore) {
        let server = start(store, &[("OXYDRA_PAR_LIFESPAN", "5m")]).await;
        let (status, _, body) = push(&server, Auth::Basic("web", SECRET), &web_request()).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["expires_in"], 300);
        let request_uri = body["request_uri"].as_str().unwrap();
        server.clock.advance_secs(299);
        let nav = Browser::new().get(&auth_with(&server, "web", request_uri, "")).await;
        assert!(nav.location.as_deref().unwrap().starts_with(LOGIN), "{nav:?}");
    }

    async fn the_server_can_require_pushed_requests(store: SqlStore) {
        let server = start(store, &[("OXYDRA_PAR_REQUIRED", "true")]).await;
        let doc: Value = reqwest::get(server.public("/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
        assert_eq!(doc["require_pushed_authorization_requests"], true);
        let mut browser = Browser::new();
        let plain = crate::flow::auth_url(&server, "");
        let plain = plain.replace("scope=openid+offline+read", "scope=openid+read");
        let (error, to_client) = refused(&mut browser, &plain).await;
        assert_eq!(error, "invalid_request");
        assert!(to_client, "the redirect URI is registered: the client is told");

        // The pushed request runs the whole flow: the returns with verifiers are its own.
        let request_uri = push_web(&server, &[]).await;
        let nav = browser.get(&auth_with(&server, "web", &request_uri, "")).await;
        let to_login = nav.location.unwrap();
        assert!(to_login.starts_with(LOGIN), "{to_login}");
        let (_, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        let to_consent = browser.get(&back).await.location.unwrap();
        assert!(to_consent.starts_with(CONSENT), "{to_consent}");
        let (_, back) = accept_consent(&server, &param(&to_consent, "consent_challenge").unwrap(), false).await;
        let to_client = browser.get(&back).await.location.unwrap();
        assert!(param(&to_client, "code").is_some(), "{to_client}");
        assert_eq!(param(&to_client, "state").as_deref(), Some("pushed-state-1"));
    }

    async fn a_client_can_require_pushed_requests_for_itself(store: SqlStore) {
        let server = start(store, &[]).await;
        let (status, body) = admin(&server, reqwest::Method::PUT, "/clients/spa", Some(json!({
            "client_id": "spa",
            "token_endpoint_auth_method": "none",
            "redirect_uris": [CB],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "scope": "openid read",
            "require_pushed_authorization_requests": true,
        }))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["require_pushed_authorization_requests"], true);
        let (_, stored) = admin(&server, reqwest::Method::GET, "/admin/clients/spa", None).await;
        assert_eq!(stored["require_pushed_authorization_requests"], true);
        let (_, web) = admin(&server, reqwest::Method::GET, "/clients/web", None).await;
        assert!(web.get("require_pushed_authorization_requests").is_none(), "{web}");

        let mut browser = Browser::new();
        let plain = crate::flow::auth_url(&server, "").replace("client_id=web", "client_id=spa").replace("scope=openid+offline+read", "scope=openid+read");
        assert_eq!(refused(&mut browser, &plain).await, ("invalid_request".to_owned(), true));
        // Others are not affected.
        let web_plain = crate::flow::auth_url(&server, "").replace("scope=openid+offline+read", "scope=openid+read");
        assert!(browser.get(&web_plain).await.location.unwrap().starts_with(LOGIN));
        // Pushed, spa goes on.
        let mut form = vec![("client_id", "spa")];
        form.extend(web_request());
        let (status, _, body) = push(&server, Auth::Public, &form).await;
        assert_eq!(status, 201, "{body}");
        let nav = browser.get(&auth_with(&server, "spa", body["request_uri"].as_str().unwrap(), "")).await;
        assert!(nav.location.unwrap().starts_with(LOGIN));
        // Discovery does not claim a server-wide requirement.
        let doc: Value = reqwest::get(server.public("/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
        assert_eq!(doc["pushed_authorization_request_endpoint"], server.public("/oauth2/par"));
        assert_eq!(doc["require_pushed_authorization_requests"], false);
    }

    async fn turned_off_the_endpoint_is_gone_and_not_advertised(store: SqlStore) {
        let server = start(store, &[("OXYDRA_PAR", "false")]).await;
        let (status, _, _) = push(&server, Auth::Basic("web", SECRET), &web_request()).await;
        assert_eq!(status, 404);
        let doc: Value = reqwest::get(server.public("/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
        assert!(doc.get("pushed_authorization_request_endpoint").is_none(), "{doc}");
        assert!(doc.get("require_pushed_authorization_requests").is_none(), "{doc}");
    }
}
