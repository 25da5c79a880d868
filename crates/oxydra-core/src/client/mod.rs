//! The OAuth 2.0 client aggregate (RFC 6749 §2, RFC 7591 metadata), its validation and its
//! secret handling.

pub mod secret;
mod types;
pub mod uri;
mod validate;

#[cfg(test)]
mod tests;

/// Re-exported: a client's subject type, defined in [`crate::model`] because the configuration
/// names it too.
pub use crate::model::SubjectType;
pub use types::{AuthMethod, GrantType};
pub use validate::{ClientInput, MAX_SECRET_LEN, MIN_SECRET_LEN, ValidClient};

use crate::model::{ClientId, Now};

/// A registered OAuth 2.0 client, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// Identifier.
    pub id: ClientId,
    /// Display name.
    pub name: String,
    /// Hash of the secret (bcrypt or PBKDF2 string); `None` for clients that use no secret.
    pub secret_hash: Option<String>,
    /// Registered redirect URIs (absolute, no fragment), compared by exact string match.
    pub redirect_uris: Vec<String>,
    /// Allowed grants as registered (empty behaves as `authorization_code`).
    pub grant_types: Vec<GrantType>,
    /// Allowed response types as registered, each a space-separated combination
    /// (empty behaves as `code`).
    pub response_types: Vec<String>,
    /// Space-separated allowed scopes.
    pub scope: String,
    /// Free-text owner.
    pub owner: String,
    /// Privacy policy URL.
    pub policy_uri: String,
    /// Terms of service URL.
    pub tos_uri: String,
    /// Home page URL.
    pub client_uri: String,
    /// Logo URL.
    pub logo_uri: String,
    /// Contacts.
    pub contacts: Vec<String>,
    /// Subject identifier type.
    pub subject_type: SubjectType,
    /// Pairwise sector identifier URL (empty when unset).
    pub sector_identifier_uri: String,
    /// Key set URL (empty when unset).
    pub jwks_uri: String,
    /// Inline key set.
    pub jwks: Option<serde_json::Value>,
    /// How the client authenticates at the token endpoint.
    pub token_endpoint_auth_method: AuthMethod,
    /// Pre-registered request URIs.
    pub request_uris: Vec<String>,
    /// Required request-object algorithm (empty behaves as `RS256`).
    pub request_object_signing_alg: String,
    /// `none` (plain JSON) or the algorithm that signs userinfo responses.
    pub userinfo_signed_response_alg: String,
    /// The algorithm that signs its ID tokens; empty means the server's default.
    pub id_token_signed_response_alg: String,
    /// When the client was registered.
    pub created_at: Now,
    /// When the client was last changed.
    pub updated_at: Now,
}

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
