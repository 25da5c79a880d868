//! Token-service models (`shared/spec/api.md` §6.1): the token response, introspection, the
//! flush request, and the userinfo response an access token reads.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Body of a successful `POST /oauth2/token` (RFC 6749 §5.1; Hydra's `oauthTokenResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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
    /// RFC 8693 §2.2.1: what a token exchange issued (always an access token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
}

/// Body of a successful `POST /oauth2/device/auth` (RFC 8628 §3.2; Hydra's
/// `deviceAuthorization`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeviceAuthorization {
    /// The device verification code the device polls the token endpoint with.
    pub device_code: String,
    /// The code the user types at the verification page (`BCDF-GHJK`).
    pub user_code: String,
    /// Where the user types the user code.
    pub verification_uri: String,
    /// The verification URI with the user code filled in (for a link or a QR code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_uri_complete: Option<String>,
    /// Seconds until the device code and the user code expire.
    pub expires_in: i64,
    /// The minimum seconds the device waits between polls.
    pub interval: i64,
}

/// Body of a successful `POST /oauth2/par` (RFC 9126 §2.2), sent with `201 Created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushedAuthorizationResponse {
    /// The single-use reference (`urn:ietf:params:oauth:request_uri:…`) to send the browser
    /// to `/oauth2/auth` with, together with `client_id`.
    pub request_uri: String,
    /// Seconds until the reference stops working.
    pub expires_in: u64,
}

/// Body of `POST /oauth2/introspect` (RFC 7662 §2.2; Hydra's `oAuth2TokenIntrospection`).
/// An inactive token is exactly `{"active":false}`: every other field is omitted when empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
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
    /// Granted audiences; omitted when empty. With `COMPAT_API_VERSION=0.10` one
    /// space-separated string instead (see `legacy_model::introspection_v010`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(schema_with = audience_schema)]
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
    /// RFC 8693 §4.1: the party acting for the subject (a token exchanged with an actor
    /// token), earlier actors nested inside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Value>,
    /// RFC 9449 §6.2: the confirmation of a DPoP-bound token, `{"jkt": <thumbprint>}`; a
    /// resource server must then require a DPoP proof of that key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

/// RFC 7800 §3.1 / RFC 9449 §6: the key a token is bound to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Confirmation {
    /// The RFC 7638 SHA-256 thumbprint of the DPoP public key.
    pub jkt: String,
}

/// Body of a JSON `GET|POST /userinfo` answer (OIDC Core §5.3.2; Hydra's `userinfoResponse`):
/// the declared standard claims, plus every other claim the consent app put in
/// `session.id_token` in `extra`. A signed answer (`application/jwt`) carries the same claims.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserinfoResponse {
    /// The subject the client sees (pairwise for pairwise clients).
    #[serde(default)]
    pub sub: String,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Given name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Surname(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Middle name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Casual name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Shorthand name the end-user wishes to be referred to by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Profile page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Profile picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Web page or blog URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Preferred e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the e-mail address was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Birthday (`YYYY-MM-DD` or `YYYY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    /// Time zone (`Europe/Paris`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoneinfo: Option<String>,
    /// Locale (BCP 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Preferred telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the phone number was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_verified: Option<bool>,
    /// Last update of the end-user's information, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
    /// Every other claim (`acr`, custom claims; `iss` and `aud` in a signed answer).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The schema of introspection's `aud`: a list of strings, or 0.10's space-separated string.
fn audience_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let string = || ObjectBuilder::new().schema_type(Type::String);
    OneOfBuilder::new()
        .item(ArrayBuilder::new().items(string()))
        .item(string())
        .description(Some(
            "Granted audiences; a space-separated string with `COMPAT_API_VERSION=0.10`.",
        ))
        .into()
}

/// Body of `POST /oauth2/flush` (`notAfter` is camelCase, as Hydra).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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
    fn userinfo_reads_declared_claims_and_keeps_the_others() {
        let body = r#"{"sub":"alice","email":"a@example.com","email_verified":true,"updated_at":5,"acr":"0","team":{"name":"blue"}}"#;
        let info: UserinfoResponse = serde_json::from_str(body).unwrap();
        assert_eq!(info.sub, "alice");
        assert_eq!(info.email.as_deref(), Some("a@example.com"));
        assert_eq!(info.email_verified, Some(true));
        assert_eq!(info.updated_at, Some(5));
        assert_eq!(info.extra["team"]["name"], "blue");
        assert_eq!(info.extra["acr"], "0");
        let back: Value = serde_json::to_value(&info).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(body).unwrap());
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
            issued_token_type: None,
        };
        let v: Value = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"access_token":"a","token_type":"bearer","expires_in":3600,"scope":""})
        );
    }
}
