//! The 1.0.0-beta `OAuth2Client` model (`shared/spec/api.md` §6.1), with the 0.10 spellings
//! `id` and `public` (§6.2) alongside.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::serde_util::null_as_default;

/// An OAuth 2.0 client as Hydra 1.0.0-beta reads and writes it on `/clients`.
///
/// Request bodies may omit any field; responses always carry the non-optional ones (Hydra's Go
/// struct has no `omitempty` on them) and omit the optional ones when empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct OAuth2Client {
    /// Client identifier; generated (UUID v4) when empty on create.
    #[serde(deserialize_with = "null_as_default")]
    pub client_id: String,
    /// Human-readable name.
    #[serde(deserialize_with = "null_as_default")]
    pub client_name: String,
    /// Plaintext secret: accepted on create/update, returned only by the call that set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Exact-match redirect URIs.
    #[serde(deserialize_with = "null_as_default")]
    pub redirect_uris: Vec<String>,
    /// Allowed grant types (empty behaves as `["authorization_code"]`).
    #[serde(deserialize_with = "null_as_default")]
    pub grant_types: Vec<String>,
    /// Allowed response types, each a space-separated combination (empty behaves as `["code"]`).
    #[serde(deserialize_with = "null_as_default")]
    pub response_types: Vec<String>,
    /// Space-separated scopes the client may request.
    #[serde(deserialize_with = "null_as_default")]
    pub scope: String,
    /// Free-text owner.
    #[serde(deserialize_with = "null_as_default")]
    pub owner: String,
    /// Privacy policy URL.
    #[serde(deserialize_with = "null_as_default")]
    pub policy_uri: String,
    /// Terms of service URL.
    #[serde(deserialize_with = "null_as_default")]
    pub tos_uri: String,
    /// Client home page URL.
    #[serde(deserialize_with = "null_as_default")]
    pub client_uri: String,
    /// Logo URL.
    #[serde(deserialize_with = "null_as_default")]
    pub logo_uri: String,
    /// Contact addresses.
    #[serde(deserialize_with = "null_as_default")]
    pub contacts: Vec<String>,
    /// Always `0`: secrets never expire.
    #[serde(deserialize_with = "null_as_default")]
    pub client_secret_expires_at: i64,
    /// `public` or `pairwise`.
    #[serde(deserialize_with = "null_as_default")]
    pub subject_type: String,
    /// HTTPS URL of a JSON array of redirect URIs (pairwise sector).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector_identifier_uri: Option<String>,
    /// URL of the client's JSON Web Key Set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Inline JSON Web Key Set (mutually exclusive with `jwks_uri`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    /// `client_secret_basic` (default), `client_secret_post`, `private_key_jwt` or `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    /// Pre-registered `request_uri` values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_uris: Option<Vec<String>>,
    /// Algorithm required for request objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg: Option<String>,
    /// `none`, `RS256`, `ES256` or `EdDSA`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_signed_response_alg: Option<String>,
    /// How ID tokens for this client are signed: `RS256`, `ES256` or `EdDSA`; absent or empty
    /// means the server's default (`OXYDRA_ID_TOKEN_SIGNING_ALG`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<String>,
    /// Where the browser may go after an RP-initiated logout (OIDC RP-Initiated Logout 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// The page framed at logout to tell the client (OIDC Front-Channel Logout 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontchannel_logout_uri: Option<String>,
    /// Whether the front-channel page gets `iss` and `sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontchannel_logout_session_required: Option<bool>,
    /// Where logout tokens are posted (OIDC Back-Channel Logout 1.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_uri: Option<String>,
    /// Whether logout tokens must carry `sid` (they always do).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_session_required: Option<bool>,
    /// RFC 9126 §6: the client's authorization requests must be pushed to `/oauth2/par` first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// RFC 9449 §5.2.1: the client always uses DPoP at the token endpoint (absent: `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dpop_bound_access_tokens: Option<bool>,
    /// The audiences the client may ask tokens for (Hydra's audience whitelist); omitted when
    /// empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<Vec<String>>,
    /// Hydra 0.10's name for `client_id`: accepted on input in every mode, emitted (next to
    /// `client_id`) only with `COMPAT_API_VERSION=0.10`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hydra 0.10's public-client flag (`true` = `token_endpoint_auth_method: none`): accepted
    /// on input in every mode, emitted only with `COMPAT_API_VERSION=0.10`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Hydra 2.x (`/admin/clients` only): when the client was registered, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Hydra 2.x (`/admin/clients` only): when the client was last changed, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Hydra 2.x: a first-party client whose consent the consent app may accept unasked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_consent: Option<bool>,
    /// Hydra 2.x: the logout app may log out without asking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_logout_consent: Option<bool>,
    /// Hydra 2.x: free-form JSON object kept with the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// Hydra 2.x: `jwt` or `opaque` access tokens for this client (absent: the server's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_strategy: Option<String>,
    /// Hydra 2.x: per-grant token lifespans, Go durations (`1h0m0s`).
    #[serde(flatten)]
    pub lifespans: OAuth2ClientTokenLifespans,
}

/// A dynamically registered client as `/oauth2/register` answers (RFC 7591 §3.2.1, RFC 7592
/// §3): the Hydra 2.x client body plus how to manage it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RegisteredClient {
    /// The client (its `client_secret` only in the answer that generated it).
    #[serde(flatten)]
    pub client: OAuth2Client,
    /// The bearer token that reads, updates and deletes the client at
    /// `registration_client_uri`: in the answers to registration and to each update, which
    /// replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_access_token: Option<String>,
    /// Where the client is managed (`<issuer>/oauth2/register/<client_id>`).
    #[serde(deserialize_with = "null_as_default")]
    pub registration_client_uri: String,
}

/// Generates [`OAuth2ClientTokenLifespans`] from the Hydra 2.x field names.
macro_rules! token_lifespans {
    ($($field:ident),* $(,)?) => {
        /// Hydra 2.x `OAuth2ClientTokenLifespans`: the body of `PUT /admin/clients/{id}/lifespans`
        /// and part of the 2.x client. Each is a Go duration (`1h0m0s`); absent or `null` means
        /// the server's lifespan.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(default)]
        pub struct OAuth2ClientTokenLifespans {
            $(
                #[allow(missing_docs)]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<String>,
            )*
        }
    };
}

token_lifespans!(
    authorization_code_grant_access_token_lifespan,
    authorization_code_grant_id_token_lifespan,
    authorization_code_grant_refresh_token_lifespan,
    client_credentials_grant_access_token_lifespan,
    device_authorization_grant_access_token_lifespan,
    device_authorization_grant_id_token_lifespan,
    device_authorization_grant_refresh_token_lifespan,
    implicit_grant_access_token_lifespan,
    implicit_grant_id_token_lifespan,
    jwt_bearer_grant_access_token_lifespan,
    refresh_token_grant_access_token_lifespan,
    refresh_token_grant_id_token_lifespan,
    refresh_token_grant_refresh_token_lifespan,
);

/// One RFC 6902 JSON Patch operation (Hydra 2.x `jsonPatch`), the body items of
/// `PATCH /admin/clients/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JsonPatchOperation {
    /// `add`, `remove`, `replace`, `move`, `copy` or `test`.
    pub op: String,
    /// JSON Pointer (RFC 6901) to the target.
    pub path: String,
    /// The value for `add`, `replace` and `test`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// The source pointer for `move` and `copy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}
