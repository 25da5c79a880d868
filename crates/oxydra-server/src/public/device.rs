//! The device authorization grant's public routes (RFC 8628): `POST /oauth2/device/auth`, the
//! device's request (§3.1), and `/oauth2/device/verify`, the verification page where the user
//! types the user code (§3.3) and where the login and consent apps send the browser back to.
//! Served only while `OXYDRA_DEVICE_FLOW` is on.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use oxydra_api::DeviceAuthorization;
use oxydra_core::OAuthError;
use oxydra_core::flow::FlowId;
use oxydra_core::service::authorize::{
    CookieChange, DeviceFailure, DeviceReturn, DeviceStep, device_return, device_start,
};
use oxydra_core::service::device::{self, Verifiable};
use subtle::ConstantTimeEq;

use super::authorize::redirect;
use super::device_pages as pages;
use super::token::{authenticate, json_answer};
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::extract::Form;
use crate::metrics::{AuthEndpoint, Flow, Outcome};
use crate::state::{AppState, DeviceFlow};

/// `POST /oauth2/device/auth` (RFC 8628 §3.1–3.2): the client authenticates as at the token
/// endpoint (a public client names itself with `client_id`), and gets a device code, a user
/// code and the verification URI.
pub(crate) async fn device_authorization(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    form: Result<Form, ApiError>,
) -> Response {
    let result = authorize_device(&state, ip, &headers, form).await;
    json_answer(&state, result)
}

async fn authorize_device(
    state: &AppState,
    ip: ClientIp,
    headers: &HeaderMap,
    form: Result<Form, ApiError>,
) -> Result<DeviceAuthorization, ApiError> {
    let flow = enabled(state)?;
    let Form(form) = form?;
    let endpoint = AuthEndpoint::DeviceAuthorization;
    let client = authenticate(state, headers, ip, &form, endpoint).await?;
    let answer = device::authorize_device(
        &state.store,
        &state.token_keys,
        &flow.settings,
        state.config.scope_strategy,
        &client,
        form.get("scope").unwrap_or(""),
        state.now(),
    )
    .await?;
    Ok(DeviceAuthorization {
        device_code: answer.device_code,
        user_code: answer.user_code,
        verification_uri: answer.verification_uri,
        verification_uri_complete: Some(answer.verification_uri_complete),
        expires_in: answer.expires_in,
        interval: answer.interval,
    })
}

fn enabled(state: &AppState) -> Result<&DeviceFlow, ApiError> {
    state
        .device
        .as_deref()
        .ok_or_else(ApiError::route_not_found)
}

/// `GET /oauth2/device/verify`: the user-code form (prefilled from `user_code`), or — with
/// `device_challenge` and a verifier — the browser's return from the login or consent app.
pub(crate) async fn verify_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if enabled(&state).is_err() {
        return ApiError::route_not_found().into_response();
    }
    let param = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let Some(challenge) = param("device_challenge") else {
        return form_page(
            &state,
            param("user_code").unwrap_or(""),
            None,
            StatusCode::OK,
        );
    };
    let back = DeviceReturn {
        challenge,
        login_verifier: param("login_verifier"),
        consent_verifier: param("consent_verifier"),
    };
    let browser = state.cookies.read(&headers);
    let step = device_return(
        &state.store,
        &state.flow_settings,
        back,
        &browser,
        state.now(),
    )
    .await;
    match step {
        Ok(DeviceStep::Continue(next)) => {
            state.metrics.events.flow(Flow::Consent, Outcome::Started);
            let cookies = state.cookies.set_cookie_headers(&next.cookies);
            redirect(next.location.as_str(), &cookies)
        }
        Ok(DeviceStep::Finished(approved)) => {
            pages::respond(StatusCode::OK, pages::finished(approved), &[])
        }
        Err(DeviceFailure { error, cookies }) => {
            let cookies = state.cookies.set_cookie_headers(&cookies);
            error_page(&error, &cookies)
        }
    }
}

