//! `/oauth2/sessions/logout` (OIDC RP-Initiated Logout 1.0 §2–3, as Hydra 1.x/2.x run it):
//! a logout request is created and the browser sent to the logout app; once the app accepts
//! it, the browser comes back with a verifier and [`complete`] ends the login session, listing
//! the front-channel pages to frame and the back-channel logout tokens to post
//! (Front-Channel Logout 1.0, Back-Channel Logout 1.0). The admin side — read, accept,
//! reject — is [`admin`].

pub mod admin;

use std::time::Duration;

use url::Url;

use crate::client::Client;
use crate::error::Error;
use crate::flow::logout::{
    self, EndedSession, LogoutRequest, check_op_initiated, hinted_client, post_logout_target,
};
use crate::flow::settings::FlowSettings;
use crate::flow::{FlowId, LoginSession, VerifierUse};
use crate::model::{ClientId, Now};
use crate::oidc::logout_token::{self, LogoutTokenInput};
use crate::oidc::subject::obfuscated_subject;
use crate::service::id_tokens::IdTokenIssuer;
use crate::store::{ClientStore, FlowStore, KeyStore, LogoutStore};
use crate::{OAuthError, OAuthErrorKind};

/// The query parameter carrying a logout verifier back to the logout endpoint.
pub const LOGOUT_VERIFIER_PARAM: &str = "logout_verifier";
/// The query parameter naming the logout challenge (logout-app URL, admin routes).
pub const LOGOUT_CHALLENGE_PARAM: &str = "logout_challenge";

/// What the logout endpoint is configured with.
#[derive(Debug, Clone, Copy)]
pub struct LogoutSettings<'a> {
    /// `OAUTH2_LOGOUT_URL`: the logout app.
    pub logout_url: &'a Url,
    /// `OAUTH2_LOGOUT_REDIRECT_URL`: where the browser goes without a registered target.
    pub default_redirect: &'a Url,
    /// `<issuer>/oauth2/sessions/logout`: where an accepted request sends the browser back.
    pub end_session_url: &'a Url,
    /// How long a logout request may be answered and redeemed (the flow round trip).
    pub round_trip: Duration,
    /// `OIDC_SUBJECT_TYPE_PAIRWISE_SALT`, for the subject a pairwise client knows.
    pub pairwise_salt: &'a [u8],
}

impl<'a> LogoutSettings<'a> {
    /// The logout settings of the flow's configuration.
    pub fn of(flow: &'a FlowSettings) -> Self {
        Self {
            logout_url: &flow.logout_url,
            default_redirect: &flow.logout_redirect_url,
            end_session_url: &flow.end_session_url,
            round_trip: flow.round_trip,
            pairwise_salt: flow.pairwise_salt.expose(),
        }
    }
}

/// The parameters of a logout request (RP-Initiated Logout 1.0 §2).
#[derive(Debug, Clone, Default)]
pub struct LogoutParams {
    /// An ID token this server issued to the client asking.
    pub id_token_hint: Option<String>,
    /// Where the client wants the browser back; must be one it registered.
    pub post_logout_redirect_uri: Option<String>,
    /// Returned to the client with the browser.
    pub state: Option<String>,
}

/// A back-channel logout to deliver (Back-Channel Logout 1.0 §2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackchannelLogout {
    /// The client told.
    pub client_id: ClientId,
    /// Its `backchannel_logout_uri`.
    pub uri: String,
    /// The signed logout token.
    pub logout_token: String,
}

/// The end of a logout: where the browser goes, and whom to tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoggedOut {
    /// The final redirect (a registered `post_logout_redirect_uri` or the default).
    pub redirect_to: String,
    /// Front-channel logout pages to frame before leaving.
    pub frontchannel: Vec<String>,
    /// Logout tokens to post.
    pub backchannel: Vec<BackchannelLogout>,
}

