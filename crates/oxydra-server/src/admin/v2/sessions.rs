//! `/admin/oauth2/auth/sessions/{consent,login}` (Hydra 2.x) and the same routes without
//! `/admin` (Hydra 1.x): sessions named by query parameters instead of path segments, over the
//! services of the 1.0.0-beta path routes (`admin/sessions.rs`).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use oxydra_api::paths::{
    ADMIN_CONSENT_SESSIONS, ADMIN_LOGIN_SESSIONS, CONSENT_SESSIONS_BY_QUERY,
    LOGIN_SESSIONS_BY_QUERY,
};
use oxydra_core::service::flow_admin;
use serde::Deserialize;

use super::paging::KeysetPage;
use crate::admin::client_wire::parse_client_id;
use crate::admin::flow_wire::{ClientShape, previous_session, v1_client, v2_client};
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

/// The query-form session routes of both generations.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            ADMIN_CONSENT_SESSIONS,
            get(list_consent_v2).delete(revoke_consent),
        )
        .route(
            CONSENT_SESSIONS_BY_QUERY,
            get(list_consent_v1).delete(revoke_consent),
        )
        .route(ADMIN_LOGIN_SESSIONS, delete(revoke_login))
        .route(LOGIN_SESSIONS_BY_QUERY, delete(revoke_login))
}

/// The parameters these routes read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SessionQuery {
    subject: Option<String>,
    client: Option<String>,
    all: Option<String>,
    sid: Option<String>,
    login_session_id: Option<String>,
    page_size: Option<String>,
    page_token: Option<String>,
}

impl SessionQuery {
    fn subject(&self) -> Result<&str, ApiError> {
        self.subject
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::invalid_request("Query parameter subject is required."))
    }
}

/// `GET /admin/oauth2/auth/sessions/consent?subject=` (2.x client shape).
async fn list_consent_v2(
    state: State<AppState>,
    query: Query<SessionQuery>,
) -> Result<Response, ApiError> {
    list_consent(state, query, v2_client, ADMIN_CONSENT_SESSIONS).await
}

/// `GET /oauth2/auth/sessions/consent?subject=` (1.x client shape).
async fn list_consent_v1(
    state: State<AppState>,
    query: Query<SessionQuery>,
) -> Result<Response, ApiError> {
    list_consent(state, query, v1_client, CONSENT_SESSIONS_BY_QUERY).await
}

/// The subject's remembered, still-valid consents, newest first, paged by `page_size` and
/// `page_token`, with a `Link` header.
async fn list_consent(
    State(state): State<AppState>,
    Query(query): Query<SessionQuery>,
    shape: ClientShape,
    base: &str,
) -> Result<Response, ApiError> {
    let subject = query.subject()?.to_owned();
    if query
        .login_session_id
        .as_deref()
        .is_some_and(|s| !s.is_empty())
    {
        return Err(ApiError::invalid_request(
            "Query parameter login_session_id is not supported by this server.",
        ));
    }
    let page = KeysetPage::from_query(query.page_size.as_deref(), query.page_token.as_deref())?;
    let offset: u32 = match page.after.as_str() {
        "" => 0,
        after => after
            .parse()
            .map_err(|_| ApiError::invalid_request("Query parameter page_token is malformed."))?,
    };
    let rows = flow_admin::list_consent_sessions(
        &state.store,
        &subject,
        page.probe(),
        offset,
        state.now(),
    )
    .await?;
    let subject_query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("subject", &subject)
        .finish()
        + "&";
    let numbered: Vec<_> = rows.into_iter().zip(offset + 1..).collect();
    let (headers, rows) = page.finish(base, &subject_query, numbered, |(_, n)| n.to_string());
    let body: Vec<_> = rows
        .into_iter()
        .filter_map(|(view, _)| previous_session(view, shape))
        .collect();
    Ok((headers, axum::Json(body)).into_response())
}

/// `DELETE …/sessions/consent?subject=&client=` or `…&all=true` → 204 after revoking the
/// consents (one client's, or all) and their tokens; 404 when there was none.
async fn revoke_consent(
    State(state): State<AppState>,
    Query(query): Query<SessionQuery>,
) -> Result<StatusCode, ApiError> {
    let subject = query.subject()?;
    let client = query.client.clone().filter(|c| !c.is_empty());
    let all = query.all.as_deref() == Some("true");
    match client {
        Some(client) => {
            let client = parse_client_id(client)?;
            flow_admin::revoke_consent_sessions(&state.store, subject, Some(&client)).await?;
        }
        None if all => flow_admin::revoke_consent_sessions(&state.store, subject, None).await?,
        None => {
            return Err(ApiError::invalid_request(
                "Query parameter client or all=true is required.",
            ));
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE …/sessions/login?subject=` (every login session of the subject) or `?sid=` (one
/// session) → 204; 404 when there was none. Tokens are kept.
async fn revoke_login(
    State(state): State<AppState>,
    Query(query): Query<SessionQuery>,
) -> Result<StatusCode, ApiError> {
    let subject = query.subject.as_deref().filter(|s| !s.is_empty());
    let sid = query.sid.as_deref().filter(|s| !s.is_empty());
    match (subject, sid) {
        (Some(subject), None) => flow_admin::revoke_login_sessions(&state.store, subject).await?,
        (None, Some(sid)) => flow_admin::revoke_login_session(&state.store, sid).await?,
        _ => {
            return Err(ApiError::invalid_request(
                "Exactly one of the query parameters subject and sid is required.",
            ));
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
