//! `/admin/clients`: Hydra 2.x client management — keyset paging with filters, `PATCH` with
//! RFC 6902 JSON Patch, `PUT …/lifespans` — over the same services as the 1.x `/clients`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use oxydra_api::paths::{ADMIN_CLIENT, ADMIN_CLIENT_LIFESPANS, ADMIN_CLIENTS};
use oxydra_api::{JsonPatchOperation, OAuth2Client, OAuth2ClientTokenLifespans};
use oxydra_core::ClientId;
use oxydra_core::service::clients::{self, SavedClient};
use oxydra_core::store::ClientFilter;
use serde::Deserialize;

use super::json_patch::apply_to_client;
use super::paging::KeysetPage;
use crate::admin::client_wire::{create_client, parse_client_id as parse_id, update_client};
use crate::admin::client_wire_v2::to_wire_v2;
use crate::admin::paging;
use crate::error::ApiError;
use crate::extract::{Json, JsonList, Path, Query};
use crate::state::AppState;

/// The 2.x client routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(ADMIN_CLIENTS, get(list).post(create))
        .route(
            ADMIN_CLIENT,
            get(fetch).put(replace).patch(patch).delete(remove),
        )
        .route(ADMIN_CLIENT_LIFESPANS, put(set_lifespans))
}

/// `GET /admin/clients` query: paging and exact-match filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    page_size: Option<String>,
    page_token: Option<String>,
    client_name: Option<String>,
    owner: Option<String>,
}

/// `GET /admin/clients?page_size=&page_token=&client_name=&owner=` → a page ordered by id,
/// with a `Link` header to the first and next pages.
async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let page = KeysetPage::from_query(query.page_size.as_deref(), query.page_token.as_deref())?;
    let filter = ClientFilter {
        name: query.client_name.unwrap_or_default(),
        owner: query.owner.unwrap_or_default(),
    };
    let rows = clients::list_after(&state.store, &page.after, &filter, page.probe()).await?;
    let filters = filter_query(&filter);
    let (headers, rows) = page.finish(ADMIN_CLIENTS, &filters, rows, |c| c.id.as_str().to_owned());
    let body: Vec<OAuth2Client> = rows.into_iter().map(|c| to_wire_v2(c, None)).collect();
    Ok((headers, axum::Json(body)).into_response())
}

/// The filters as query parameters for the `Link` header (`client_name=…&owner=…&`).
fn filter_query(filter: &ClientFilter) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !filter.name.is_empty() {
        query.append_pair("client_name", &filter.name);
    }
    if !filter.owner.is_empty() {
        query.append_pair("owner", &filter.owner);
    }
    let query = query.finish();
    if query.is_empty() { query } else { query + "&" }
}

/// `POST /admin/clients` → 201 with the client (its secret this once; a generated
/// `client_id` when none was given).
async fn create(
    State(state): State<AppState>,
    Json(body): Json<OAuth2Client>,
) -> Result<Response, ApiError> {
    let saved = create_client(&state, body).await?;
    let location = paging::encoded_path(ADMIN_CLIENTS, &[saved.client.id.as_str()]);
    Ok(paging::created(&location, respond(saved).0))
}

/// `GET /admin/clients/{id}` → the client without its secret.
async fn fetch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<OAuth2Client>, ApiError> {
    current(&state, &parse_id(id)?).await.map(axum::Json)
}

/// `PUT /admin/clients/{id}` → replaces the client (the path id wins); the secret is kept
/// unless one is sent.
async fn replace(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<OAuth2Client>,
) -> Result<axum::Json<OAuth2Client>, ApiError> {
    let id = parse_id(id)?;
    update_client(&state, id, body).await.map(respond)
}

/// `PATCH /admin/clients/{id}` with an RFC 6902 JSON Patch (array of operations) applied to
/// the client's 2.x JSON; 400 for a patch that fails or touches `client_id`.
async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonList(ops): JsonList<JsonPatchOperation>,
) -> Result<axum::Json<OAuth2Client>, ApiError> {
    let id = parse_id(id)?;
    let current = current(&state, &id).await?;
    let patched = apply_to_client(current, &ops)?;
    update_client(&state, id, patched).await.map(respond)
}

/// `PUT /admin/clients/{id}/lifespans` → replaces only the token lifespans.
async fn set_lifespans(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(lifespans): Json<OAuth2ClientTokenLifespans>,
) -> Result<axum::Json<OAuth2Client>, ApiError> {
    let id = parse_id(id)?;
    let current = current(&state, &id).await?;
    let body = OAuth2Client {
        lifespans,
        ..current
    };
    update_client(&state, id, body).await.map(respond)
}

/// `DELETE /admin/clients/{id}` → 204, or 404.
async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    clients::delete(&state.store, &parse_id(id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Client `id` in the 2.x shape, without its secret (the base of a patch).
async fn current(state: &AppState, id: &ClientId) -> Result<OAuth2Client, ApiError> {
    Ok(to_wire_v2(clients::get(&state.store, id).await?, None))
}

/// The stored client in the 2.x shape, with the secret when this call set it.
fn respond(saved: SavedClient) -> axum::Json<OAuth2Client> {
    axum::Json(to_wire_v2(saved.client, saved.plaintext_secret))
}
