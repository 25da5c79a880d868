//! The admin side of the login and consent flow (`shared/spec/behaviour.md` §3.2 steps 4 and
//! 7, §3.5, §3.8): the login and consent apps read a request, answer it once, and get the URL
//! that sends the browser back with the verifier; operators list and revoke remembered
//! consent and login sessions.

use std::collections::HashMap;

use crate::client::Client;
use crate::error::Error;
use crate::flow::answer::{
    self, ConsentAcceptance, LoginAcceptance, already_answered, redirect_with_verifier,
};
use crate::flow::{ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, Rejection};
use crate::model::{ClientId, Now};
use crate::store::{ClientStore, FlowStore, StoreError};

/// The query parameter carrying a login verifier back to `/oauth2/auth`.
pub const LOGIN_VERIFIER_PARAM: &str = "login_verifier";
/// The query parameter carrying a consent verifier back to `/oauth2/auth`.
pub const CONSENT_VERIFIER_PARAM: &str = "consent_verifier";

const LOGIN: &str = "login request";
const CONSENT: &str = "consent request";

/// A login or consent request with the client that made it, as the admin API shows it.
#[derive(Debug, Clone)]
pub struct WithClient<T> {
    /// The request.
    pub request: T,
    /// Its client, loaded from the client store.
    pub client: Client,
}

/// Where the app sends the browser next (Hydra's `completedRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completed {
    /// The request URL with the verifier appended.
    pub redirect_to: String,
}

fn answer_error(what: &'static str, err: StoreError) -> Error {
    match err {
        StoreError::Conflict { .. } => already_answered(what),
        other => Error::from_store(what, other),
    }
}

async fn load_client<S: ClientStore>(store: &S, id: &ClientId) -> Result<Client, Error> {
    store
        .get_client(id)
        .await
        .map_err(|e| Error::from_store("client", e))?
        .ok_or(Error::NotFound { what: "client" })
}

async fn load_login<S: FlowStore>(store: &S, challenge: &FlowId) -> Result<LoginRequest, Error> {
    store
        .get_login_request(challenge)
        .await
        .map_err(|e| Error::from_store(LOGIN, e))?
        .ok_or(Error::NotFound { what: LOGIN })
}

async fn load_consent<S: FlowStore>(
    store: &S,
    challenge: &FlowId,
) -> Result<ConsentRequest, Error> {
    store
        .get_consent_request(challenge)
        .await
        .map_err(|e| Error::from_store(CONSENT, e))?
        .ok_or(Error::NotFound { what: CONSENT })
}

/// `GET …/login/{challenge}`: the request (answered or expired ones too) and its client.
pub async fn get_login_request<S: FlowStore + ClientStore>(
    store: &S,
    challenge: &FlowId,
) -> Result<WithClient<LoginRequest>, Error> {
    let request = load_login(store, challenge).await?;
    let client = load_client(store, &request.client_id).await?;
    Ok(WithClient { request, client })
}

/// `PUT …/login/{challenge}/accept`: checks the answer against the request
/// ([`answer::accept_login`]), stores it once (409 on a second answer) and returns the URL
/// carrying the login verifier.
pub async fn accept_login<S: FlowStore>(
    store: &S,
    now: Now,
    challenge: &FlowId,
    input: LoginAcceptance,
) -> Result<Completed, Error> {
    let request = load_login(store, challenge).await?;
    let outcome = answer::accept_login(&request, input, now)?;
    answer_login(store, challenge, &outcome).await
}

/// `PUT …/login/{challenge}/reject`: stores the refusal with its defaults filled
/// ([`answer::complete_rejection`]), once, and returns the URL carrying the login verifier.
pub async fn reject_login<S: FlowStore>(
    store: &S,
    challenge: &FlowId,
    rejection: Rejection,
) -> Result<Completed, Error> {
    let outcome = LoginOutcome::Rejected(answer::complete_rejection(rejection)?);
    answer_login(store, challenge, &outcome).await
}

async fn answer_login<S: FlowStore>(
    store: &S,
    challenge: &FlowId,
    outcome: &LoginOutcome,
) -> Result<Completed, Error> {
    let handled = store
        .handle_login_request(challenge, outcome)
        .await
        .map_err(|e| answer_error(LOGIN, e))?;
    Ok(Completed {
        redirect_to: redirect_with_verifier(
            &handled.request_url,
            LOGIN_VERIFIER_PARAM,
            &handled.verifier,
        ),
    })
}