/// The user-code form with a fresh anti-CSRF value, set as its cookie too.
fn form_page(
    state: &AppState,
    prefill: &str,
    message: Option<&str>,
    status: StatusCode,
) -> Response {
    let csrf = FlowId::generate();
    let body = pages::code_form(prefill, csrf.as_str(), message);
    let cookies = state
        .cookies
        .set_cookie_headers(&[CookieChange::DeviceCsrf(csrf)]);
    pages::respond(status, body, &cookies)
}

/// An error page with the error's status; a server-side failure is logged, not shown.
fn error_page(error: &OAuthError, cookies: &[HeaderValue]) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    if status.is_server_error() {
        tracing::error!(error = %error, "device verification failed");
        let shown = OAuthError::new(error.kind);
        return pages::respond(status, pages::error(&shown), cookies);
    }
    pages::respond(status, pages::error(error), cookies)
}

/// `POST /oauth2/device/verify`: checks the form's anti-CSRF value against its cookie and the
/// caller's guess budget, looks the user code up, then asks the user to confirm the client and
/// scopes (RFC 8628 §5.4); once confirmed (`confirm=yes`), starts the login.
pub(crate) async fn submit_code(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    form: Result<Form, ApiError>,
) -> Response {
    let Ok(flow) = enabled(&state) else {
        return ApiError::route_not_found().into_response();
    };
    let Ok(Form(form)) = form else {
        let error = OAuthError::invalid_request("The form could not be read.");
        return error_page(&error, &[]);
    };
    let browser = state.cookies.read(&headers);
    let csrf = form.get("csrf_token").unwrap_or("");
    let fresh_form = |message: &str, status| form_page(&state, "", Some(message), status);
    if !same_secret(browser.device_csrf.as_deref(), csrf) {
        return fresh_form(
            "This form expired or was not sent from this page; enter the code again.",
            StatusCode::FORBIDDEN,
        );
    }
    let now = state.now();
    if let Some(wait) = flow.guesses.spent(ip.0, now) {
        let mut response = fresh_form(
            "Too many wrong codes were entered; wait a minute and try again.",
            StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert("retry-after", value);
        }
        return response;
    }
    let typed = form.get("user_code").unwrap_or("");
    let length = flow.settings.user_code_length;
    let found = device::find_by_user_code(&state.store, &state.token_keys, length, typed, now);
    let found = match found.await {
        Ok(Some(found)) => found,
        Ok(None) => {
            flow.guesses.record_wrong(ip.0, now);
            return form_page(
                &state,
                typed,
                Some("That code is wrong or has expired; check the code on your device."),
                StatusCode::BAD_REQUEST,
            );
        }
        Err(e) => return error_page(ApiError::from(e).oauth(), &[]),
    };
    if form.get("confirm") == Some("yes") {
        return start_login(&state, &found, &headers).await;
    }
    confirmation(&found, typed, csrf)
}

/// RFC 8628 §5.4: the page naming the client and the scopes, which confirms with the same
/// anti-CSRF value.
fn confirmation(found: &Verifiable, typed: &str, csrf: &str) -> Response {
    let body = pages::confirm(&found.client, &found.grant.requested_scope, typed, csrf);
    pages::respond(StatusCode::OK, body, &[])
}

/// The confirmed grant's login, as `/oauth2/auth` starts one.
async fn start_login(state: &AppState, found: &Verifiable, headers: &HeaderMap) -> Response {
    let browser = state.cookies.read(headers);
    let started = device_start(
        &state.store,
        &state.flow_settings,
        found,
        &browser,
        state.now(),
    )
    .await;
    match started {
        Ok(next) => {
            state.metrics.events.flow(Flow::Login, Outcome::Started);
            let cookies = state.cookies.set_cookie_headers(&next.cookies);
            redirect(next.location.as_str(), &cookies)
        }
        Err(DeviceFailure { error, cookies }) => {
            error_page(&error, &state.cookies.set_cookie_headers(&cookies))
        }
    }
}

/// Whether the form repeats the cookie's value (constant time; both must be present).
fn same_secret(cookie: Option<&str>, sent: &str) -> bool {
    cookie.is_some_and(|c| !sent.is_empty() && bool::from(c.as_bytes().ct_eq(sent.as_bytes())))
}
