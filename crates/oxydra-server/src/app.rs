//! Application state and the two routers (public and admin port).

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use oxydra_core::client::secret::SecretHasher;
use oxydra_core::clock::{Clock, SystemClock};
use oxydra_core::model::Now;
use oxydra_store::SqlStore;

use crate::config::Config;
use crate::hashing::OffloadedHasher;
use crate::{admin, health, middleware, public};

/// Everything a handler may use. Cheap to clone (all `Arc`s and pools).
#[derive(Clone)]
pub struct AppState {
    /// Validated configuration.
    pub config: Arc<Config>,
    /// The database.
    pub store: SqlStore,
    /// Secret hashing, offloaded to the blocking pool.
    pub hasher: OffloadedHasher,
    /// Time source (fixed in tests).
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// State with the system clock.
    pub fn new(config: Config, store: SqlStore) -> Self {
        Self::with_clock(config, store, Arc::new(SystemClock))
    }

    /// State with an injected clock, for tests that move time.
    pub fn with_clock(config: Config, store: SqlStore, clock: Arc<dyn Clock>) -> Self {
        let hasher = OffloadedHasher(SecretHasher::new(config.hasher));
        Self {
            config: Arc::new(config),
            store,
            hasher,
            clock,
        }
    }

    /// The current instant.
    pub fn now(&self) -> Now {
        self.clock.now()
    }
}

/// The router for the public port (OAuth 2.0 / OIDC endpoints browsers and clients reach).
pub fn public_router(state: AppState) -> Router {
    let router = Router::new()
        .merge(health::routes())
        .merge(public::routes());
    finish(router, state)
}

/// The router for the admin port (management API; the port itself is the trust boundary).
pub fn admin_router(state: AppState) -> Router {
    let router = Router::new().merge(health::routes()).merge(admin::routes());
    finish(router, state)
}

fn finish(router: Router<AppState>, state: AppState) -> Router {
    let limit = state.config.body_limit_bytes;
    let router = router
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(DefaultBodyLimit::max(limit));
    middleware::wrap(router, &state).with_state(state)
}
