//! `/policies`: access-control policies (Hydra 1.0.0-alpha1, `shared/spec/api.md` §4). They
//! decide admin requests when `ADMIN_ACCESS_CONTROL=policies`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use oxydra_api::paths::{POLICIES, POLICY};
use oxydra_api::{Policy as WirePolicy, PolicyCondition};
use oxydra_core::policy::{Policy, PolicyInput};
use oxydra_core::service::policies;

use super::paging;
use crate::error::ApiError;
use crate::extract::{Json, Page, Path};
use crate::state::AppState;

/// The policy routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(POLICIES, get(list).post(create))
        .route(POLICY, get(fetch).put(update).delete(remove))
}

/// Wire policy → unvalidated core input.
fn to_input(body: WirePolicy) -> PolicyInput {
    PolicyInput {
        id: body.id,
        description: body.description,
        subjects: body.subjects,
        effect: body.effect,
        resources: body.resources,
        actions: body.actions,
        conditions: body
            .conditions
            .into_iter()
            .map(|(key, c)| (key, c.condition_type, c.options))
            .collect(),
    }
}

/// Core policy → wire policy.
fn to_wire(policy: Policy) -> WirePolicy {
    WirePolicy {
        conditions: policy
            .conditions
            .iter()
            .map(|(key, c)| {
                let condition = PolicyCondition {
                    condition_type: c.kind().to_owned(),
                    options: c.options(),
                };
                (key.clone(), condition)
            })
            .collect(),
        id: policy.id,
        description: policy.description,
        subjects: policy.subjects,
        effect: policy.effect.as_str().to_owned(),
        resources: policy.resources,
        actions: policy.actions,
    }
}

/// `POST /policies` → 201 with the policy and `Location: /policies/{id}`; 409 for a taken id.
async fn create(
    State(state): State<AppState>,
    Json(body): Json<WirePolicy>,
) -> Result<Response, ApiError> {
    let saved = policies::create(&state.store, &state.policies, to_input(body)).await?;
    let location = paging::encoded_path(POLICIES, &[saved.id.as_str()]);
    Ok(paging::created(&location, to_wire(saved)))
}

/// `GET /policies?limit=&offset=` → a page ordered by id, with a `Link` header.
async fn list(State(state): State<AppState>, page: Page) -> Result<Response, ApiError> {
    let rows = match paging::probe_limit(page) {
        0 => Vec::new(),
        limit => policies::list(&state.store, limit, page.offset).await?,
    };
    let body: Vec<WirePolicy> = rows.into_iter().map(to_wire).collect();
    Ok(paging::respond(POLICIES, page, body))
}

/// `GET /policies/{id}` → the policy; 404.
async fn fetch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<WirePolicy>, ApiError> {
    Ok(axum::Json(to_wire(policies::get(&state.store, &id).await?)))
}

/// `PUT /policies/{id}` → the replaced policy; 400 when the body's id differs, 404.
async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<WirePolicy>,
) -> Result<axum::Json<WirePolicy>, ApiError> {
    let saved = policies::update(&state.store, &state.policies, &id, to_input(body)).await?;
    Ok(axum::Json(to_wire(saved)))
}

/// `DELETE /policies/{id}` → 204; 404.
async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    policies::delete(&state.store, &state.policies, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
