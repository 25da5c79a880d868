//! The refresh token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14.2): the presented
//! token dies, its grant's access tokens with it, and a new pair is issued; a reused token
//! revokes the grant. Under a rotation grace window (`token::rotation`) a rotated token
//! presented again by its client soon enough gets the same successor pair back instead.

use crate::client::{Client, IssuingGrant};
use crate::error::Error;
use crate::model::Now;
use crate::oauth2::grant::issue::{GrantedAccess, Issued, issue};
use crate::oauth2::grant::{TokenGrant, invalid_grant, refresh_token, successor_pair};
use crate::service::token::{
    Grants, TokenRequest, expire_refresh_token, finish_use, load, replayed, reuse_error,
    with_id_token,
};
use crate::service::token_hook::{self, TokenHook};
use crate::store::{KeyStore, TokenStore};
use crate::token::{GraceRule, RotateOutcome, StoredToken, Successor, TokenKind};
use crate::{OAuthError, OAuthErrorKind};

/// Runs the grant for `client`; the answer carries an ID token for an `openid` grant.
pub(super) async fn exchange<S: TokenStore + KeyStore, H: TokenHook>(
    store: &S,
    hook: &H,
    grants: &Grants<'_>,
    client: &Client,
    request: TokenRequest<'_>,
    now: Now,
) -> Result<Issued, Error> {
    let token = request
        .refresh_token
        .ok_or_else(|| OAuthError::invalid_request("The refresh_token parameter is missing."))?;
    let row = load(store, grants.minter.opaque, TokenKind::RefreshToken, token).await?;
    let scope =
        refresh_token::access_scope(&row, client, request.scope, grants.settings.scope_strategy)?;
    refresh_token::check_dpop_binding(&row, client, grants.minter.dpop_jkt)?;
    // Hydra 2.x per-client refresh-token lifespans give refresh rows an expiry; a rotated
    // (inactive) row is judged as a replay below instead.
    if row.active && row.expires_at.is_some_and(|at| at <= now) {
        return Err(invalid_grant("The refresh token has expired.").into());
    }
    let window = grants.settings.refresh_token_rotation_grace;
    if window.is_zero() {
        if !row.active {
            return Err(replayed(store, &row).await?);
        }
        let issued = mint(store, hook, grants, client, &row, &scope, now).await?;
        return finish_use(store, &row, issued).await;
    }
    let rule = GraceRule {
        window,
        presenter: client.id.clone(),
        now,
    };
    if !row.active {
        let outcome = store.rotate_refresh(&row.signature, None, &rule).await;
        return answer_again(grants, &row, outcome, now);
    }
    let issued = mint(store, hook, grants, client, &row, &scope, now).await?;
    let sealed = successor_pair::seal(grants.cipher, &row.signature, &issued, now)?;
    let refresh = issued
        .rows
        .iter()
        .find(|r| r.kind == TokenKind::RefreshToken)
        .map(|r| &r.signature)
        .ok_or_else(|| {
            OAuthError::new(OAuthErrorKind::ServerError).debug("rotation minted no refresh token")
        })?;
    let successor = Successor {
        rows: &issued.rows,
        refresh,
        sealed: &sealed,
        rotated_at: now,
    };
    let outcome = store
        .rotate_refresh(&row.signature, Some(successor), &rule)
        .await;
    match outcome {
        Ok(RotateOutcome::Rotated) => Ok(issued),
        other => answer_again(grants, &row, other, now),
    }
}

/// A new access token carrying `scope` and a new refresh token for the grant of `row`, plus
/// an ID token for an `openid` grant (without `nonce`: OIDC Core §12.2), after the token
/// hook (when one is configured) had its say on the claims.
async fn mint<S: KeyStore, H: TokenHook>(
    store: &S,
    hook: &H,
    grants: &Grants<'_>,
    client: &Client,
    row: &StoredToken,
    scope: &[String],
    now: Now,
) -> Result<Issued, Error> {
    let mut grant = GrantedAccess::of(row);
    token_hook::consult(hook, TokenGrant::RefreshToken, &mut grant, scope).await?;
    let issuing = IssuingGrant::RefreshToken;
    let lifespan =
        (client.token_lifespans).access_token(issuing, grants.settings.access_token_lifespan);
    let mut issued = issue(grants.minter, &grant, scope, true, lifespan, now)?;
    expire_refresh_token(
        &mut issued,
        client.token_lifespans.refresh_token(issuing),
        now,
    );
    let oidc = &grants.oidc.for_client(client, issuing);
    with_id_token(store, oidc, client, &grant, issued, false, now).await
}

/// The answer to a presentation that did not rotate `row`: the sealed successor pair when
/// the grace rule allowed it, else the error of a replay or an unknown token.
fn answer_again(
    grants: &Grants<'_>,
    row: &StoredToken,
    outcome: Result<RotateOutcome, crate::store::StoreError>,
    now: Now,
) -> Result<Issued, Error> {
    match outcome.map_err(|e| Error::from_store("token", e))? {
        RotateOutcome::Graced(sealed) => {
            successor_pair::open(grants.cipher, &row.signature, &sealed, now)
        }
        RotateOutcome::Replayed => Err(reuse_error(TokenKind::RefreshToken).into()),
        RotateOutcome::Rotated | RotateOutcome::Unknown => {
            Err(invalid_grant("The token was revoked concurrently.").into())
        }
    }
}
