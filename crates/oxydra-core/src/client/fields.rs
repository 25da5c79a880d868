//! The client's metadata fields (RFC 7591 §2), written once: one row per field gives its
//! meaning, how it is submitted and how a validated client holds it. [`Client`] (the domain
//! shape) and [`ClientInput`] (the shape core is handed, before validation) are both generated
//! from the table, so a field cannot be added to one and forgotten in the other.

use super::{AuthMethod, ClientLifespans, GrantType, SubjectType};
use crate::model::{ClientId, Now, Secret};

/// Generates [`Client`], [`ClientInput`] and [`Client::into_input`] from one list of rows,
/// each `submitted_name: SubmittedType => held_name: HeldType`.
macro_rules! client_fields {
    ($( $(#[doc = $doc:literal])* $input:ident: $raw:ty => $field:ident: $held:ty; )*) => {
        /// A registered OAuth 2.0 client, validated.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Client {
            /// Identifier.
            pub id: ClientId,
            /// Hash of the secret (bcrypt or PBKDF2 string); `None` for clients that use no
            /// secret.
            pub secret_hash: Option<String>,
            $( $(#[doc = $doc])* pub $field: $held, )*
            /// When the client was registered.
            pub created_at: Now,
            /// When the client was last changed.
            pub updated_at: Now,
        }

        /// Client metadata as submitted, before validation: the fields of [`Client`] under
        /// their wire names, enums as the strings sent. Empty strings mean "not given".
        #[derive(Debug, Clone, Default)]
        pub struct ClientInput {
            /// `client_id` (ignored on update: the path id wins).
            pub client_id: String,
            /// `client_secret`, when sent.
            pub client_secret: Option<Secret<String>>,
            $( $(#[doc = $doc])* pub $input: $raw, )*
        }

        impl Client {
            /// The client's metadata as a caller would submit it (enums as their registered
            /// names, no secret: only its hash is held), from which responses are written.
            pub fn into_input(self) -> ClientInput {
                ClientInput {
                    client_id: self.id.as_str().to_owned(),
                    client_secret: None,
                    $( $input: IntoSubmitted::into_submitted(self.$field), )*
                }
            }
        }
    };
}

client_fields! {
    /// Display name.
    client_name: String => name: String;
    /// Registered redirect URIs (absolute, no fragment), compared by exact string match.
    redirect_uris: Vec<String> => redirect_uris: Vec<String>;
    /// Allowed grants as registered (empty behaves as `authorization_code`).
    grant_types: Vec<String> => grant_types: Vec<GrantType>;
    /// Allowed response types as registered, each a space-separated combination
    /// (empty behaves as `code`).
    response_types: Vec<String> => response_types: Vec<String>;
    /// Space-separated allowed scopes.
    scope: String => scope: String;
    /// Free-text owner.
    owner: String => owner: String;
    /// Privacy policy URL.
    policy_uri: String => policy_uri: String;
    /// Terms of service URL.
    tos_uri: String => tos_uri: String;
    /// Home page URL.
    client_uri: String => client_uri: String;
    /// Logo URL.
    logo_uri: String => logo_uri: String;
    /// Contacts.
    contacts: Vec<String> => contacts: Vec<String>;
    /// Subject identifier type.
    subject_type: String => subject_type: SubjectType;
    /// Pairwise sector identifier URL (empty when unset).
    sector_identifier_uri: String => sector_identifier_uri: String;
    /// Key set URL (empty when unset).
    jwks_uri: String => jwks_uri: String;
    /// Inline key set.
    jwks: Option<serde_json::Value> => jwks: Option<serde_json::Value>;
    /// How the client authenticates at the token endpoint.
    token_endpoint_auth_method: String => token_endpoint_auth_method: AuthMethod;
    /// Pre-registered request URIs.
    request_uris: Vec<String> => request_uris: Vec<String>;
    /// Required request-object algorithm (empty behaves as `RS256`).
    request_object_signing_alg: String => request_object_signing_alg: String;
    /// `none` (plain JSON) or the algorithm that signs userinfo responses.
    userinfo_signed_response_alg: String => userinfo_signed_response_alg: String;
    /// The algorithm that signs its ID tokens; empty means the server's default.
    id_token_signed_response_alg: String => id_token_signed_response_alg: String;
    /// Hydra 2.x: a first-party client; the consent app is told (`client.skip_consent`) and
    /// may accept without asking.
    skip_consent: bool => skip_consent: bool;
    /// Hydra 2.x: the logout app may log out without asking.
    skip_logout_consent: bool => skip_logout_consent: bool;
    /// Hydra 2.x: free-form JSON the operator keeps with the client.
    metadata: Option<serde_json::Value> => metadata: Option<serde_json::Value>;
    /// Hydra 2.x: `jwt` or `opaque` access tokens for this client; empty means the server's
    /// `OAUTH2_ACCESS_TOKEN_STRATEGY`.
    access_token_strategy: String => access_token_strategy: String;
    /// Hydra 2.x: per-grant token lifespans; unset ones are the server's.
    token_lifespans: ClientLifespans => token_lifespans: ClientLifespans;
    /// Where the browser may go after an RP-initiated logout (OIDC RP-Initiated Logout 1.0
    /// §3.1), compared by exact string match.
    post_logout_redirect_uris: Vec<String> => post_logout_redirect_uris: Vec<String>;
    /// The page the logout page frames to tell the client (Front-Channel Logout 1.0 §2);
    /// empty when unset.
    frontchannel_logout_uri: String => frontchannel_logout_uri: String;
    /// Whether that page needs `iss` and `sid` (Front-Channel Logout 1.0 §2).
    frontchannel_logout_session_required: bool => frontchannel_logout_session_required: bool;
    /// Where logout tokens are posted (Back-Channel Logout 1.0 §2.2); empty when unset.
    backchannel_logout_uri: String => backchannel_logout_uri: String;
    /// Whether logout tokens must carry `sid` (Back-Channel Logout 1.0 §2.2); they always do.
    backchannel_logout_session_required: bool => backchannel_logout_session_required: bool;
    /// RFC 9126 §6: authorization requests must be pushed (`/oauth2/par`) first.
    require_pushed_authorization_requests: bool => require_pushed_authorization_requests: bool;
    /// Hydra's audience whitelist: the audiences the client may ask tokens for (`audience` at
    /// the token endpoint, RFC 8693 §2.1 `audience`/`resource`), compared exactly.
    audience: Vec<String> => audience: Vec<String>;
    /// RFC 9449 §5.2.1: the client always uses DPoP at the token endpoint (enforcement: see
    /// the DPoP section of `docs/api-compat.md`).
    dpop_bound_access_tokens: bool => dpop_bound_access_tokens: bool;
}

/// A held field value back in the form it is submitted in, for [`Client::into_input`].
trait IntoSubmitted<Raw> {
    fn into_submitted(self) -> Raw;
}

/// Fields held as submitted.
impl<T> IntoSubmitted<T> for T {
    fn into_submitted(self) -> T {
        self
    }
}

impl IntoSubmitted<Vec<String>> for Vec<GrantType> {
    fn into_submitted(self) -> Vec<String> {
        self.iter().map(|g| g.as_str().to_owned()).collect()
    }
}

impl IntoSubmitted<String> for SubjectType {
    fn into_submitted(self) -> String {
        self.as_str().to_owned()
    }
}

impl IntoSubmitted<String> for AuthMethod {
    fn into_submitted(self) -> String {
        self.as_str().to_owned()
    }
}
