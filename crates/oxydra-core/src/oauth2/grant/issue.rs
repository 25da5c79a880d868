//! Minting the tokens a grant decided to give (RFC 6749 §5.1): an access token (opaque, or a
//! JWT under `OAUTH2_ACCESS_TOKEN_STRATEGY=jwt`), optionally a refresh token, and the rows that
//! remember them by signature.

use std::time::Duration;

use crate::client::{Client, GrantType};
use crate::error::Error;
use crate::model::{ClientId, Now};
use crate::token::jwt::{self, AccessTokenClaims, JwtSigner};
use crate::token::{RequestId, StoredToken, TokenKeys, TokenKind, TokenSession, TokenSignature};

/// What tokens are minted with: the opaque HMAC keys (refresh tokens and codes always, access
/// tokens by default) and, under the JWT strategy, the access-token signer (loaded by the
/// caller beforehand, so minting stays pure).
#[derive(Debug, Clone, Copy)]
pub struct Minter<'a> {
    /// The opaque-token HMAC keys.
    pub opaque: &'a TokenKeys,
    /// Signs access tokens as RFC 9068 JWTs when set.
    pub jwt: Option<JwtSigner<'a>>,
    /// The thumbprint of the key of the request's DPoP proof (RFC 9449 §5): the tokens minted
    /// are bound to it; `None` mints bearer tokens.
    pub dpop_jkt: Option<&'a str>,
}

impl Minter<'_> {
    /// A new access token for `grant` carrying `scope`, and its row key.
    fn access_token(
        &self,
        grant: &GrantedAccess,
        scope: &[String],
        now: Now,
        expires_at: Now,
    ) -> Result<(String, TokenSignature), Error> {
        match &self.jwt {
            None => self.opaque.generate(TokenKind::AccessToken, now),
            Some(signer) => jwt::mint(
                signer,
                &AccessTokenClaims {
                    subject: &grant.subject,
                    client_id: grant.client_id.as_str(),
                    audience: &grant.granted_audience,
                    scope,
                    extra: &grant.session.access_extra,
                    act: grant.session.act.as_ref(),
                    dpop_jkt: grant.session.dpop_jkt.as_deref(),
                    issued_at: now,
                    expires_at,
                },
            ),
        }
    }
}

/// The access one grant gives (its request id, client, subject, scopes, audiences and
/// session): what every token of the grant shares.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantedAccess {
    /// The grant's request id.
    pub request_id: RequestId,
    /// The client.
    pub client_id: ClientId,
    /// The resource owner (the client id for `client_credentials`).
    pub subject: String,
    /// The whole grant's scopes (a refresh token always carries all of them).
    pub granted_scope: Vec<String>,
    /// Granted audiences.
    pub granted_audience: Vec<String>,
    /// Consent extras, auth time, nonce.
    pub session: TokenSession,
}

impl GrantedAccess {
    /// The grant a stored token belongs to (for refresh rotation).
    pub fn of(token: &StoredToken) -> Self {
        Self {
            request_id: token.request_id.clone(),
            client_id: token.client_id.clone(),
            subject: token.subject.clone(),
            granted_scope: token.granted_scope.clone(),
            granted_audience: token.granted_audience.clone(),
            session: token.session.clone(),
        }
    }

    /// The active row of one token of this grant, issued at `now`, carrying `scope`.
    pub fn row(
        &self,
        kind: TokenKind,
        signature: TokenSignature,
        scope: &[String],
        now: Now,
        expires_at: Option<Now>,
    ) -> StoredToken {
        StoredToken {
            signature,
            kind,
            request_id: self.request_id.clone(),
            client_id: self.client_id.clone(),
            subject: self.subject.clone(),
            granted_scope: scope.to_vec(),
            granted_audience: self.granted_audience.clone(),
            issued_at: now,
            expires_at,
            active: true,
            session: self.session.clone(),
        }
    }
}

