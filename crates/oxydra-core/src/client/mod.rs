//! The OAuth 2.0 client aggregate (RFC 6749 §2, RFC 7591 metadata), its validation and its
//! secret handling.

mod fields;
mod lifespans;
pub mod secret;
pub mod self_service;
mod types;
pub mod uri;
mod validate;

#[cfg(test)]
mod tests;

/// Re-exported: a client's subject type, defined in [`crate::model`] because the configuration
/// names it too.
pub use crate::model::SubjectType;
pub use fields::{Client, ClientInput};
pub use lifespans::{ClientLifespans, IssuingGrant};
pub use types::{
    AuthMethod, DEVICE_CODE_GRANT, GrantType, JWT_BEARER_GRANT, REQUEST_OBJECT_ALGS,
    TOKEN_EXCHANGE_GRANT,
};
pub use validate::{MAX_SECRET_LEN, MIN_SECRET_LEN, ValidClient};

impl Client {
    /// Grants the client may use, with Hydra's default (`authorization_code`) when none are registered.
    pub fn effective_grant_types(&self) -> Vec<GrantType> {
        if self.grant_types.is_empty() {
            vec![GrantType::AuthorizationCode]
        } else {
            self.grant_types.clone()
        }
    }

    /// Whether the client may use `grant`.
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.effective_grant_types().contains(&grant)
    }

    /// Whether the client is public (RFC 6749 §2.1: cannot keep a secret).
    pub fn is_public(&self) -> bool {
        self.token_endpoint_auth_method == AuthMethod::None
    }
}
