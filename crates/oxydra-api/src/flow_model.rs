//! The 1.0.0-beta login and consent models (`shared/spec/api.md` §6.1): what the admin API shows
//! the operator's login and consent apps, the answers they send back, and the remembered consent
//! sessions it lists.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::client_model::OAuth2Client;
use crate::serde_util::null_as_default;

/// OIDC parameters of the authorization request (`openIDConnectContext`); every field is
/// omitted when empty, as Hydra.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct OpenIDConnectContext {
    /// `acr_values`, split on spaces.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub acr_values: Vec<String>,
    /// `display`.
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub display: String,
    /// Claims of a valid `id_token_hint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_hint_claims: Option<Map<String, Value>>,
    /// `login_hint`.
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub login_hint: String,
    /// `ui_locales`, split on spaces.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub ui_locales: Vec<String>,
    /// Oxydra: the `claims` request parameter (OIDC Core §5.5), parsed: `userinfo` and
    /// `id_token` objects mapping each claim asked for to `null` or to
    /// `{"essential", "value", "values"}`. Hydra has no such field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
}

/// Body of `GET /oauth2/auth/requests/login/{challenge}` (`loginRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct LoginRequest {
    /// The login challenge: 32 lowercase hex characters.
    pub challenge: String,
    /// Scopes of the authorization request.
    #[serde(deserialize_with = "null_as_default")]
    pub requested_scope: Vec<String>,
    /// A remembered login exists: accept without UI, with the same subject, without `remember`.
    pub skip: bool,
    /// The remembered subject when `skip`; `""` otherwise.
    pub subject: String,
    /// OIDC parameters of the authorization request.
    pub oidc_context: OpenIDConnectContext,
    /// The requesting client, without its secret.
    pub client: OAuth2Client,
    /// `<issuer>/oauth2/auth?<original query>`.
    pub request_url: String,
    /// Hydra 1.0.0-beta.9: the browser's login session id, when one is remembered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// Body of `GET /oauth2/auth/requests/consent/{challenge}` (`consentRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConsentRequest {
    /// The consent challenge; also the request id of every token of the grant.
    pub challenge: String,
    /// Scopes of the authorization request.
    #[serde(deserialize_with = "null_as_default")]
    pub requested_scope: Vec<String>,
    /// A remembered consent covers every requested scope: accept without UI.
    pub skip: bool,
    /// The authenticated subject (never pairwise-obfuscated).
    pub subject: String,
    /// OIDC parameters of the authorization request.
    pub oidc_context: OpenIDConnectContext,
    /// The requesting client, without its secret.
    pub client: OAuth2Client,
    /// The authorization request URL, as on the login request.
    pub request_url: String,
    /// Hydra 1.0.0-beta.9: the login challenge this consent follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_challenge: Option<String>,
    /// Hydra 1.0.0-beta.9: the browser's login session id, when one is remembered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_session_id: Option<String>,
    /// Hydra 1.x/2.x: the `context` of the accepted login; absent when none was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// Hydra 1.x/2.x: the `amr` of the accepted login; absent when none was sent.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub amr: Vec<String>,
}

/// Body of `PUT …/login/{challenge}/accept` (`acceptLoginRequest`). Unknown fields are
/// rejected, as Hydra's decoder does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AcceptLoginRequest {
    /// The authenticated end-user; required.
    #[serde(deserialize_with = "null_as_default")]
    pub subject: String,
    /// Remember this browser's login (must be false when the request was `skip`).
    #[serde(deserialize_with = "null_as_default")]
    pub remember: bool,
    /// Seconds to remember it; `0` = for the browser session.
    #[serde(deserialize_with = "null_as_default")]
    pub remember_for: i64,
    /// Authentication context class reference.
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub acr: String,
    /// Overrides the pairwise `sub` of pairwise clients.
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub force_subject_identifier: String,
}

