//! `PolicyStore` for `SqlStore`: every write bumps the revision in its own transaction.

use std::collections::BTreeMap;

use oxydra_core::policy::Policy;
use oxydra_core::store::{PolicyStore, StoreError};

use crate::SqlStore;
use crate::args::{json_list, json_text};
use crate::db::Arg;
use crate::rows::{PolicyRow, RevisionRow, StoredCondition};
use crate::sql::policies as sql;

/// `$1..$7` of `INSERT` and `UPDATE`.
pub(super) fn args(p: &Policy) -> Result<Vec<Arg>, StoreError> {
    let conditions: BTreeMap<&str, StoredCondition> = p
        .conditions
        .iter()
        .map(|(key, c)| {
            let stored = StoredCondition {
                kind: c.kind().to_owned(),
                options: c.options(),
            };
            (key.as_str(), stored)
        })
        .collect();
    Ok(vec![
        Arg::Text(p.id.clone()),
        Arg::Text(p.description.clone()),
        Arg::Text(p.effect.as_str().to_owned()),
        json_list(&p.subjects)?,
        json_list(&p.resources)?,
        json_list(&p.actions)?,
        Arg::Json(json_text("conditions", &conditions)?),
    ])
}

fn decode(rows: Vec<PolicyRow>) -> Result<Vec<Policy>, StoreError> {
    rows.into_iter().map(Policy::try_from).collect()
}

impl PolicyStore for SqlStore {
    #[tracing::instrument(name = "store.create_policy", level = "debug", skip_all)]
    async fn create_policy(&self, policy: &Policy) -> Result<(), StoreError> {
        let args = args(policy)?;
        let mut tx = self.db.begin().await?;
        tx.execute(&sql::INSERT, &args).await?;
        tx.execute(&sql::BUMP_REVISION, &[]).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.get_policy", level = "debug", skip_all)]
    async fn get_policy(&self, id: &str) -> Result<Option<Policy>, StoreError> {
        let row: Option<PolicyRow> = self
            .db
            .fetch_optional(&sql::GET, &[Arg::Text(id.to_owned())])
            .await?;
        row.map(Policy::try_from).transpose()
    }

    #[tracing::instrument(name = "store.list_policies", level = "debug", skip_all)]
    async fn list_policies(&self, limit: u32, offset: u32) -> Result<Vec<Policy>, StoreError> {
        let args = [Arg::Int(i64::from(limit)), Arg::Int(i64::from(offset))];
        decode(self.db.fetch_all(&sql::LIST, &args).await?)
    }

    #[tracing::instrument(name = "store.update_policy", level = "debug", skip_all)]
    async fn update_policy(&self, policy: &Policy) -> Result<(), StoreError> {
        let args = args(policy)?;
        let mut tx = self.db.begin().await?;
        if tx.execute(&sql::UPDATE, &args).await? == 0 {
            // Dropping the transaction rolls it back.
            return Err(StoreError::NotFound);
        }
        tx.execute(&sql::BUMP_REVISION, &[]).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.delete_policy", level = "debug", skip_all)]
    async fn delete_policy(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        if tx
            .execute(&sql::DELETE, &[Arg::Text(id.to_owned())])
            .await?
            == 0
        {
            return Ok(false);
        }
        tx.execute(&sql::BUMP_REVISION, &[]).await?;
        tx.commit().await.map(|()| true)
    }

    #[tracing::instrument(name = "store.policy_revision", level = "debug", skip_all)]
    async fn policy_revision(&self) -> Result<i64, StoreError> {
        let row: Option<RevisionRow> = self.db.fetch_optional(&sql::REVISION, &[]).await?;
        row.map(|r| r.revision)
            .ok_or_else(|| StoreError::Corrupt("oxydra_policy_revision has no row".into()))
    }

    #[tracing::instrument(name = "store.load_policies", level = "debug", skip_all)]
    async fn load_policies(&self) -> Result<(i64, Vec<Policy>), StoreError> {
        // Revision first: rows read afterwards are at least that new.
        let revision = self.policy_revision().await?;
        let rows = decode(self.db.fetch_all(&sql::ALL, &[]).await?)?;
        Ok((revision, rows))
    }
}
