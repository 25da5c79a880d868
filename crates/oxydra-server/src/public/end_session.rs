//! `GET|POST /oauth2/sessions/logout` (OIDC RP-Initiated Logout 1.0 §2, as Hydra 1.x/2.x):
//! without a `logout_verifier`, a logout request is created and the browser sent to the logout
//! app (`oxydra_core::service::end_session::start`); with one, the accepted request ends the
//! login session (`complete`), the clients' front-channel pages are framed on a page that then
//! moves on, and logout tokens are posted in the background (`backchannel.rs`), never holding
//! up the browser. Errors go to `OAUTH2_ERROR_URL`, as the other browser-facing endpoints'.

mod backchannel;
mod page;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use oxydra_core::Error;
use oxydra_core::oauth2::authorize::AuthorizeError;
use oxydra_core::service::authorize::CookieChange;
use oxydra_core::service::end_session::{
    self, LOGOUT_VERIFIER_PARAM, LoggedOut, LogoutParams, LogoutSettings,
};

use super::authorize::{error_page, redirect};
use crate::error::ApiError;
use crate::state::AppState;

/// Both methods: the parameters come from the query (`GET`) or the form body (`POST`, RP-
/// Initiated Logout 1.0 §2 allows both); a `logout_verifier` is always in the query.
pub(crate) async fn end_session(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    let query = query.unwrap_or_default();
    let session = state.cookies.read(&headers).session_id;
    let flow = &state.flow_settings;
    let settings = LogoutSettings::of(flow);
    if let Some(verifier) = single(&query, LOGOUT_VERIFIER_PARAM) {
        let done = end_session::complete(
            &state.store,
            &state.id_token_issuer(),
            &settings,
            &verifier,
            session.as_deref(),
            state.now(),
        )
        .await;
        return match done {
            Ok(done) => finish(&state, done),
            Err(e) => failure(&state, e),
        };
    }
    let form = if method == Method::POST {
        body
    } else {
        query.clone()
    };
    let params = LogoutParams {
        id_token_hint: single(&form, "id_token_hint"),
        post_logout_redirect_uri: single(&form, "post_logout_redirect_uri"),
        state: single(&form, "state"),
    };
    let request_url = format!("{}?{query}", flow.end_session_url);
    let started = end_session::start(
        &state.store,
        &state.id_token_issuer(),
        &settings,
        &params,
        session.as_deref(),
        request_url,
        state.now(),
    )
    .await;
    match started {
        Ok(location) => redirect(&location, &[]),
        Err(e) => failure(&state, e),
    }
}

/// The first non-empty value of `name` in a form-encoded string.
fn single(form: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(form.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// The session cookie cleared; back-channel logouts sent off; the front-channel page when a
/// client registered one, else straight to the target.
fn finish(state: &AppState, done: LoggedOut) -> Response {
    let clear = state
        .cookies
        .set_cookie_headers(&[CookieChange::ClearSession]);
    backchannel::spawn(state.remote.clone(), done.backchannel);
    if done.frontchannel.is_empty() {
        redirect(&done.redirect_to, &clear)
    } else {
        page::frontchannel(&done.frontchannel, &done.redirect_to, &clear)
    }
}

/// A protocol error on `OAUTH2_ERROR_URL`; anything else in the JSON error format.
fn failure(state: &AppState, error: Error) -> Response {
    match error {
        Error::OAuth(e) => error_page(state, &AuthorizeError::untrusted(e)),
        other => ApiError::from(other).into_response(),
    }
}
