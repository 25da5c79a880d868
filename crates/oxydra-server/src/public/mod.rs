//! Routes of the public port: the OAuth 2.0 endpoints clients reach.

mod token;

use axum::Router;
use axum::routing::post;
use oxydra_api::paths::{OAUTH2_REVOKE, OAUTH2_TOKEN};

use crate::app::AppState;

/// The public port's own routes (health and version are added by the app).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(OAUTH2_TOKEN, post(token::token))
        .route(OAUTH2_REVOKE, post(token::revoke_token))
}
