//! Routes of the admin port.

mod client_wire;
mod clients;

use axum::Router;

use crate::app::AppState;

/// The admin port's own routes (health and version are added by the app).
pub fn routes() -> Router<AppState> {
    Router::new().merge(clients::routes())
}
