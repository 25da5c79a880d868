//! The built-in demo login, consent and logout app (`OXYDRA_DEMO`, `--demo`): for trying Oxydra in a
//! minute, never for production (configuration refuses it without `--dangerous-force-http`).
//!
//! It is an ordinary login/consent app that happens to live on the public port: its pages read
//! and answer login and consent requests through the admin API over HTTP, exactly as an
//! operator's app would (`shared/spec/behaviour.md` §3.2). Passwords are checked against
//! `OXYDRA_DEMO_USERS` in constant time. The forms carry the challenge in a hidden field; that
//! is their CSRF protection, since a challenge is single-use and the server binds the flow to
//! its own CSRF cookie. It is also a model OpenID Connect consent app (`claims.rs`): it grants
//! the users' claims by scope and by the `claims` parameter, and answers `acr_values`.

mod admin;
mod claims;
mod pages;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxydra_core::{Error, OAuthError, OAuthErrorKind, Secret};
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;

use self::admin::{ConsentRequest, Kind, LoginRequest, LogoutRequest, denied};
use self::pages::{ConsentView, LoginView, LogoutView};
use crate::config::{DEMO_CONSENT_PATH, DEMO_LOGIN_PATH, DEMO_LOGOUT_PATH, DemoConfig, sha256};

/// How long "remember me" keeps a login or a consent, in seconds.
const REMEMBER_FOR_SECS: i64 = 3600;
/// How long one admin-API call may take.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The demo app's state: an HTTP client for the admin API, where it is, and the accounts.
#[derive(Debug)]
pub struct Demo {
    http: reqwest::Client,
    admin_url: Arc<OnceLock<String>>,
    users: Vec<Account>,
}

/// One account as the demo keeps it.
#[derive(Debug)]
struct Account {
    name: String,
    /// The SHA-256 of the password.
    password: Secret<Vec<u8>>,
    /// The end-user's claims.
    claims: Map<String, Value>,
}

impl Demo {
    /// The app for `config`; `admin_url` is filled in once the admin listener is bound.
    pub fn new(config: &DemoConfig, admin_url: Arc<OnceLock<String>>) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ADMIN_TIMEOUT)
            .build()
            .map_err(|e| {
                Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(e.to_string()))
            })?;
        Ok(Self {
            http,
            admin_url,
            users: config
                .users
                .iter()
                .map(|u| Account {
                    name: u.name.clone(),
                    password: Secret::new(sha256(u.password.expose().as_bytes())),
                    claims: u.claims.clone(),
                })
                .collect(),
        })
    }

    /// The account named `name` if `password` is its password. Every account is compared, and
    /// passwords as SHA-256 digests, so the time taken says nothing about either.
    fn authenticate(&self, name: &str, password: &str) -> Option<&str> {
        let given = sha256(password.as_bytes());
        let mut found = None;
        for user in &self.users {
            let name_ok = user.name.as_bytes().ct_eq(name.as_bytes());
            let password_ok = user.password.expose().as_slice().ct_eq(&given);
            if bool::from(name_ok & password_ok) {
                found = Some(user.name.as_str());
            }
        }
        found
    }

    /// The claims of the account `subject` names (none for an unknown one).
    fn claims_of(&self, subject: &str) -> Map<String, Value> {
        self.users
            .iter()
            .find(|u| u.name == subject)
            .map(|u| u.claims.clone())
            .unwrap_or_default()
    }
}

/// A page-level failure: its status and the sentence shown.
#[derive(Debug, Clone)]
pub(crate) struct DemoError {
    status: StatusCode,
    message: String,
}

impl DemoError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for DemoError {
    fn into_response(self) -> Response {
        html(self.status, pages::error(&self.message))
    }
}

/// `/demo/login`, `/demo/consent` and `/demo/logout` (GET shows, POST answers), on the public port. The
/// routes carry only their own [`Demo`] state, so they merge into a router of any state.
pub fn routes<S>(demo: Arc<Demo>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route(DEMO_LOGIN_PATH, get(show_login).post(submit_login))
        .route(DEMO_CONSENT_PATH, get(show_consent).post(submit_consent))
        .route(DEMO_LOGOUT_PATH, get(show_logout).post(submit_logout))
        .with_state(demo)
}