/// Body of the Hydra 1.x query-form and 2.x `PUT …/login/accept?login_challenge=`
/// (`acceptOAuth2LoginRequest`): the 1.0.0-beta fields plus those Hydra added after 1.0.
/// Unknown fields are still rejected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AcceptOAuth2LoginRequest {
    /// The authenticated end-user; required.
    #[serde(deserialize_with = "null_as_default")]
    pub subject: String,
    /// Remember this browser's login (must be false when the request was `skip`).
    #[serde(deserialize_with = "null_as_default")]
    pub remember: bool,
    /// Seconds to remember it; `0` = for the browser session. With
    /// `extend_session_lifespan` on a `skip` request: the remembered session's new lifetime.
    #[serde(deserialize_with = "null_as_default")]
    pub remember_for: i64,
    /// Authentication context class reference.
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub acr: String,
    /// Authentication methods references (RFC 8176): the ID token's `amr` claim.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub amr: Vec<String>,
    /// Any JSON the login app passes on: the consent request's `context`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// On a `skip` request: the remembered session's expiry starts over from now.
    #[serde(deserialize_with = "null_as_default")]
    pub extend_session_lifespan: bool,
    /// Overrides the pairwise `sub` of pairwise clients.
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub force_subject_identifier: String,
    /// The identity provider's own session id (kept with the answer).
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub identity_provider_session_id: String,
}

/// Extra claims of an accepted consent (`consentRequestSession`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConsentRequestSession {
    /// Merged into the access-token session: introspection `ext`, JWT access-token claims.
    #[serde(deserialize_with = "null_as_default")]
    pub access_token: Map<String, Value>,
    /// Extra ID-token claims, also returned by `/userinfo`.
    #[serde(deserialize_with = "null_as_default")]
    pub id_token: Map<String, Value>,
}

/// Body of `PUT …/consent/{challenge}/accept` (`acceptConsentRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AcceptConsentRequest {
    /// The granted scopes (`grant_scope`, not `granted_scope`).
    #[serde(deserialize_with = "null_as_default")]
    pub grant_scope: Vec<String>,
    /// Reuse this grant later (must be false when the request was `skip`).
    #[serde(deserialize_with = "null_as_default")]
    pub remember: bool,
    /// Seconds to reuse it; `0` = forever.
    #[serde(deserialize_with = "null_as_default")]
    pub remember_for: i64,
    /// Extra claims for the access and ID tokens.
    #[serde(deserialize_with = "null_as_default")]
    pub session: ConsentRequestSession,
}

/// Body of both reject endpoints (`rejectRequest`): the OAuth 2.0 error the client receives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RejectRequest {
    /// The error code; empty means `invalid_request`.
    #[serde(deserialize_with = "null_as_default")]
    pub error: String,
    /// Human text; empty means the code's standard text.
    #[serde(deserialize_with = "null_as_default")]
    pub error_description: String,
    /// How to fix it.
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub error_hint: String,
    /// Internals, sent to the client only with debug sharing.
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub error_debug: String,
    /// HTTP status when the error is rendered as JSON; `0` means the code's status.
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "null_as_default")]
    pub status_code: i64,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// Response of every accept and reject endpoint (`completedRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CompletedRequest {
    /// Where the app sends the browser: the request URL plus its verifier.
    pub redirect_to: String,
}

