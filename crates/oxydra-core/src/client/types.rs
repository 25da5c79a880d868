//! Enumerations of client metadata values Oxydra understands.

use std::fmt;
use std::str::FromStr;

/// RFC 8628 §3.4's `grant_type` value, also what a client registers to use the grant.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 8693 §2.1's `grant_type` value; a client must register it to exchange tokens.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// RFC 7523 §2.1's `grant_type` value, also what a client registers to use the grant.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// RFC 6749 grant types a client may register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantType {
    /// RFC 6749 §4.1.
    AuthorizationCode,
    /// RFC 6749 §4.2.
    Implicit,
    /// RFC 6749 §6.
    RefreshToken,
    /// RFC 6749 §4.4.
    ClientCredentials,
    /// RFC 8628 §3.4: the device authorization grant.
    DeviceCode,
    /// RFC 8693: token exchange.
    TokenExchange,
    /// RFC 7523 §2.1: a JWT from a trusted issuer as an authorization grant.
    JwtBearer,
}

impl GrantType {
    /// The registered / wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::Implicit => "implicit",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
            Self::DeviceCode => DEVICE_CODE_GRANT,
            Self::TokenExchange => TOKEN_EXCHANGE_GRANT,
            Self::JwtBearer => JWT_BEARER_GRANT,
        }
    }
}

impl FromStr for GrantType {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "authorization_code" => Self::AuthorizationCode,
            "implicit" => Self::Implicit,
            "refresh_token" => Self::RefreshToken,
            "client_credentials" => Self::ClientCredentials,
            DEVICE_CODE_GRANT => Self::DeviceCode,
            TOKEN_EXCHANGE_GRANT => Self::TokenExchange,
            JWT_BEARER_GRANT => Self::JwtBearer,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Token endpoint authentication methods (OIDC Core §9, RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuthMethod {
    /// HTTP Basic with URL-encoded id and secret (RFC 6749 §2.3.1). Hydra's default.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// RFC 7523 JWT assertion signed with the client's key.
    PrivateKeyJwt,
    /// Public client: no authentication.
    None,
}

impl AuthMethod {
    /// The registered / wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }

    /// Whether clients using this method authenticate with a shared secret.
    pub fn uses_secret(self) -> bool {
        matches!(self, Self::ClientSecretBasic | Self::ClientSecretPost)
    }
}

impl FromStr for AuthMethod {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "client_secret_basic" => Self::ClientSecretBasic,
            "client_secret_post" => Self::ClientSecretPost,
            "private_key_jwt" => Self::PrivateKeyJwt,
            "none" => Self::None,
            _ => return Err(()),
        })
    }
}

/// The words a `response_type` may combine (RFC 6749 §3.1.1, OAuth 2.0 Multiple Response Types).
pub(crate) const RESPONSE_TYPE_WORDS: &[&str] = &["code", "token", "id_token"];

/// The `request_object_signing_alg` values a client may register: exactly those the
/// authorization endpoint verifies request objects with (OIDC Core §6,
/// `oauth2::request_object`), plus `none` for unsigned objects. Registration refuses others, so
/// no client can register an algorithm it would never get accepted.
pub const REQUEST_OBJECT_ALGS: &[&str] = &["none", "RS256", "PS256", "ES256", "EdDSA"];