/// `GET /demo/login?login_challenge=…`: the form, or straight on when the login is remembered.
async fn show_login(
    State(demo): State<Arc<Demo>>,
    RawQuery(query): RawQuery,
) -> Result<Response, DemoError> {
    let challenge = param(query.as_deref(), "login_challenge")?;
    let request: LoginRequest = demo.request(Kind::Login, &challenge).await?;
    if request.skip {
        // §3.3: a remembered login is accepted without UI, same subject, remember=false.
        let mut body = json!({"subject": request.subject, "remember": false, "remember_for": 0});
        add_acr(&mut body, &request, false);
        return follow(
            demo.answer(Kind::Login, &challenge, "accept", &body)
                .await?,
        );
    }
    Ok(login_page(
        &challenge,
        &request,
        &request.oidc_context.login_hint,
        None,
    ))
}

/// `POST /demo/login`: Deny rejects; right credentials accept; wrong ones show the form again.
async fn submit_login(State(demo): State<Arc<Demo>>, body: Bytes) -> Result<Response, DemoError> {
    let form = Fields::parse(&body);
    let challenge = form.required("challenge")?;
    if form.one("action") == Some("deny") {
        return follow(
            demo.answer(Kind::Login, challenge, "reject", &denied())
                .await?,
        );
    }
    let username = form.one("username").unwrap_or("").trim();
    let password = form.one("password").unwrap_or("");
    let Some(user) = demo.authenticate(username, password) else {
        let request: LoginRequest = demo.request(Kind::Login, challenge).await?;
        let error = "The user name or password is wrong.";
        return Ok(login_page(challenge, &request, username, Some(error)));
    };
    let remember = form.one("remember").is_some();
    let mut body = json!({
        "subject": user,
        "remember": remember,
        "remember_for": if remember { REMEMBER_FOR_SECS } else { 0 },
    });
    let request: LoginRequest = demo.request(Kind::Login, challenge).await?;
    add_acr(&mut body, &request, true);
    follow(demo.answer(Kind::Login, challenge, "accept", &body).await?)
}

/// Adds to an AcceptLoginRequest the `acr` asked for that this login meets, if any
/// ([`claims::acr`]).
fn add_acr(body: &mut Value, request: &LoginRequest, password_typed: bool) {
    let context = &request.oidc_context;
    if let Some(acr) = claims::acr(&context.acr_values, context.claims.as_ref(), password_typed)
        && let Value::Object(fields) = body
    {
        fields.insert("acr".to_owned(), json!(acr));
    }
}

/// `GET /demo/consent?consent_challenge=…`: the form, or straight on when consent is remembered.
async fn show_consent(
    State(demo): State<Arc<Demo>>,
    RawQuery(query): RawQuery,
) -> Result<Response, DemoError> {
    let challenge = param(query.as_deref(), "consent_challenge")?;
    let request: ConsentRequest = demo.request(Kind::Consent, &challenge).await?;
    if request.skip || request.client.skip_consent {
        // §3.3: a remembered consent is accepted without UI, the same scopes, remember=false;
        // so is a first-party client's (Hydra 2.x `skip_consent`, as Hydra's reference
        // consent app does).
        let body = demo.accept_consent(&request, &request.requested_scope, false);
        return follow(
            demo.answer(Kind::Consent, &challenge, "accept", &body)
                .await?,
        );
    }
    let asked = claims::asked_for(
        &demo.claims_of(&request.subject),
        request.oidc_context.claims.as_ref(),
    );
    let page = pages::consent(&ConsentView {
        challenge: &challenge,
        client: request.client.label(),
        subject: &request.subject,
        scopes: &request.requested_scope,
        claims: &asked,
    });
    Ok(html(StatusCode::OK, page))
}

