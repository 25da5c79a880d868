//! Routes of the public port. OAuth 2.0 and OpenID Connect endpoints join here as they are built.

use axum::Router;

use crate::app::AppState;

/// The public port's own routes (health and version are added by the app).
pub fn routes() -> Router<AppState> {
    Router::new()
}
