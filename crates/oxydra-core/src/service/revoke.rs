//! `POST /oauth2/revoke` (RFC 7009) and flushing expired tokens (`POST /oauth2/flush`).

use crate::client::Client;
use crate::error::Error;
use crate::model::Now;
use crate::service::authorize::ROUND_TRIP;
use crate::store::{FlowStore, LegacyConsentStore, TokenStore};
use crate::token::{FlushCriteria, TokenKeys, TokenKind};

/// Revokes the grant of an access or refresh token presented by its own client: every access
/// and refresh token of that grant dies (RFC 7009 §2.1 "SHOULD also invalidate").
///
/// Invalid, unknown and already revoked tokens, authorization codes and tokens of another
/// client change nothing and are not errors (§2.2: the client learns nothing about tokens it
/// does not own). Returns whether a grant was revoked.
pub async fn revoke<S: TokenStore>(
    store: &S,
    keys: &TokenKeys,
    client: &Client,
    token: &str,
) -> Result<bool, Error> {
    let kind = match TokenKind::detect(token) {
        Some(kind @ (TokenKind::AccessToken | TokenKind::RefreshToken)) => kind,
        _ => return Ok(false),
    };
    let Ok(signature) = keys.verify(kind, token) else {
        return Ok(false);
    };
    let row = store
        .get_token(kind, &signature)
        .await
        .map_err(|e| Error::from_store("token", e))?;
    match row {
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

/// Rows deleted per flush statement: small enough that no statement holds locks for long.
pub const FLUSH_BATCH_SIZE: u32 = 1_000;

/// Deletes access tokens and authorization codes that expired before `now` and were issued
/// before `not_after`, and finished login/consent flows (round trip over, not a remembered
/// consent) and expired 0.10 consent requests, in batches of [`FLUSH_BATCH_SIZE`], so a table
/// of millions is flushed by many short statements rather than one long lock. Refresh tokens
/// live until revoked and are not flushed. Returns how many rows were deleted.
pub async fn flush<S: TokenStore + FlowStore + LegacyConsentStore>(
    store: &S,
    not_after: Now,
    now: Now,
) -> Result<u64, Error> {
    let criteria = FlushCriteria {
        issued_before: not_after,
        expired_before: now,
        batch_size: FLUSH_BATCH_SIZE,
    };
    let mut total = 0;
    for kind in [TokenKind::AccessToken, TokenKind::AuthorizeCode] {
        loop {
            let deleted = store
                .flush_tokens(kind, criteria)
                .await
                .map_err(|e| Error::from_store("token", e))?;
            total += deleted;
            if deleted < u64::from(FLUSH_BATCH_SIZE) {
                break;
            }
        }
    }
    loop {
        let deleted = store
            .flush_flows(criteria, ROUND_TRIP)
            .await
            .map_err(|e| Error::from_store("flow", e))?;
        total += deleted;
        if deleted < u64::from(FLUSH_BATCH_SIZE) {
            break;
        }
    }
    loop {
        let deleted = store
            .flush_legacy_consents(criteria)
            .await
            .map_err(|e| Error::from_store("consent request", e))?;
        total += deleted;
        if deleted < u64::from(FLUSH_BATCH_SIZE) {
            break;
        }
    }
    Ok(total)
}
