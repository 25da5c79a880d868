//! Managing the JWT-bearer grant's trust relationships (Hydra 2.x
//! `/admin/trust/grants/jwt-bearer/issuers`): create, read, list, delete.

use crate::error::Error;
use crate::model::Now;
use crate::oauth2::jwt_bearer::{NewTrust, TrustedIssuer};
use crate::store::TrustStore;

const WHAT: &str = "trust relationship";

/// Validates and stores a new trust relationship with a fresh UUID; `Conflict` when the
/// issuer already has one for the same subject and key id.
pub async fn create<S: TrustStore>(
    store: &S,
    request: NewTrust,
    now: Now,
) -> Result<TrustedIssuer, Error> {
    let trust = request.validate(uuid::Uuid::new_v4().to_string(), now)?;
    store
        .create_trust(&trust)
        .await
        .map_err(|e| Error::from_store(WHAT, e))?;
    Ok(trust)
}

/// The trust relationship `id`; `NotFound` when absent.
pub async fn get<S: TrustStore>(store: &S, id: &str) -> Result<TrustedIssuer, Error> {
    store
        .get_trust(id)
        .await
        .map_err(|e| Error::from_store(WHAT, e))?
        .ok_or(Error::NotFound { what: WHAT })
}

/// A page of trust relationships after `after`, ordered by id, of `issuer` unless empty.
pub async fn list<S: TrustStore>(
    store: &S,
    issuer: &str,
    after: &str,
    limit: u32,
) -> Result<Vec<TrustedIssuer>, Error> {
    store
        .list_trusts(issuer, after, limit)
        .await
        .map_err(|e| Error::from_store(WHAT, e))
}

/// Deletes the trust relationship `id`: from then on its issuer's assertions under it are
/// refused. `NotFound` when absent.
pub async fn delete<S: TrustStore>(store: &S, id: &str) -> Result<(), Error> {
    if store
        .delete_trust(id)
        .await
        .map_err(|e| Error::from_store(WHAT, e))?
    {
        Ok(())
    } else {
        Err(Error::NotFound { what: WHAT })
    }
}
