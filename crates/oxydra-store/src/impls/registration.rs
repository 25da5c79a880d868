//! `RegistrationTokenStore` for `SqlStore`: hashed registration access tokens (RFC 7592).
//! Not client writes in the cache's sense: the token is no field of a cached `Client`.

use oxydra_core::model::ClientId;
use oxydra_core::store::{RegistrationTokenStore, StoreError};

use crate::SqlStore;
use crate::db::Arg;
use crate::rows::SecretRow;
use crate::sql::registration as sql;

impl RegistrationTokenStore for SqlStore {
    #[tracing::instrument(name = "store.registration_token_hash", level = "debug", skip_all)]
    async fn registration_token_hash(&self, id: &ClientId) -> Result<Option<String>, StoreError> {
        let row: Option<SecretRow> = self
            .db
            .fetch_optional(&sql::GET, &[Arg::Text(id.as_str().to_owned())])
            .await?;
        Ok(row.and_then(|r| r.secret_hash))
    }

    #[tracing::instrument(name = "store.replace_registration_token", level = "debug", skip_all)]
    async fn replace_registration_token(
        &self,
        id: &ClientId,
        current: Option<&str>,
        new: &str,
    ) -> Result<bool, StoreError> {
        let id = Arg::Text(id.as_str().to_owned());
        let new = Arg::Text(new.to_owned());
        let changed = match current {
            None => self.db.execute(&sql::SET_FIRST, &[id, new]).await?,
            Some(current) => {
                let current = Arg::Text(current.to_owned());
                self.db.execute(&sql::ROTATE, &[id, new, current]).await?
            }
        };
        Ok(changed == 1)
    }
}
