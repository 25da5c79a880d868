//! Access-control policy management (the 1.0.0-alpha1 `/policies` admin API,
//! `shared/spec/api.md` §4): validate, persist, and tell this process's [`PolicyCache`].

use crate::error::Error;
use crate::policy::{Policy, PolicyInput};
use crate::service::policy_cache::PolicyCache;
use crate::store::PolicyStore;

/// Creates a policy; an empty id becomes a UUID v4. Duplicate id → `Conflict` (409).
pub async fn create<S: PolicyStore>(
    store: &S,
    cache: &PolicyCache,
    mut input: PolicyInput,
) -> Result<Policy, Error> {
    if input.id.is_empty() {
        input.id = uuid::Uuid::new_v4().to_string();
    }
    let policy = input.validate()?;
    store
        .create_policy(&policy)
        .await
        .map_err(|e| Error::from_store("policy", e))?;
    cache.invalidate();
    Ok(policy)
}

/// Loads one policy; `NotFound` when absent.
pub async fn get<S: PolicyStore>(store: &S, id: &str) -> Result<Policy, Error> {
    store
        .get_policy(id)
        .await
        .map_err(|e| Error::from_store("policy", e))?
        .ok_or(Error::NotFound { what: "policy" })
}

/// Lists policies ordered by id.
pub async fn list<S: PolicyStore>(
    store: &S,
    limit: u32,
    offset: u32,
) -> Result<Vec<Policy>, Error> {
    store
        .list_policies(limit, offset)
        .await
        .map_err(|e| Error::from_store("policy", e))
}

/// Replaces the policy `id`. The body's id must equal the path's (Hydra answers 400
/// otherwise); `NotFound` when there is no such policy.
pub async fn update<S: PolicyStore>(
    store: &S,
    cache: &PolicyCache,
    id: &str,
    input: PolicyInput,
) -> Result<Policy, Error> {
    if input.id != id {
        return Err(Error::invalid(
            "id",
            "the policy id in the body must equal the one in the path",
        ));
    }
    let policy = input.validate()?;
    store
        .update_policy(&policy)
        .await
        .map_err(|e| Error::from_store("policy", e))?;
    cache.invalidate();
    Ok(policy)
}

/// Deletes a policy; `NotFound` when absent (stricter than Hydra's 204).
pub async fn delete<S: PolicyStore>(store: &S, cache: &PolicyCache, id: &str) -> Result<(), Error> {
    match store.delete_policy(id).await {
        Ok(true) => {
            cache.invalidate();
            Ok(())
        }
        Ok(false) => Err(Error::NotFound { what: "policy" }),
        Err(e) => Err(Error::from_store("policy", e)),
    }
}
