//! DPoP at the HTTP edge (RFC 9449): reading the `DPoP` header, the endpoint URLs proofs must
//! name, and the `DPoP-Nonce` response header.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;
use oxydra_core::oauth2::dpop::{self, Proof};
use oxydra_core::service::dpop::ProofRequest;
use url::Url;

use crate::error::ApiError;
use crate::state::AppState;

/// The request header carrying a proof (RFC 9449 §4.1).
pub(crate) const DPOP: HeaderName = HeaderName::from_static("dpop");

/// The response header carrying a server nonce (RFC 9449 §8.1).
pub(crate) const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// The public URLs of the endpoints that read proofs, parsed once: what `htu` must name.
#[derive(Debug, Clone)]
pub struct DpopTargets {
    /// The token endpoint.
    pub token: Url,
    /// The UserInfo endpoint (the configured one, which may be a proxy's).
    pub userinfo: Url,
}

/// The request's one `DPoP` header, if any (RFC 9449 §4.3 item 1: more than one is refused).
pub(crate) fn proof_header(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(DPOP).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::new(dpop::invalid(
            "The request has more than one DPoP header.",
        )));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| ApiError::new(dpop::invalid("The DPoP header is not ASCII.")))
}

/// Accepts the request's proof for the endpoint at `uri`: `None` when it sent none, or when
/// DPoP is turned off (the header is then ignored, as by a server that does not know DPoP).
pub(crate) async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    uri: &Url,
    access_token: Option<&str>,
) -> Result<Option<Proof>, ApiError> {
    if !state.provider.dpop.enabled {
        return Ok(None);
    }
    let Some(proof) = proof_header(headers)? else {
        return Ok(None);
    };
    let request = ProofRequest {
        method,
        uri,
        access_token,
    };
    let now = state.now();
    let proof = state
        .provider
        .accept_dpop_proof(&state.store, proof, request, now)
        .await?;
    Ok(Some(proof))
}

/// Adds the current `DPoP-Nonce` to a response to a request that sent a proof, when nonces
/// are required: the client's next proof must carry it.
pub(crate) fn with_nonce(state: &AppState, sent_proof: bool, mut response: Response) -> Response {
    if sent_proof
        && let Some(nonce) = state.provider.dpop_nonce(state.now())
        && let Ok(value) = HeaderValue::from_str(&nonce)
    {
        response.headers_mut().insert(DPOP_NONCE, value);
    }
    response
}
