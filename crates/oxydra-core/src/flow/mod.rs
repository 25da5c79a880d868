//! The login and consent flow (`shared/spec/behaviour.md` §3): the requests the authorization
//! endpoint creates for the operator's login and consent apps, and the decisions taken when the
//! browser comes back with a verifier. Pure: inputs and [`crate::model::Now`] in, decisions out.

pub mod answer;
pub mod legacy;
pub mod model;
pub mod response;

pub use model::{
    ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, LoginSession, OidcContext,
    Rejection, VerifierUse,
};
