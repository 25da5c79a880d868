//! `TrustStore` for `SqlStore`: the JWT-bearer grant's trust relationships, one row each.

use oxydra_core::oauth2::jwt_bearer::TrustedIssuer;
use oxydra_core::store::{StoreError, TrustStore};

use crate::SqlStore;
use crate::args::{json_list, json_text};
use crate::db::Arg;
use crate::rows::TrustRow;
use crate::sql::trust as sql;

fn decode(rows: Vec<TrustRow>) -> Result<Vec<TrustedIssuer>, StoreError> {
    rows.into_iter().map(TrustedIssuer::try_from).collect()
}

impl TrustStore for SqlStore {
    #[tracing::instrument(name = "store.create_trust", level = "debug", skip_all)]
    async fn create_trust(&self, t: &TrustedIssuer) -> Result<(), StoreError> {
        let args = [
            Arg::Text(t.id.clone()),
            Arg::Text(t.issuer.clone()),
            Arg::Text(t.subject.clone()),
            Arg::Bool(t.allow_any_subject),
            json_list(&t.scope)?,
            Arg::Text(t.key_id.clone()),
            Arg::Json(json_text("a public key", &t.public_key)?),
            Arg::Int(t.created_at.unix_micros()),
            Arg::Int(t.expires_at.unix_micros()),
        ];
        self.db.execute(&sql::INSERT, &args).await.map(drop)
    }

    #[tracing::instrument(name = "store.get_trust", level = "debug", skip_all)]
    async fn get_trust(&self, id: &str) -> Result<Option<TrustedIssuer>, StoreError> {
        let row: Option<TrustRow> = self
            .db
            .fetch_optional(&sql::GET, &[Arg::Text(id.to_owned())])
            .await?;
        row.map(TrustedIssuer::try_from).transpose()
    }

    #[tracing::instrument(name = "store.list_trusts", level = "debug", skip_all)]
    async fn list_trusts(
        &self,
        issuer: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<TrustedIssuer>, StoreError> {
        let args = [
            Arg::Text(after.to_owned()),
            Arg::Text(issuer.to_owned()),
            Arg::Int(i64::from(limit)),
        ];
        decode(self.db.fetch_all(&sql::LIST_AFTER, &args).await?)
    }

    #[tracing::instrument(name = "store.delete_trust", level = "debug", skip_all)]
    async fn delete_trust(&self, id: &str) -> Result<bool, StoreError> {
        let args = [Arg::Text(id.to_owned())];
        Ok(self.db.execute(&sql::DELETE, &args).await? > 0)
    }

    #[tracing::instrument(name = "store.trusts_for", level = "debug", skip_all)]
    async fn trusts_for(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Vec<TrustedIssuer>, StoreError> {
        let args = [Arg::Text(issuer.to_owned()), Arg::Text(subject.to_owned())];
        decode(self.db.fetch_all(&sql::FOR_SUBJECT, &args).await?)
    }
}
