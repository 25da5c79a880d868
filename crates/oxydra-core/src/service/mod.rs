//! Use cases: load through the store ports, decide with pure domain code, persist.
//! This is the only place the domain calls storage.

pub mod access_control;
pub mod access_tokens;
pub mod authorize;
pub mod client_auth;
pub mod clients;
pub mod device;
pub mod dpop;
pub mod end_session;
pub mod flow_admin;
pub mod id_tokens;
pub mod import_hydra;
pub mod imported_tokens;
pub mod introspect;
mod jwt_bearer;
pub mod key_guard;
pub mod keys;
pub mod legacy_consent;
pub mod logout;
pub mod par;
pub mod policies;
pub mod policy_cache;
pub mod provider;
mod refresh;
pub mod refresh_claim;
pub mod registration;
pub mod revoke;
pub mod root_client;
pub mod signing_keys;
pub mod token;
pub mod token_exchange;
pub mod token_hook;
pub mod trust;
pub mod userinfo;
pub mod warden;