/// `POST /demo/consent`: Deny rejects; Allow grants the checked scopes that were requested.
async fn submit_consent(State(demo): State<Arc<Demo>>, body: Bytes) -> Result<Response, DemoError> {
    let form = Fields::parse(&body);
    let challenge = form.required("challenge")?;
    if form.one("action") == Some("deny") {
        return follow(
            demo.answer(Kind::Consent, challenge, "reject", &denied())
                .await?,
        );
    }
    let request: ConsentRequest = demo.request(Kind::Consent, challenge).await?;
    // Only scopes the client asked for: a crafted form cannot widen the grant.
    let checked = form.all("grant_scope");
    let granted: Vec<String> = request
        .requested_scope
        .iter()
        .filter(|s| checked.contains(&s.as_str()))
        .cloned()
        .collect();
    let body = demo.accept_consent(&request, &granted, form.one("remember").is_some());
    follow(
        demo.answer(Kind::Consent, challenge, "accept", &body)
            .await?,
    )
}

/// `GET /demo/logout?logout_challenge=…`: the confirmation, or straight on for a first-party
/// client (Hydra 2.x `skip_logout_consent`).
async fn show_logout(
    State(demo): State<Arc<Demo>>,
    RawQuery(query): RawQuery,
) -> Result<Response, DemoError> {
    let challenge = param(query.as_deref(), "logout_challenge")?;
    let request: LogoutRequest = demo.request(Kind::Logout, &challenge).await?;
    if request
        .client
        .as_ref()
        .is_some_and(|c| c.skip_logout_consent)
    {
        return follow(
            demo.answer(Kind::Logout, &challenge, "accept", &json!({}))
                .await?,
        );
    }
    let page = pages::logout(&LogoutView {
        challenge: &challenge,
        subject: &request.subject,
        client: request.client.as_ref().map(|c| c.label()),
    });
    Ok(html(StatusCode::OK, page))
}

/// `POST /demo/logout`: "Log out" accepts and follows `redirect_to` (the server then tells
/// every client); "Stay logged in" rejects, and the session stays.
async fn submit_logout(State(demo): State<Arc<Demo>>, body: Bytes) -> Result<Response, DemoError> {
    let form = Fields::parse(&body);
    let challenge = form.required("challenge")?;
    if form.one("action") == Some("accept") {
        return follow(
            demo.answer(Kind::Logout, challenge, "accept", &json!({}))
                .await?,
        );
    }
    demo.reject_logout(challenge).await?;
    Ok(html(StatusCode::OK, pages::still_logged_in()))
}

impl Demo {
    /// An AcceptConsentRequest granting `scopes` of `request`, with the user's claims those
    /// scopes and the `claims` parameter ask for ([`claims::granted`]) as `session.id_token`.
    fn accept_consent(&self, request: &ConsentRequest, scopes: &[String], remember: bool) -> Value {
        let id_token = claims::granted(
            &self.claims_of(&request.subject),
            scopes,
            request.oidc_context.claims.as_ref(),
        );
        json!({
            "grant_scope": scopes,
            "remember": remember,
            "remember_for": if remember { REMEMBER_FOR_SECS } else { 0 },
            "session": {"access_token": {}, "id_token": id_token},
        })
    }
}

fn login_page(
    challenge: &str,
    request: &LoginRequest,
    username: &str,
    error: Option<&str>,
) -> Response {
    let page = pages::login(&LoginView {
        challenge,
        client: request.client.label(),
        username,
        error,
    });
    html(StatusCode::OK, page)
}

/// 302 to the admin API's `redirect_to`.
fn follow(location: String) -> Result<Response, DemoError> {
    let value = HeaderValue::from_str(&location).map_err(|_| {
        DemoError::new(
            StatusCode::BAD_GATEWAY,
            "The admin API sent an unusable redirect.",
        )
    })?;
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, value);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The page for a request that lacks the parameter `name`.
fn missing(name: &str) -> DemoError {
    DemoError::new(
        StatusCode::BAD_REQUEST,
        format!("The {name} parameter is missing. Start again from the application."),
    )
}

/// An HTML page that is never cached, never framed and loads nothing.
fn html(status: StatusCode, page: String) -> Response {
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The first non-empty value of `name` in a query string.
fn param(query: Option<&str>, name: &str) -> Result<String, DemoError> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| missing(name))
}

/// An `application/x-www-form-urlencoded` body; keys may repeat (`grant_scope`).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first non-empty value of `name`.
    fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of `name`, which the form must have.
    fn required(&self, name: &str) -> Result<&str, DemoError> {
        self.one(name).ok_or_else(|| missing(name))
    }

    /// Every value of `name`.
    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}
