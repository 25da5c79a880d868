//! Routes of the admin port.

pub mod access;
pub(crate) mod client_wire;
pub(crate) mod client_wire_v2;
mod clients;
mod flow_wire;
mod flows;
mod keys;
mod logout;
pub use keys::PublicHalvesOnly;
pub(crate) mod legacy_consent;
mod paging;
mod policies;
mod sessions;
mod tokens;
mod v2;

use axum::Router;
use axum::routing::post;
use oxydra_api::paths::{OAUTH2_FLUSH, OAUTH2_INTROSPECT};

use crate::state::AppState;

/// The admin port's own routes (health and version are added by the app).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(clients::routes())
        .merge(flows::routes())
        .merge(logout::routes())
        .merge(keys::routes())
        .merge(policies::routes())
        .merge(sessions::routes())
        .merge(v2::routes())
        .route(OAUTH2_INTROSPECT, post(tokens::introspect))
        .route(OAUTH2_FLUSH, post(tokens::flush))
}
