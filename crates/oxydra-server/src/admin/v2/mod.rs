//! The Hydra 2.x admin API (`/admin/…`) beside the 1.x routes, and the 1.x query-form routes
//! that 2.x moved under `/admin`: route adapters over the same services.

mod clients;
mod json_patch;
mod paging;
mod sessions;
mod trust;

use axum::Router;
use axum::routing::{delete, post};
use oxydra_api::paths::{ADMIN_INTROSPECT, ADMIN_PREFIX, ADMIN_TOKENS, OAUTH2_TOKENS};

use super::{flows, keys, tokens};
use crate::state::AppState;

/// Every 2.x route, plus the 1.x query-form session and token routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(clients::routes())
        .merge(flows::v2_routes())
        .merge(sessions::routes())
        .merge(trust::routes())
        .nest(ADMIN_PREFIX, keys::routes())
        .route(ADMIN_INTROSPECT, post(tokens::introspect))
        .route(ADMIN_TOKENS, delete(tokens::revoke_client_tokens))
        .route(OAUTH2_TOKENS, delete(tokens::revoke_client_tokens))
}
