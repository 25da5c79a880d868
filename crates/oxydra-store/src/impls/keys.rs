//! `KeyStore` for `SqlStore`: rows hold ciphertext only.

use oxydra_core::jwk::StoredKey;
use oxydra_core::store::{KeyStore, RewriteError, StoreError};

use crate::SqlStore;
use crate::db::Arg;
use crate::rows::KeyRow;
use crate::sql::keys as sql;

/// `$1..$6` of `INSERT` and `UPSERT`.
pub(super) fn args(k: &StoredKey) -> [Arg; 6] {
    [
        Arg::Text(k.set.clone()),
        Arg::Text(k.kid.clone()),
        Arg::Text(k.alg.clone()),
        Arg::Text(k.key_use.clone()),
        Arg::Int(k.created_at.unix_micros()),
        Arg::Text(k.encrypted.clone()),
    ]
}

fn pair(set: &str, kid: &str) -> [Arg; 2] {
    [Arg::Text(set.to_owned()), Arg::Text(kid.to_owned())]
}

impl KeyStore for SqlStore {
    #[tracing::instrument(name = "store.create_keys", level = "debug", skip_all)]
    async fn create_keys(&self, keys: &[StoredKey]) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        for key in keys {
            tx.execute(&sql::INSERT, &args(key)).await?;
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.create_set_if_empty", level = "debug", skip_all)]
    async fn create_set_if_empty(&self, set: &str, keys: &[StoredKey]) -> Result<bool, StoreError> {
        if keys.iter().any(|k| k.set != set) {
            return Err(StoreError::Corrupt(format!(
                "create_set_if_empty({set}) got a key of another set"
            )));
        }
        let name = [Arg::Text(set.to_owned())];
        let mut tx = self.db.begin().await?;
        tx.execute(&sql::LOCK_SET, &name).await?;
        // Only whether a row exists matters; its one column (a kid) is not read.
        let existing: Option<(String,)> = tx.fetch_optional(&sql::SET_EXISTS, &name).await?;
        if existing.is_some() {
            tx.commit().await?;
            return Ok(false);
        }
        for key in keys {
            tx.execute(&sql::INSERT, &args(key)).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(name = "store.extend_set", level = "debug", skip_all)]
    async fn extend_set<F, E>(&self, set: &str, choose: F) -> Result<usize, RewriteError<E>>
    where
        F: FnOnce(&[StoredKey]) -> Result<Vec<StoredKey>, E> + Send,
        E: Send,
    {
        let name = [Arg::Text(set.to_owned())];
        let mut tx = self.db.begin().await?;
        tx.execute(&sql::LOCK_SET, &name).await?;
        let rows: Vec<KeyRow> = tx.fetch_all(&sql::GET_SET, &name).await?;
        let existing: Vec<StoredKey> = rows.into_iter().map(StoredKey::from).collect();
        // Dropping `tx` on an early return rolls back (and releases the lock).
        let keys = choose(&existing).map_err(RewriteError::Rejected)?;
        if keys.iter().any(|k| k.set != set) {
            return Err(RewriteError::Store(StoreError::Corrupt(format!(
                "extend_set({set}) got a key of another set"
            ))));
        }
        for key in &keys {
            tx.execute(&sql::INSERT, &args(key)).await?;
        }
        tx.commit().await?;
        Ok(keys.len())
    }

    #[tracing::instrument(name = "store.get_set", level = "debug", skip_all)]
    async fn get_set(&self, set: &str) -> Result<Vec<StoredKey>, StoreError> {
        let rows: Vec<KeyRow> = self
            .db
            .fetch_all(&sql::GET_SET, &[Arg::Text(set.to_owned())])
            .await?;
        Ok(rows.into_iter().map(StoredKey::from).collect())
    }

    #[tracing::instrument(name = "store.get_key", level = "debug", skip_all)]
    async fn get_key(&self, set: &str, kid: &str) -> Result<Option<StoredKey>, StoreError> {
        let row: Option<KeyRow> = self.db.fetch_optional(&sql::GET, &pair(set, kid)).await?;
        Ok(row.map(StoredKey::from))
    }

    #[tracing::instrument(name = "store.replace_set", level = "debug", skip_all)]
    async fn replace_set(&self, set: &str, keys: &[StoredKey]) -> Result<(), StoreError> {
        if keys.iter().any(|k| k.set != set) {
            return Err(StoreError::Corrupt(format!(
                "replace_set({set}) got a key of another set"
            )));
        }
        let mut tx = self.db.begin().await?;
        tx.execute(&sql::DELETE_SET, &[Arg::Text(set.to_owned())])
            .await?;
        for key in keys {
            tx.execute(&sql::INSERT, &args(key)).await?;
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.replace_key", level = "debug", skip_all)]
    async fn replace_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        self.db.execute(&sql::UPSERT, &args(key)).await.map(drop)
    }

    #[tracing::instrument(name = "store.delete_set", level = "debug", skip_all)]
    async fn delete_set(&self, set: &str) -> Result<bool, StoreError> {
        let n = self
            .db
            .execute(&sql::DELETE_SET, &[Arg::Text(set.to_owned())])
            .await?;
        Ok(n > 0)
    }

    #[tracing::instrument(name = "store.delete_key", level = "debug", skip_all)]
    async fn delete_key(&self, set: &str, kid: &str) -> Result<bool, StoreError> {
        Ok(self.db.execute(&sql::DELETE, &pair(set, kid)).await? > 0)
    }

    #[tracing::instrument(name = "store.rewrite_all_keys", level = "debug", skip_all)]
    async fn rewrite_all_keys<F, E>(&self, mut reseal: F) -> Result<u64, RewriteError<E>>
    where
        F: FnMut(&StoredKey) -> Result<String, E> + Send,
        E: Send,
    {
        let mut tx = self.db.begin().await?;
        let rows: Vec<KeyRow> = tx.fetch_all(&sql::ALL_FOR_UPDATE, &[]).await?;
        let mut rewritten = 0;
        for key in rows.into_iter().map(StoredKey::from) {
            // Dropping `tx` on this early return rolls back the rows already rewritten.
            let encrypted = reseal(&key).map_err(RewriteError::Rejected)?;
            let [set, kid] = pair(&key.set, &key.kid);
            tx.execute(&sql::SET_ENCRYPTED, &[set, kid, Arg::Text(encrypted)])
                .await?;
            rewritten += 1;
        }
        tx.commit().await?;
        Ok(rewritten)
    }
}
