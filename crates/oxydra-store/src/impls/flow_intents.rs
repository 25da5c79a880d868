//! The flow's intent methods (`FlowStore::login_to_consent`, `FlowStore::consent_to_code`):
//! each step of the login and consent flow that writes more than one row is one transaction.
//!
//! The transaction starts with the verifier's conditional redemption (`UPDATE … WHERE
//! verifier_used = FALSE`). A miss writes nothing more (its transaction commits no change), so
//! only the one fresh redemption writes. On PostgreSQL a concurrent redemption waits for the
//! row lock and, once the winner commits, finds the verifier used; had the winner rolled back,
//! it wins instead. On SQLite `BEGIN IMMEDIATE` serialises the whole step. Any failing write
//! after the redemption undoes it too: the verifier stays unused and no session changes.

use oxydra_core::flow::login::SessionChange;
use oxydra_core::flow::{ConsentRequest, FlowId, LoginRequest, VerifierUse};
use oxydra_core::store::StoreError;
use oxydra_core::token::StoredToken;

use crate::SqlStore;
use crate::db::{AnyRow, Arg, Db, Tx};
use crate::error::is_foreign_key_violation;
use crate::impls::flows::{CONSENT, LOGIN, Table, consent_args, id_arg, session_args};
use crate::impls::tokens::insert_all;
use crate::rows::{ConsentRequestRow, LoginRequestRow, VerifierUsedRow};
use crate::sql::flows as sql;

/// Redeems a verifier of `table` inside `tx`, as `flows::redeem` does on the pool.
pub(super) async fn redeem_in<R, T>(
    tx: &mut Tx<'_>,
    table: &Table,
    verifier: &FlowId,
) -> Result<VerifierUse<T>, StoreError>
where
    R: AnyRow,
    T: TryFrom<R, Error = StoreError>,
{
    let args = [id_arg(verifier)];
    if let Some(row) = tx.fetch_optional::<R>(table.use_verifier, &args).await? {
        return T::try_from(row).map(VerifierUse::Fresh);
    }
    let used: Option<VerifierUsedRow> = tx.fetch_optional(table.verifier_used, &args).await?;
    Ok(match used {
        Some(VerifierUsedRow {
            verifier_used: true,
        }) => VerifierUse::AlreadyUsed,
        _ => VerifierUse::Unknown,
    })
}

/// `FlowStore::login_to_consent`: redeem, change the login session, store the consent request.
pub(crate) async fn login_to_consent(
    db: &Db,
    verifier: &FlowId,
    session: &SessionChange,
    consent: Option<&ConsentRequest>,
) -> Result<VerifierUse<LoginRequest>, StoreError> {
    let consent = consent.map(consent_args).transpose()?;
    let (verifier, session) = (verifier.clone(), session.clone());
    db.transaction(move |tx| {
        Box::pin(async move {
            let used = redeem_in::<LoginRequestRow, _>(tx, &LOGIN, &verifier).await?;
            if matches!(used, VerifierUse::Fresh(_)) {
                change_session(tx, &session).await?;
                if let Some(args) = consent {
                    tx.execute_deferred(&sql::INSERT_CONSENT, &args).await?;
                }
            }
            // A miss changed nothing: committing it is the same as rolling it back.
            Ok(used)
        })
    })
    .await
}

/// Applies a redeemed login's change to the remembered login session inside `tx`.
async fn change_session(tx: &mut Tx<'_>, session: &SessionChange) -> Result<(), StoreError> {
    match session {
        SessionChange::Keep | SessionChange::Forget(None) => Ok(()),
        SessionChange::Remember(session) => {
            tx.execute_deferred(&sql::INSERT_LOGIN_SESSION, &session_args(session))
                .await
        }
        SessionChange::Forget(Some(id)) => {
            tx.execute_deferred(&sql::DELETE_LOGIN_SESSION, &[Arg::Text(id.clone())])
                .await
        }
        SessionChange::Extend { id, expires_at } => {
            let args = [Arg::Text(id.clone()), Arg::Int(expires_at.unix_micros())];
            tx.execute_deferred(&sql::EXTEND_LOGIN_SESSION, &args).await
        }
    }
}

/// `FlowStore::consent_to_code`: redeem, store the authorization response's tokens. A token
/// naming a deleted client is `NotFound` and forgets the cached clients, as
/// `TokenStore::insert_tokens` does.
pub(crate) async fn consent_to_code(
    store: &SqlStore,
    verifier: &FlowId,
    tokens: &[StoredToken],
) -> Result<VerifierUse<ConsentRequest>, StoreError> {
    let (verifier, tokens) = (verifier.clone(), tokens.to_vec());
    let result = store
        .db
        .transaction(move |tx| {
            Box::pin(async move {
                let used = redeem_in::<ConsentRequestRow, _>(tx, &CONSENT, &verifier).await?;
                if matches!(used, VerifierUse::Fresh(_)) {
                    insert_all(tx, &tokens).await?;
                }
                Ok(used)
            })
        })
        .await;
    match result {
        Err(e) if is_foreign_key_violation(&e) => {
            store.client_cache.invalidate();
            Err(StoreError::NotFound)
        }
        other => other,
    }
}
