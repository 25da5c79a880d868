//! `PushedRequestStore` for `SqlStore`: RFC 9126 pushed authorization requests.

use oxydra_core::model::Now;
use oxydra_core::oauth2::par::PushedRequest;
use oxydra_core::store::{PushedRequestStore, StoreError};
use oxydra_core::token::FlushCriteria;

use crate::SqlStore;
use crate::args::json_text;
use crate::db::Arg;
use crate::error::is_foreign_key_violation;
use crate::rows::PushedRequestRow;
use crate::sql::par as sql;

impl PushedRequestStore for SqlStore {
    #[tracing::instrument(name = "store.create_pushed_request", level = "debug", skip_all)]
    async fn create_pushed_request(&self, request: &PushedRequest) -> Result<(), StoreError> {
        let args = [
            Arg::Text(request.key_hash.clone()),
            Arg::Text(request.client_id.as_str().to_owned()),
            Arg::Text(json_text("pushed parameters", &request.params)?),
            Arg::Int(request.requested_at.unix_micros()),
            Arg::Int(request.expires_at.unix_micros()),
            Arg::Bool(request.used),
        ];
        match self.db.execute(&sql::INSERT, &args).await {
            Err(e) if is_foreign_key_violation(&e) => {
                self.client_cache.invalidate();
                Err(StoreError::NotFound)
            }
            other => other.map(drop),
        }
    }

    #[tracing::instrument(name = "store.get_pushed_request", level = "debug", skip_all)]
    async fn get_pushed_request(
        &self,
        key_hash: &str,
    ) -> Result<Option<PushedRequest>, StoreError> {
        let row: Option<PushedRequestRow> = self
            .db
            .fetch_optional(&sql::GET, &[Arg::Text(key_hash.to_owned())])
            .await?;
        row.map(PushedRequest::try_from).transpose()
    }

    #[tracing::instrument(name = "store.use_pushed_request", level = "debug", skip_all)]
    async fn use_pushed_request(&self, key_hash: &str, now: Now) -> Result<bool, StoreError> {
        let args = [Arg::Text(key_hash.to_owned()), Arg::Int(now.unix_micros())];
        Ok(self.db.execute(&sql::USE, &args).await? == 1)
    }

    #[tracing::instrument(name = "store.flush_pushed_requests", level = "debug", skip_all)]
    async fn flush_pushed_requests(&self, criteria: FlushCriteria) -> Result<u64, StoreError> {
        let args = [
            Arg::Int(criteria.issued_before.unix_micros()),
            Arg::Int(criteria.expired_before.unix_micros()),
            Arg::Int(i64::from(criteria.batch_size)),
        ];
        self.db.execute(&sql::FLUSH, &args).await
    }
}
