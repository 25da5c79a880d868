//! Conversion between the wire `OAuth2Client` and the domain client.

use oxydra_api::OAuth2Client;
use oxydra_core::client::{Client, ClientInput};
use oxydra_core::{ClientId, Secret};

use crate::error::ApiError;

/// A client id from a path segment; an invalid one is 400 `invalid_request`.
pub fn parse_client_id(raw: String) -> Result<ClientId, ApiError> {
    ClientId::parse(raw).map_err(|reason| ApiError::invalid_request(format!("client id: {reason}")))
}

/// Wire body → unvalidated domain input (validation happens in the domain). The 0.10
/// spellings are accepted in every mode: `id` for `client_id`, `public: true` for
/// `token_endpoint_auth_method: none`; a body whose two spellings disagree is 400.
pub fn to_input(mut wire: OAuth2Client) -> Result<ClientInput, ApiError> {
    let client_id = merge_id(wire.client_id, wire.id.take())?;
    let auth_method = merge_public(wire.token_endpoint_auth_method.take(), wire.public)?;
    Ok(ClientInput {
        client_id,
        client_name: wire.client_name,
        client_secret: wire.client_secret.map(Secret::new),
        redirect_uris: wire.redirect_uris,
        grant_types: wire.grant_types,
        response_types: wire.response_types,
        scope: wire.scope,
        owner: wire.owner,
        policy_uri: wire.policy_uri,
        tos_uri: wire.tos_uri,
        client_uri: wire.client_uri,
        logo_uri: wire.logo_uri,
        contacts: wire.contacts,
        subject_type: wire.subject_type,
        sector_identifier_uri: wire.sector_identifier_uri.unwrap_or_default(),
        jwks_uri: wire.jwks_uri.unwrap_or_default(),
        jwks: wire.jwks,
        token_endpoint_auth_method: auth_method,
        request_uris: wire.request_uris.unwrap_or_default(),
        request_object_signing_alg: wire.request_object_signing_alg.unwrap_or_default(),
        userinfo_signed_response_alg: wire.userinfo_signed_response_alg.unwrap_or_default(),
        id_token_signed_response_alg: wire.id_token_signed_response_alg.unwrap_or_default(),
    })
}

/// `client_id`, else the 0.10 `id`; both set and different is a contradiction.
fn merge_id(client_id: String, id: Option<String>) -> Result<String, ApiError> {
    match id.filter(|id| !id.is_empty()) {
        None => Ok(client_id),
        Some(id) if client_id.is_empty() => Ok(id),
        Some(id) if id == client_id => Ok(id),
        Some(_) => Err(ApiError::invalid_request(
            "Fields client_id and id (its 0.10 name) name different clients.",
        )),
    }
}

/// `token_endpoint_auth_method`, after the 0.10 `public` flag: `true` means `none`; `false`
/// means a confidential client (the default method when none is given).
fn merge_public(method: Option<String>, public: Option<bool>) -> Result<String, ApiError> {
    let method = method.unwrap_or_default();
    match public {
        None => Ok(method),
        Some(true) if method.is_empty() || method == NONE => Ok(NONE.to_owned()),
        Some(false) if method != NONE => Ok(method),
        Some(_) => Err(ApiError::invalid_request(
            "Fields public and token_endpoint_auth_method contradict each other (public: true is token_endpoint_auth_method: none).",
        )),
    }
}

/// `token_endpoint_auth_method` of public clients.
const NONE: &str = "none";

/// Adds the 0.10 spellings to an outgoing client (`COMPAT_API_VERSION=0.10`): `id` next to
/// `client_id` and `public` next to `token_endpoint_auth_method`. SDKs of either generation
/// ignore the other's fields, so this one shape serves both.
pub fn with_v010_names(mut wire: OAuth2Client) -> OAuth2Client {
    wire.id = Some(wire.client_id.clone());
    wire.public = Some(wire.token_endpoint_auth_method.as_deref() == Some(NONE));
    wire
}

/// Domain client → wire body; `secret` is included only when this response may reveal it.
pub fn to_wire(client: Client, secret: Option<Secret<String>>) -> OAuth2Client {
    let non_empty = |s: String| if s.is_empty() { None } else { Some(s) };
    OAuth2Client {
        client_id: client.id.to_string(),
        client_name: client.name,
        client_secret: secret.map(Secret::into_inner),
        redirect_uris: client.redirect_uris,
        grant_types: client
            .grant_types
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect(),
        response_types: client.response_types,
        scope: client.scope,
        owner: client.owner,
        policy_uri: client.policy_uri,
        tos_uri: client.tos_uri,
        client_uri: client.client_uri,
        logo_uri: client.logo_uri,
        contacts: client.contacts,
        client_secret_expires_at: 0,
        subject_type: client.subject_type.as_str().to_owned(),
        sector_identifier_uri: non_empty(client.sector_identifier_uri),
        jwks_uri: non_empty(client.jwks_uri),
        jwks: client.jwks,
        token_endpoint_auth_method: Some(client.token_endpoint_auth_method.as_str().to_owned()),
        request_uris: if client.request_uris.is_empty() {
            None
        } else {
            Some(client.request_uris)
        },
        request_object_signing_alg: non_empty(client.request_object_signing_alg),
        userinfo_signed_response_alg: Some(client.userinfo_signed_response_alg),
        id_token_signed_response_alg: non_empty(client.id_token_signed_response_alg),
        id: None,
        public: None,
    }
}
