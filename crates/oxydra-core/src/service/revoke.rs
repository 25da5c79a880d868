//! `POST /oauth2/revoke` (RFC 7009) and flushing expired tokens (`POST /oauth2/flush`).

use crate::client::Client;
use crate::error::Error;
use crate::model::Now;
use crate::service::access_tokens::AccessTokens;
use crate::service::authorize::ROUND_TRIP;
use crate::store::{
    DeviceStore, FlowStore, KeyStore, LegacyConsentStore, PushedRequestStore, TokenStore,
};
use crate::token::{FlushCriteria, TokenKind};

/// Revokes the grant of an access or refresh token presented by its own client: every access
/// and refresh token of that grant dies (RFC 7009 §2.1 "SHOULD also invalidate").
///
/// Invalid, unknown and already revoked tokens, authorization codes and tokens of another
/// client change nothing and are not errors (§2.2: the client learns nothing about tokens it
/// does not own). Returns whether a grant was revoked.
pub async fn revoke<S: TokenStore + KeyStore>(
    store: &S,
    tokens: &AccessTokens<'_>,
    client: &Client,
    token: &str,
    now: Now,
) -> Result<bool, Error> {
    match tokens.find(store, token, now).await? {
        Some(row) if row.client_id == client.id => {
            store
                .revoke_request(&row.request_id)
                .await
                .map_err(|e| Error::from_store("token", e))?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

pub use crate::token::FLUSH_BATCH_SIZE;

/// Deletes access tokens and authorization codes that expired before `now` and were issued
/// before `not_after`, finished login/consent flows (round trip over, not a remembered
/// consent), expired 0.10 consent requests, device grants (RFC 8628) and pushed authorization
/// requests (RFC 9126), and expired login sessions (authenticated before `not_after`), and
/// `jti` records of assertions that expired before `now` (RFC 7523 replay protection), in
/// batches of the store's [`TokenStore::flush_batch_size`], so a table of millions is flushed
/// by many short statements rather than one long lock. Refresh tokens live until revoked and
/// are not flushed. Returns how many rows were deleted.
pub async fn flush<S>(store: &S, not_after: Now, now: Now) -> Result<u64, Error>
where
    S: TokenStore + FlowStore + LegacyConsentStore + DeviceStore + PushedRequestStore,
{
    let batch_size = store.flush_batch_size();
    let criteria = FlushCriteria {
        issued_before: not_after,
        expired_before: now,
        batch_size,
    };
    let mut total = 0;
    for kind in [TokenKind::AccessToken, TokenKind::AuthorizeCode] {
        total += drain("token", batch_size, || store.flush_tokens(kind, criteria)).await?;
    }
    total += drain("flow", batch_size, || {
        store.flush_flows(criteria, ROUND_TRIP)
    })
    .await?;
    total += drain("consent request", batch_size, || {
        store.flush_legacy_consents(criteria)
    })
    .await?;
    total += drain("device grant", batch_size, || {
        store.flush_device_grants(criteria)
    })
    .await?;
    total += drain("pushed request", batch_size, || {
        store.flush_pushed_requests(criteria)
    })
    .await?;
    total += drain("login session", batch_size, || {
        store.flush_login_sessions(criteria)
    })
    .await?;
    total += drain("jti", batch_size, || store.flush_jtis(criteria)).await?;
    Ok(total)
}

/// Runs `batch` until it deletes fewer than a full batch; returns the rows deleted.
async fn drain<F, Fut>(what: &'static str, batch_size: u32, mut batch: F) -> Result<u64, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, crate::store::StoreError>>,
{
    let mut total = 0;
    loop {
        let deleted = batch().await.map_err(|e| Error::from_store(what, e))?;
        total += deleted;
        if deleted < u64::from(batch_size) {
            return Ok(total);
        }
    }
}

/// Hydra 2.x `DELETE /admin/oauth2/tokens?client_id=`: revokes every access and refresh token
/// issued to `client` (and its unredeemed codes); returns how many tokens were deleted. An
/// unknown client is `NotFound`, so a mistyped id is not a silent success.
pub async fn revoke_client_tokens<S: TokenStore + crate::store::ClientStore>(
    store: &S,
    client: &crate::model::ClientId,
) -> Result<u64, Error> {
    crate::service::clients::get(store, client).await?;
    store
        .revoke_client_tokens(client)
        .await
        .map_err(|e| Error::from_store("token", e))
}
