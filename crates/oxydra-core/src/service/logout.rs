//! Logging a browser out (`GET|POST /oauth2/auth/sessions/login/revoke`) without logout CSRF
//! (issue 11 item 18): a cross-site `<img src>` must not end someone's login session. A live
//! session ends either on an RP-initiated request (OIDC RP-Initiated Logout 1.0 §2) whose
//! `id_token_hint` is an ID token of this server for the session's user, or after the user
//! confirms on a page whose form carries a token bound to the session (the server checks it).
//! Without a live session there is nothing to protect, and the browser just moves on.

use crate::OAuthError;
use crate::error::Error;
use crate::model::ClientId;
use crate::model::Now;
use crate::oidc::id_token::hint_subject;
use crate::oidc::subject::obfuscated_subject;
use crate::service::id_tokens::IdTokenIssuer;
use crate::store::{ClientStore, FlowStore, KeyStore};

/// What a logout request leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutStep {
    /// The browser has no live session: clear its cookie and move on.
    NoSession,
    /// The session was ended (its row deleted): clear the cookie and move on.
    LoggedOut,
    /// Ask the user to confirm: the request alone proves nothing.
    Confirm,
}

/// `GET`: ends the live session of `session_id` when `id_token_hint` names its user, else
/// asks for confirmation. A hint that is not an ID token of this server is `invalid_request`.
pub async fn request_logout<S: FlowStore + ClientStore + KeyStore>(
    store: &S,
    oidc: &IdTokenIssuer<'_>,
    pairwise_salt: &[u8],
    session_id: Option<&str>,
    id_token_hint: Option<&str>,
    now: Now,
) -> Result<LogoutStep, Error> {
    let claims = match id_token_hint {
        Some(hint) => Some(oidc.verify_hint(store, hint, now).await?),
        None => None,
    };
    let Some(sid) = session_id else {
        return Ok(LogoutStep::NoSession);
    };
    let Some(session) = store
        .get_login_session(sid)
        .await
        .map_err(|e| Error::from_store("login session", e))?
        .filter(|s| s.is_valid_at(now))
    else {
        return Ok(LogoutStep::NoSession);
    };
    let Some(claims) = claims else {
        return Ok(LogoutStep::Confirm);
    };
    let hinted = hint_subject(&claims);
    let mut matches = hinted == session.subject;
    let audience = claims
        .get("aud")
        .and_then(|a| a.as_array())
        .cloned()
        .unwrap_or_default();
    for aud in audience.iter().filter_map(|a| a.as_str()) {
        let Ok(id) = ClientId::parse(aud) else {
            continue;
        };
        let Some(client) = store
            .get_client(&id)
            .await
            .map_err(|e| Error::from_store("client", e))?
        else {
            continue;
        };
        let pairwise = obfuscated_subject(&client, &session.subject, "", pairwise_salt)
            .map_err(Error::from)?;
        matches |= pairwise.as_deref() == Some(hinted);
    }
    if !matches {
        return Ok(LogoutStep::Confirm);
    }
    end_session(store, sid).await?;
    Ok(LogoutStep::LoggedOut)
}

/// `POST` of the confirmation page whose token the server has checked: ends the session.
pub async fn end_session<S: FlowStore>(store: &S, session_id: &str) -> Result<(), Error> {
    store
        .delete_login_session(session_id)
        .await
        .map(drop)
        .map_err(|e| Error::from_store("login session", e))
}

/// The error of a confirmation whose token does not match the browser's session.
pub fn forged_confirmation() -> OAuthError {
    OAuthError::new(crate::OAuthErrorKind::RequestForbidden)
        .hint("The logout confirmation does not belong to this browser's session; open the logout page again.")
}
