//! RFC 6749 §4.4: the client credentials grant. The client acts on its own behalf: `sub` is
//! the client id, every requested scope must be allowed by the client, and no refresh token is
//! issued (§4.4.3).

use crate::client::Client;
use crate::config::ScopeStrategy;
use crate::oauth2::scope;
use crate::{OAuthError, OAuthErrorKind};

/// Checks a client-credentials request and returns the scopes to grant (all requested ones,
/// in request order, duplicates removed).
///
/// Public clients cannot use this grant (§4.4: confidential clients only) →
/// `unauthorized_client` (Hydra beta says `invalid_grant`).
/// A scope the client's registered `scope` does not cover → `invalid_scope` (§5.2).
pub fn granted_scope(
    client: &Client,
    requested: &str,
    strategy: ScopeStrategy,
) -> Result<Vec<String>, OAuthError> {
    if client.is_public() {
        return Err(OAuthError::new(OAuthErrorKind::UnauthorizedClient).hint(
            "Public clients (token_endpoint_auth_method 'none') cannot use the client_credentials grant.",
        ));
    }
    let requested = dedup(scope::split(requested));
    let allowed = scope::split(&client.scope);
    scope::all_allowed(strategy, &allowed, &requested).map_err(|denied| {
        OAuthError::new(OAuthErrorKind::InvalidScope).hint(format!(
            "The client is not allowed to request the scope '{denied}'."
        ))
    })?;
    Ok(requested.into_iter().map(str::to_owned).collect())
}

/// Removes repeated scopes, keeping the first occurrence.
pub(crate) fn dedup(scopes: Vec<&str>) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(scopes.len());
    for s in scopes {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::AuthMethod;
    use crate::oauth2::grant::tests_support::client;

    #[test]
    fn grants_every_allowed_requested_scope() {
        let c = client("c", "read write.* admin");
        let granted = granted_scope(&c, "read write.files read", ScopeStrategy::Wildcard).unwrap();
        assert_eq!(granted, vec!["read", "write.files"]);
        assert!(
            granted_scope(&c, "", ScopeStrategy::Wildcard)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn refuses_scopes_the_client_may_not_have() {
        let c = client("c", "read");
        let e = granted_scope(&c, "read delete", ScopeStrategy::Wildcard).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidScope);
        assert!(e.hint.unwrap().contains("delete"));
    }

    #[test]
    fn hierarchical_strategy_is_honoured() {
        let c = client("c", "photos");
        assert!(granted_scope(&c, "photos.read", ScopeStrategy::Wildcard).is_err());
        assert!(granted_scope(&c, "photos.read", ScopeStrategy::Hierarchical).is_ok());
    }

    #[test]
    fn public_clients_are_refused() {
        let mut c = client("c", "read");
        c.token_endpoint_auth_method = AuthMethod::None;
        let e = granted_scope(&c, "read", ScopeStrategy::Wildcard).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::UnauthorizedClient);
    }
}
