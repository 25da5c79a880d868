//! The login step's decisions (`shared/spec/behaviour.md` §3.2 steps 2–5): whether a
//! remembered login may stand in for the login app, and what an answered login request means
//! once the browser is back with its verifier. Pure: `(request, input, now) → decision`; the
//! service (`service/authorize.rs`) loads the inputs and carries the decision out.

use std::time::Duration;

use crate::flow::cookies::CookieChange;
use crate::flow::response::{rejection_error, unanswered};
use crate::flow::{LoginOutcome, LoginRequest, LoginSession};
use crate::model::Now;
use crate::oauth2::authorize::Prompt;
use crate::{OAuthError, OAuthErrorKind};

/// What the authorization request demands of the authentication (OIDC Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginDemands {
    /// `prompt`.
    pub prompt: Prompt,
    /// `max_age`, in seconds.
    pub max_age: Option<i64>,
}

/// How a new flow starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginStart {
    /// The login app must authenticate the user.
    Authenticate,
    /// A remembered login session stands in (the login request is created with `skip`).
    Remembered(LoginSession),
}

/// §3.2 steps 2–3: the browser's remembered `session` (already loaded, if any) is used unless
/// it expired, is older than `max_age`, or `prompt=login` asks for a fresh login;
/// `prompt=none` without one is `login_required`.
pub fn start(
    demands: LoginDemands,
    session: Option<LoginSession>,
    now: Now,
) -> Result<LoginStart, OAuthError> {
    let session = session
        .filter(|_| !demands.prompt.login)
        .filter(|s| s.is_valid_at(now))
        .filter(|s| {
            // OIDC Core §3.1.2.1: re-authenticate once the elapsed time is *greater* than
            // `max_age`. Compared in microseconds: in whole seconds a login up to almost
            // `max_age + 1` s old was kept (the OIDF `OP-Req-max_age=1` test caught it).
            demands.max_age.is_none_or(|max_age| {
                let elapsed = now
                    .unix_micros()
                    .saturating_sub(s.authenticated_at.unix_micros());
                elapsed <= max_age.saturating_mul(1_000_000)
            })
        });
    match session {
        Some(session) => Ok(LoginStart::Remembered(session)),
        None if demands.prompt.none => Err(OAuthError::new(OAuthErrorKind::LoginRequired)
            .hint("prompt=none was requested but the end-user has no valid login session.")),
        None => Ok(LoginStart::Authenticate),
    }
}

/// What the service knows, besides the login request, when the browser returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginReturn {
    /// What the authorization request demands.
    pub demands: LoginDemands,
    /// The browser's session cookie, if any.
    pub session_cookie: Option<String>,
    /// How long a login remembered with `remember_for = 0` is honoured.
    pub browser_session: Duration,
    /// The id a newly remembered session gets (random, chosen by the caller).
    pub new_session_id: String,
}

/// What happens to the remembered login sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionChange {
    /// Nothing.
    Keep,
    /// Store this new session (`remember`).
    Remember(LoginSession),
    /// Forget the browser's session, if it has one (`remember = false`).
    Forget(Option<String>),
    /// A remembered session accepted again with `extend_session_lifespan`: it now expires at
    /// `expires_at`.
    Extend {
        /// The session's id.
        id: String,
        /// Its new expiry.
        expires_at: Now,
    },
}

/// An accepted login, ready for the consent step.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedIn {
    /// The authenticated end-user.
    pub subject: String,
    /// The authentication context class the login app reported.
    pub acr: String,
    /// The authentication methods the login app reported.
    pub amr: Vec<String>,
    /// The login app's `context`, for the consent request.
    pub context: Option<serde_json::Value>,
    /// When the user authenticated.
    pub authenticated_at: Now,
    /// The change to the remembered sessions.
    pub session: SessionChange,
    /// The login session the consent request belongs to, if any.
    pub session_id: Option<String>,
    /// The cookie changes the session change needs.
    pub cookies: Vec<CookieChange>,
}

/// §3.2 step 5: an answered `login` request, redeemed by the browser at `now`. A rejection
/// becomes the app's error; a remembered session must keep its subject; `max_age` and
/// `prompt=login` are checked; then the session is remembered, forgotten, or kept (`skip`).
pub fn after_login(
    login: &LoginRequest,
    input: &LoginReturn,
    now: Now,
) -> Result<LoggedIn, OAuthError> {
    let Some(LoginOutcome::Accepted {
        subject,
        remember,
        remember_for,
        acr,
        authenticated_at,
        amr,
        context,
        extend_session_lifespan,
        ..
    }) = &login.outcome
    else {
        return Err(match &login.outcome {
            Some(LoginOutcome::Rejected(rejection)) => rejection_error(rejection),
            _ => unanswered(),
        });
    };
    let (remember, remember_for) = (*remember, *remember_for);
    let authenticated_at = Now::from_unix_micros(*authenticated_at);
    if login.skip && *subject != login.subject {
        return Err(OAuthError::new(OAuthErrorKind::ServerError)
            .hint("The login app changed the subject of a remembered session."));
    }
    check_auth_time(input.demands, authenticated_at, login.requested_at)?;
    // `remember_for` seconds, or the browser-session maximum for 0.
    let lifetime = match u64::try_from(remember_for) {
        Ok(secs) if secs > 0 => Duration::from_secs(secs),
        _ => input.browser_session,
    };
    let cookie = |id: &str| CookieChange::Session {
        id: id.to_owned(),
        max_age: (remember_for > 0).then_some(remember_for),
    };
    let (session, session_id, cookies) = match (&login.login_session_id, login.skip) {
        (Some(id), true) if *extend_session_lifespan => {
            let extend = SessionChange::Extend {
                id: id.clone(),
                expires_at: now.plus(lifetime),
            };
            (extend, Some(id.clone()), vec![cookie(id)])
        }
        (id, true) => (SessionChange::Keep, id.clone(), Vec::new()),
        (_, false) if remember => {
            let session = LoginSession {
                id: input.new_session_id.clone(),
                subject: subject.clone(),
                authenticated_at,
                expires_at: now.plus(lifetime),
            };
            let cookies = vec![cookie(&session.id)];
            let id = Some(session.id.clone());
            (SessionChange::Remember(session), id, cookies)
        }
        (_, false) => {
            let forget = SessionChange::Forget(input.session_cookie.clone());
            (forget, None, vec![CookieChange::ClearSession])
        }
    };
    Ok(LoggedIn {
        subject: subject.clone(),
        acr: acr.clone(),
        amr: amr.clone(),
        context: context.clone(),
        authenticated_at,
        session,
        session_id,
        cookies,
    })
}

/// OIDC Core §3.1.2.1: `max_age` and `prompt=login` constrain the authentication time.
/// Both are measured against the time of the authorization request, not the (later) time
/// the browser comes back: `max_age=0` is met by a login made for this request.
fn check_auth_time(
    demands: LoginDemands,
    authenticated_at: Now,
    requested_at: Now,
) -> Result<(), OAuthError> {
    if let Some(max_age) = demands.max_age
        && authenticated_at.unix_secs().saturating_add(max_age) < requested_at.unix_secs()
    {
        return Err(OAuthError::new(OAuthErrorKind::LoginRequired)
            .hint("The authentication is older than max_age allows."));
    }
    if demands.prompt.login && authenticated_at.unix_secs() < requested_at.unix_secs() {
        return Err(OAuthError::new(OAuthErrorKind::LoginRequired)
            .hint("prompt=login requires a fresh authentication."));
    }
    Ok(())
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
