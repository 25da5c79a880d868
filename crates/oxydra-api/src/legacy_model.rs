//! The 0.10 (and 1.0.0-alpha1) consent-by-id models (`shared/spec/api.md` §6.2, §6.3): what the
//! consent app reads from `GET /oauth2/consent/requests/{id}` and sends to `PATCH …/accept` and
//! `…/reject`, in their camelCase spellings, plus the 0.10 shape of an introspection answer.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::serde_util::null_as_default;
use crate::token_model::OAuth2TokenIntrospection;

/// Body of `GET /oauth2/consent/requests/{id}` (`oAuth2ConsentRequest`). It carries both the
/// 0.10 `clientId` and the alpha1 `audience` (the same value), so either SDK finds its field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct OAuth2ConsentRequest {
    /// The consent request id (a UUID).
    pub id: String,
    /// Scopes of the authorization request.
    #[serde(deserialize_with = "null_as_default")]
    pub requested_scopes: Vec<String>,
    /// The requesting client (0.10 name).
    pub client_id: String,
    /// The requesting client (alpha1 name).
    pub audience: String,
    /// RFC 3339 instant after which the request can no longer be answered or used.
    pub expires_at: String,
    /// Where the consent app sends the browser once it answered.
    pub redirect_url: String,
}

/// Body of `PATCH /oauth2/consent/requests/{id}/accept` (`consentRequestAcceptance`; alpha1
/// `AcceptConsentRequestPayload`). Every field may be omitted or `null`; unknown fields are
/// ignored, as Hydra 0.10's decoder did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsentRequestAcceptance {
    /// The end-user the consent app authenticated; the return to `/oauth2/auth` fails without.
    #[serde(deserialize_with = "null_as_default")]
    pub subject: String,
    /// The scopes granted.
    #[serde(deserialize_with = "null_as_default")]
    pub grant_scopes: Vec<String>,
    /// Claims returned as introspection `ext` (1.0: `session.access_token`).
    #[serde(deserialize_with = "null_as_default")]
    pub access_token_extra: Map<String, Value>,
    /// Extra ID-token claims (1.0: `session.id_token`).
    #[serde(deserialize_with = "null_as_default")]
    pub id_token_extra: Map<String, Value>,
}

/// Body of `PATCH /oauth2/consent/requests/{id}/reject` (`consentRequestRejection`; alpha1
/// `RejectConsentRequestPayload`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConsentRequestRejection {
    /// Why; the client receives it as the `error_description` of `rejected_consent_request`.
    #[serde(deserialize_with = "null_as_default")]
    pub reason: String,
}

/// An introspection answer in the 0.10 shape: `aud` is one string (several audiences are
/// joined with spaces) instead of a list. Every other field is as in 1.0.0-beta; the extra
/// 1.0 fields (`token_type`, `obfuscated_subject`) are ignored by 0.10 SDKs.
pub fn introspection_v010(body: &OAuth2TokenIntrospection) -> Value {
    let mut value = serde_json::to_value(body).unwrap_or_else(|_| Value::Object(Map::new()));
    if let Value::Object(fields) = &mut value
        && !body.aud.is_empty()
    {
        fields.insert("aud".to_owned(), Value::String(body.aud.join(" ")));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn consent_request_uses_both_generations_spellings() {
        let body = OAuth2ConsentRequest {
            id: "7b0c".into(),
            requested_scopes: vec!["openid".into()],
            client_id: "app".into(),
            audience: "app".into(),
            expires_at: "2026-01-01T00:10:00Z".into(),
            redirect_url: "https://issuer/oauth2/auth?consent=7b0c".into(),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({
                "id": "7b0c", "requestedScopes": ["openid"], "clientId": "app", "audience": "app",
                "expiresAt": "2026-01-01T00:10:00Z", "redirectUrl": "https://issuer/oauth2/auth?consent=7b0c"
            })
        );
    }

    #[test]
    fn acceptance_reads_camel_case_nulls_and_ignores_unknown_fields() {
        let a: ConsentRequestAcceptance = serde_json::from_value(json!({
            "subject": "alice", "grantScopes": ["openid"], "accessTokenExtra": {"a": 1},
            "idTokenExtra": null, "somethingElse": true
        }))
        .unwrap();
        assert_eq!(a.subject, "alice");
        assert_eq!(a.grant_scopes, vec!["openid"]);
        assert_eq!(a.access_token_extra["a"], 1);
        assert!(a.id_token_extra.is_empty());
        let empty: ConsentRequestAcceptance = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, ConsentRequestAcceptance::default());
        let r: ConsentRequestRejection = serde_json::from_str(r#"{"reason":"no"}"#).unwrap();
        assert_eq!(r.reason, "no");
    }

    #[test]
    fn v010_introspection_has_a_string_audience() {
        let mut body = OAuth2TokenIntrospection {
            active: true,
            ..OAuth2TokenIntrospection::default()
        };
        assert_eq!(introspection_v010(&body), json!({"active": true}));
        body.aud = vec!["a".into(), "b".into()];
        assert_eq!(introspection_v010(&body)["aud"], "a b");
        assert_eq!(
            introspection_v010(&OAuth2TokenIntrospection::default()),
            json!({"active": false})
        );
    }
}
