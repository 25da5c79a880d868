//! End-to-end: real loopback listeners, driven by `reqwest` and by the `oauth2` client crate
//! (an independent RFC 6749 implementation), on every configured backend.

// A test binary: failing by panicking is the point (clippy only exempts `#[test]` fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod claims;
mod device;
mod device_errors;
mod discovery;
mod dpop;
mod fleet;
mod flow;
mod flow_binding;
mod hydra_v2_sdk;
mod hydra_v2_sdk_trust;
mod id_token_algs;
mod legacy;
mod legacy_sdk;
mod login_sessions;
mod logout;
mod oauth2_client;
mod oidc_client;
mod oidc_provider;
mod par;
mod registration;
mod request_objects;
mod token_exchange;
mod token_service;
mod userinfo;
