//! `sector_identifier_uri` documents (OIDC Core §8.1) for client registration and update,
//! fetched through the [`RemoteFetcher`] with the same limits as `jwks_uri` key sets. Never
//! cached: the check runs once per admin write.

use oxydra_core::Error;
use oxydra_core::service::clients::SectorDocuments;

use crate::remote_fetch::RemoteFetcher;

impl SectorDocuments for RemoteFetcher {
    async fn fetch(&self, uri: &str) -> Result<Vec<u8>, Error> {
        self.get(uri, "application/json").await.map_err(|e| {
            Error::invalid(
                "sector_identifier_uri",
                format!("the document at {uri:?} {}", e.reason()),
            )
        })
    }
}
