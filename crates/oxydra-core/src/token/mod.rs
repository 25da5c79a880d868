//! Token *formats*: how access tokens, refresh tokens and authorization codes look on the wire
//! and how a presented token is checked before any storage lookup.
//!
//! [`opaque`] holds the HMAC-signed opaque format (`shared/spec/behaviour.md` §4.1), where only
//! the signature part is ever stored; [`jwt`] the RFC 9068 JWT access tokens (§4.2), stored
//! under a hash of the token. Nothing here performs I/O.

pub mod hydra;
pub mod jwt;
pub mod opaque;
pub mod rotation;
pub mod stored;

pub use opaque::{TokenKeys, TokenKind, TokenSignature};
pub use rotation::{GraceRule, RotateOutcome, RotatedFacts, Successor};
pub use stored::{
    FLUSH_BATCH_SIZE, FlushCriteria, RequestId, StoredToken, TokenSession, UseOutcome,
};
