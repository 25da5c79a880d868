//! RFC 6749 §4.1.3: redeeming an authorization code. The checks that need only the stored code
//! and the request live here; single use (and revoking the grant on reuse, §4.1.2) is the
//! store's `use_token`, which the service calls after these pass.

use crate::OAuthError;
use crate::client::Client;
use crate::model::Now;
use crate::oauth2::grant::invalid_grant;
use crate::oauth2::pkce;
use crate::token::StoredToken;

/// What the token request sent with the code.
#[derive(Debug, Clone, Copy, Default)]
pub struct CodeRedemption<'a> {
    /// `redirect_uri`, required when the authorization request carried one (§4.1.3).
    pub redirect_uri: Option<&'a str>,
    /// `code_verifier` (RFC 7636 §4.5).
    pub code_verifier: Option<&'a str>,
}

/// Checks an *active* stored code against the authenticated client and the request.
///
/// Every failure is `invalid_grant` (§5.2: "issued to another client", "expired",
/// "does not match the redirection URI"), stricter than Hydra beta's `invalid_request`:
/// - the code belongs to another client;
/// - it has expired at `now`;
/// - the authorization request sent a `redirect_uri` and this one differs (exact match);
/// - PKCE (RFC 7636 §4.6): a stored challenge needs a matching verifier; a verifier without a
///   stored challenge is refused, as is a public client's code without a challenge.
pub fn check(
    code: &StoredToken,
    client: &Client,
    request: CodeRedemption<'_>,
    now: Now,
) -> Result<(), OAuthError> {
    if code.client_id != client.id {
        return Err(invalid_grant(
            "The authorization code was issued to another client.",
        ));
    }
    if code.is_expired(now) {
        return Err(invalid_grant("The authorization code has expired."));
    }
    if let Some(expected) = code.session.redirect_uri.as_deref()
        && request.redirect_uri != Some(expected)
    {
        return Err(invalid_grant(
            "The redirect_uri does not match the one sent in the authorization request.",
        ));
    }
    match (
        code.session.code_challenge.as_deref(),
        request.code_verifier,
    ) {
        (Some(challenge), Some(verifier)) => pkce::verify(challenge, verifier),
        (Some(_), None) => Err(invalid_grant(
            "The code_verifier is missing: the authorization request used PKCE.",
        )),
        (None, Some(_)) => Err(invalid_grant(
            "A code_verifier was sent but the authorization request had no code_challenge.",
        )),
        (None, None) if client.is_public() => Err(invalid_grant(
            "Public clients must use PKCE (RFC 7636) with the S256 method.",
        )),
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OAuthErrorKind;
    use crate::client::AuthMethod;
    use crate::oauth2::grant::tests_support::{client, stored};
    use crate::token::TokenKind;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn code() -> StoredToken {
        let mut t = stored(TokenKind::AuthorizeCode, "c", Some(1_000));
        t.session.redirect_uri = Some("https://app.example/cb".into());
        t
    }

    fn req<'a>(redirect: Option<&'a str>, verifier: Option<&'a str>) -> CodeRedemption<'a> {
        CodeRedemption {
            redirect_uri: redirect,
            code_verifier: verifier,
        }
    }

    fn kind(r: Result<(), OAuthError>) -> OAuthErrorKind {
        r.unwrap_err().kind
    }

    #[test]
    fn a_matching_request_passes() {
        let now = Now::from_unix_secs(999);
        check(
            &code(),
            &client("c", ""),
            req(Some("https://app.example/cb"), None),
            now,
        )
        .unwrap();
    }

    #[test]
    fn another_clients_code_expiry_and_redirect_mismatch_are_invalid_grant() {
        let now = Now::from_unix_secs(999);
        let cb = Some("https://app.example/cb");
        assert_eq!(
            kind(check(&code(), &client("other", ""), req(cb, None), now)),
            OAuthErrorKind::InvalidGrant
        );
        assert_eq!(
            kind(check(
                &code(),
                &client("c", ""),
                req(cb, None),
                Now::from_unix_secs(1_000)
            )),
            OAuthErrorKind::InvalidGrant
        );
        for wrong in [
            None,
            Some("https://app.example/cb/"),
            Some("https://evil.example/cb"),
        ] {
            assert_eq!(
                kind(check(&code(), &client("c", ""), req(wrong, None), now)),
                OAuthErrorKind::InvalidGrant
            );
        }
    }

    #[test]
    fn pkce_is_verified_and_required_where_it_applies() {
        let now = Now::from_unix_secs(999);
        let cb = Some("https://app.example/cb");
        let mut with_pkce = code();
        with_pkce.session.code_challenge = Some(CHALLENGE.into());
        let c = client("c", "");
        check(&with_pkce, &c, req(cb, Some(VERIFIER)), now).unwrap();
        let wrong = "a".repeat(43);
        assert_eq!(
            kind(check(&with_pkce, &c, req(cb, Some(&wrong)), now)),
            OAuthErrorKind::InvalidGrant
        );
        assert_eq!(
            kind(check(&with_pkce, &c, req(cb, None), now)),
            OAuthErrorKind::InvalidGrant
        );
        assert_eq!(
            kind(check(&code(), &c, req(cb, Some(VERIFIER)), now)),
            OAuthErrorKind::InvalidGrant
        );

        let mut public = client("c", "");
        public.token_endpoint_auth_method = AuthMethod::None;
        assert_eq!(
            kind(check(&code(), &public, req(cb, None), now)),
            OAuthErrorKind::InvalidGrant
        );
        check(&with_pkce, &public, req(cb, Some(VERIFIER)), now).unwrap();
    }
}
