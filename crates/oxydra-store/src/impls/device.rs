//! `DeviceStore` for `SqlStore`: RFC 8628 device grants. The consent step and the redemption
//! are one transaction each; the lookups after a miss only classify the failure.

use oxydra_core::flow::device::{DeviceDecision, DeviceGrant, DeviceState};
use oxydra_core::flow::{ConsentRequest, FlowId, VerifierUse};
use oxydra_core::model::Now;
use oxydra_core::store::{DeviceStore, StoreError};
use oxydra_core::token::{FlushCriteria, StoredToken, TokenSignature, UseOutcome};

use crate::SqlStore;
use crate::args::{json_list, json_text};
use crate::db::{Arg, Db, Stmt, Tx};
use crate::error::is_foreign_key_violation;
use crate::impls::flow_intents::redeem_in;
use crate::impls::flows::CONSENT;
use crate::impls::tokens::{insert_all, revoke_grant};
use crate::rows::{ConsentRequestRow, DeviceGrantRow};
use crate::sql::device as sql;

async fn get(db: &Db, stmt: &'static Stmt, key: &str) -> Result<Option<DeviceGrant>, StoreError> {
    let row: Option<DeviceGrantRow> = db
        .fetch_optional(stmt, &[Arg::Text(key.to_owned())])
        .await?;
    row.map(DeviceGrant::try_from).transpose()
}

fn insert_args(g: &DeviceGrant) -> Result<[Arg; 11], StoreError> {
    Ok([
        Arg::Text(g.signature.as_str().to_owned()),
        Arg::Text(g.user_code_hash.clone()),
        Arg::Text(g.challenge.as_str().to_owned()),
        Arg::Text(g.client_id.as_str().to_owned()),
        json_list(&g.requested_scope)?,
        Arg::Int(g.requested_at.unix_micros()),
        Arg::Int(g.expires_at.unix_micros()),
        Arg::Int(g.interval_secs),
        Arg::OptInt(g.last_polled_at.map(Now::unix_micros)),
        Arg::Text(g.state.name().to_owned()),
        Arg::OptText(
            g.state
                .approval()
                .map(|a| json_text("a device approval", a))
                .transpose()?,
        ),
    ])
}

/// `DeviceStore::redeem_device_grant` inside `tx`: mark the grant used and store `issued`;
/// or, for a grant redeemed already, revoke what the first redemption issued (committed
/// although the caller answers with an error, as for a reused authorization code).
async fn redeem_grant_in(
    tx: &mut Tx<'_>,
    key: &[Arg; 1],
    issued: &[StoredToken],
    now: Now,
) -> Result<UseOutcome, StoreError> {
    // First statement, and a write: whoever marks the grant used owns this redemption.
    let args = [key[0].clone(), Arg::Int(now.unix_micros())];
    if tx.execute(&sql::USE, &args).await? == 1 {
        // An error here rolls back: the grant stays authorized and nothing is stored.
        insert_all(tx, issued).await?;
        return Ok(UseOutcome::Used);
    }
    let row: Option<DeviceGrantRow> = tx.fetch_optional(&sql::GET, key).await?;
    let grant = row.map(DeviceGrant::try_from).transpose()?;
    let Some(DeviceState::Used(approval)) = grant.map(|g| g.state) else {
        return Ok(UseOutcome::Unknown);
    };
    revoke_grant(tx, &approval.request_id).await?;
    Ok(UseOutcome::Replayed)
}

impl DeviceStore for SqlStore {
    #[tracing::instrument(name = "store.create_device_grant", level = "debug", skip_all)]
    async fn create_device_grant(&self, grant: &DeviceGrant) -> Result<(), StoreError> {
        match self.db.execute(&sql::INSERT, &insert_args(grant)?).await {
            Err(e) if is_foreign_key_violation(&e) => {
                self.client_cache.invalidate();
                Err(StoreError::NotFound)
            }
            other => other.map(drop),
        }
    }

    #[tracing::instrument(name = "store.get_device_grant", level = "debug", skip_all)]
    async fn get_device_grant(
        &self,
        signature: &TokenSignature,
    ) -> Result<Option<DeviceGrant>, StoreError> {
        get(&self.db, &sql::GET, signature.as_str()).await
    }

