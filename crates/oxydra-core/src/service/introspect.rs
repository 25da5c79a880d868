//! `POST /oauth2/introspect` (RFC 7662): whether a token is active, and what it carries.

use crate::config::ScopeStrategy;
use crate::error::Error;
use crate::model::Now;
use crate::oauth2::scope;
use crate::service::access_tokens::AccessTokens;
use crate::store::{KeyStore, TokenStore};
use crate::token::StoredToken;

/// Returns the stored access or refresh token when it is active at `now` and its grant covers
/// every scope in `required_scope` (RFC 7662 §2.1 `scope` extension, as Hydra); `None` for
/// anything else — malformed, forged, unknown, expired, rotated, revoked, a code, or missing a
/// scope — which the endpoint answers with exactly `{"active":false}` (§2.2).
///
/// An opaque token's prefix names its kind, so the HMAC is checked (and the database read)
/// once; a JWT access token is checked against the access-token keys ([`AccessTokens`]).
pub async fn introspect<S: TokenStore + KeyStore>(
    store: &S,
    tokens: &AccessTokens<'_>,
    strategy: ScopeStrategy,
    token: &str,
    required_scope: &str,
    now: Now,
) -> Result<Option<StoredToken>, Error> {
    let Some(row) = tokens.find(store, token, now).await? else {
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
