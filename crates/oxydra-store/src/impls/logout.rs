//! `LogoutStore` for `SqlStore`: logout requests, and the one transaction that ends a login
//! session (`complete_logout`), built like the flow's intents (`impls/flow_intents.rs`): the
//! verifier's conditional redemption comes first, and a miss rolls everything back.

use oxydra_core::flow::logout::{EndedSession, LogoutRequest};
use oxydra_core::flow::{FlowId, VerifierUse};
use oxydra_core::model::ClientId;
use oxydra_core::store::{LogoutStore, StoreError};

use crate::SqlStore;
use crate::db::{Arg, Db};
use crate::impls::flows::id_arg;
use crate::rows::{ClientIdRow, LogoutRequestRow, VerifierUsedRow};
use crate::sql::flows::DELETE_LOGIN_SESSION;
use crate::sql::logout as sql;

async fn get_by(
    db: &Db,
    stmt: &'static crate::db::Stmt,
    key: &FlowId,
) -> Result<Option<LogoutRequest>, StoreError> {
    let row: Option<LogoutRequestRow> = db.fetch_optional(stmt, &[id_arg(key)]).await?;
    row.map(LogoutRequest::try_from).transpose()
}

/// Deletes logout requests whose round trip is over, as `FlowStore::flush_flows` does for
/// login and consent requests (its caller hands on what is left of the batch).
pub(crate) async fn flush(
    db: &Db,
    requested_before: Arg,
    over_before: Arg,
    batch: u64,
) -> Result<u64, StoreError> {
    let batch = Arg::Int(i64::try_from(batch).unwrap_or(i64::MAX));
    db.execute(&sql::FLUSH, &[requested_before, over_before, batch])
        .await
}

impl LogoutStore for SqlStore {
    #[tracing::instrument(name = "store.create_logout_request", level = "debug", skip_all)]
    async fn create_logout_request(&self, r: &LogoutRequest) -> Result<(), StoreError> {
        let args = [
            id_arg(&r.challenge),
            id_arg(&r.verifier),
            Arg::Text(r.subject.clone()),
            Arg::Text(r.session_id.clone()),
            Arg::OptText(r.client_id.as_ref().map(|c| c.as_str().to_owned())),
            Arg::Text(r.request_url.clone()),
            Arg::Bool(r.rp_initiated),
            Arg::Text(r.redirect_to.clone()),
            Arg::Int(r.requested_at.unix_micros()),
            Arg::Bool(r.accepted),
            Arg::Bool(r.verifier_used),
        ];
        self.db.execute(&sql::INSERT, &args).await.map(drop)
    }

    #[tracing::instrument(name = "store.get_logout_request", level = "debug", skip_all)]
    async fn get_logout_request(
        &self,
        challenge: &FlowId,
    ) -> Result<Option<LogoutRequest>, StoreError> {
        get_by(&self.db, &sql::GET, challenge).await
    }

    #[tracing::instrument(
        name = "store.get_logout_request_by_verifier",
        level = "debug",
        skip_all
    )]
    async fn get_logout_request_by_verifier(
        &self,
        verifier: &FlowId,
    ) -> Result<Option<LogoutRequest>, StoreError> {
        get_by(&self.db, &sql::BY_VERIFIER, verifier).await
    }

    #[tracing::instrument(name = "store.accept_logout_request", level = "debug", skip_all)]
    async fn accept_logout_request(&self, challenge: &FlowId) -> Result<LogoutRequest, StoreError> {
        let row: Option<LogoutRequestRow> = self
            .db
            .fetch_optional(&sql::ACCEPT, &[id_arg(challenge)])
            .await?;
        row.ok_or(StoreError::NotFound)
            .and_then(LogoutRequest::try_from)
    }

    #[tracing::instrument(name = "store.reject_logout_request", level = "debug", skip_all)]
    async fn reject_logout_request(&self, challenge: &FlowId) -> Result<bool, StoreError> {
        let deleted = self.db.execute(&sql::REJECT, &[id_arg(challenge)]).await?;
        Ok(deleted > 0)
    }

    #[tracing::instrument(name = "store.complete_logout", level = "debug", skip_all)]
    async fn complete_logout(
        &self,
        verifier: &FlowId,
    ) -> Result<VerifierUse<EndedSession>, StoreError> {
        let args = [id_arg(verifier)];
        let mut tx = self.db.begin().await?;
        let Some(row) = tx
            .fetch_optional::<LogoutRequestRow>(&sql::REDEEM, &args)
            .await?
        else {
            let used: Option<VerifierUsedRow> =
                tx.fetch_optional(&sql::VERIFIER_USED, &args).await?;
            return Ok(match used {
                Some(VerifierUsedRow {
                    verifier_used: true,
                }) => VerifierUse::AlreadyUsed,
                _ => VerifierUse::Unknown,
            });
        };
        let request = LogoutRequest::try_from(row)?;
        let sid = [Arg::Text(request.session_id.clone())];
        let clients: Vec<ClientIdRow> = tx.fetch_all(&sql::SESSION_CLIENTS, &sid).await?;
        tx.execute(&sql::FORGET_SESSION_CONSENTS, &sid).await?;
        tx.execute(&DELETE_LOGIN_SESSION, &sid).await?;
        tx.commit().await?;
        let clients = clients
            .into_iter()
            .filter_map(|row| ClientId::parse(row.client_id).ok())
            .collect();
        Ok(VerifierUse::Fresh(EndedSession { request, clients }))
    }
}
