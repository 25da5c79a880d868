//! Conversion between the wire `OAuth2Client` and the domain client.

use oxydra_api::OAuth2Client;
use oxydra_core::client::{Client, ClientInput};
use oxydra_core::{ClientId, Secret};

use crate::error::ApiError;

/// A client id from a path segment; an invalid one is 400 `invalid_request`.
pub fn parse_client_id(raw: String) -> Result<ClientId, ApiError> {
    ClientId::parse(raw).map_err(|reason| ApiError::invalid_request(format!("client id: {reason}")))
}

/// Wire body → unvalidated domain input (validation happens in the domain).
pub fn to_input(wire: OAuth2Client) -> ClientInput {
    ClientInput {
        client_id: wire.client_id,
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
        token_endpoint_auth_method: wire.token_endpoint_auth_method.unwrap_or_default(),
        request_uris: wire.request_uris.unwrap_or_default(),
        request_object_signing_alg: wire.request_object_signing_alg.unwrap_or_default(),
        userinfo_signed_response_alg: wire.userinfo_signed_response_alg.unwrap_or_default(),
    }
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
    }
}
