//! `/clients`: OAuth 2.0 client management (Hydra 1.0.0-beta admin API, `shared/spec/api.md` §2.2).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use oxydra_api::OAuth2Client;
use oxydra_api::paths::{CLIENT, CLIENTS};
use oxydra_core::service::clients;

use oxydra_core::Secret;
use oxydra_core::client::Client;

use super::client_wire::{
    create_client, parse_client_id as parse_id, to_wire, update_client, with_v010_names,
};
use super::client_wire_v2::{keep_unsent_v2_fields, to_wire_v2};
use super::paging;
use crate::error::ApiError;
use crate::extract::{Json, Page, Path};
use crate::state::AppState;

/// The client routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CLIENTS, get(list).post(create))
        .route(CLIENT, get(fetch).put(update).delete(remove))
}

/// `POST /clients` → 201 with the client (and its secret, this once) and a `Location` header.
async fn create(
    State(state): State<AppState>,
    Json(body): Json<OAuth2Client>,
) -> Result<Response, ApiError> {
    let saved = create_client(&state, body).await?;
    let location = paging::encoded_path(CLIENTS, &[saved.client.id.as_str()]);
    let body = wire(&state, saved.client, saved.plaintext_secret);
    Ok(paging::created(&location, body))
}

/// `GET /clients?limit=&offset=` → a page ordered by client id, with a `Link` header.
async fn list(State(state): State<AppState>, page: Page) -> Result<Response, ApiError> {
    let rows = match paging::probe_limit(page) {
        0 => Vec::new(),
        limit => clients::list(&state.store, limit, page.offset).await?,
    };
    let body: Vec<OAuth2Client> = rows.into_iter().map(|c| wire(&state, c, None)).collect();
    Ok(paging::respond(CLIENTS, page, body))
}

/// `GET /clients/{id}` → the client without its secret.
async fn fetch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<OAuth2Client>, ApiError> {
    let client = clients::get(&state.store, &parse_id(id)?).await?;
    Ok(axum::Json(wire(&state, client, None)))
}

/// `PUT /clients/{id}` → replaces the client (the path id wins over the body's); the secret is
/// kept unless one is sent, and echoed only when it was set by this call.
async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<OAuth2Client>,
) -> Result<axum::Json<OAuth2Client>, ApiError> {
    let id = parse_id(id)?;
    if body == OAuth2Client::default() {
        // `{}` or only misspelt fields: replacing the client would reset it to defaults.
        // An unknown id is still 404 first.
        clients::get(&state.store, &id).await?;
        return Err(ApiError::invalid_request(
            "The body sets no client field; PUT replaces the whole client, so send its metadata.",
        ));
    }
    let mut body = body;
    // 1.x SDKs neither read nor send the Hydra 2.x fields: keep the stored ones unsent.
    let stored = clients::get(&state.store, &id).await?;
    keep_unsent_v2_fields(&mut body, to_wire_v2(stored, None));
    let saved = update_client(&state, id, body).await?;
    Ok(axum::Json(wire(
        &state,
        saved.client,
        saved.plaintext_secret,
    )))
}

/// The client as this server's API generation spells it (0.10 mode adds `id` and `public`).
fn wire(state: &AppState, client: Client, secret: Option<Secret<String>>) -> OAuth2Client {
    let wire = to_wire(client, secret);
    if state.config.v010() {
        with_v010_names(wire)
    } else {
        wire
    }
}

/// `DELETE /clients/{id}` → 204, or 404 when there is no such client.
async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    clients::delete(&state.store, &parse_id(id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
