//! OAuth 2.0 protocol building blocks (RFC 6749, RFC 7636, RFC 7523): pure checks the authorize
//! and token services compose. No I/O, no storage.

pub mod authorize;
pub mod client_assertion;
pub mod client_auth;
pub(crate) mod client_jws;
pub mod dpop;
pub mod grant;
pub mod jwt_bearer;
pub mod par;
pub mod pkce;
pub mod request_object;
pub mod scope;
#[cfg(test)]
pub(crate) mod test_jws;
