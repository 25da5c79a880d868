//! The route table: every (method, path) the routers serve, in every mode, with the port and
//! API generation it belongs to. The server's tests check it against the routers, so a route
//! added without an entry here fails them.

mod admin;
mod common;
mod flows;
mod legacy;
mod public;
mod v2;

use crate::openapi::route::Route;

/// Every route, public port first, then the admin port's, then the older generations'.
pub fn routes() -> impl Iterator<Item = &'static Route> {
    public::ROUTES
        .iter()
        .chain(admin::ROUTES)
        .chain(flows::ROUTES)
        .chain(flows::LOGOUT_ROUTES)
        .chain(legacy::ROUTES)
        .chain(v2::ROUTES)
}