/// The first leg: validates the request and answers where the browser goes — to the logout
/// app with a `logout_challenge`, or, when there is no session to end, straight to the target.
/// A hint that is not an ID token of this server, an unregistered `post_logout_redirect_uri`,
/// or a target or `state` without a hint are `invalid_request`.
pub async fn start<S: LogoutStore + FlowStore + ClientStore + KeyStore>(
    store: &S,
    oidc: &IdTokenIssuer<'_>,
    settings: &LogoutSettings<'_>,
    params: &LogoutParams,
    browser_session: Option<&str>,
    request_url: String,
    now: Now,
) -> Result<String, Error> {
    let requested = params.post_logout_redirect_uri.as_deref();
    let state = params.state.as_deref();
    let Some(hint) = params.id_token_hint.as_deref() else {
        check_op_initiated(requested, state)?;
        let Some(session) = live_session(store, browser_session, now).await? else {
            return Ok(settings.default_redirect.to_string());
        };
        let request = new_request(
            session,
            None,
            request_url,
            settings.default_redirect.to_string(),
            now,
        );
        return create(store, settings, &request).await;
    };
    let claims = oidc.verify_hint(store, hint, now).await?;
    let client_id = hinted_client(&claims)?;
    let client = find_client(store, &client_id)
        .await?
        .ok_or_else(logout::unknown_hint_client)?;
    let redirect_to =
        post_logout_target(Some(&client), requested, state, settings.default_redirect)?;
    // Only this browser's own session can end: a hint names a session, it does not carry
    // the right to end it (whoever holds a user's ID token, such as the client it was issued
    // to, must not log that user out everywhere from another browser).
    let Some(session) = live_session(store, browser_session, now).await? else {
        // No session here to end: nothing to ask about.
        return Ok(redirect_to);
    };
    if !hint_names_session(&claims, &client, &session, settings.pairwise_salt)? {
        return Err(OAuthError::invalid_request(
            "The id_token_hint was issued for another login session than this browser's.",
        )
        .into());
    }
    let request = new_request(session, Some(client_id), request_url, redirect_to, now);
    create(store, settings, &request).await
}

/// Whether a verified `id_token_hint` belongs to the browser's `session`: its `sid` names
/// it, or its `sub` is the session's user as `client` sees them (pairwise clients see a
/// pairwise identifier) — an ID token of an earlier session of the same user, as Hydra.
fn hint_names_session(
    claims: &serde_json::Map<String, serde_json::Value>,
    client: &Client,
    session: &LoginSession,
    pairwise_salt: &[u8],
) -> Result<bool, Error> {
    let claim = |name: &str| claims.get(name).and_then(|v| v.as_str());
    if claim("sid") == Some(session.id.as_str()) {
        return Ok(true);
    }
    let seen = obfuscated_subject(client, &session.subject, "", pairwise_salt)?
        .unwrap_or_else(|| session.subject.clone());
    Ok(claim("sub") == Some(seen.as_str()))
}

/// The client `id`, if it (still) exists.
pub(crate) async fn find_client<S: ClientStore>(
    store: &S,
    id: &ClientId,
) -> Result<Option<Client>, Error> {
    store
        .get_client(id)
        .await
        .map_err(|e| Error::from_store("client", e))
}

/// The login session `id`, when it exists and is still valid at `now`.
async fn live_session<S: FlowStore>(
    store: &S,
    id: Option<&str>,
    now: Now,
) -> Result<Option<LoginSession>, Error> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(store
        .get_login_session(id)
        .await
        .map_err(|e| Error::from_store("login session", e))?
        .filter(|s| s.is_valid_at(now)))
}

fn new_request(
    session: LoginSession,
    client_id: Option<ClientId>,
    request_url: String,
    redirect_to: String,
    now: Now,
) -> LogoutRequest {
    LogoutRequest {
        challenge: FlowId::generate(),
        verifier: FlowId::generate(),
        subject: session.subject,
        session_id: session.id,
        rp_initiated: client_id.is_some(),
        client_id,
        request_url,
        redirect_to,
        requested_at: now,
        accepted: false,
        verifier_used: false,
    }
}

