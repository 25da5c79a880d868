//! Routes of the public port: the OAuth 2.0 endpoints clients reach.

mod authorize;
mod device;
mod device_pages;
pub(crate) mod discovery;
mod end_session;
mod fallbacks;
mod jwks;
mod logout;
mod par;
mod register;
mod token;
mod userinfo;

use axum::Router;
use axum::routing::{get, post};
use oxydra_api::paths::{
    END_SESSION, LOGIN_SESSION_REVOKE, OAUTH2_AUTH, OAUTH2_DEVICE_AUTH, OAUTH2_DEVICE_VERIFY,
    OAUTH2_PAR, OAUTH2_REGISTER, OAUTH2_REGISTERED_CLIENT, OAUTH2_REVOKE, OAUTH2_TOKEN, USERINFO,
    WELL_KNOWN_JWKS, WELL_KNOWN_OPENID_CONFIGURATION,
};

use crate::state::AppState;

/// The public port's own routes (health and version are added by the app).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(OAUTH2_TOKEN, post(token::token))
        .route(OAUTH2_REVOKE, post(token::revoke_token))
        .route(
            OAUTH2_AUTH,
            get(authorize::authorize).post(authorize::authorize),
        )
        .route(
            LOGIN_SESSION_REVOKE,
            get(logout::request).post(logout::confirm),
        )
        .route(
            END_SESSION,
            get(end_session::end_session).post(end_session::end_session),
        )
        .route("/oauth2/fallbacks/error", get(fallbacks::error))
        .route("/oauth2/fallbacks/consent", get(fallbacks::consent))
        .route("/oauth2/fallbacks/logout", get(fallbacks::logout))
        .route(WELL_KNOWN_JWKS, get(jwks::jwks))
        .route(USERINFO, get(userinfo::userinfo).post(userinfo::userinfo))
        .route(WELL_KNOWN_OPENID_CONFIGURATION, get(discovery::discovery))
}

/// The device authorization grant's routes (RFC 8628), served while `OXYDRA_DEVICE_FLOW` is on.
pub fn device_routes() -> Router<AppState> {
    Router::new()
        .route(OAUTH2_DEVICE_AUTH, post(device::device_authorization))
        .route(
            OAUTH2_DEVICE_VERIFY,
            get(device::verify_page).post(device::submit_code),
        )
}

/// Pushed authorization requests (RFC 9126), served while `OXYDRA_PAR` is on.
pub fn par_routes() -> Router<AppState> {
    Router::new().route(OAUTH2_PAR, post(par::pushed_authorization))
}

/// Dynamic client registration (RFC 7591/7592), served while
/// `OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED` is on.
pub fn registration_routes() -> Router<AppState> {
    Router::new()
        .route(OAUTH2_REGISTER, post(register::register))
        .route(
            OAUTH2_REGISTERED_CLIENT,
            get(register::read)
                .put(register::update)
                .delete(register::delete),
        )
}
