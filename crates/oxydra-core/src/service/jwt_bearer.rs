//! The JWT-bearer grant at the token endpoint (RFC 7523 §2.1): loads the trust relationships
//! the assertion's unverified `iss` and `sub` name, verifies it under one of them
//! ([`crate::oauth2::jwt_bearer`]), checks the scopes against the trust and the client,
//! records the `jti` (replay protection) and issues an access token for the assertion's
//! subject. No refresh token and no ID token: as in Hydra, the grant has no user session.

use aws_lc_rs::digest;

use crate::client::{Client, IssuingGrant};
use crate::error::Error;
use crate::model::{ClientId, Now};
use crate::oauth2::grant::TokenGrant;
use crate::oauth2::grant::client_credentials::dedup;
use crate::oauth2::grant::issue::{GrantedAccess, Issued};
use crate::oauth2::jwt_bearer::{self, AssertionRules};
use crate::oauth2::scope;
use crate::service::token::{Grants, TokenRequest, issue_access_only};
use crate::service::token_hook::TokenHook;
use crate::store::{TokenStore, TrustStore};
use crate::token::{RequestId, TokenSession};
use crate::{OAuthError, OAuthErrorKind};

/// The `client_id` under which assertion `jti`s are remembered in the shared replay table
/// (beside client-assertion and request-object `jti`s, as Hydra keeps one blacklist). The
/// `jti` column holds a hash of the issuer and the `jti`, so no client's own records collide.
pub const JTI_NAMESPACE: &str = crate::client::JWT_BEARER_GRANT;

/// RFC 7523 §2.1 and §3 for `client`, which authenticated already.
pub(super) async fn exchange<S: TokenStore + TrustStore, H: TokenHook>(
    store: &S,
    hook: &H,
    grants: &Grants<'_>,
    rules: &AssertionRules,
    client: &Client,
    request: TokenRequest<'_>,
    now: Now,
) -> Result<Issued, Error> {
    if client.is_public() {
        return Err(OAuthError::new(OAuthErrorKind::UnauthorizedClient)
            .hint("The jwt-bearer grant requires client authentication; public clients (token_endpoint_auth_method 'none') cannot use it.")
            .into());
    }
    let assertion = request
        .assertion
        .ok_or_else(|| OAuthError::invalid_request("The assertion parameter is missing."))?;
    let claimed = jwt_bearer::claimed(assertion)?;
    let trusts = store
        .trusts_for(&claimed.issuer, &claimed.subject)
        .await
        .map_err(|e| Error::from_store("trust relationship", e))?;
    let verified = jwt_bearer::verify(assertion, &claimed, &trusts, rules, now)?;
    let granted = granted_scope(
        client,
        &verified.trust.scope,
        request.scope,
        grants.settings.scope_strategy,
    )?;
    if let Some(jti) = &verified.jti {
        remember_jti(store, &verified.trust.issuer, jti, verified.expires_at, now).await?;
    }
    let grant = GrantedAccess {
        request_id: RequestId::generate(),
        client_id: client.id.clone(),
        subject: verified.subject,
        granted_scope: granted.clone(),
        granted_audience: Vec::new(),
        session: TokenSession {
            requested_scope: granted.clone(),
            ..TokenSession::default()
        },
    };
    let lifespan = client.token_lifespans.access_token(
        IssuingGrant::JwtBearer,
        grants.settings.access_token_lifespan,
    );
    issue_access_only(
        store,
        hook,
        grants,
        TokenGrant::JwtBearer,
        grant,
        lifespan,
        now,
    )
    .await
}

/// The requested scopes (duplicates removed), each allowed by the trust relationship and by
/// the client (`invalid_scope` otherwise, RFC 6749 §5.2).
fn granted_scope(
    client: &Client,
    trusted: &[String],
    requested: &str,
    strategy: crate::config::ScopeStrategy,
) -> Result<Vec<String>, OAuthError> {
    let requested = dedup(scope::split(requested));
    let trusted: Vec<&str> = trusted.iter().map(String::as_str).collect();
    scope::all_allowed(strategy, &trusted, &requested).map_err(|denied| {
        OAuthError::new(OAuthErrorKind::InvalidScope).hint(format!(
            "The trust relationship of the assertion's issuer does not allow the scope '{denied}'."
        ))
    })?;
    let allowed = scope::split(&client.scope);
    scope::all_allowed(strategy, &allowed, &requested).map_err(|denied| {
        OAuthError::new(OAuthErrorKind::InvalidScope).hint(format!(
            "The client is not allowed to request the scope '{denied}'."
        ))
    })?;
    Ok(requested.into_iter().map(str::to_owned).collect())
}

/// Records the assertion's `jti` until it expires; a second use is `invalid_grant`
/// (RFC 7523 §3 item 7).
async fn remember_jti<S: TokenStore>(
    store: &S,
    issuer: &str,
    jti: &str,
    expires_at: Now,
    now: Now,
) -> Result<(), Error> {
    let namespace = ClientId::parse(JTI_NAMESPACE)
        .map_err(|e| OAuthError::new(OAuthErrorKind::ServerError).debug(e))?;
    let fresh = store
        .claim_jti(&namespace, &jti_key(issuer, jti), expires_at, now)
        .await
        .map_err(|e| Error::from_store("assertion", e))?;
    if fresh {
        Ok(())
    } else {
        Err(OAuthError::new(OAuthErrorKind::InvalidGrant)
            .hint("The assertion's jti has been used already.")
            .into())
    }
}

/// `jwt-bearer:` and the hash of the issuer and the `jti` (see [`hashed_jti_key`]).
fn jti_key(issuer: &str, jti: &str) -> String {
    hashed_jti_key("jwt-bearer:", issuer, jti)
}

/// `prefix` and the lowercase hex SHA-256 of `owner`, a NUL and the `jti`: a replay-table key
/// of fixed length whatever `owner` and `jti`, unique per owner.
pub(super) fn hashed_jti_key(prefix: &str, owner: &str, jti: &str) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(owner.as_bytes());
    ctx.update(&[0]);
    ctx.update(jti.as_bytes());
    let mut key = String::with_capacity(prefix.len() + 64);
    key.push_str(prefix);
    for b in ctx.finish().as_ref() {
        key.push_str(&format!("{b:02x}"));
    }
    key
}
