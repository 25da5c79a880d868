//! `LegacyConsentStore` for `SqlStore`: the 0.10 consent requests. Answering and redeeming are
//! one conditional statement each; the lookup after a miss only classifies the failure.

use oxydra_core::flow::legacy::{LegacyConsentRequest, LegacyConsentUse, LegacyOutcome};
use oxydra_core::model::Now;
use oxydra_core::store::{LegacyConsentStore, StoreError};
use oxydra_core::token::FlushCriteria;

use crate::SqlStore;
use crate::args::{json_list, json_text};
use crate::db::{Arg, Db};
use crate::rows::LegacyConsentRow;
use crate::sql::legacy_consent as sql;

fn outcome_arg(outcome: Option<&LegacyOutcome>) -> Result<Arg, StoreError> {
    outcome
        .map(|o| json_text("a legacy consent outcome", o))
        .transpose()
        .map(Arg::OptText)
}

async fn get(db: &Db, id: &str) -> Result<Option<LegacyConsentRequest>, StoreError> {
    let row: Option<LegacyConsentRow> = db
        .fetch_optional(&sql::GET, &[Arg::Text(id.to_owned())])
        .await?;
    row.map(LegacyConsentRequest::try_from).transpose()
}

impl LegacyConsentStore for SqlStore {
    #[tracing::instrument(name = "store.create_legacy_consent", level = "debug", skip_all)]
    async fn create_legacy_consent(&self, r: &LegacyConsentRequest) -> Result<(), StoreError> {
        let args = [
            Arg::Text(r.id.clone()),
            Arg::Text(r.csrf.as_str().to_owned()),
            Arg::Text(r.client_id.as_str().to_owned()),
            json_list(&r.requested_scope)?,
            Arg::Text(r.redirect_url.clone()),
            Arg::Int(r.requested_at.unix_micros()),
            Arg::Int(r.expires_at.unix_micros()),
            outcome_arg(r.outcome.as_ref())?,
            Arg::OptInt(r.handled_at.map(Now::unix_micros)),
            Arg::Bool(r.used),
        ];
        self.db.execute(&sql::INSERT, &args).await.map(drop)
    }

    #[tracing::instrument(name = "store.get_legacy_consent", level = "debug", skip_all)]
    async fn get_legacy_consent(
        &self,
        id: &str,
    ) -> Result<Option<LegacyConsentRequest>, StoreError> {
        get(&self.db, id).await
    }

    #[tracing::instrument(name = "store.answer_legacy_consent", level = "debug", skip_all)]
    async fn answer_legacy_consent(
        &self,
        id: &str,
        outcome: &LegacyOutcome,
        now: Now,
    ) -> Result<LegacyConsentRequest, StoreError> {
        let args = [
            Arg::Text(id.to_owned()),
            outcome_arg(Some(outcome))?,
            Arg::Int(now.unix_micros()),
        ];
        if let Some(row) = self
            .db
            .fetch_optional::<LegacyConsentRow>(&sql::ANSWER, &args)
            .await?
        {
            return LegacyConsentRequest::try_from(row);
        }
        match get(&self.db, id).await? {
            Some(_) => Err(StoreError::Conflict {
                constraint: Some("oxydra_legacy_consent_request: used or expired".into()),
            }),
            None => Err(StoreError::NotFound),
        }
    }

    #[tracing::instrument(name = "store.use_legacy_consent", level = "debug", skip_all)]
    async fn use_legacy_consent(&self, id: &str, now: Now) -> Result<LegacyConsentUse, StoreError> {
        let args = [Arg::Text(id.to_owned()), Arg::Int(now.unix_micros())];
        if let Some(row) = self
            .db
            .fetch_optional::<LegacyConsentRow>(&sql::USE, &args)
            .await?
        {
            return LegacyConsentRequest::try_from(row)
                .map(|r| LegacyConsentUse::Fresh(Box::new(r)));
        }
        Ok(match get(&self.db, id).await? {
            None => LegacyConsentUse::Unknown,
            Some(r) if r.used => LegacyConsentUse::AlreadyUsed,
            Some(r) if r.is_expired_at(now) => LegacyConsentUse::Expired,
            Some(_) => LegacyConsentUse::Unanswered,
        })
    }

    #[tracing::instrument(name = "store.flush_legacy_consents", level = "debug", skip_all)]
    async fn flush_legacy_consents(&self, criteria: FlushCriteria) -> Result<u64, StoreError> {
        let args = [
            Arg::Int(criteria.issued_before.unix_micros()),
            Arg::Int(criteria.expired_before.unix_micros()),
            Arg::Int(i64::from(criteria.batch_size)),
        ];
        self.db.execute(&sql::FLUSH, &args).await
    }
}
