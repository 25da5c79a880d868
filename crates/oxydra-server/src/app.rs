//! The two routers (public and admin port): which routes each port serves and the layers
//! around them. The state they carry is [`crate::state::AppState`].

use axum::Router;
use axum::extract::DefaultBodyLimit;

use crate::config::AdminAccessControl;
use crate::{admin, demo, health, middleware, public, scrape};

/// Re-exported so `oxydra_server::app::AppState` keeps naming the state the routers carry.
pub use crate::state::AppState;

/// The router for the public port (OAuth 2.0 / OIDC endpoints browsers and clients reach). In
/// 0.10 mode it serves the admin routes too, as Hydra 0.x served everything on one port.
pub fn public_router(state: AppState) -> Router {
    let mut router = Router::new()
        .merge(health::routes())
        .merge(public::routes());
    if let Some(app) = &state.demo {
        router = router.merge(demo::routes(app.clone()));
    }
    if state.device.is_some() {
        router = router.merge(public::device_routes());
    }
    if state.config.par.enabled {
        router = router.merge(public::par_routes());
    }
    if state.config.dynamic_registration {
        router = router.merge(public::registration_routes());
    }
    if state.config.v010() {
        router = router.merge(legacy_public_admin_routes(&state));
    }
    finish(router, state)
}

/// The router for the admin port (management API). The port itself is the trust boundary
/// unless `ADMIN_ACCESS_CONTROL=policies` puts the token-and-policy guard in front of it.
pub fn admin_router(state: AppState) -> Router {
    // Health and version are guarded here too (the table lists them), as on a 0.x admin port.
    let router = Router::new()
        .merge(health::routes())
        .merge(unguarded_admin_routes(&state));
    let router = admin::access::guard(router, &state);
    finish(router, state)
}

/// The admin API with everything that guards it: the one place to add a layer (an access
/// policy, say) that must apply wherever the admin routes are served — the admin port, and
/// the public port in 0.10 mode. Health and version are not part of it.
pub fn admin_routes(state: &AppState) -> Router<AppState> {
    admin::access::guard(unguarded_admin_routes(state), state)
}

/// The admin API as 0.10 mode serves it on the public port. Start-up refuses that port
/// without the guard unless the operator explicitly allowed it; even then, key answers carry
/// public halves only, because browsers (and anyone else) reach that port.
fn legacy_public_admin_routes(state: &AppState) -> Router<AppState> {
    let routes = admin_routes(state);
    match state.config.access_control.mode {
        AdminAccessControl::Policies => routes,
        AdminAccessControl::Off => routes.layer(axum::Extension(admin::PublicHalvesOnly)),
    }
}

/// The admin API before the guard, with `/metrics/prometheus` (open in the guard's table, as
/// in Hydra 0.x, but only where the admin API is served).
fn unguarded_admin_routes(state: &AppState) -> Router<AppState> {
    let mut router = admin::routes().merge(scrape::routes());
    if state.config.legacy_consent {
        router = router.merge(admin::legacy_consent::routes());
    }
    router
}

fn finish(router: Router<AppState>, state: AppState) -> Router {
    let limit = state.config.body_limit_bytes;
    let router = router
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(DefaultBodyLimit::max(limit));
    middleware::wrap(router, &state).with_state(state)
}
