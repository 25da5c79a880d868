//! `GET|POST /oauth2/auth` (RFC 6749 §3.1): the authorization endpoint.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxydra_core::flow::response::error_pairs;
use oxydra_core::oauth2::authorize::{AuthorizeError, AuthorizeParams};
use oxydra_core::service::authorize::{self as flow, AuthorizeFailure, AuthorizeResponse};
use oxydra_core::{OAuthError, OAuthErrorKind};

use crate::html::escape;
use crate::metrics::{Flow, Grant, Outcome, TokenKind};
use crate::state::AppState;

/// `GET|POST /oauth2/auth`: always a 302 — to the login app, the consent app, the client, or
/// (when the client or redirect URI cannot be trusted) the error page.
pub(crate) async fn authorize(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let params = match read_params(request, state.config.body_limit_bytes).await {
        Ok(params) => params,
        Err(error) => return error_page(&state, &AuthorizeError::untrusted(error)),
    };
    let browser = state.cookies.read(&headers);
    let returning = returning_from(&params);
    let issuers = flow::ResponseIssuers {
        tokens: &state.access_tokens(),
        oidc: &state.id_token_issuer(),
    };
    let objects = flow::RequestObjects {
        keys: &state.jwks,
        uris: &state.remote,
        issuer: &state.issuer_id,
    };
    match flow::authorize(
        &state.store,
        &issuers,
        &state.flow_settings,
        &objects,
        params,
        browser,
        state.now(),
    )
    .await
    {
        Ok(ok) => {
            count_response(&state, &ok);
            deliver(&ok, &state.cookies.set_cookie_headers(&ok.cookies))
        }
        Err(AuthorizeFailure { error, cookies }) => {
            if let Some(flow) = returning
                && error.error.kind == OAuthErrorKind::RequestUnauthorized
            {
                state.metrics.events.flow(flow, Outcome::Expired);
            }
            let set = state.cookies.set_cookie_headers(&cookies);
            let share_debug = state.config.share_error_debug;
            match AuthorizeResponse::error_to_client(&error, share_debug) {
                Some(to_client) => deliver(&to_client, &set),
                None => {
                    let mut response = error_page(&state, &error);
                    append_cookies(&mut response, &set);
                    response
                }
            }
        }
    }
}

/// The flow whose verifier the browser brings back, if any (an expiry is counted under it).
fn returning_from(params: &AuthorizeParams) -> Option<Flow> {
    if params.contains_key("consent_verifier") {
        Some(Flow::Consent)
    } else if params.contains_key("login_verifier") {
        Some(Flow::Login)
    } else {
        None
    }
}

/// Counts what a successful answer is for `/metrics/prometheus`: a login or consent request
/// started (a redirect to that app with its challenge; 0.10's consent app gets `consent`), or
/// the code and tokens handed to the client (every token but the code under `implicit`).
fn count_response(state: &AppState, response: &AuthorizeResponse) {
    let events = &state.metrics.events;
    let location = &response.location;
    let has = |name: &str| location.query_pairs().any(|(k, _)| k == name);
    let urls = &state.config.urls;
    if location.as_str().starts_with(urls.login.as_str()) && has("login_challenge") {
        return events.flow(Flow::Login, Outcome::Started);
    }
    if location.as_str().starts_with(urls.consent.as_str())
        && (has("consent_challenge") || has("consent"))
    {
        return events.flow(Flow::Consent, Outcome::Started);
    }
    let names: Vec<String> = match &response.form {
        Some(fields) => fields.iter().map(|(k, _)| k.clone()).collect(),
        None => {
            let fragment = location.fragment().unwrap_or("").as_bytes();
            let pairs = location
                .query_pairs()
                .chain(url::form_urlencoded::parse(fragment));
            pairs.map(|(k, _)| k.into_owned()).collect()
        }
    };
    for name in &names {
        match name.as_str() {
            "code" => events.token_issued(Grant::AuthorizationCode, TokenKind::AuthorizationCode),
            "access_token" => events.token_issued(Grant::Implicit, TokenKind::AccessToken),
            "id_token" => events.token_issued(Grant::Implicit, TokenKind::IdToken),
            _ => {}
        }
    }
}

/// RFC 6749 §3.1: query parameters, plus the form body on POST; a repeated parameter is
/// `invalid_request` (§3.1: "MUST NOT be included more than once").
async fn read_params(request: Request, limit: usize) -> Result<AuthorizeParams, OAuthError> {
    let mut params = AuthorizeParams::new();
    let query = request.uri().query().unwrap_or("").to_owned();
    let body = if request.method() == Method::POST {
        axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|_| OAuthError::invalid_request("The request body could not be read."))?
    } else {
        Default::default()
    };
    for source in [query.as_bytes(), &body[..]] {
        for (k, v) in url::form_urlencoded::parse(source) {
            if params.insert(k.to_string(), v.into_owned()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "The parameter '{k}' is included more than once."
                )));
            }
        }
    }
    Ok(params)
}

/// An error that cannot go to the client: 302 to `OAUTH2_ERROR_URL` with the error in the query.
pub(super) fn error_page(state: &AppState, error: &AuthorizeError) -> Response {
    let mut url = state.config.urls.error.clone();
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in error_pairs(&error.error, None, state.config.share_error_debug) {
            query.append_pair(k, &v);
        }
        if error.error.hint.is_none() {
            query.append_pair("error_hint", "");
        }
    }
    redirect(url.as_str(), &[])
}

/// The answer to the client: a redirect, or for `response_mode=form_post` the form page.
fn deliver(response: &AuthorizeResponse, cookies: &[HeaderValue]) -> Response {
    match &response.form {
        Some(fields) => form_post(response.location.as_str(), fields, cookies),
        None => redirect(response.location.as_str(), cookies),
    }
}

pub(super) fn redirect(location: &str, cookies: &[HeaderValue]) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    append_cookies(&mut response, cookies);
    response
}

/// OAuth 2.0 Form Post Response Mode §2: an HTML page that POSTs the response parameters to
/// the redirect URI as soon as it loads. Every value is escaped; the page is never cached and
/// may not be framed.
fn form_post(action: &str, fields: &[(String, String)], cookies: &[HeaderValue]) -> Response {
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Submit</title></head>\
         <body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">{}\
         <noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
        escape(action),
        inputs
    );
    let mut response = axum::response::Html(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; form-action *; frame-ancestors 'none'",
        ),
    );
    append_cookies(&mut response, cookies);
    response
}

fn append_cookies(response: &mut Response, cookies: &[HeaderValue]) {
    for cookie in cookies {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
}