    #[tracing::instrument(
        name = "store.get_device_grant_by_user_code",
        level = "debug",
        skip_all
    )]
    async fn get_device_grant_by_user_code(
        &self,
        user_code_hash: &str,
    ) -> Result<Option<DeviceGrant>, StoreError> {
        get(&self.db, &sql::BY_USER_CODE, user_code_hash).await
    }

    #[tracing::instrument(
        name = "store.get_device_grant_by_challenge",
        level = "debug",
        skip_all
    )]
    async fn get_device_grant_by_challenge(
        &self,
        challenge: &FlowId,
    ) -> Result<Option<DeviceGrant>, StoreError> {
        get(&self.db, &sql::BY_CHALLENGE, challenge.as_str()).await
    }

    #[tracing::instrument(name = "store.record_device_poll", level = "debug", skip_all)]
    async fn record_device_poll(
        &self,
        signature: &TokenSignature,
        polled_at: Now,
        interval_secs: i64,
    ) -> Result<(), StoreError> {
        let args = [
            Arg::Text(signature.as_str().to_owned()),
            Arg::Int(polled_at.unix_micros()),
            Arg::Int(interval_secs),
        ];
        self.db.execute(&sql::RECORD_POLL, &args).await.map(drop)
    }

    #[tracing::instrument(name = "store.consent_to_device", level = "debug", skip_all)]
    async fn consent_to_device(
        &self,
        verifier: &FlowId,
        challenge: &FlowId,
        decision: &DeviceDecision,
        now: Now,
    ) -> Result<VerifierUse<bool>, StoreError> {
        let (stmt, args) = match decision {
            DeviceDecision::Approve(approval) => (
                &sql::APPROVE,
                vec![
                    Arg::Text(challenge.as_str().to_owned()),
                    Arg::Text(json_text("a device approval", approval)?),
                    Arg::Int(now.unix_micros()),
                ],
            ),
            DeviceDecision::Deny => (
                &sql::DENY,
                vec![
                    Arg::Text(challenge.as_str().to_owned()),
                    Arg::Int(now.unix_micros()),
                ],
            ),
        };
        let mut tx = self.db.begin().await?;
        match redeem_in::<ConsentRequestRow, ConsentRequest>(&mut tx, &CONSENT, verifier).await? {
            VerifierUse::Fresh(_) => {}
            VerifierUse::AlreadyUsed => return Ok(VerifierUse::AlreadyUsed),
            VerifierUse::Unknown => return Ok(VerifierUse::Unknown),
        }
        // A grant no longer pending (expired, or decided in another browser): the dropped
        // transaction rolls the redemption back.
        if tx.execute(stmt, &args).await? == 0 {
            return Ok(VerifierUse::Fresh(false));
        }
        tx.commit().await?;
        Ok(VerifierUse::Fresh(true))
    }

    #[tracing::instrument(name = "store.deny_device_grant", level = "debug", skip_all)]
    async fn deny_device_grant(&self, challenge: &FlowId) -> Result<bool, StoreError> {
        // Expiry does not matter for a denial: `i64::MIN` passes every grant's `expires_at`.
        let args = [Arg::Text(challenge.as_str().to_owned()), Arg::Int(i64::MIN)];
        Ok(self.db.execute(&sql::DENY, &args).await? > 0)
    }

    #[tracing::instrument(name = "store.redeem_device_grant", level = "debug", skip_all)]
    async fn redeem_device_grant(
        &self,
        signature: &TokenSignature,
        issued: &[StoredToken],
        now: Now,
    ) -> Result<UseOutcome, StoreError> {
        let key = [Arg::Text(signature.as_str().to_owned())];
        // A second redemption revokes what the first issued (below).
        let _revoking = self.token_cache.revoking();
        let issued = issued.to_vec();
        self.db
            .transaction(move |tx| {
                Box::pin(async move { redeem_grant_in(tx, &key, &issued, now).await })
            })
            .await
    }

    #[tracing::instrument(name = "store.flush_device_grants", level = "debug", skip_all)]
    async fn flush_device_grants(&self, criteria: FlushCriteria) -> Result<u64, StoreError> {
        let args = [
            Arg::Int(criteria.issued_before.unix_micros()),
            Arg::Int(criteria.expired_before.unix_micros()),
            Arg::Int(i64::from(criteria.batch_size)),
        ];
        self.db.execute(&sql::FLUSH, &args).await
    }
}
