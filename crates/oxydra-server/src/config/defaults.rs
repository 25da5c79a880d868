//! Built-in defaults that more than one part of the loader needs. A leaf module: the loader,
//! its sections and the URL readers all import it, and it imports none of them, so the
//! default issuer no longer makes `load` → `sections` → `urls` → `load` a circle.

/// Hydra's default issuer.
pub const DEFAULT_ISSUER: &str = "http://localhost:4444";
/// The demo login page, relative to the issuer (the default login URL with `OXYDRA_DEMO`).
pub const DEMO_LOGIN_PATH: &str = "/demo/login";
/// The demo consent page, relative to the issuer (the default consent URL with `OXYDRA_DEMO`).
pub const DEMO_CONSENT_PATH: &str = "/demo/consent";
/// The demo logout page, relative to the issuer (the default logout URL with `OXYDRA_DEMO`).
pub const DEMO_LOGOUT_PATH: &str = "/demo/logout";
