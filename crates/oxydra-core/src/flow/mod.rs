//! The login and consent flow (`shared/spec/behaviour.md` §3): the requests the authorization
//! endpoint creates for the operator's login and consent apps, and the decisions taken when the
//! browser comes back with a verifier. Pure: inputs and [`crate::model::Now`] in, decisions out.

pub mod answer;
pub mod consent;
pub mod cookies;
pub mod device;
pub mod legacy;
pub mod login;
pub mod logout;
pub mod model;
pub mod response;
pub mod settings;

/// Re-exported: the request's OIDC parameters a flow carries, defined with the authorize checks.
pub use crate::oauth2::authorize::OidcContext;
pub use model::{
    ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, LoginSession, Rejection,
    VerifierUse,
};
