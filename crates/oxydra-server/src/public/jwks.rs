//! `GET /.well-known/jwks.json` (OIDC Discovery §3 `jwks_uri`, RFC 7517 §5): the public halves
//! of the server's signing keys, so relying parties can verify ID tokens (and JWT access
//! tokens). Private material never leaves through here: only [`public_part`]s are listed.
//!
//! [`public_part`]: oxydra_core::jwk::public_part

use axum::extract::State;
use oxydra_core::jwk::JwkSet;

use crate::error::ApiError;
use crate::state::AppState;

/// Every public key of the well-known signing sets, oldest first, so a token signed before a
/// rotation still verifies.
pub(crate) async fn jwks(State(state): State<AppState>) -> Result<axum::Json<JwkSet>, ApiError> {
    Ok(axum::Json(JwkSet {
        keys: state.published_keys().await?,
    }))
}
