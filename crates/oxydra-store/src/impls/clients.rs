//! `ClientStore` for `SqlStore`.

use oxydra_core::client::Client;
use oxydra_core::model::ClientId;
use oxydra_core::store::{ClientFilter, ClientStore, SecretChange, StoreError};

use crate::SqlStore;
use crate::args::{json_list, lifespans_json};
use crate::db::Arg;
use crate::rows::{ClientRow, RevisionRow, SecretRow};
use crate::sql::clients as sql;

/// The client's fields as `$4..$29` of `INSERT` and `UPDATE`: everything but id, secret hash
/// and creation time.
pub(crate) fn field_args(c: &Client) -> Result<Vec<Arg>, StoreError> {
    let grants: Vec<&str> = c.grant_types.iter().map(|g| g.as_str()).collect();
    Ok(vec![
        Arg::Text(c.name.clone()),
        json_list(&c.redirect_uris)?,
        json_list(&grants)?,
        json_list(&c.response_types)?,
        Arg::Text(c.scope.clone()),
        Arg::Text(c.owner.clone()),
        Arg::Text(c.policy_uri.clone()),
        Arg::Text(c.tos_uri.clone()),
        Arg::Text(c.client_uri.clone()),
        Arg::Text(c.logo_uri.clone()),
        json_list(&c.contacts)?,
        Arg::Text(c.subject_type.as_str().to_owned()),
        Arg::Text(c.sector_identifier_uri.clone()),
        Arg::Text(c.jwks_uri.clone()),
        Arg::OptText(c.jwks.as_ref().map(|v| v.to_string())),
        Arg::Text(c.token_endpoint_auth_method.as_str().to_owned()),
        json_list(&c.request_uris)?,
        Arg::Text(c.request_object_signing_alg.clone()),
        Arg::Text(c.userinfo_signed_response_alg.clone()),
        Arg::Int(c.updated_at.unix_micros()),
        Arg::Text(c.id_token_signed_response_alg.clone()),
        Arg::Bool(c.skip_consent),
        Arg::Bool(c.skip_logout_consent),
        Arg::OptText(c.metadata.as_ref().map(|v| v.to_string())),
        Arg::Text(c.access_token_strategy.clone()),
        lifespans_json(&c.token_lifespans)?,
        json_list(&c.post_logout_redirect_uris)?,
        Arg::Text(c.frontchannel_logout_uri.clone()),
        Arg::Bool(c.frontchannel_logout_session_required),
        Arg::Text(c.backchannel_logout_uri.clone()),
        Arg::Bool(c.backchannel_logout_session_required),
        Arg::Bool(c.require_pushed_authorization_requests),
        json_list(&c.audience)?,
        Arg::Bool(c.dpop_bound_access_tokens),
    ])
}

/// `$2` and `$3` of `UPDATE`: the mode name and the hash it may store.
fn secret_args(change: SecretChange) -> [Arg; 2] {
    let (mode, hash) = match change {
        SecretChange::Keep => ("keep", None),
        SecretChange::Set(h) => ("set", Some(h)),
        SecretChange::Clear => ("clear", None),
        SecretChange::KeepOrSet(h) => ("keep_or_set", Some(h)),
    };
    [Arg::Text(mode.to_owned()), Arg::OptText(hash)]
}

impl SqlStore {
    /// The client revision every client write moves (migration 0009).
    async fn client_revision(&self) -> Result<i64, StoreError> {
        let row: Option<RevisionRow> = self.db.fetch_optional(&sql::REVISION, &[]).await?;
        row.map(|r| r.revision)
            .ok_or_else(|| StoreError::Corrupt("oxydra_client_revision has no row".into()))
    }

