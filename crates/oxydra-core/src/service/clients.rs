//! OAuth 2.0 client management (Hydra's `/clients` admin API).

use std::future::Future;

use crate::client::secret::{SecretHashing, generate_secret};
use crate::client::uri::check_sector_document;
use crate::client::{Client, ClientInput, ValidClient};
use crate::config::ClientPolicy;
use crate::error::Error;
use crate::model::{ClientId, Now, Secret};
use crate::store::{ClientFilter, ClientStore, SecretChange};

/// A stored client plus the plaintext secret to return once (create, or update that set one).
#[derive(Debug)]
pub struct SavedClient {
    /// The client as stored.
    pub client: Client,
    /// The secret to echo in this response only.
    pub plaintext_secret: Option<Secret<String>>,
}

/// The port that fetches a client's `sector_identifier_uri` document (OIDC Core §8.1), so
/// the service can check it while the I/O (and its safety limits) stays in the server.
pub trait SectorDocuments: Send + Sync {
    /// The raw document at `uri`, or an [`Error::Invalid`] on `sector_identifier_uri` saying
    /// why it could not be fetched.
    fn fetch(&self, uri: &str) -> impl Future<Output = Result<Vec<u8>, Error>> + Send;
}

/// OIDC Core §8.1: when the client names a sector, its document must list every redirect URI.
async fn check_sector<D: SectorDocuments>(sectors: &D, client: &Client) -> Result<(), Error> {
    if client.sector_identifier_uri.is_empty() {
        return Ok(());
    }
    let document = sectors.fetch(&client.sector_identifier_uri).await?;
    check_sector_document(&client.redirect_uris, &document)
}

/// Registers a client: validates (fetching its sector document, if any), generates id and
/// secret when absent, stores the secret hashed.
pub async fn create<S: ClientStore, H: SecretHashing, D: SectorDocuments>(
    store: &S,
    hasher: &H,
    sectors: &D,
    policy: &ClientPolicy,
    now: Now,
    input: ClientInput,
) -> Result<SavedClient, Error> {
    let valid = input.validate(None, policy, now)?;
    check_sector(sectors, &valid.client).await?;
    register(store, hasher, valid).await
}

/// Stores a validated client whose remote documents need no check (it names none, as the
/// root client): generates the secret when absent and stores it hashed.
pub(crate) async fn register<S: ClientStore, H: SecretHashing>(
    store: &S,
    hasher: &H,
    valid: ValidClient,
) -> Result<SavedClient, Error> {
    let ValidClient { mut client, secret } = valid;
    let plaintext = if client.token_endpoint_auth_method.uses_secret() {
        Some(match secret {
            Some(secret) => secret,
            None => generate_secret()?,
        })
    } else {
        None
    };
    if let Some(secret) = &plaintext {
        client.secret_hash = Some(hasher.hash(secret.clone()).await?);
    }
    store
        .create_client(&client)
        .await
        .map_err(|e| Error::from_store("client", e))?;
    Ok(SavedClient {
        client,
        plaintext_secret: plaintext,
    })
}

/// Replaces a client's metadata (re-checking its sector document). Without a secret the stored
/// one is kept; a client that becomes confidential without one gets a generated secret, echoed
/// once.
pub async fn update<S: ClientStore, H: SecretHashing, D: SectorDocuments>(
    store: &S,
    hasher: &H,
    sectors: &D,
    policy: &ClientPolicy,
    now: Now,
    id: ClientId,
    input: ClientInput,
) -> Result<SavedClient, Error> {
    let ValidClient { mut client, secret } = input.validate(Some(id), policy, now)?;
    check_sector(sectors, &client).await?;
    let (change, offered) = if !client.token_endpoint_auth_method.uses_secret() {
        (SecretChange::Clear, None)
    } else if let Some(secret) = secret {
        (
            SecretChange::Set(hasher.hash(secret.clone()).await?),
            Some(secret),
        )
    } else {
        let generated = generate_secret()?;
        (
            SecretChange::KeepOrSet(hasher.hash(generated.clone()).await?),
            Some(generated),
        )
    };
    let offered_hash = match &change {
        SecretChange::Set(h) | SecretChange::KeepOrSet(h) => Some(h.clone()),
        SecretChange::Keep | SecretChange::Clear => None,
    };
    let stored_hash = store
        .update_client(&client, change)
        .await
        .map_err(|e| Error::from_store("client", e))?;
    // Echo the secret only when the stored hash is the one offered here: a sent secret, or a
    // generated one that was actually needed.
    let plaintext_secret = match (&stored_hash, &offered_hash) {
        (Some(stored), Some(hash)) if stored == hash => offered,
        _ => None,
    };
    client.secret_hash = stored_hash;
    Ok(SavedClient {
        client,
        plaintext_secret,
    })
}

/// Loads a client.
pub async fn get<S: ClientStore>(store: &S, id: &ClientId) -> Result<Client, Error> {
    store
        .get_client(id)
        .await
        .map_err(|e| Error::from_store("client", e))?
        .ok_or(Error::NotFound { what: "client" })
}

/// Lists clients ordered by id.
pub async fn list<S: ClientStore>(
    store: &S,
    limit: u32,
    offset: u32,
) -> Result<Vec<Client>, Error> {
    store
        .list_clients(limit, offset)
        .await
        .map_err(|e| Error::from_store("client", e))
}

/// Hydra 2.x keyset paging: up to `limit` clients after id `after`, filtered.
pub async fn list_after<S: ClientStore>(
    store: &S,
    after: &str,
    filter: &ClientFilter,
    limit: u32,
) -> Result<Vec<Client>, Error> {
    store
        .list_clients_after(after, filter, limit)
        .await
        .map_err(|e| Error::from_store("client", e))
}

/// Deletes a client; `NotFound` when it does not exist (stricter than Hydra beta's silent 204).
pub async fn delete<S: ClientStore>(store: &S, id: &ClientId) -> Result<(), Error> {
    match store.delete_client(id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::NotFound { what: "client" }),
        Err(e) => Err(Error::from_store("client", e)),
    }
}