/// `GET …/consent/{challenge}`: the request (answered or expired ones too) and its client.
pub async fn get_consent_request<S: FlowStore + ClientStore>(
    store: &S,
    challenge: &FlowId,
) -> Result<WithClient<ConsentRequest>, Error> {
    let request = load_consent(store, challenge).await?;
    let client = load_client(store, &request.client_id).await?;
    Ok(WithClient { request, client })
}

/// `PUT …/consent/{challenge}/accept`: checks the answer ([`answer::accept_consent`]) before
/// storing anything, stores it once at `now` and returns the URL carrying the consent verifier.
pub async fn accept_consent<S: FlowStore>(
    store: &S,
    now: Now,
    challenge: &FlowId,
    input: ConsentAcceptance,
) -> Result<Completed, Error> {
    let request = load_consent(store, challenge).await?;
    let outcome = answer::accept_consent(&request, input)?;
    answer_consent(store, now, challenge, &outcome).await
}

/// `PUT …/consent/{challenge}/reject`: as [`reject_login`], for a consent request.
pub async fn reject_consent<S: FlowStore>(
    store: &S,
    now: Now,
    challenge: &FlowId,
    rejection: Rejection,
) -> Result<Completed, Error> {
    let outcome = ConsentOutcome::Rejected(answer::complete_rejection(rejection)?);
    answer_consent(store, now, challenge, &outcome).await
}

async fn answer_consent<S: FlowStore>(
    store: &S,
    now: Now,
    challenge: &FlowId,
    outcome: &ConsentOutcome,
) -> Result<Completed, Error> {
    let handled = store
        .handle_consent_request(challenge, outcome, now)
        .await
        .map_err(|e| answer_error(CONSENT, e))?;
    Ok(Completed {
        redirect_to: redirect_with_verifier(
            &handled.request_url,
            CONSENT_VERIFIER_PARAM,
            &handled.verifier,
        ),
    })
}

/// `GET /oauth2/auth/sessions/consent/{user}`: the subject's remembered consents still valid
/// at `now` (every client), newest first, each with its client. Consents whose client has
/// been deleted since are left out.
pub async fn list_consent_sessions<S: FlowStore + ClientStore>(
    store: &S,
    subject: &str,
    limit: u32,
    offset: u32,
    now: Now,
) -> Result<Vec<WithClient<ConsentRequest>>, Error> {
    let consents = store
        .remembered_consents(subject, None, now, limit, offset)
        .await
        .map_err(|e| Error::from_store("consent session", e))?;
    let mut clients: HashMap<ClientId, Option<Client>> = HashMap::new();
    let mut sessions = Vec::with_capacity(consents.len());
    for request in consents {
        let client = match clients.get(&request.client_id) {
            Some(cached) => cached.clone(),
            None => {
                let loaded = store
                    .get_client(&request.client_id)
                    .await
                    .map_err(|e| Error::from_store("client", e))?;
                clients.insert(request.client_id.clone(), loaded.clone());
                loaded
            }
        };
        if let Some(client) = client {
            sessions.push(WithClient { request, client });
        }
    }
    Ok(sessions)
}

/// `DELETE /oauth2/auth/sessions/consent/{user}[/{client}]`: deletes the subject's consent
/// sessions (with one client when given) and every access and refresh token issued from them;
/// `NotFound` when there was none.
pub async fn revoke_consent_sessions<S: FlowStore>(
    store: &S,
    subject: &str,
    client: Option<&ClientId>,
) -> Result<(), Error> {
    let deleted = store
        .revoke_consent_sessions(subject, client)
        .await
        .map_err(|e| Error::from_store("consent session", e))?;
    if deleted == 0 {
        return Err(Error::NotFound {
            what: "consent session",
        });
    }
    Ok(())
}

/// `DELETE /oauth2/auth/sessions/login/{user}`: forgets every remembered login of the subject
/// (their cookies stop working; tokens are untouched); `NotFound` when there was none.
pub async fn revoke_login_sessions<S: FlowStore>(store: &S, subject: &str) -> Result<(), Error> {
    let deleted = store
        .delete_login_sessions_of(subject)
        .await
        .map_err(|e| Error::from_store("login session", e))?;
    if deleted == 0 {
        return Err(Error::NotFound {
            what: "login session",
        });
    }
    Ok(())
}

/// Hydra 2.x `DELETE /admin/oauth2/auth/sessions/login?sid=`: forgets one remembered login
/// session by its id (tokens are kept); `NotFound` when there is none.
pub async fn revoke_login_session<S: FlowStore>(store: &S, session_id: &str) -> Result<(), Error> {
    let deleted = store
        .delete_login_session(session_id)
        .await
        .map_err(|e| Error::from_store("login session", e))?;
    if !deleted {
        return Err(Error::NotFound {
            what: "login session",
        });
    }
    Ok(())
}
