//! `/oauth2/auth/sessions/{consent,login}/{user}`: operators list a subject's remembered
//! consents and revoke consent and login sessions (`shared/spec/behaviour.md` §3.8).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use oxydra_api::paths::{CONSENT_SESSIONS, CONSENT_SESSIONS_OF_CLIENT, LOGIN_SESSIONS};
use oxydra_core::service::flow_admin;

use super::client_wire::parse_client_id;
use super::flow_wire::{previous_session, v1_client};
use super::paging;
use crate::error::ApiError;
use crate::extract::{Page, Path};
use crate::state::AppState;

/// The session-management routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            CONSENT_SESSIONS,
            get(list_consent_sessions).delete(revoke_consent_sessions),
        )
        .route(
            CONSENT_SESSIONS_OF_CLIENT,
            delete(revoke_client_consent_sessions),
        )
        .route(LOGIN_SESSIONS, delete(revoke_login_sessions))
}

/// `GET /oauth2/auth/sessions/consent/{user}?limit=&offset=` → the subject's remembered,
/// still-valid consents, newest first (`[]` when none), with a `Link` header.
async fn list_consent_sessions(
    State(state): State<AppState>,
    Path(user): Path<String>,
    page: Page,
) -> Result<Response, ApiError> {
    let rows = match paging::probe_limit(page) {
        0 => Vec::new(),
        limit => {
            flow_admin::list_consent_sessions(&state.store, &user, limit, page.offset, state.now())
                .await?
        }
    };
    let body: Vec<_> = rows
        .into_iter()
        .filter_map(|view| previous_session(view, v1_client))
        .collect();
    let base = paging::encoded_path(CONSENT_SESSIONS.trim_end_matches("/{user}"), &[&user]);
    Ok(paging::respond(&base, page, body))
}

/// `DELETE /oauth2/auth/sessions/consent/{user}` → 204 after revoking every consent of the
/// subject and the tokens issued from them; 404 when there was none.
async fn revoke_consent_sessions(
    State(state): State<AppState>,
    Path(user): Path<String>,
) -> Result<StatusCode, ApiError> {
    flow_admin::revoke_consent_sessions(&state.store, &user, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /oauth2/auth/sessions/consent/{user}/{client}` → 204 after revoking the subject's
/// consents with that client and their tokens; 404 when there was none.
async fn revoke_client_consent_sessions(
    State(state): State<AppState>,
    Path((user, client)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let client = parse_client_id(client)?;
    flow_admin::revoke_consent_sessions(&state.store, &user, Some(&client)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /oauth2/auth/sessions/login/{user}` → 204 after forgetting every remembered login
/// of the subject (tokens are kept); 404 when there was none.
async fn revoke_login_sessions(
    State(state): State<AppState>,
    Path(user): Path<String>,
) -> Result<StatusCode, ApiError> {
    flow_admin::revoke_login_sessions(&state.store, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
