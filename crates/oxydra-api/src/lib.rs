//! Hydra-compatible wire models.
//!
//! Every JSON body Oxydra reads or writes on its HTTP ports is defined here, with field names
//! exactly as ORY Hydra 1.0.0-beta (and, for the legacy routes, 0.10 / 1.0.0-alpha1) spells them.
//! Fields are loose (plain strings, lists of strings) so unknown values round-trip; parsing into
//! validated domain types happens in the server. This crate never imports the domain, the
//! store or the server, so the CLI and tests can share it without linking the server.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client_model;
pub mod error;
pub mod flow_model;
pub mod health;
pub mod jwk_model;
pub mod legacy_model;
pub mod oidc_model;
pub mod openapi;
pub mod paths;
pub mod policy_model;
pub mod scopes;
mod serde_util;
pub mod token_model;
pub mod trust_model;

#[cfg(feature = "client")]
pub mod client;

pub use client_model::{
    JsonPatchOperation, OAuth2Client, OAuth2ClientTokenLifespans, RegisteredClient,
};
pub use error::ErrorBody;
pub use flow_model::{
    AcceptConsentRequest, AcceptLoginRequest, AcceptOAuth2LoginRequest, CompletedRequest,
    ConsentRequest, ConsentRequestSession, LoginRequest, LogoutRequest, OpenIDConnectContext,
    PreviousConsentSession, RejectRequest,
};
pub use health::{
    HealthMetrics, HealthNotReadyStatus, HealthStats, HealthStatus, MemoryStats, Version,
};
pub use jwk_model::{JSONWebKey, JSONWebKeySet, JsonWebKeySetGeneratorRequest};
pub use legacy_model::{ConsentRequestAcceptance, ConsentRequestRejection, OAuth2ConsentRequest};
pub use oidc_model::WellKnown;
pub use policy_model::{Policy, PolicyCondition};
pub use token_model::{
    Confirmation, DeviceAuthorization, FlushInactiveOAuth2TokensRequest, OAuth2TokenIntrospection,
    OauthTokenResponse, PushedAuthorizationResponse, UserinfoResponse,
};
pub use trust_model::{
    TrustOAuth2JwtGrantIssuer, TrustedOAuth2JwtGrantIssuer, TrustedOAuth2JwtGrantJsonWebKey,
};
