//! The token endpoint's grants (RFC 6749 §4.1.3, §4.4.2, §6): one file per grant, each a pure
//! check over the stored state and the request, plus [`issue`], which mints the tokens a grant
//! decided to give. Dispatch is a `match` on [`TokenGrant`]; nothing here touches storage.

pub mod audience;
pub mod authorization_code;
pub mod client_credentials;
pub mod issue;
pub mod refresh_token;
pub mod successor_pair;
pub mod token_exchange;

use crate::{OAuthError, OAuthErrorKind};

/// The `grant_type` values the token endpoint understands (RFC 6749 §4.1.3, §4.4.2, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenGrant {
    /// `authorization_code`.
    AuthorizationCode,
    /// `refresh_token`.
    RefreshToken,
    /// `client_credentials`.
    ClientCredentials,
    /// `urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4).
    DeviceCode,
    /// `urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693 §2.1).
    TokenExchange,
    /// `urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523 §2.1).
    JwtBearer,
}

impl TokenGrant {
    /// RFC 6749 §5.2: a missing `grant_type` is `invalid_request`; one the server does not
    /// support (including `password` and `implicit`, which is not a token-endpoint grant) is
    /// `unsupported_grant_type` (Hydra beta answers `invalid_request`).
    pub fn parse(grant_type: Option<&str>) -> Result<Self, OAuthError> {
        match grant_type.filter(|g| !g.is_empty()) {
            None => Err(OAuthError::invalid_request(
                "The grant_type parameter is missing.",
            )),
            Some("authorization_code") => Ok(Self::AuthorizationCode),
            Some("refresh_token") => Ok(Self::RefreshToken),
            Some("client_credentials") => Ok(Self::ClientCredentials),
            Some(crate::client::DEVICE_CODE_GRANT) => Ok(Self::DeviceCode),
            Some(crate::client::TOKEN_EXCHANGE_GRANT) => Ok(Self::TokenExchange),
            Some(crate::client::JWT_BEARER_GRANT) => Ok(Self::JwtBearer),
            Some(_) => Err(OAuthError::new(OAuthErrorKind::UnsupportedGrantType).hint(
                "Supported grant types are authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code, urn:ietf:params:oauth:grant-type:token-exchange and urn:ietf:params:oauth:grant-type:jwt-bearer.",
            )),
        }
    }

    /// The client metadata grant this token grant needs.
    pub fn client_grant(self) -> crate::client::GrantType {
        use crate::client::GrantType;
        match self {
            Self::AuthorizationCode => GrantType::AuthorizationCode,
            Self::RefreshToken => GrantType::RefreshToken,
            Self::ClientCredentials => GrantType::ClientCredentials,
            Self::DeviceCode => GrantType::DeviceCode,
            Self::TokenExchange => GrantType::TokenExchange,
            Self::JwtBearer => GrantType::JwtBearer,
        }
    }
}

/// RFC 6749 §5.2 `unauthorized_client`: the client is not registered for this grant.
pub fn check_client_grant(
    client: &crate::client::Client,
    grant: TokenGrant,
) -> Result<(), OAuthError> {
    if client.allows_grant(grant.client_grant()) {
        Ok(())
    } else {
        Err(OAuthError::new(OAuthErrorKind::UnauthorizedClient).hint(format!(
            "The client is not allowed to use the grant type '{}'; add it to the client's grant_types.",
            grant.client_grant()
        )))
    }
}

/// `invalid_grant` with a hint: the common failure of every grant (RFC 6749 §5.2).
pub(crate) fn invalid_grant(hint: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidGrant).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_types_parse_per_rfc_6749() {
        assert_eq!(
            TokenGrant::parse(Some("client_credentials")).unwrap(),
            TokenGrant::ClientCredentials
        );
        assert_eq!(
            TokenGrant::parse(Some("urn:ietf:params:oauth:grant-type:device_code")).unwrap(),
            TokenGrant::DeviceCode
        );
        assert_eq!(
            TokenGrant::parse(None).unwrap_err().kind,
            OAuthErrorKind::InvalidRequest
        );
        assert_eq!(
            TokenGrant::parse(Some("")).unwrap_err().kind,
            OAuthErrorKind::InvalidRequest
        );
        assert_eq!(
            TokenGrant::parse(Some("urn:ietf:params:oauth:grant-type:jwt-bearer")).unwrap(),
            TokenGrant::JwtBearer
        );
        for unsupported in ["password", "implicit"] {
            assert_eq!(
                TokenGrant::parse(Some(unsupported)).unwrap_err().kind,
                OAuthErrorKind::UnsupportedGrantType
            );
        }
    }
}

/// Builders shared by the grant tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use crate::client::{AuthMethod, Client, GrantType, SubjectType};
    use crate::model::{ClientId, Now};
    use crate::token::{RequestId, StoredToken, TokenKind, TokenSession, TokenSignature};

    /// A confidential client with every grant and the given scope.
    pub(crate) fn client(id: &str, scope: &str) -> Client {
        Client {
            id: ClientId::parse(id).unwrap(),
            name: String::new(),
            secret_hash: Some("hash".into()),
            redirect_uris: vec!["https://app.example/cb".into()],
            grant_types: vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::ClientCredentials,
            ],
            response_types: vec!["code".into()],
            scope: scope.into(),
            owner: String::new(),
            policy_uri: String::new(),
            tos_uri: String::new(),
            client_uri: String::new(),
            logo_uri: String::new(),
            contacts: vec![],
            subject_type: SubjectType::Public,
            sector_identifier_uri: String::new(),
            jwks_uri: String::new(),
            jwks: None,
            token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
            request_uris: vec![],
            request_object_signing_alg: String::new(),
            userinfo_signed_response_alg: String::new(),
            id_token_signed_response_alg: String::new(),
            skip_consent: false,
            skip_logout_consent: false,
            metadata: None,
            access_token_strategy: String::new(),
            token_lifespans: Default::default(),
            post_logout_redirect_uris: vec![],
            frontchannel_logout_uri: String::new(),
            frontchannel_logout_session_required: false,
            backchannel_logout_uri: String::new(),
            backchannel_logout_session_required: false,
            require_pushed_authorization_requests: false,
            audience: vec![],
            dpop_bound_access_tokens: false,
            created_at: Now::from_unix_secs(0),
            updated_at: Now::from_unix_secs(0),
        }
    }

    /// An active stored token of `kind` for client `client`, expiring at `expires` (Unix s).
    pub(crate) fn stored(kind: TokenKind, client: &str, expires: Option<i64>) -> StoredToken {
        StoredToken {
            signature: TokenSignature::from_stored("sig"),
            kind,
            request_id: RequestId::from_stored("req"),
            client_id: ClientId::parse(client).unwrap(),
            subject: "alice".into(),
            granted_scope: vec![],
            granted_audience: vec![],
            issued_at: Now::from_unix_secs(0),
            expires_at: expires.map(Now::from_unix_secs),
            active: true,
            session: TokenSession::default(),
        }
    }
}