/// One remembered consent of `GET /oauth2/auth/sessions/consent/{user}` (Hydra's
/// `PreviousConsentSession`; JS SDK `HandledConsentRequestResponse`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PreviousConsentSession {
    /// The original consent request (client without its secret).
    pub consent_request: ConsentRequest,
    /// The granted scopes.
    #[serde(deserialize_with = "null_as_default")]
    pub grant_scope: Vec<String>,
    /// Always true in list results.
    pub remember: bool,
    /// Seconds the grant is reused; `0` = forever.
    pub remember_for: i64,
    /// The extra claims granted with it.
    pub session: ConsentRequestSession,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(value: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn login_request_has_hydra_field_names() {
        let v = serde_json::to_value(LoginRequest::default()).unwrap();
        assert_eq!(
            keys(&v),
            [
                "challenge",
                "client",
                "oidc_context",
                "request_url",
                "requested_scope",
                "skip",
                "subject"
            ]
        );
        assert_eq!(v["oidc_context"], json!({}));
        let with_session = LoginRequest {
            session_id: Some("sid".into()),
            ..LoginRequest::default()
        };
        assert_eq!(
            serde_json::to_value(with_session).unwrap()["session_id"],
            "sid"
        );
    }

    #[test]
    fn consent_request_has_hydra_and_beta9_field_names() {
        let v = serde_json::to_value(ConsentRequest {
            login_challenge: Some("l".into()),
            login_session_id: Some("s".into()),
            ..ConsentRequest::default()
        })
        .unwrap();
        assert_eq!(
            keys(&v),
            [
                "challenge",
                "client",
                "login_challenge",
                "login_session_id",
                "oidc_context",
                "request_url",
                "requested_scope",
                "skip",
                "subject"
            ]
        );
    }

    #[test]
    fn oidc_context_round_trips_and_omits_empty_fields() {
        let text = r#"{"acr_values":["a","b"],"display":"page","id_token_hint_claims":{"sub":"x"},"login_hint":"bob","ui_locales":["de"],"claims":{"userinfo":{"email":{"essential":true}}}}"#;
        let ctx: OpenIDConnectContext = serde_json::from_str(text).unwrap();
        assert_eq!(ctx.acr_values, ["a", "b"]);
        assert_eq!(serde_json::to_string(&ctx).unwrap(), text);
        let partial = OpenIDConnectContext {
            login_hint: "bob".into(),
            ..OpenIDConnectContext::default()
        };
        assert_eq!(
            serde_json::to_value(partial).unwrap(),
            json!({"login_hint": "bob"})
        );
    }

    #[test]
    fn accept_login_reads_sdk_bodies_and_rejects_unknown_fields() {
        let body: AcceptLoginRequest = serde_json::from_str(
            r#"{"subject":"alice","remember":true,"remember_for":3600,"acr":"1","force_subject_identifier":"p"}"#,
        )
        .unwrap();
        assert_eq!(body.subject, "alice");
        assert!(body.remember);
        assert_eq!(body.remember_for, 3600);
        assert_eq!(body.acr, "1");
        assert_eq!(body.force_subject_identifier, "p");
        let empty: AcceptLoginRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, AcceptLoginRequest::default());
        assert!(
            serde_json::from_str::<AcceptLoginRequest>(r#"{"subject":"a","remeber":true}"#)
                .is_err()
        );
    }

    #[test]
    fn accept_consent_uses_grant_scope_and_session_objects() {
        let body: AcceptConsentRequest = serde_json::from_str(
            r#"{"grant_scope":["openid"],"remember":true,"remember_for":60,
                "session":{"access_token":{"a":1},"id_token":{"b":2}}}"#,
        )
        .unwrap();
        assert_eq!(body.grant_scope, ["openid"]);
        assert_eq!(body.remember_for, 60);
        assert_eq!(body.session.access_token["a"], 1);
        assert_eq!(body.session.id_token["b"], 2);
        let nulls: AcceptConsentRequest =
            serde_json::from_str(r#"{"grant_scope":null,"session":null}"#).unwrap();
        assert_eq!(nulls, AcceptConsentRequest::default());
        assert_eq!(
            serde_json::to_value(AcceptConsentRequest::default()).unwrap(),
            json!({"grant_scope": [], "remember": false, "remember_for": 0,
                   "session": {"access_token": {}, "id_token": {}}})
        );
    }

    #[test]
    fn reject_and_completed_requests_have_hydra_field_names() {
        let body: RejectRequest = serde_json::from_str(
            r#"{"error":"access_denied","error_description":"no","error_hint":"h","error_debug":"d","status_code":403}"#,
        )
        .unwrap();
        assert_eq!(body.error, "access_denied");
        assert_eq!(body.status_code, 403);
        assert_eq!(
            serde_json::to_value(RejectRequest::default()).unwrap(),
            json!({"error": "", "error_description": ""})
        );
        assert_eq!(
            serde_json::to_string(&CompletedRequest {
                redirect_to: "https://x/?login_verifier=v".into()
            })
            .unwrap(),
            r#"{"redirect_to":"https://x/?login_verifier=v"}"#
        );
    }

    #[test]
    fn previous_consent_session_has_hydra_field_names() {
        let v = serde_json::to_value(PreviousConsentSession::default()).unwrap();
        assert_eq!(
            keys(&v),
            [
                "consent_request",
                "grant_scope",
                "remember",
                "remember_for",
                "session"
            ]
        );
        assert_eq!(keys(&v["session"]), ["access_token", "id_token"]);
    }
}

/// Body of `GET /oauth2/auth/requests/logout?logout_challenge=` (`logoutRequest`, Hydra 1.x/2.x):
/// what the logout app shows before it accepts or rejects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct LogoutRequest {
    /// The logout challenge.
    pub challenge: String,
    /// The user whose login session would end.
    pub subject: String,
    /// The login session (`sid`).
    pub sid: String,
    /// The logout request's URL as received.
    pub request_url: String,
    /// Whether a client initiated it (with an `id_token_hint`).
    pub rp_initiated: bool,
    /// The client that initiated it; absent when the logout was not RP-initiated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<OAuth2Client>,
}
