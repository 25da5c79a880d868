//! Per-client token lifespans (Hydra 2.x `OAuth2ClientTokenLifespans`): how long the tokens a
//! grant issues to this client live. An unset lifespan falls back to the server's
//! (`ACCESS_TOKEN_LIFESPAN`, `ID_TOKEN_LIFESPAN`; refresh tokens: no expiry).

use std::time::Duration;

/// Generates [`ClientLifespans`] and its name table from one list of Hydra 2.x field names.
macro_rules! lifespans {
    ($( $(#[doc = $doc:literal])* $field:ident; )*) => {
        /// The lifespans a client overrides; `None` means the server's.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct ClientLifespans {
            $( $(#[doc = $doc])* pub $field: Option<Duration>, )*
        }

        impl ClientLifespans {
            /// Every field as `(Hydra 2.x name, value)`, for storage and wire conversion.
            pub fn entries(&self) -> Vec<(&'static str, Option<Duration>)> {
                vec![$( (stringify!($field), self.$field), )*]
            }

            /// Sets the field named `name`; `false` when no field has that name.
            pub fn set(&mut self, name: &str, value: Option<Duration>) -> bool {
                match name {
                    $( stringify!($field) => self.$field = value, )*
                    _ => return false,
                }
                true
            }
        }
    };
}

lifespans! {
    /// Access tokens from the authorization code grant.
    authorization_code_grant_access_token_lifespan;
    /// ID tokens from the authorization code grant.
    authorization_code_grant_id_token_lifespan;
    /// Refresh tokens from the authorization code grant.
    authorization_code_grant_refresh_token_lifespan;
    /// Access tokens from the client credentials grant.
    client_credentials_grant_access_token_lifespan;
    /// Access tokens from the device authorization grant (RFC 8628; Hydra 25).
    device_authorization_grant_access_token_lifespan;
    /// ID tokens from the device authorization grant.
    device_authorization_grant_id_token_lifespan;
    /// Refresh tokens from the device authorization grant.
    device_authorization_grant_refresh_token_lifespan;
    /// Access tokens from the implicit (and hybrid) flows.
    implicit_grant_access_token_lifespan;
    /// ID tokens from the implicit (and hybrid) flows.
    implicit_grant_id_token_lifespan;
    /// Access tokens from the JWT bearer grant (RFC 7523; Oxydra does not offer the grant, the
    /// value is kept for SDK round trips).
    jwt_bearer_grant_access_token_lifespan;
    /// Access tokens from the refresh token grant.
    refresh_token_grant_access_token_lifespan;
    /// ID tokens from the refresh token grant.
    refresh_token_grant_id_token_lifespan;
    /// Refresh tokens from the refresh token grant.
    refresh_token_grant_refresh_token_lifespan;
}

/// The grant that issues tokens, which picks the lifespans that apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuingGrant {
    /// RFC 6749 §4.1.
    AuthorizationCode,
    /// RFC 6749 §4.4.
    ClientCredentials,
    /// RFC 6749 §4.2 and the hybrid flows' front-channel tokens.
    Implicit,
    /// RFC 6749 §6.
    RefreshToken,
    /// RFC 8628 (Hydra 25's `device_authorization_grant_*` lifespans).
    DeviceCode,
    /// RFC 7523 §2.1 (`jwt_bearer_grant_access_token_lifespan`).
    JwtBearer,
}

impl ClientLifespans {
    /// The access-token lifespan for `grant`, or `default` (the server's) when unset.
    pub fn access_token(&self, grant: IssuingGrant, default: Duration) -> Duration {
        match grant {
            IssuingGrant::AuthorizationCode => self.authorization_code_grant_access_token_lifespan,
            IssuingGrant::ClientCredentials => self.client_credentials_grant_access_token_lifespan,
            IssuingGrant::Implicit => self.implicit_grant_access_token_lifespan,
            IssuingGrant::RefreshToken => self.refresh_token_grant_access_token_lifespan,
            IssuingGrant::DeviceCode => self.device_authorization_grant_access_token_lifespan,
            IssuingGrant::JwtBearer => self.jwt_bearer_grant_access_token_lifespan,
        }
        .unwrap_or(default)
    }

    /// The ID-token lifespan for `grant`, or `default` when unset.
    pub fn id_token(&self, grant: IssuingGrant, default: Duration) -> Duration {
        match grant {
            IssuingGrant::AuthorizationCode => self.authorization_code_grant_id_token_lifespan,
            IssuingGrant::Implicit => self.implicit_grant_id_token_lifespan,
            IssuingGrant::RefreshToken => self.refresh_token_grant_id_token_lifespan,
            IssuingGrant::DeviceCode => self.device_authorization_grant_id_token_lifespan,
            IssuingGrant::ClientCredentials | IssuingGrant::JwtBearer => None,
        }
        .unwrap_or(default)
    }

    /// The refresh-token lifespan for `grant`; `None` (the server's rule) means no expiry.
    pub fn refresh_token(&self, grant: IssuingGrant) -> Option<Duration> {
        match grant {
            IssuingGrant::AuthorizationCode => self.authorization_code_grant_refresh_token_lifespan,
            IssuingGrant::RefreshToken => self.refresh_token_grant_refresh_token_lifespan,
            IssuingGrant::DeviceCode => self.device_authorization_grant_refresh_token_lifespan,
            IssuingGrant::ClientCredentials | IssuingGrant::Implicit | IssuingGrant::JwtBearer => {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_lifespans_fall_back_to_the_server() {
        let mut l = ClientLifespans::default();
        let server = Duration::from_secs(3600);
        assert_eq!(
            l.access_token(IssuingGrant::ClientCredentials, server),
            server
        );
        assert!(l.set(
            "client_credentials_grant_access_token_lifespan",
            Some(Duration::from_secs(60))
        ));
        assert_eq!(
            l.access_token(IssuingGrant::ClientCredentials, server),
            Duration::from_secs(60)
        );
        assert_eq!(
            l.access_token(IssuingGrant::AuthorizationCode, server),
            server
        );
        assert_eq!(l.refresh_token(IssuingGrant::AuthorizationCode), None);
        assert!(!l.set("no_such_lifespan", None));
        assert_eq!(l.entries().len(), 13);
    }
}
