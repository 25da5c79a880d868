//! `POST /oauth2/introspect` (RFC 7662): whether a token is active, and what it carries.

use crate::config::ScopeStrategy;
use crate::error::Error;
use crate::model::Now;
use crate::oauth2::scope;
use crate::store::TokenStore;
use crate::token::{StoredToken, TokenKeys, TokenKind};

/// Returns the stored access or refresh token when it is active at `now` and its grant covers
/// every scope in `required_scope` (RFC 7662 §2.1 `scope` extension, as Hydra); `None` for
/// anything else — malformed, forged, unknown, expired, rotated, revoked, a code, or missing a
/// scope — which the endpoint answers with exactly `{"active":false}` (§2.2).
///
/// A token's prefix names its kind, so the HMAC is checked (and the database read) once.
pub async fn introspect<S: TokenStore>(
    store: &S,
    keys: &TokenKeys,
    strategy: ScopeStrategy,
    token: &str,
    required_scope: &str,
    now: Now,
) -> Result<Option<StoredToken>, Error> {
    let kind = match TokenKind::detect(token) {
        Some(kind @ (TokenKind::AccessToken | TokenKind::RefreshToken)) => kind,
        _ => return Ok(None),
    };
    let Ok(signature) = keys.verify(kind, token) else {
        return Ok(None);
    };
    let Some(row) = store
        .get_token(kind, &signature)
        .await
        .map_err(|e| Error::from_store("token", e))?
    else {
        return Ok(None);
    };
    if !row.is_usable(now) {
        return Ok(None);
    }
    let granted: Vec<&str> = row.granted_scope.iter().map(String::as_str).collect();
    if scope::all_allowed(strategy, &granted, &scope::split(required_scope)).is_err() {
        return Ok(None);
    }
    Ok(Some(row))
}
