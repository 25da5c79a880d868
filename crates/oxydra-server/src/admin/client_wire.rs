//! Conversion between the wire `OAuth2Client` and the domain client.

use oxydra_api::OAuth2Client;
use oxydra_core::client::{Client, ClientInput};
use oxydra_core::service::clients::{self, SavedClient};
use oxydra_core::{ClientId, Secret};

use super::client_wire_v2::lifespans_from_wire;
use crate::error::ApiError;
use crate::state::AppState;

/// Registers the client `body` describes (every generation's create).
pub async fn create_client(state: &AppState, body: OAuth2Client) -> Result<SavedClient, ApiError> {
    let input = to_input(body)?;
    let policy = state.config.client_policy();
    let (store, hasher, remote) = (&state.store, &state.hasher, &state.remote);
    Ok(clients::create(store, hasher, remote, &policy, state.now(), input).await?)
}

/// Replaces client `id` with what `body` describes (every generation's update).
pub async fn update_client(
    state: &AppState,
    id: ClientId,
    body: OAuth2Client,
) -> Result<SavedClient, ApiError> {
    let input = to_input(body)?;
    let policy = state.config.client_policy();
    let (store, hasher, remote) = (&state.store, &state.hasher, &state.remote);
    Ok(clients::update(store, hasher, remote, &policy, state.now(), id, input).await?)
}

/// A client id from a path segment; an invalid one is 400 `invalid_request`.
pub fn parse_client_id(raw: String) -> Result<ClientId, ApiError> {
    ClientId::parse(raw).map_err(|reason| ApiError::invalid_request(format!("client id: {reason}")))
}

/// Wire body → unvalidated domain input (validation happens in the domain). The 0.10
/// spellings are accepted in every mode: `id` for `client_id`, `public: true` for
/// `token_endpoint_auth_method: none`; a body whose two spellings disagree is 400.
pub fn to_input(mut wire: OAuth2Client) -> Result<ClientInput, ApiError> {
    let client_id = merge_id(std::mem::take(&mut wire.client_id), wire.id.take())?;
    let auth_method = merge_public(wire.token_endpoint_auth_method.take(), wire.public)?;
    let client_secret = wire.client_secret.take().map(Secret::new);
    Ok(ClientInput {
        client_id,
        client_secret,
        token_endpoint_auth_method: auth_method,
        skip_consent: wire.skip_consent.unwrap_or(false),
        skip_logout_consent: wire.skip_logout_consent.unwrap_or(false),
        metadata: wire.metadata.take(),
        access_token_strategy: wire.access_token_strategy.take().unwrap_or_default(),
        token_lifespans: lifespans_from_wire(&wire.lifespans)?,
        audience: wire.audience.take().unwrap_or_default(),
        ..input_fields(wire)
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
    OAuth2Client {
        client_secret: secret.map(Secret::into_inner),
        ..body_fields(client.into_input())
    }
}

/// Generates [`input_fields`] and [`body_fields`], the two directions between the body and
/// [`ClientInput`], from one list of the fields they share, by how the body holds each:
/// `plain` as the input does, `optional` omitted when empty, `present` always sent.
macro_rules! shared_fields {
    (
        plain: $($plain:ident),*;
        optional: $($optional:ident),*;
        present: $($present:ident),*;
    ) => {
        /// The body's shared fields as input: an absent optional field reads as empty. The
        /// secret, the 0.10 spellings and the Hydra 2.x fields are [`to_input`]'s.
        fn input_fields(wire: OAuth2Client) -> ClientInput {
            ClientInput {
                client_secret: None,
                $($plain: wire.$plain,)*
                $($optional: wire.$optional.unwrap_or_default(),)*
                $($present: wire.$present.unwrap_or_default(),)*
                ..ClientInput::default()
            }
        }

        /// The input's fields as a response body, with no secret, no 0.10 spelling and no
        /// Hydra 2.x field (the 1.x generations' shape; [`super::client_wire_v2`] adds them).
        fn body_fields(input: ClientInput) -> OAuth2Client {
            OAuth2Client {
                client_secret: None,
                client_secret_expires_at: 0,
                $($plain: input.$plain,)*
                $($optional: non_empty(input.$optional),)*
                $($present: Some(input.$present),)*
                ..OAuth2Client::default()
            }
        }
    };
}

shared_fields! {
    plain: client_id, client_name, redirect_uris, grant_types, response_types, scope, owner,
        policy_uri, tos_uri, client_uri, logo_uri, contacts, subject_type, jwks;
    optional: sector_identifier_uri, jwks_uri, request_uris, request_object_signing_alg,
        id_token_signed_response_alg, post_logout_redirect_uris, frontchannel_logout_uri,
        frontchannel_logout_session_required, backchannel_logout_uri,
        backchannel_logout_session_required, require_pushed_authorization_requests,
        dpop_bound_access_tokens;
    present: token_endpoint_auth_method, userinfo_signed_response_alg;
}

/// `None` for an empty value, which the body omits.
fn non_empty<T: Default + PartialEq>(value: T) -> Option<T> {
    (value != T::default()).then_some(value)
}
