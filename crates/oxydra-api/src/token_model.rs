//! Token-service models (`shared/spec/api.md` §6.1): the token response, introspection and the
//! flush request.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Body of a successful `POST /oauth2/token` (RFC 6749 §5.1; Hydra's `oauthTokenResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OauthTokenResponse {
    /// The access token.
    pub access_token: String,
    /// Always `bearer` (lowercase, as Hydra).
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Granted scopes, space-separated; always present, possibly `""`.
    #[serde(default)]
    pub scope: String,
    /// Present when `offline` or `offline_access` was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Present when `openid` was granted (code and refresh grants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// Body of `POST /oauth2/introspect` (RFC 7662 §2.2; Hydra's `oAuth2TokenIntrospection`).
/// An inactive token is exactly `{"active":false}`: every other field is omitted when empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OAuth2TokenIntrospection {
    /// Whether the token is valid now.
    pub active: bool,
    /// Granted scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The client the token was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The subject (the client id for `client_credentials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The pairwise subject, when it differs from `sub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obfuscated_subject: Option<String>,
    /// Expiry, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issue time, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not-before, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Granted audiences; omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aud: Vec<String>,
    /// The issuer, with a trailing `/` as Hydra.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// `access_token` or `refresh_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Never set by Hydra; kept for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `session.access_token` from the consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<Map<String, Value>>,
}

/// Body of `POST /oauth2/flush` (`notAfter` is camelCase, as Hydra).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlushInactiveOAuth2TokensRequest {
    /// RFC 3339 instant: tokens issued at or after it are kept; default now.
    #[serde(rename = "notAfter", default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_introspection_is_exactly_active_false() {
        let body = serde_json::to_string(&OAuth2TokenIntrospection::default()).unwrap();
        assert_eq!(body, r#"{"active":false}"#);
    }

    #[test]
    fn flush_request_uses_camel_case() {
        let req: FlushInactiveOAuth2TokensRequest =
            serde_json::from_str(r#"{"notAfter":"2026-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(req.not_after.as_deref(), Some("2026-01-01T00:00:00Z"));
        let empty: FlushInactiveOAuth2TokensRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.not_after, None);
    }

    #[test]
    fn token_response_always_has_scope_and_omits_absent_tokens() {
        let r = OauthTokenResponse {
            access_token: "a".into(),
            token_type: "bearer".into(),
            expires_in: 3600,
            scope: String::new(),
            refresh_token: None,
            id_token: None,
        };
        let v: Value = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"access_token":"a","token_type":"bearer","expires_in":3600,"scope":""})
        );
    }
}