/// Stores `request` and answers the logout app's URL with its challenge.
async fn create<S: LogoutStore>(
    store: &S,
    settings: &LogoutSettings<'_>,
    request: &LogoutRequest,
) -> Result<String, Error> {
    store
        .create_logout_request(request)
        .await
        .map_err(|e| Error::from_store("logout request", e))?;
    let mut url = settings.logout_url.clone();
    url.query_pairs_mut()
        .append_pair(LOGOUT_CHALLENGE_PARAM, request.challenge.as_str());
    Ok(url.to_string())
}

/// The second leg: the browser is back with the verifier of an accepted request. Ends the
/// session ([`LogoutStore::complete_logout`]) and lists whom to tell. A hint-less (OP-initiated)
/// request whose session is no longer this browser's ends nothing (Hydra: the user signed in
/// again meanwhile); a verifier redeemed already just moves on (a double submit).
pub async fn complete<S: LogoutStore + ClientStore + KeyStore>(
    store: &S,
    oidc: &IdTokenIssuer<'_>,
    settings: &LogoutSettings<'_>,
    verifier: &str,
    browser_session: Option<&str>,
    now: Now,
) -> Result<LoggedOut, Error> {
    let verifier = FlowId::from_stored(verifier);
    let request = store
        .get_logout_request_by_verifier(&verifier)
        .await
        .map_err(|e| Error::from_store("logout request", e))?
        .filter(|r| r.accepted && !r.is_expired_at(now, settings.round_trip))
        .ok_or_else(unknown_verifier)?;
    let moving_on = LoggedOut {
        redirect_to: request.redirect_to.clone(),
        ..LoggedOut::default()
    };
    if !request.rp_initiated && browser_session != Some(request.session_id.as_str()) {
        return Ok(moving_on);
    }
    let ended = match store
        .complete_logout(&verifier)
        .await
        .map_err(|e| Error::from_store("logout request", e))?
    {
        VerifierUse::Fresh(ended) => ended,
        VerifierUse::AlreadyUsed => return Ok(moving_on),
        VerifierUse::Unknown => return Err(unknown_verifier().into()),
    };
    notices(store, oidc, settings, &ended, now).await
}

/// The front-channel pages and back-channel tokens for every client of the ended session.
async fn notices<S: ClientStore + KeyStore>(
    store: &S,
    oidc: &IdTokenIssuer<'_>,
    settings: &LogoutSettings<'_>,
    ended: &EndedSession,
    now: Now,
) -> Result<LoggedOut, Error> {
    let request = &ended.request;
    let mut out = LoggedOut {
        redirect_to: request.redirect_to.clone(),
        ..LoggedOut::default()
    };
    let view = oidc.keys.current(store, oidc.cipher, now).await?;
    for id in &ended.clients {
        let Some(client) = find_client(store, id).await? else {
            continue;
        };
        out.frontchannel.extend(logout::frontchannel_url(
            &client,
            oidc.issuer,
            &request.session_id,
        ));
        if client.backchannel_logout_uri.is_empty() {
            continue;
        }
        let subject = obfuscated_subject(&client, &request.subject, "", settings.pairwise_salt)?
            .unwrap_or_else(|| request.subject.clone());
        let signer = oidc.signer(&view, &client.id_token_signed_response_alg)?;
        let input = LogoutTokenInput {
            issuer: oidc.issuer,
            client_id: client.id.as_str(),
            subject: &subject,
            sid: &request.session_id,
            now,
        };
        out.backchannel.push(BackchannelLogout {
            logout_token: logout_token::sign(&input, signer)?,
            uri: client.backchannel_logout_uri.clone(),
            client_id: client.id,
        });
    }
    Ok(out)
}

/// A verifier that names no accepted, unexpired logout request.
fn unknown_verifier() -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidRequest)
        .hint("The logout verifier is unknown, expired, or its request was not accepted.")
}
