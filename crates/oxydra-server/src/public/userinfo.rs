//! `GET|POST /userinfo` (OIDC Core §5.3): the end-user's claims for a bearer access token, as
//! JSON or as a signed JWT (`application/jwt`).
//!
//! Errors carry both the Hydra JSON body SDKs parse and the RFC 6750 §3 challenge:
//! `WWW-Authenticate: Bearer` alone when no token was sent, `error="invalid_token"` for a bad,
//! revoked or expired one (body `request_unauthorized` / `token_expired`, as Hydra),
//! `error="insufficient_scope"` (403) without `openid`, `error="invalid_request"` (400) for a
//! token sent twice or in the query.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use oxydra_core::service::userinfo::{self, Userinfo};
use oxydra_core::{OAuthError, OAuthErrorKind};

use super::token::no_store;
use crate::error::ApiError;
use crate::extract::BearerToken;
use crate::state::AppState;

/// `GET|POST /userinfo`.
pub(crate) async fn userinfo(
    State(state): State<AppState>,
    bearer: Result<BearerToken, ApiError>,
) -> Response {
    let share_debug = state.config.share_error_debug;
    let token = match bearer {
        Ok(BearerToken(Some(token))) => token,
        Ok(BearerToken(None)) => {
            let error = OAuthError::new(OAuthErrorKind::RequestUnauthorized)
                .hint("Send an access token: Authorization: Bearer <token>.");
            return refuse(
                ApiError::new(error),
                Some(HeaderValue::from_static("Bearer")),
            );
        }
        Err(e) => return challenged(e.with_debug_shared(share_debug)),
    };
    let result = userinfo::userinfo(
        &state.store,
        &state.access_tokens(),
        &state.id_token_issuer(),
        token.expose(),
        state.now(),
    )
    .await;
    match result {
        Ok(Userinfo::Claims(claims)) => no_store(axum::Json(claims).into_response()),
        Ok(Userinfo::Signed(jwt)) => no_store(
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/jwt"),
                )],
                jwt,
            )
                .into_response(),
        ),
        Err(e) => challenged(ApiError::from(e).with_debug_shared(share_debug)),
    }
}

/// The RFC 6750 §3.1 error code for the challenge, by status: 401 → `invalid_token`,
/// 403 → `insufficient_scope`, 400 → `invalid_request`; none for server errors.
fn challenged(error: ApiError) -> Response {
    let oauth = error.oauth();
    let code = match oauth.status() {
        400 => "invalid_request",
        401 => "invalid_token",
        403 => "insufficient_scope",
        _ => return refuse(error, None),
    };
    let description = attribute_text(oauth.hint.as_deref().unwrap_or(&oauth.description));
    let mut value = format!("Bearer error=\"{code}\", error_description=\"{description}\"");
    if code == "insufficient_scope" {
        value.push_str(", scope=\"openid\"");
    }
    let challenge = HeaderValue::from_str(&value).ok();
    refuse(error, challenge)
}

/// The error response with `challenge` as its only `WWW-Authenticate` (the generic 401
/// `Basic` challenge does not apply to a bearer-protected resource).
fn refuse(error: ApiError, challenge: Option<HeaderValue>) -> Response {
    let mut response = error.into_response();
    let headers = response.headers_mut();
    headers.remove(header::WWW_AUTHENTICATE);
    if let Some(challenge) = challenge {
        headers.insert(header::WWW_AUTHENTICATE, challenge);
    }
    no_store(response)
}

/// RFC 6750 §3: `error_description` is limited to printable ASCII without `"` and `\`.
fn attribute_text(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(c, ' '..='~') && *c != '"' && *c != '\\')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_reduced_to_the_rfc_6750_character_set() {
        assert_eq!(attribute_text("Say \"hi\" \\ to é\nall"), "Say hi  to all");
    }
}
