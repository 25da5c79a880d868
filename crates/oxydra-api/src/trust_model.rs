//! Hydra 2.x trust relationships of the JWT-bearer grant (RFC 7523 §2.1):
//! `/admin/trust/grants/jwt-bearer/issuers`. Times are RFC 3339 strings, as Hydra writes them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Hydra 2.x `trustOAuth2JwtGrantIssuer`: the body that creates a trust relationship.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TrustOAuth2JwtGrantIssuer {
    /// The `iss` of the assertions this trust accepts. Required.
    pub issuer: String,
    /// The only `sub` accepted; exclusive with `allow_any_subject`, one of them required.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// Accept any `sub` of this issuer.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_any_subject: bool,
    /// The scopes assertions under this trust may obtain.
    pub scope: Vec<String>,
    /// The issuer's public JSON Web Key (RFC 7517), with a `kid`. Required.
    #[schema(value_type = Object)]
    pub jwk: serde_json::Value,
    /// When the trust ends (RFC 3339). Required.
    pub expires_at: String,
}

/// Hydra 2.x `trustedOAuth2JwtGrantJsonWebKey`: which key verifies the assertions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TrustedOAuth2JwtGrantJsonWebKey {
    /// The key set: the issuer (Hydra groups an issuer's keys in one set).
    pub set: String,
    /// The key's `kid`.
    pub kid: String,
}

/// Hydra 2.x `trustedOAuth2JwtGrantIssuer`: a stored trust relationship.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TrustedOAuth2JwtGrantIssuer {
    /// The trust relationship's id.
    pub id: String,
    /// The `iss` of the assertions.
    pub issuer: String,
    /// The only `sub` accepted (empty with `allow_any_subject`).
    pub subject: String,
    /// Any `sub` is accepted.
    pub allow_any_subject: bool,
    /// The scopes assertions may obtain.
    pub scope: Vec<String>,
    /// The verifying key.
    pub public_key: TrustedOAuth2JwtGrantJsonWebKey,
    /// When the trust was created (RFC 3339).
    pub created_at: String,
    /// When the trust ends (RFC 3339).
    pub expires_at: String,
}
