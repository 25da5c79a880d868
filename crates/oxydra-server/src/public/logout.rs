//! `GET|POST /oauth2/auth/sessions/login/revoke`: logs this browser out without logout CSRF
//! (`oxydra_core::service::logout`). `GET` with a valid `id_token_hint` for the session's user,
//! or without a live session at all (a Hydra SDK call), answers as Hydra does: the cookie is
//! cleared and the browser sent to `OAUTH2_LOGOUT_REDIRECT_URL`. Otherwise `GET` shows a
//! confirmation page whose form `POST`s a token bound to the session; only that ends it.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use oxydra_core::Error;
use oxydra_core::oauth2::authorize::AuthorizeError;
use oxydra_core::service::authorize::CookieChange;
use oxydra_core::service::logout::{self, LogoutStep};
use subtle::ConstantTimeEq;

use super::authorize::{error_page, redirect};
use crate::error::ApiError;
use crate::extract::Form;
use crate::state::AppState;

/// The form field carrying the confirmation token.
const CONFIRM_FIELD: &str = "logout_confirmation";
/// What the confirmation token is an HMAC of, besides the session id (never a cookie name).
const CONFIRM_PURPOSE: &str = "oauth2_logout_confirmation";

/// `GET`: RP-initiated logout (`id_token_hint`), or the confirmation page.
pub(crate) async fn request(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let hint = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "id_token_hint")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty());
    let sid = state.cookies.read(&headers).session_id;
    let step = logout::request_logout(
        &state.store,
        &state.id_token_issuer(),
        state.flow_settings.pairwise_salt.expose(),
        sid.as_deref(),
        hint.as_deref(),
        state.now(),
    )
    .await;
    match (step, sid) {
        (Ok(LogoutStep::Confirm), Some(sid)) => confirmation_page(&state, &sid),
        (Ok(_), _) => logged_out(&state),
        (Err(Error::OAuth(e)), _) => error_page(&state, &AuthorizeError::untrusted(e)),
        (Err(e), _) => ApiError::from(e).into_response(),
    }
}

/// `POST` from the confirmation page: ends the session when the token is the one bound to it.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form,
) -> Response {
    let Some(sid) = state.cookies.read(&headers).session_id else {
        return logged_out(&state);
    };
    let expected = confirmation_token(&state, &sid);
    let given = form.get(CONFIRM_FIELD).unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        let error = logout::forged_confirmation();
        return error_page(&state, &AuthorizeError::untrusted(error));
    }
    match logout::end_session(&state.store, &sid).await {
        Ok(()) => logged_out(&state),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The session cookie cleared, and the browser sent to `OAUTH2_LOGOUT_REDIRECT_URL`.
fn logged_out(state: &AppState) -> Response {
    let clear = state
        .cookies
        .set_cookie_headers(&[CookieChange::ClearSession]);
    redirect(state.config.urls.logout_redirect.as_str(), &clear)
}

/// HMAC of the session id under the cookie key: only this server can make it, and only for
/// the browser holding the (HttpOnly) session cookie, which a cross-site page cannot read.
fn confirmation_token(state: &AppState, sid: &str) -> String {
    let signed = state.cookies.sign(CONFIRM_PURPOSE, sid);
    signed
        .rsplit_once('.')
        .map(|(_, tag)| tag.to_owned())
        .unwrap_or_default()
}

/// The page that asks the user; never cached, never framed.
fn confirmation_page(state: &AppState, sid: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log out?</title>\
         </head><body><main><h1>Log out?</h1><form method=\"post\" action=\"revoke\">\
         <input type=\"hidden\" name=\"{CONFIRM_FIELD}\" value=\"{}\"/>\
         <button type=\"submit\">Log out</button></form></main></body></html>",
        confirmation_token(state, sid)
    );
    let mut response = Html(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; form-action 'self'; frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
