//! The 0.10 consent-by-id flow end to end (`COMPAT_API_VERSION=0.10`): a scripted browser
//! (cookie jar, manual redirects) and the test playing a 0.10 consent app, which talks to the
//! one base URL a 0.x Hydra had — on every configured backend. Tokens and ID tokens come out of
//! the same machinery as the 1.0 flow; the ID token is checked against `/.well-known/jwks.json`
//! with an independent JWT library.

use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use reqwest::Method;
use serde_json::{Value, json};

pub const CONSENT: &str = "https://consent.example/consent";
pub const CB: &str = "https://app.example/cb";
pub const SECRET: &str = "legacy-client-secret";

/// A 0.10-mode server whose consent app is [`CONSENT`] (under Hydra 0.10's variable name),
/// with client `web` registered in the 0.10 shape through the public base URL.
pub async fn start(store: SqlStore) -> TestServer {
    let server = TestServer::start(
        store,
        &[
            ("COMPAT_API_VERSION", "0.10"),
            ("CONSENT_URL", CONSENT),
            // As on a trusted network; the guarded form is tested in the server's HTTP tests.
            ("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN", "true"),
        ],
    )
    .await;
    register(&server, "web").await;
    server
}

/// Registers a confidential client with the 0.10 field names.
pub async fn register(server: &TestServer, id: &str) {
    let (status, body) = call(
        server,
        Method::POST,
        "/clients",
        Some(json!({
            "id": id,
            "client_secret": SECRET,
            "public": false,
            "redirect_uris": [CB],
            "grant_types": ["authorization_code", "refresh_token", "implicit"],
            "response_types": ["code", "id_token token"],
            "scope": "openid offline read",
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], id);
}

/// A JSON call on the public base URL (the only one a 0.10 consent app knows).
pub async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, server.public(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn auth_url(server: &TestServer, client: &str, extra: &str) -> String {
    server.public(&format!(
        "/oauth2/auth?client_id={client}&response_type=code&scope=openid+offline+read&state=state-1234&nonce=nonce-5678{extra}"
    ))
}

/// Step 1: the browser is sent to the consent app; returns the consent request id.
async fn to_consent_app(browser: &mut Browser, url: &str) -> String {
    let nav = browser.get(url).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let location = nav.location.unwrap();
    assert!(location.starts_with(CONSENT), "{location}");
    assert!(browser.cookies.contains_key("consent_session"));
    param(&location, "consent").unwrap()
}

/// Steps 2–3: the consent app reads the request and accepts it for alice.
async fn accept(server: &TestServer, id: &str) -> Value {
    let (status, request) = call(
        server,
        Method::GET,
        &format!("/oauth2/consent/requests/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{request}");
    let (status, body) = call(
        server,
        Method::PATCH,
        &format!("/oauth2/consent/requests/{id}/accept"),
        Some(json!({
            "subject": "alice",
            "grantScopes": request["requestedScopes"],
            "accessTokenExtra": {"team": "blue"},
            "idTokenExtra": {"email": "alice@example.com", "email_verified": true},
        })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    request
}

/// The whole flow for client `web`; returns the redirect to the client.
async fn run_flow(server: &TestServer, browser: &mut Browser) -> (Value, String) {
    let id = to_consent_app(browser, &auth_url(server, "web", "")).await;
    let request = accept(server, &id).await;
    let back = browser.get(request["redirectUrl"].as_str().unwrap()).await;
    assert_eq!(back.status, 302, "{}", back.body);
    (request, back.location.unwrap())
}

/// A form `POST` on the public base URL as client `web` (HTTP Basic, as the 0.10 SDKs send it).
pub async fn client_post(server: &TestServer, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(server.public(path))
        .header("accept", "application/json")
        .basic_auth("web", Some(SECRET))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn token(server: &TestServer, form: &[(&str, &str)]) -> Value {
    let (status, body) = client_post(server, "/oauth2/token", form).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn introspect(server: &TestServer, token: &str) -> Value {
    let (status, body) = client_post(server, "/oauth2/introspect", &[("token", token)]).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Verifies an ID token's signature with the key `/.well-known/jwks.json` publishes under its
/// `kid`, and its `iss`, `aud` and `exp`; returns the claims.
async fn verify_id_token(server: &TestServer, id_token: &str) -> Value {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
    let header = decode_header(id_token).unwrap();
    let kid = header.kid.expect("ID tokens name their key");
    let (status, jwks) = call(server, Method::GET, "/.well-known/jwks.json", None).await;
    assert_eq!(status, 200);
    let jwks: JwkSet = serde_json::from_value(jwks).unwrap();
    let jwk = jwks.find(&kid).expect("the signing key is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["web"]);
    validation.set_issuer(&[format!("{}/", server.public_url)]);
    // The test clock is fixed in 2023: check `exp` against it, not the wall clock.
    validation.validate_exp = false;
    let data = decode::<Value>(id_token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap_or_else(|e| panic!("the ID token does not verify: {e}"));
    let claims = data.claims;
    let now = 1_700_000_000;
    assert!(claims["exp"].as_i64().unwrap() > now, "{claims}");
    claims
}

store_test! {
    async fn with_pushing_required_a_pushed_request_runs_the_consent_by_id_flow(store: SqlStore) {
        let server = TestServer::start(
            store,
            &[
                ("COMPAT_API_VERSION", "0.10"),
                ("CONSENT_URL", CONSENT),
                ("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN", "true"),
                ("OXYDRA_PAR_REQUIRED", "true"),
            ],
        )
        .await;
        register(&server, "web").await;
        let mut browser = Browser::new();
        let plain = browser.get(&auth_url(&server, "web", "")).await.location.unwrap();
        assert!(plain.starts_with(CB), "{plain}");
        assert_eq!(param(&plain, "error").as_deref(), Some("invalid_request"));

        let form = [
            ("response_type", "code"),
            ("scope", "openid offline read"),
            ("state", "state-1234"),
            ("nonce", "nonce-5678"),
        ];
        let (status, pushed) = client_post(&server, "/oauth2/par", &form).await;
        assert_eq!(status, 201, "{pushed}");
        let request_uri: String = url::form_urlencoded::byte_serialize(pushed["request_uri"].as_str().unwrap().as_bytes()).collect();
        let url = server.public(&format!("/oauth2/auth?client_id=web&request_uri={request_uri}"));
        let id = to_consent_app(&mut browser, &url).await;
        let request = accept(&server, &id).await;
        // The return with the consent id is the pushed flow's own, so it is let through.
        let back = browser.get(request["redirectUrl"].as_str().unwrap()).await.location.unwrap();
        assert!(back.starts_with(CB), "{back}");
        assert!(param(&back, "code").is_some(), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some("state-1234"));
    }

    async fn code_flow_issues_tokens_and_an_id_token_with_the_extras(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let (request, to_client) = run_flow(&server, &mut browser).await;
        assert_eq!(request["clientId"], "web");
        assert_eq!(request["audience"], "web");
        assert_eq!(request["requestedScopes"], json!(["openid", "offline", "read"]));
        assert!(request["expiresAt"].as_str().unwrap().ends_with('Z'));
        let redirect_url = request["redirectUrl"].as_str().unwrap();
        assert!(redirect_url.starts_with(&server.public("/oauth2/auth?")), "{redirect_url}");
        assert!(redirect_url.ends_with(&format!("&consent={}", request["id"].as_str().unwrap())));
        assert!(to_client.starts_with(CB), "{to_client}");
        assert_eq!(param(&to_client, "state").as_deref(), Some("state-1234"));
        assert!(!browser.cookies.contains_key("consent_session"), "the CSRF cookie is spent");

        let code = param(&to_client, "code").unwrap();
        let tokens = token(&server, &[("grant_type", "authorization_code"), ("code", &code)]).await;
        assert_eq!(tokens["scope"], "openid offline read");
        let claims = verify_id_token(&server, tokens["id_token"].as_str().unwrap()).await;
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["email"], "alice@example.com");
        assert_eq!(claims["email_verified"], true);
        assert_eq!(claims["nonce"], "nonce-5678");
        assert!(claims["auth_time"].is_i64());

        let access = tokens["access_token"].as_str().unwrap();
        let info = introspect(&server, access).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["client_id"], "web");
        assert_eq!(info["ext"], json!({"team": "blue"}));

        // The refresh grant carries the same session.
        let refreshed = token(&server, &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ]).await;
        let claims = verify_id_token(&server, refreshed["id_token"].as_str().unwrap()).await;
        assert_eq!(claims["email"], "alice@example.com");
        let info = introspect(&server, refreshed["access_token"].as_str().unwrap()).await;
        assert_eq!(info["ext"], json!({"team": "blue"}));
    }

    async fn implicit_flow_returns_an_id_token_in_the_fragment(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let url = auth_url(&server, "web", "").replace("response_type=code", "response_type=id_token+token");
        let id = to_consent_app(&mut browser, &url).await;
        let request = accept(&server, &id).await;
        let to_client = browser.get(request["redirectUrl"].as_str().unwrap()).await.location.unwrap();
        assert!(to_client.starts_with(&format!("{CB}#")), "{to_client}");
        let claims = verify_id_token(&server, &param(&to_client, "id_token").unwrap()).await;
        assert_eq!(claims["email"], "alice@example.com");
        assert!(claims["at_hash"].is_string(), "{claims}");
        let info = introspect(&server, &param(&to_client, "access_token").unwrap()).await;
        assert_eq!(info["ext"], json!({"team": "blue"}));
    }

    async fn a_rejection_reaches_the_client_as_rejected_consent_request(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let id = to_consent_app(&mut browser, &auth_url(&server, "web", "")).await;
        let (status, _) = call(&server, Method::PATCH, &format!("/oauth2/consent/requests/{id}/reject"), Some(json!({"reason": "No thanks."}))).await;
        assert_eq!(status, 204);
        let (_, request) = call(&server, Method::GET, &format!("/oauth2/consent/requests/{id}"), None).await;
        let back = browser.get(request["redirectUrl"].as_str().unwrap()).await.location.unwrap();
        assert!(back.starts_with(CB), "{back}");
        assert_eq!(param(&back, "error").as_deref(), Some("rejected_consent_request"));
        assert_eq!(param(&back, "error_description").as_deref(), Some("No thanks."));
        assert_eq!(param(&back, "state").as_deref(), Some("state-1234"));
        assert!(param(&back, "code").is_none());

        // prompt=none cannot be honoured: the consent app must always be asked.
        let none = browser.get(&auth_url(&server, "web", "&prompt=none")).await.location.unwrap();
        assert_eq!(param(&none, "error").as_deref(), Some("login_required"));
    }

    async fn replays_strangers_and_other_clients_are_refused(store: SqlStore) {
        let server = start(store).await;
        register(&server, "other").await;
        let mut browser = Browser::new();
        let id = to_consent_app(&mut browser, &auth_url(&server, "web", "")).await;
        let request = accept(&server, &id).await;
        let back = request["redirectUrl"].as_str().unwrap().to_owned();
        let cookie = browser.cookies["consent_session"].clone();

        // Another browser (no CSRF cookie) cannot use it ...
        let stolen = Browser::new().get(&back).await.location.unwrap();
        assert_eq!(param(&stolen, "error").as_deref(), Some("request_forbidden"));
        // ... nor another client, even from the right browser ...
        let foreign = browser.get(&back.replace("client_id=web", "client_id=other")).await.location.unwrap();
        assert!(foreign.starts_with(CB), "{foreign}");
        assert_eq!(param(&foreign, "error").as_deref(), Some("invalid_request"));
        // ... nor a changed authorization request.
        let changed = browser.get(&back.replace("state=state-1234", "state=state-9999")).await.location.unwrap();
        assert_eq!(param(&changed, "error").as_deref(), Some("invalid_request"));
        // None of that burned the request: the right browser still gets its code, once.
        let ok = browser.get(&back).await.location.unwrap();
        assert!(param(&ok, "code").is_some(), "{ok}");
        let spent = browser.get(&back).await.location.unwrap();
        assert_eq!(param(&spent, "error").as_deref(), Some("request_forbidden"), "cookie cleared");
        browser.cookies.insert("consent_session".into(), cookie);
        let replay = browser.get(&back).await.location.unwrap();
        assert_eq!(param(&replay, "error").as_deref(), Some("invalid_request"));
        assert!(param(&replay, "code").is_none());
    }

    async fn concurrent_returns_issue_one_code(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let id = to_consent_app(&mut browser, &auth_url(&server, "web", "")).await;
        let request = accept(&server, &id).await;
        let back = request["redirectUrl"].as_str().unwrap().to_owned();
        let cookie = format!("consent_session={}", browser.cookies["consent_session"]);
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let request = http.get(&back).header("cookie", &cookie);
            tasks.spawn(async move {
                let res = request.send().await.unwrap();
                res.headers()["location"].to_str().unwrap().to_owned()
            });
        }
        let locations = tasks.join_all().await;
        let codes = locations.iter().filter(|l| param(l, "code").is_some()).count();
        assert_eq!(codes, 1, "{locations:#?}");
    }

    async fn an_expired_consent_request_is_refused(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let id = to_consent_app(&mut browser, &auth_url(&server, "web", "")).await;
        let request = accept(&server, &id).await;
        server.clock.advance_secs(10 * 60);
        let late = browser.get(request["redirectUrl"].as_str().unwrap()).await.location.unwrap();
        assert!(late.starts_with(CB), "{late}");
        assert_eq!(param(&late, "error").as_deref(), Some("request_unauthorized"));
        // Answering it now is a conflict.
        let (status, body) = call(&server, Method::PATCH, &format!("/oauth2/consent/requests/{id}/accept"), Some(json!({"subject": "alice"}))).await;
        assert_eq!(status, 409, "{body}");
    }
}
