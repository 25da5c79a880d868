//! `/clients`: OAuth 2.0 client management (Hydra 1.0.0-beta admin API, `shared/spec/api.md` §2.2).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxydra_api::OAuth2Client;
use oxydra_api::paths::{CLIENT, CLIENTS};
use oxydra_core::ClientId;
use oxydra_core::service::clients;

use super::client_wire::{to_input, to_wire};
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{Json, Page, Path};

/// The client routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CLIENTS, get(list).post(create))
        .route(CLIENT, get(fetch).put(update).delete(remove))
}

fn parse_id(raw: String) -> Result<ClientId, ApiError> {
    ClientId::parse(raw).map_err(|reason| ApiError::invalid_request(format!("client id: {reason}")))
}

/// `POST /clients` → 201 with the client (and its secret, this once) and a `Location` header.
async fn create(
    State(state): State<AppState>,
    Json(body): Json<OAuth2Client>,
) -> Result<Response, ApiError> {
    let policy = state.config.client_policy();
    let saved = clients::create(
        &state.store,
        &state.hasher,
        &policy,
        state.now(),
        to_input(body),
    )
    .await?;
    let location = client_location(saved.client.id.as_str());
    let wire = to_wire(saved.client, saved.plaintext_secret);
    let mut response = (StatusCode::CREATED, axum::Json(wire)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// `GET /clients?limit=&offset=` → a page ordered by client id, with a `Link` header.
async fn list(State(state): State<AppState>, page: Page) -> Result<Response, ApiError> {
    let mut rows = if page.limit == 0 {
        Vec::new()
    } else {
        clients::list(&state.store, page.limit + 1, page.offset).await?
    };
    let has_next = rows.len() > page.limit as usize;
    rows.truncate(page.limit as usize);
    let body: Vec<OAuth2Client> = rows.into_iter().map(|c| to_wire(c, None)).collect();
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&link_header(page, has_next)) {
        headers.insert(header::LINK, value);
    }
    Ok((headers, axum::Json(body)).into_response())
}

/// RFC 8288 links to the first, previous and next pages.
fn link_header(page: Page, has_next: bool) -> String {
    let link = |offset: u32, rel: &str| {
        format!(
            "<{CLIENTS}?limit={}&offset={offset}>; rel=\"{rel}\"",
            page.limit
        )
    };
    let mut links = vec![link(0, "first")];
    if page.offset > 0 {
        links.push(link(page.offset.saturating_sub(page.limit), "prev"));
    }
    if has_next {
        links.push(link(page.offset.saturating_add(page.limit), "next"));
    }
    links.join(",")
}

/// `GET /clients/{id}` → the client without its secret.
async fn fetch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<OAuth2Client>, ApiError> {
    let client = clients::get(&state.store, &parse_id(id)?).await?;
    Ok(axum::Json(to_wire(client, None)))
}

/// `PUT /clients/{id}` → replaces the client (the path id wins over the body's); the secret is
/// kept unless one is sent, and echoed only when it was set by this call.
async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<OAuth2Client>,
) -> Result<axum::Json<OAuth2Client>, ApiError> {
    let id = parse_id(id)?;
    let policy = state.config.client_policy();
    let saved = clients::update(
        &state.store,
        &state.hasher,
        &policy,
        state.now(),
        id,
        to_input(body),
    )
    .await?;
    Ok(axum::Json(to_wire(saved.client, saved.plaintext_secret)))
}

/// `DELETE /clients/{id}` → 204, or 404 when there is no such client.
async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    clients::delete(&state.store, &parse_id(id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `/clients/<id>` with the id percent-encoded as one path segment.
fn client_location(id: &str) -> String {
    let Ok(mut url) = url::Url::parse("http://oxydra.invalid/clients") else {
        return CLIENTS.to_owned();
    };
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.push(id);
    }
    url.path().to_owned()
}
