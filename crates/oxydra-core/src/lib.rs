//! Oxydra's domain: OAuth 2.0 / OpenID Connect protocol logic and the use cases that load,
//! decide and persist through storage *ports*.
//!
//! Nothing here performs I/O on its own: time arrives as a [`model::Now`] value, storage through
//! the traits in [`store`], slow hashing through [`client::secret::SecretHashing`]. The HTTP
//! server and the SQL store are adapters around this crate.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod clock;
pub mod config;
pub mod error;
pub mod flow;
pub mod import;
pub mod jwk;
pub mod model;
pub mod oauth2;
pub mod oidc;
pub mod policy;
pub mod service;
pub mod store;
pub mod token;

pub use error::{Error, OAuthError, OAuthErrorKind};
pub use model::{ClientId, Now, Secret};
