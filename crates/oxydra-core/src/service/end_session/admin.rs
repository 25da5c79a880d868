//! The logout app's side of a logout request (Hydra's `getLogoutRequest`,
//! `acceptLogoutRequest`, `rejectLogoutRequest`): read it, accept it — the answer sends the
//! browser back with the verifier — or reject it, which deletes it and keeps the session.

use std::time::Duration;

use url::Url;

use crate::client::Client;
use crate::error::Error;
use crate::flow::FlowId;
use crate::flow::answer::{already_answered, redirect_with_verifier};
use crate::flow::logout::LogoutRequest;
use crate::model::Now;
use crate::service::flow_admin::Completed;
use crate::store::{ClientStore, LogoutStore, StoreError};

use super::LOGOUT_VERIFIER_PARAM;

const LOGOUT: &str = "logout request";

/// A logout request with the client that asked (none when the OP initiated it).
#[derive(Debug, Clone)]
pub struct LogoutRequestView {
    /// The request.
    pub request: LogoutRequest,
    /// Its client, when RP-initiated.
    pub client: Option<Client>,
}

/// The unexpired request `challenge`; one redeemed already is answered.
async fn load<S: LogoutStore>(
    store: &S,
    challenge: &FlowId,
    now: Now,
    round_trip: Duration,
) -> Result<LogoutRequest, Error> {
    let request = store
        .get_logout_request(challenge)
        .await
        .map_err(|e| Error::from_store(LOGOUT, e))?
        .filter(|r| !r.is_expired_at(now, round_trip))
        .ok_or(Error::NotFound { what: LOGOUT })?;
    if request.verifier_used {
        return Err(already_answered(LOGOUT));
    }
    Ok(request)
}

/// `GET …/logout?logout_challenge=`: the request and its client.
pub async fn get<S: LogoutStore + ClientStore>(
    store: &S,
    challenge: &FlowId,
    now: Now,
    round_trip: Duration,
) -> Result<LogoutRequestView, Error> {
    let request = load(store, challenge, now, round_trip).await?;
    let client = match &request.client_id {
        Some(id) => super::find_client(store, id).await?,
        None => None,
    };
    Ok(LogoutRequestView { request, client })
}

/// `PUT …/logout/accept`: the URL that brings the browser back with the verifier.
pub async fn accept<S: LogoutStore>(
    store: &S,
    challenge: &FlowId,
    end_session_url: &Url,
    now: Now,
    round_trip: Duration,
) -> Result<Completed, Error> {
    load(store, challenge, now, round_trip).await?;
    let request = store
        .accept_logout_request(challenge)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => already_answered(LOGOUT),
            other => Error::from_store(LOGOUT, other),
        })?;
    Ok(Completed {
        redirect_to: redirect_with_verifier(
            end_session_url.as_str(),
            LOGOUT_VERIFIER_PARAM,
            &request.verifier,
        ),
    })
}

/// `PUT …/logout/reject`: deletes the request; the session stays.
pub async fn reject<S: LogoutStore>(
    store: &S,
    challenge: &FlowId,
    now: Now,
    round_trip: Duration,
) -> Result<(), Error> {
    load(store, challenge, now, round_trip).await?;
    let deleted = store
        .reject_logout_request(challenge)
        .await
        .map_err(|e| Error::from_store(LOGOUT, e))?;
    if deleted {
        Ok(())
    } else {
        Err(already_answered(LOGOUT))
    }
}
