//! `GET|POST /userinfo` (OIDC Core §5.3): the end-user's claims for a bearer access token, as
//! JSON or as a signed JWT (`application/jwt`).
//!
//! Errors carry both the Hydra JSON body SDKs parse and the RFC 6750 §3 challenge:
//! `WWW-Authenticate: Bearer` alone when no token was sent, `error="invalid_token"` for a bad,
//! revoked or expired one (body `request_unauthorized` / `token_expired`, as Hydra),
//! `error="insufficient_scope"` (403) without `openid`, `error="invalid_request"` (400) for a
//! token sent twice or in the query.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxydra_core::oauth2::dpop::{self, SIGNING_ALGS};
use oxydra_core::service::userinfo::{self, Userinfo};
use oxydra_core::{OAuthError, OAuthErrorKind};

use super::token::no_store;
use crate::dpop::{DPOP, with_nonce};
use crate::error::ApiError;
use crate::extract::BearerToken;
use crate::state::AppState;

/// How the access token was presented (RFC 6750 §2.1 or RFC 9449 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Bearer,
    Dpop,
}

/// `GET|POST /userinfo`.
pub(crate) async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    bearer: Result<BearerToken, ApiError>,
) -> Response {
    let sent_proof = headers.contains_key(DPOP);
    let response = answer(&state, &method, &headers, bearer).await;
    with_nonce(&state, sent_proof, response)
}

async fn answer(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    bearer: Result<BearerToken, ApiError>,
) -> Response {
    let share_debug = state.config.share_error_debug;
    let dpop_token = match dpop_authorization(state, headers) {
        Ok(token) => token,
        Err(e) => return challenged(state, Scheme::Dpop, e.with_debug_shared(share_debug)),
    };
    let (scheme, token) = match (dpop_token, bearer) {
        (Some(_), Ok(BearerToken(Some(_)))) => {
            let e = ApiError::invalid_request(
                "The access token was sent both in the Authorization header and in the body; use one method only.",
            );
            return challenged(state, Scheme::Dpop, e);
        }
        (Some(token), _) => (Scheme::Dpop, token),
        (None, Ok(BearerToken(Some(token)))) => (Scheme::Bearer, token.expose().to_owned()),
        (None, Ok(BearerToken(None))) => {
            let error = OAuthError::new(OAuthErrorKind::RequestUnauthorized)
                .hint("Send an access token: Authorization: Bearer <token>.");
            let mut challenges = vec![HeaderValue::from_static("Bearer")];
            challenges.extend(dpop_challenge(state, None));
            return refuse(ApiError::new(error), &challenges);
        }
        (None, Err(e)) => {
            return challenged(state, Scheme::Bearer, e.with_debug_shared(share_debug));
        }
    };
    let result = claims(state, method, headers, scheme, &token).await;
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
        Err(e) => challenged(state, scheme, e.with_debug_shared(share_debug)),
    }
}

/// The claims for `token`; under the DPoP scheme only with a valid proof for this request
/// whose key the token is bound to (RFC 9449 §7.1), under the bearer scheme only for a token
/// that is not bound (§7.2).
async fn claims(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    scheme: Scheme,
    token: &str,
) -> Result<Userinfo, ApiError> {
    let proof_jkt = match scheme {
        Scheme::Bearer => None,
        Scheme::Dpop => {
            let target = &state.dpop_targets.userinfo;
            let proof = crate::dpop::accept(state, headers, method.as_str(), target, Some(token))
                .await?
                .ok_or_else(|| {
                    ApiError::new(dpop::invalid(
                        "A DPoP-bound access token needs a DPoP proof in the DPoP header.",
                    ))
                })?;
            Some(proof.jkt)
        }
    };
    let result = userinfo::userinfo(
        &state.store,
        &state.access_tokens(),
        &state.id_token_issuer(),
        token,
        proof_jkt.as_deref(),
        state.now(),
    )
    .await?;
    Ok(result)
}

/// The token of an `Authorization: DPoP <token>` header while DPoP is on; `None` for any
/// other scheme (the bearer extractor reads those).
fn dpop_authorization(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if !state.provider.dpop.enabled {
        return Ok(None);
    }
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        // None, or several (which the bearer extractor refuses).
        return Ok(None);
    };
    let Ok(value) = value.to_str() else {
        return Ok(None);
    };
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("dpop") {
        return Ok(None);
    }
    match token.trim() {
        "" => Err(ApiError::new(
            OAuthError::new(OAuthErrorKind::RequestUnauthorized)
                .hint("The DPoP Authorization header carries no access token."),
        )),
        token => Ok(Some(token.to_owned())),
    }
}

/// The RFC 6750 §3.1 / RFC 9449 §7.1 challenge for an error, by status: 401 →
/// `invalid_token`, 403 → `insufficient_scope`, 400 → `invalid_request`; a DPoP proof error
/// is `invalid_dpop_proof` or `use_dpop_nonce`, answered 401. None for server errors.
fn challenged(state: &AppState, scheme: Scheme, error: ApiError) -> Response {
    let kind = error.oauth().kind;
    let (code, error) = match kind {
        OAuthErrorKind::InvalidDpopProof | OAuthErrorKind::UseDpopNonce => {
            (kind.code(), error.with_status(StatusCode::UNAUTHORIZED))
        }
        _ => match error.oauth().status() {
            400 => ("invalid_request", error),
            401 => ("invalid_token", error),
            403 => ("insufficient_scope", error),
            _ => return refuse(error, &[]),
        },
    };
    let scheme = if code.contains("dpop") {
        Scheme::Dpop
    } else {
        scheme
    };
    let oauth = error.oauth();
    let description = attribute_text(oauth.hint.as_deref().unwrap_or(&oauth.description));
    let mut value = format!("error=\"{code}\", error_description=\"{description}\"");
    if code == "insufficient_scope" {
        value.push_str(", scope=\"openid\"");
    }
    let challenge = match scheme {
        Scheme::Bearer => HeaderValue::from_str(&format!("Bearer {value}")).ok(),
        Scheme::Dpop => dpop_challenge(state, Some(&value)),
    };
    refuse(error, challenge.as_slice())
}

/// `DPoP algs="…"` (RFC 9449 §7.1), with `params` before the algorithms; none while DPoP is
/// off.
fn dpop_challenge(state: &AppState, params: Option<&str>) -> Option<HeaderValue> {
    if !state.provider.dpop.enabled {
        return None;
    }
    let algs = SIGNING_ALGS.join(" ");
    let value = match params {
        Some(params) => format!("DPoP {params}, algs=\"{algs}\""),
        None => format!("DPoP algs=\"{algs}\""),
    };
    HeaderValue::from_str(&value).ok()
}

/// The error response with `challenges` as its `WWW-Authenticate` values (the generic 401
/// `Basic` challenge does not apply to a token-protected resource).
fn refuse(error: ApiError, challenges: &[HeaderValue]) -> Response {
    let mut response = error.into_response();
    let headers = response.headers_mut();
    headers.remove(header::WWW_AUTHENTICATE);
    for challenge in challenges {
        headers.append(header::WWW_AUTHENTICATE, challenge.clone());
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