    /// Reads one client row, bypassing the cache.
    async fn read_client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        let row: Option<ClientRow> = self
            .db
            .fetch_optional(&sql::GET, &[Arg::Text(id.as_str().to_owned())])
            .await?;
        row.map(Client::try_from).transpose()
    }

    /// Runs `write` and the revision bump in one transaction, then clears the client cache
    /// (whether or not the write committed: a failed commit may still have applied).
    async fn write_client<T>(
        &self,
        write: impl AsyncFnOnce(&mut crate::db::Tx<'_>) -> Result<Option<T>, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let result = async {
            let mut tx = self.db.begin().await?;
            let Some(value) = write(&mut tx).await? else {
                // Nothing changed; dropping the transaction rolls it back.
                return Ok(None);
            };
            tx.execute(&sql::BUMP_REVISION, &[]).await?;
            tx.commit().await.map(|()| Some(value))
        }
        .await;
        self.client_cache.invalidate();
        result
    }
}

impl ClientStore for SqlStore {
    #[tracing::instrument(name = "store.create_client", level = "debug", skip_all)]
    async fn create_client(&self, client: &Client) -> Result<(), StoreError> {
        let mut args = vec![
            Arg::Text(client.id.as_str().to_owned()),
            Arg::OptText(client.secret_hash.clone()),
            Arg::Int(client.created_at.unix_micros()),
        ];
        args.extend(field_args(client)?);
        self.write_client(async |tx| tx.execute(&sql::INSERT, &args).await.map(Some))
            .await
            .map(drop)
    }

    #[tracing::instrument(name = "store.get_client", level = "debug", skip_all)]
    async fn get_client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        let cache = &self.client_cache;
        cache.confirm(|| self.client_revision()).await?;
        if let Some(client) = cache.lookup(id.as_str()) {
            return Ok(Some(Client::clone(&client)));
        }
        // Taken before the read: a write that commits meanwhile keeps the record out.
        let epoch = cache.epoch();
        let client = self.read_client(id).await?;
        if let Some(client) = &client {
            cache.fill(epoch, client.clone());
        }
        Ok(client)
    }

    #[tracing::instrument(name = "store.list_clients", level = "debug", skip_all)]
    async fn list_clients(&self, limit: u32, offset: u32) -> Result<Vec<Client>, StoreError> {
        let args = [Arg::Int(i64::from(limit)), Arg::Int(i64::from(offset))];
        let rows: Vec<ClientRow> = self.db.fetch_all(&sql::LIST, &args).await?;
        rows.into_iter().map(Client::try_from).collect()
    }

    #[tracing::instrument(name = "store.list_clients_after", level = "debug", skip_all)]
    async fn list_clients_after(
        &self,
        after: &str,
        filter: &ClientFilter,
        limit: u32,
    ) -> Result<Vec<Client>, StoreError> {
        let args = [
            Arg::Text(after.to_owned()),
            Arg::Text(filter.name.clone()),
            Arg::Text(filter.owner.clone()),
            Arg::Int(i64::from(limit)),
        ];
        let rows: Vec<ClientRow> = self.db.fetch_all(&sql::LIST_AFTER, &args).await?;
        rows.into_iter().map(Client::try_from).collect()
    }

    #[tracing::instrument(name = "store.update_client", level = "debug", skip_all)]
    async fn update_client(
        &self,
        client: &Client,
        secret: SecretChange,
    ) -> Result<Option<String>, StoreError> {
        let mut args = vec![Arg::Text(client.id.as_str().to_owned())];
        args.extend(secret_args(secret));
        args.extend(field_args(client)?);
        self.write_client(async |tx| {
            let row: Option<SecretRow> = tx.fetch_optional(&sql::UPDATE, &args).await?;
            Ok(row.map(|r| r.secret_hash))
        })
        .await?
        .ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.delete_client", level = "debug", skip_all)]
    async fn delete_client(&self, id: &ClientId) -> Result<bool, StoreError> {
        let args = [Arg::Text(id.as_str().to_owned())];
        // The client's tokens go with it (`ON DELETE CASCADE`).
        let _revoking = self.token_cache.revoking();
        let deleted = self
            .write_client(async |tx| {
                let n = tx.execute(&sql::DELETE, &args).await?;
                Ok((n > 0).then_some(()))
            })
            .await?;
        Ok(deleted.is_some())
    }
}