/// The tokens to hand out, and the rows to store for them.
#[derive(Debug)]
pub struct Issued {
    /// The access token (a credential: never log it).
    pub access_token: String,
    /// The refresh token, when the grant includes one.
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The access token's scopes, space-separated.
    pub scope: String,
    /// The ID token, for OpenID Connect grants (set by the caller, which holds the keys).
    pub id_token: Option<String>,
    /// The rows to store (access first, then refresh).
    pub rows: Vec<StoredToken>,
}

/// Whether a grant gets a refresh token: `offline` or `offline_access` was granted (Hydra,
/// OIDC Core §11) and the client is registered for the `refresh_token` grant.
pub fn wants_refresh_token(client: &Client, granted_scope: &[String]) -> bool {
    client.allows_grant(GrantType::RefreshToken)
        && granted_scope
            .iter()
            .any(|s| s == "offline" || s == "offline_access")
}

/// Mints an access token (scopes `access_scope`, expiring after `lifespan`) in the minter's
/// format and, when `with_refresh`, an opaque refresh token carrying the whole grant. Nothing
/// is stored here.
pub fn issue(
    minter: &Minter<'_>,
    grant: &GrantedAccess,
    access_scope: &[String],
    with_refresh: bool,
    lifespan: Duration,
    now: Now,
) -> Result<Issued, Error> {
    // Every token of this request is bound to the request's proof key, or to none: a binding
    // is never carried over from the code or refresh token the grant started from.
    let rebound;
    let grant = if grant.session.dpop_jkt.as_deref() == minter.dpop_jkt {
        grant
    } else {
        rebound = GrantedAccess {
            session: TokenSession {
                dpop_jkt: minter.dpop_jkt.map(str::to_owned),
                ..grant.session.clone()
            },
            ..grant.clone()
        };
        &rebound
    };
    let row = |kind, signature, scope: &[String], expires_at| {
        grant.row(kind, signature, scope, now, expires_at)
    };
    let expires_at = now.plus(lifespan);
    let (access_token, access_sig) = minter.access_token(grant, access_scope, now, expires_at)?;
    let mut rows = vec![row(
        TokenKind::AccessToken,
        access_sig,
        access_scope,
        Some(expires_at),
    )];
    let refresh_token = if with_refresh {
        let (token, sig) = minter.opaque.generate(TokenKind::RefreshToken, now)?;
        rows.push(row(
            TokenKind::RefreshToken,
            sig,
            &grant.granted_scope,
            None,
        ));
        Some(token)
    } else {
        None
    };
    Ok(Issued {
        access_token,
        refresh_token,
        expires_in: expires_at.unix_secs() - now.unix_secs(),
        scope: access_scope.join(" "),
        id_token: None,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::oauth2::grant::tests_support::client;

    fn template() -> GrantedAccess {
        GrantedAccess {
            request_id: RequestId::from_stored("req"),
            client_id: ClientId::parse("c").unwrap(),
            subject: "alice".into(),
            granted_scope: vec!["offline".into(), "read".into()],
            granted_audience: vec![],
            session: TokenSession::default(),
        }
    }

    #[test]
    fn issues_verifiable_tokens_whose_rows_share_the_request() {
        let keys = TokenKeys::new(&[Secret::new(b"0123456789abcdef0123".to_vec())]).unwrap();
        let now = Now::from_unix_secs(1_000);
        let minter = Minter {
            opaque: &keys,
            dpop_jkt: None,
            jwt: None,
        };
        let issued = issue(
            &minter,
            &template(),
            &["read".into()],
            true,
            Duration::from_secs(60),
            now,
        )
        .unwrap();
        assert_eq!(issued.expires_in, 60);
        assert_eq!(issued.scope, "read");
        let [access, refresh] = issued.rows.as_slice() else {
            panic!("two rows expected")
        };
        assert_eq!(
            keys.verify(TokenKind::AccessToken, &issued.access_token)
                .unwrap(),
            access.signature
        );
        let rt = issued.refresh_token.unwrap();
        assert_eq!(
            keys.verify(TokenKind::RefreshToken, &rt).unwrap(),
            refresh.signature
        );
        assert_eq!(access.expires_at, Some(Now::from_unix_secs(1_060)));
        assert_eq!(refresh.expires_at, None);
        assert_eq!(refresh.granted_scope, vec!["offline", "read"]);
        assert_eq!(access.request_id, refresh.request_id);
    }

    #[test]
    fn the_jwt_strategy_signs_access_tokens_and_keeps_refresh_tokens_opaque() {
        use crate::jwk::verify_compact;
        let keys = TokenKeys::new(&[Secret::new(b"0123456789abcdef0123".to_vec())]).unwrap();
        let (key, verifiers) = crate::token::jwt::tests::keys();
        let minter = Minter {
            opaque: &keys,
            dpop_jkt: None,
            jwt: Some(JwtSigner {
                key: &key,
                kid: "public:k",
                issuer: "https://issuer.example/",
            }),
        };
        let mut grant = template();
        grant.session.access_extra = serde_json::from_str(r#"{"team":"blue"}"#).unwrap();
        let now = Now::from_unix_secs(1_000);
        let scope = vec!["read".to_owned()];
        let issued = issue(&minter, &grant, &scope, true, Duration::from_secs(60), now).unwrap();
        let [access, refresh] = issued.rows.as_slice() else {
            panic!("two rows expected")
        };
        assert_eq!(
            jwt::verify(&issued.access_token, &verifiers).unwrap(),
            access.signature
        );
        let claims = verify_compact(&issued.access_token, &verifiers)
            .unwrap()
            .claims;
        assert_eq!(claims["exp"], 1_060);
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["client_id"], "c");
        assert_eq!(claims["scope"], "read");
        assert_eq!(claims["team"], "blue");
        assert_eq!(access.expires_at, Some(Now::from_unix_secs(1_060)));
        let rt = issued.refresh_token.unwrap();
        assert_eq!(
            keys.verify(TokenKind::RefreshToken, &rt).unwrap(),
            refresh.signature
        );
    }

    #[test]
    fn tokens_are_bound_to_the_requests_dpop_key_only() {
        use crate::jwk::verify_compact;
        let keys = TokenKeys::new(&[Secret::new(b"0123456789abcdef0123".to_vec())]).unwrap();
        let (key, verifiers) = crate::token::jwt::tests::keys();
        let signer = JwtSigner {
            key: &key,
            kid: "public:k",
            issuer: "https://issuer.example/",
        };
        let bound = Minter {
            opaque: &keys,
            jwt: Some(signer),
            dpop_jkt: Some("jkt-1"),
        };
        let mut grant = template();
        // A consent cannot bind the token to a key of its choosing.
        grant.session.access_extra = serde_json::from_str(r#"{"cnf":{"jkt":"attacker"}}"#).unwrap();
        let now = Now::from_unix_secs(1_000);
        let scope = vec!["read".to_owned()];
        let issued = issue(&bound, &grant, &scope, true, Duration::from_secs(60), now).unwrap();
        assert!(
            issued
                .rows
                .iter()
                .all(|r| r.session.dpop_jkt.as_deref() == Some("jkt-1"))
        );
        let claims = verify_compact(&issued.access_token, &verifiers)
            .unwrap()
            .claims;
        assert_eq!(claims["cnf"], serde_json::json!({"jkt": "jkt-1"}));

        // A grant that started bound (a refresh token's row) is not bound without a proof now.
        let unbound = Minter {
            dpop_jkt: None,
            ..bound
        };
        grant.session.dpop_jkt = Some("jkt-1".into());
        let issued = issue(&unbound, &grant, &scope, true, Duration::from_secs(60), now).unwrap();
        assert!(issued.rows.iter().all(|r| r.session.dpop_jkt.is_none()));
        let claims = verify_compact(&issued.access_token, &verifiers)
            .unwrap()
            .claims;
        assert!(claims.get("cnf").is_none());
    }

    #[test]
    fn refresh_tokens_need_offline_and_the_client_grant() {
        let mut c = client("c", "");
        let offline = vec!["offline_access".to_owned()];
        assert!(wants_refresh_token(&c, &offline));
        assert!(!wants_refresh_token(&c, &["read".to_owned()]));
        c.grant_types = vec![GrantType::AuthorizationCode];
        assert!(!wants_refresh_token(&c, &offline));
    }
}
