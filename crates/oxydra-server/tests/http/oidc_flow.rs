//! Helpers that obtain tokens the way a relying party does — `/oauth2/auth`, the login and
//! consent apps' accept calls on the admin API, the browser coming back, the code redeemed at
//! `/oauth2/token` — over the in-process routers, with a tiny cookie jar as the browser; plus
//! JWT verification against `/.well-known/jwks.json` with an independent JOSE library.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_server::config::Config;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use serde_json::{Value, json};

pub use crate::tokens::{CB, SECRET};
pub use oxydra_testkit::browser::param;

pub const LOGIN: &str = "https://login.example/login";
pub const CONSENT: &str = "https://consent.example/consent";
/// The issuer identifier tokens carry (`OAUTH2_ISSUER_URL` of the test config, plus `/`).
pub const ISSUER: &str = "http://127.0.0.1:4444/";

/// The test configuration with the login and consent apps' URLs, plus `extra`.
pub fn flow_config(extra: &[(&str, &str)]) -> Config {
    let mut env = vec![("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)];
    env.extend_from_slice(extra);
    test_config(&env)
}

/// Registers a confidential OpenID Connect client `id` (every grant and response type,
/// `openid offline read`), with `extra` metadata overriding the defaults.
pub async fn register(app: &TestApp, id: &str, extra: Value) {
    let mut body = json!({
        "grant_types": ["authorization_code", "refresh_token", "client_credentials", "implicit"],
        "response_types": ["code", "token", "id_token", "code id_token", "id_token token"],
        "scope": "openid offline read",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    crate::tokens::client(app, id, body).await;
}

/// A browser: follows nothing by itself and keeps the cookies the public port sets.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    /// `GET url` (absolute or a path) on the public port with the jar's cookies.
    async fn get(&mut self, app: &TestApp, url: &str) -> TestResponse {
        let mut request = Request::builder().method(Method::GET).uri(path_of(url));
        if !self.0.is_empty() {
            let cookies: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header("cookie", cookies.join("; "));
        }
        let res = app
            .send(Port::Public, request.body(Body::empty()).unwrap())
            .await;
        for set in res.headers.get_all("set-cookie") {
            let first = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = first.split_once('=').unwrap();
            if value.is_empty() {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
        res
    }
}

/// The path and query of an absolute URL on the issuer (or `url` itself when it is a path).
fn path_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

fn location(res: &TestResponse) -> String {
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text);
    res.headers["location"].to_str().unwrap().to_owned()
}

async fn accept(app: &TestApp, path: String, body: Value) -> String {
    let res = app.json(Port::Admin, Method::PUT, &path, Some(body)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.json["redirect_to"].as_str().unwrap().to_owned()
}

/// Runs `/oauth2/auth?client_id=<client>&state=…&redirect_uri=…<query>`: alice logs in, the
/// consent app grants every requested scope with `session`; returns the redirect to the client.
pub async fn authorize(app: &TestApp, client: &str, query: &str, session: Value) -> String {
    let to_client = authorize_to(app, client, CB, query, session).await;
    assert!(to_client.starts_with(CB), "{to_client}");
    to_client
}

/// [`authorize`] with `redirect_uri=<redirect>`.
pub async fn authorize_to(
    app: &TestApp,
    client: &str,
    redirect: &str,
    query: &str,
    session: Value,
) -> String {
    let mut jar = Jar::default();
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let start = format!(
        "/oauth2/auth?client_id={}&state=state-1234&redirect_uri={}&nonce=nonce-1234{query}",
        enc(client),
        enc(redirect)
    );
    let to_login = location(&jar.get(app, &start).await);
    assert!(to_login.starts_with(LOGIN), "{to_login}");
    let challenge = param(&to_login, "login_challenge").unwrap();
    let back = accept(
        app,
        format!("/oauth2/auth/requests/login/{challenge}/accept"),
        json!({"subject": "alice", "acr": "urn:pwd"}),
    )
    .await;
    let to_consent = location(&jar.get(app, &back).await);
    assert!(to_consent.starts_with(CONSENT), "{to_consent}");
    let challenge = param(&to_consent, "consent_challenge").unwrap();
    let request = app
        .json(
            Port::Admin,
            Method::GET,
            &format!("/oauth2/auth/requests/consent/{challenge}"),
            None,
        )
        .await;
    let back = accept(
        app,
        format!("/oauth2/auth/requests/consent/{challenge}/accept"),
        json!({"grant_scope": request.json["requested_scope"], "session": session}),
    )
    .await;
    location(&jar.get(app, &back).await)
}

/// The code flow for `client` asking for `scope` (space-separated): the token response.
pub async fn code_tokens(app: &TestApp, client: &str, scope: &str, session: Value) -> Value {
    let query = format!("&response_type=code&scope={}", scope.replace(' ', "+"));
    let to_client = authorize(app, client, &query, session).await;
    let code = param(&to_client, "code").unwrap_or_else(|| panic!("no code: {to_client}"));
    let res = app
        .form(
            Port::Public,
            "/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CB),
            ],
            Some((client, SECRET)),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.json
}

/// `POST /oauth2/token` with `fields`, authenticated as `client`.
pub async fn token(app: &TestApp, client: &str, fields: &[(&str, &str)]) -> TestResponse {
    app.form(
        Port::Public,
        "/oauth2/token",
        fields,
        Some((client, SECRET)),
    )
    .await
}

/// `POST /oauth2/introspect`.
pub async fn introspect(app: &TestApp, token: &str) -> Value {
    let res = app
        .form(Port::Admin, "/oauth2/introspect", &[("token", token)], None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.json
}

/// Verifies `jwt` with the key `/.well-known/jwks.json` publishes under its header `kid`
/// (jsonwebtoken, not our own JWS code); returns the header and claims.
pub async fn verify_with_jwks(app: &TestApp, jwt: &str) -> (jsonwebtoken::Header, Value) {
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
    let jwks = app
        .json(Port::Public, Method::GET, "/.well-known/jwks.json", None)
        .await;
    assert_eq!(jwks.status, StatusCode::OK, "{}", jwks.text);
    let set: JwkSet = serde_json::from_value(jwks.json).unwrap();
    let header = decode_header(jwt).unwrap();
    let kid = header.kid.clone().unwrap();
    let jwk = set
        .find(&kid)
        .unwrap_or_else(|| panic!("kid {kid} is not published"));
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let data = decode::<Value>(jwt, &key, &validation).unwrap();
    (header, data.claims)
}
