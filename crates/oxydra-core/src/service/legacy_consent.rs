//! The admin side of the 0.10 consent flow (`shared/spec/behaviour.md` §15 steps 2–3): the
//! consent app reads a consent request by id, then accepts or rejects it (204). Until the
//! browser comes back with it, a later answer replaces an earlier one, as in Hydra 0.10; after
//! that, or once it expired, answering is a conflict.

use crate::error::Error;
use crate::flow::legacy::{
    self, LegacyAcceptance, LegacyConsentRequest, LegacyOutcome, no_longer_answerable,
};
use crate::model::Now;
use crate::store::{LegacyConsentStore, StoreError};

const WHAT: &str = "consent request";

/// `GET /oauth2/consent/requests/{id}`: the request, answered, used or expired ones too.
pub async fn get<S: LegacyConsentStore>(
    store: &S,
    id: &str,
) -> Result<LegacyConsentRequest, Error> {
    store
        .get_legacy_consent(id)
        .await
        .map_err(|e| Error::from_store(WHAT, e))?
        .ok_or(Error::NotFound { what: WHAT })
}

/// `PATCH /oauth2/consent/requests/{id}/accept`.
pub async fn accept<S: LegacyConsentStore>(
    store: &S,
    id: &str,
    input: LegacyAcceptance,
    now: Now,
) -> Result<(), Error> {
    let outcome = legacy::accept(input)?;
    answer(store, id, &outcome, now).await
}

/// `PATCH /oauth2/consent/requests/{id}/reject`.
pub async fn reject<S: LegacyConsentStore>(
    store: &S,
    id: &str,
    reason: String,
    now: Now,
) -> Result<(), Error> {
    answer(store, id, &LegacyOutcome::Rejected { reason }, now).await
}

async fn answer<S: LegacyConsentStore>(
    store: &S,
    id: &str,
    outcome: &LegacyOutcome,
    now: Now,
) -> Result<(), Error> {
    match store.answer_legacy_consent(id, outcome, now).await {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict { .. }) => Err(no_longer_answerable()),
        Err(e) => Err(Error::from_store(WHAT, e)),
    }
}
