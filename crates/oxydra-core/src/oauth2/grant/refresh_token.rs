//! RFC 6749 §6: the refresh token grant, with rotation (RFC 9700 §4.14.2). The checks on the
//! stored token and the request live here; rotation itself (the old token and its access tokens
//! die, reuse revokes the grant) is the store's `use_token`.

use crate::OAuthError;
use crate::OAuthErrorKind;
use crate::client::Client;
use crate::config::ScopeStrategy;
use crate::oauth2::grant::client_credentials::dedup;
use crate::oauth2::grant::invalid_grant;
use crate::oauth2::scope;
use crate::token::StoredToken;

/// Checks an *active* stored refresh token against the authenticated client and returns the
/// scopes of the new access token.
///
/// - A token of another client is `invalid_grant` (§5.2), not revoked: the presenter is not
///   its owner, so it cannot have been replayed by the owner.
/// - `scope` may narrow the grant (§6: "MUST NOT include any scope not originally granted");
///   an empty `scope` keeps every granted scope. Hydra beta ignores the parameter. A scope
///   outside the grant is `invalid_scope`. The new refresh token always keeps the full grant.
pub fn access_scope(
    token: &StoredToken,
    client: &Client,
    requested: &str,
    strategy: ScopeStrategy,
) -> Result<Vec<String>, OAuthError> {
    if token.client_id != client.id {
        return Err(invalid_grant(
            "The refresh token was issued to another client.",
        ));
    }
    let requested = dedup(scope::split(requested));
    if requested.is_empty() {
        return Ok(token.granted_scope.clone());
    }
    let granted: Vec<&str> = token.granted_scope.iter().map(String::as_str).collect();
    scope::all_allowed(strategy, &granted, &requested).map_err(|denied| {
        OAuthError::new(OAuthErrorKind::InvalidScope).hint(format!(
            "The scope '{denied}' was not granted to this refresh token."
        ))
    })?;
    Ok(requested.into_iter().map(str::to_owned).collect())
}

/// RFC 9449 §5: a public client's refresh token issued with a DPoP proof is bound to that
/// proof's key, and refreshes only with a proof of the same key (`presented`) — a stolen
/// refresh token is useless without the key. A confidential client's refresh tokens are
/// sender-constrained by its authentication already and are not bound.
pub fn check_dpop_binding(
    token: &StoredToken,
    client: &Client,
    presented: Option<&str>,
) -> Result<(), OAuthError> {
    let Some(bound) = token.session.dpop_jkt.as_deref() else {
        return Ok(());
    };
    if !client.is_public() {
        return Ok(());
    }
    match presented {
        Some(jkt) if jkt == bound => Ok(()),
        Some(_) => Err(invalid_grant(
            "The refresh token is bound to another DPoP key than the proof's.",
        )),
        None => Err(invalid_grant(
            "The refresh token is bound to a DPoP key: send a DPoP proof of that key.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::grant::tests_support::{client, stored};
    use crate::token::TokenKind;

    fn token() -> StoredToken {
        let mut t = stored(TokenKind::RefreshToken, "c", None);
        t.granted_scope = vec!["offline".into(), "read".into(), "write".into()];
        t
    }

    #[test]
    fn keeps_or_narrows_the_granted_scope() {
        let c = client("c", "");
        assert_eq!(
            access_scope(&token(), &c, "", ScopeStrategy::Wildcard).unwrap(),
            vec!["offline", "read", "write"]
        );
        assert_eq!(
            access_scope(&token(), &c, "read", ScopeStrategy::Wildcard).unwrap(),
            vec!["read"]
        );
        let e = access_scope(&token(), &c, "read admin", ScopeStrategy::Wildcard).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidScope);
    }

    #[test]
    fn another_clients_token_is_invalid_grant() {
        let e = access_scope(&token(), &client("d", ""), "", ScopeStrategy::Wildcard).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidGrant);
    }

    #[test]
    fn a_public_clients_bound_refresh_token_needs_a_proof_of_its_key() {
        let mut public = client("c", "");
        public.token_endpoint_auth_method = crate::client::AuthMethod::None;
        let mut bound = token();
        bound.session.dpop_jkt = Some("key-a".into());
        check_dpop_binding(&bound, &public, Some("key-a")).unwrap();
        for presented in [None, Some("key-b")] {
            let e = check_dpop_binding(&bound, &public, presented).unwrap_err();
            assert_eq!(e.kind, OAuthErrorKind::InvalidGrant, "{presented:?}");
        }
        // Unbound tokens, and a confidential client's, refresh with or without a proof.
        for presented in [None, Some("key-b")] {
            check_dpop_binding(&token(), &public, presented).unwrap();
            check_dpop_binding(&bound, &client("c", ""), presented).unwrap();
        }
    }
}
