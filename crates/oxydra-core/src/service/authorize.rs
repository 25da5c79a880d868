//! `GET|POST /oauth2/auth` (RFC 6749 §4.1.1) with Hydra's login and consent flow
//! (`shared/spec/behaviour.md` §3.2): validate, then — depending on which verifier the browser
//! brings back — ask the login app, ask the consent app, or issue the authorization code.

use crate::client::Client;
use crate::client::SubjectType;
use crate::error::Error;
pub use crate::flow::response::{
    AuthorizeFailure, AuthorizeResponse, BrowserCookies, CookieChange, FlowSettings,
    LegacyFlowSettings, ROUND_TRIP, redirect_with, rejection_error,
};
use crate::flow::{
    ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, LoginSession,
};
use crate::model::{ClientId, Now};
use crate::oauth2::authorize::{self, AuthorizeError, AuthorizeParams, ValidAuthorizeRequest};
use crate::oauth2::scope;
use crate::service::access_tokens::AccessTokens;
use crate::service::id_tokens::IdTokenIssuer;
use crate::store::{ClientStore, FlowStore, KeyStore, LegacyConsentStore, TokenStore};
use crate::{OAuthError, OAuthErrorKind};

mod finish;
mod legacy;
mod verifier;

use verifier::access_denied;

/// One authorization request: the entry point of the flow (the 0.10 consent-by-id flow when
/// [`FlowSettings::legacy`] selects it).
pub async fn authorize<S>(
    store: &S,
    keys: &AccessTokens<'_>,
    oidc: &IdTokenIssuer<'_>,
    settings: &FlowSettings,
    params: AuthorizeParams,
    browser: BrowserCookies,
    now: Now,
) -> Result<AuthorizeResponse, AuthorizeFailure>
where
    S: ClientStore + TokenStore + FlowStore + KeyStore + LegacyConsentStore,
{
    let id = authorize::client_id(&params)?;
    let client_id = ClientId::parse(id).map_err(|_| authorize::unknown_client())?;
    let client = store
        .get_client(&client_id)
        .await
        .map_err(|e| untrusted(Error::from_store("client", e)))?
        .ok_or_else(authorize::unknown_client)?;
    let redirect = authorize::check_redirect_uri(&params, &client)?;
    let mut request =
        authorize::check_request(&params, &client, redirect, settings.scope_strategy)?;
    let refuse = |error: OAuthError| AuthorizeError {
        redirect: Some(Box::new(request.redirect.clone())),
        state: Some(request.state.clone()),
        error,
    };
    if client.subject_type == SubjectType::Pairwise && !settings.pairwise_enabled {
        return Err(refuse(OAuthError::invalid_request(
            "The client uses pairwise subjects, which OIDC_SUBJECT_TYPES_SUPPORTED does not enable.",
        ))
        .into());
    }
    if let Some(hint) = &request.id_token_hint {
        let claims = oidc
            .verify_hint(store, hint, now)
            .await
            .map_err(|e| AuthorizeFailure::from(refuse(e)))?;
        request.oidc_context.id_token_hint_claims = Some(claims);
    }
    let flow = Flow {
        store,
        settings,
        client: &client,
        request: &request,
        params: &params,
        now,
    };
    let result = if let Some(legacy) = &settings.legacy {
        let signing = finish::Signing { tokens: keys, oidc };
        flow.legacy(legacy, &signing, &browser).await
    } else if let Some(verifier) = non_empty(&params, "consent_verifier") {
        let signing = finish::Signing { tokens: keys, oidc };
        flow.finish(&signing, verifier, &browser).await
    } else if let Some(verifier) = non_empty(&params, "login_verifier") {
        flow.after_login(verifier, &browser).await
    } else {
        flow.start_login(&browser).await
    };
    result.map_err(|(error, cookies)| AuthorizeFailure {
        error: AuthorizeError {
            redirect: Some(Box::new(request.redirect.clone())),
            state: Some(request.state.clone()),
            error,
        },
        cookies,
    })
}

fn non_empty<'a>(params: &'a AuthorizeParams, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

fn untrusted(error: Error) -> AuthorizeError {
    AuthorizeError::untrusted(OAuthError::from(error))
}

/// An error for the client plus the cookie changes to make anyway.
type FlowError = (OAuthError, Vec<CookieChange>);

fn fail(error: OAuthError) -> FlowError {
    (error, Vec::new())
}

fn store_fail(what: &'static str) -> impl Fn(crate::store::StoreError) -> FlowError {
    move |e| fail(OAuthError::from(Error::from_store(what, e)))
}

/// Everything one step of the flow works with.
struct Flow<'a, S> {
    store: &'a S,
    settings: &'a FlowSettings,
    client: &'a Client,
    request: &'a ValidAuthorizeRequest,
    params: &'a AuthorizeParams,
    now: Now,
}

impl<S: ClientStore + TokenStore + FlowStore + KeyStore> Flow<'_, S> {
    /// `<issuer>/oauth2/auth?<the request's parameters without verifiers>`.
    fn request_url(&self) -> String {
        self.request_url_except(&[])
    }

    /// [`Flow::request_url`], without the `skipped` parameters either.
    fn request_url_except(&self, skipped: &[&str]) -> String {
        let mut url = self.settings.authorize_url.clone();
        {
            let mut query = url.query_pairs_mut();
            query.clear();
            for (k, v) in self.params {
                if k != "login_verifier"
                    && k != "consent_verifier"
                    && !skipped.contains(&k.as_str())
                {
                    query.append_pair(k, v);
                }
            }
        }
        url.to_string()
    }

    /// The consent app's `grant_scope` restricted to what the client may have (stricter than
    /// Hydra, which grants whatever the app sends).
    fn grantable(&self, grant_scope: &[String]) -> Vec<String> {
        let allowed = scope::split(&self.client.scope);
        grant_scope
            .iter()
            .filter(|s| {
                allowed
                    .iter()
                    .any(|a| scope::scope_matches(self.settings.scope_strategy, a, s))
            })
            .cloned()
            .collect()
    }

    /// §3.2 step 2–3: look for a remembered login, then create the login request.
    async fn start_login(&self, browser: &BrowserCookies) -> Result<AuthorizeResponse, FlowError> {
        let prompt = self.request.prompt;
        let mut session = None;
        if let (false, Some(sid)) = (prompt.login, browser.session_id.as_deref()) {
            session = self
                .store
                .get_login_session(sid)
                .await
                .map_err(store_fail("login session"))?
                .filter(|s| s.is_valid_at(self.now));
        }
        if let (Some(s), Some(max_age)) = (&session, self.request.max_age)
            && s.authenticated_at.unix_secs().saturating_add(max_age) < self.now.unix_secs()
        {
            session = None;
        }
        if prompt.none && session.is_none() {
            return Err(fail(OAuthError::new(OAuthErrorKind::LoginRequired).hint(
                "prompt=none was requested but the end-user has no valid login session.",
            )));
        }
        let login = LoginRequest {
            challenge: FlowId::generate(),
            verifier: FlowId::generate(),
            csrf: FlowId::generate(),
            client_id: self.client.id.clone(),
            subject: session
                .as_ref()
                .map(|s| s.subject.clone())
                .unwrap_or_default(),
            skip: session.is_some(),
            requested_scope: self.request.scope.clone(),
            request_url: self.request_url(),
            oidc_context: self.request.oidc_context.clone(),
            login_session_id: session.as_ref().map(|s| s.id.clone()),
            requested_at: self.now,
            authenticated_at: session.as_ref().map(|s| s.authenticated_at),
            outcome: None,
            verifier_used: false,
        };
        self.store
            .create_login_request(&login)
            .await
            .map_err(store_fail("login request"))?;
        let mut location = self.settings.login_url.clone();
        location
            .query_pairs_mut()
            .append_pair("login_challenge", login.challenge.as_str());
        Ok(AuthorizeResponse::redirect(
            location,
            vec![CookieChange::LoginCsrf(login.csrf)],
        ))
    }

    /// §3.2 step 5–6: verify the login, remember it if asked, then create the consent request.
    async fn after_login(
        &self,
        verifier: &str,
        browser: &BrowserCookies,
    ) -> Result<AuthorizeResponse, FlowError> {
        let login: LoginRequest = self.redeem(verifier, browser).await?;
        let (subject, remember, remember_for, acr, authenticated_at) = match login.outcome {
            Some(LoginOutcome::Accepted {
                subject,
                remember,
                remember_for,
                acr,
                authenticated_at,
                ..
            }) => (
                subject,
                remember,
                remember_for,
                acr,
                Now::from_unix_micros(authenticated_at),
            ),
            Some(LoginOutcome::Rejected(rejection)) => {
                return Err(fail(rejection_error(&rejection)));
            }
            None => return Err(fail(access_denied())),
        };
        if login.skip && subject != login.subject {
            return Err(fail(OAuthError::new(OAuthErrorKind::ServerError).hint(
                "The login app changed the subject of a remembered session.",
            )));
        }
        self.check_auth_time(authenticated_at, login.requested_at)?;
        let mut cookies = Vec::new();
        let mut session_id = login.login_session_id.clone();
        if remember && !login.skip {
            let lifetime = match u64::try_from(remember_for) {
                Ok(secs) if secs > 0 => std::time::Duration::from_secs(secs),
                _ => self.settings.browser_session,
            };
            let session = LoginSession {
                id: FlowId::generate().as_str().to_owned(),
                subject: subject.clone(),
                authenticated_at,
                expires_at: self.now.plus(lifetime),
            };
            self.store
                .create_login_session(&session)
                .await
                .map_err(store_fail("login session"))?;
            cookies.push(CookieChange::Session {
                id: session.id.clone(),
                max_age: (remember_for > 0).then_some(remember_for),
            });
            session_id = Some(session.id);
        } else if !remember && !login.skip {
            if let Some(sid) = browser.session_id.as_deref() {
                self.store
                    .delete_login_session(sid)
                    .await
                    .map_err(store_fail("login session"))?;
            }
            cookies.push(CookieChange::ClearSession);
            session_id = None;
        }
        let skip = self
            .remembered_consent(&subject)
            .await
            .map_err(|e| (e, cookies.clone()))?;
        if !skip && self.request.prompt.none {
            return Err((
                OAuthError::new(OAuthErrorKind::ConsentRequired).hint(
                    "prompt=none was requested but no remembered consent covers the requested scopes.",
                ),
                cookies,
            ));
        }
        let consent = ConsentRequest {
            challenge: FlowId::generate(),
            verifier: FlowId::generate(),
            csrf: FlowId::generate(),
            client_id: self.client.id.clone(),
            subject,
            skip,
            requested_scope: self.request.scope.clone(),
            request_url: self.request_url(),
            oidc_context: self.request.oidc_context.clone(),
            login_challenge: login.challenge.clone(),
            login_session_id: session_id,
            requested_at: login.requested_at,
            authenticated_at,
            acr,
            outcome: None,
            handled_at: None,
            verifier_used: false,
        };
        self.store
            .create_consent_request(&consent)
            .await
            .map_err(|e| {
                (
                    OAuthError::from(Error::from_store("consent request", e)),
                    cookies.clone(),
                )
            })?;
        let mut location = self.settings.consent_url.clone();
        location
            .query_pairs_mut()
            .append_pair("consent_challenge", consent.challenge.as_str());
        cookies.push(CookieChange::ConsentCsrf(consent.csrf));
        Ok(AuthorizeResponse::redirect(location, cookies))
    }

    /// §3.2 step 6: whether a remembered consent covers every requested scope. Never for
    /// `prompt=consent`, nor for a public client redirecting to a non-https URI (anyone could
    /// register that URI on another device).
    async fn remembered_consent(&self, subject: &str) -> Result<bool, OAuthError> {
        if self.request.prompt.consent
            || (self.client.is_public() && self.request.redirect.url().scheme() != "https")
        {
            return Ok(false);
        }
        let previous = self
            .store
            .remembered_consents(subject, Some(&self.client.id), self.now, 100, 0)
            .await
            .map_err(|e| OAuthError::from(Error::from_store("consent", e)))?;
        let strategy = self.settings.scope_strategy;
        Ok(previous.iter().any(|c| match &c.outcome {
            Some(ConsentOutcome::Accepted { grant_scope, .. }) => {
                let granted: Vec<&str> = grant_scope.iter().map(String::as_str).collect();
                let requested: Vec<&str> = self.request.scope.iter().map(String::as_str).collect();
                scope::all_allowed(strategy, &granted, &requested).is_ok()
            }
            _ => false,
        }))
    }

    /// OIDC Core §3.1.2.1: `max_age` and `prompt=login` constrain the authentication time.
    /// Both are measured against the time of the authorization request, not the (later) time
    /// the browser comes back: `max_age=0` is met by a login made for this request.
    fn check_auth_time(&self, authenticated_at: Now, requested_at: Now) -> Result<(), FlowError> {
        if let Some(max_age) = self.request.max_age
            && authenticated_at.unix_secs().saturating_add(max_age) < requested_at.unix_secs()
        {
            return Err(fail(
                OAuthError::new(OAuthErrorKind::LoginRequired)
                    .hint("The authentication is older than max_age allows."),
            ));
        }
        if self.request.prompt.login && authenticated_at.unix_secs() < requested_at.unix_secs() {
            return Err(fail(
                OAuthError::new(OAuthErrorKind::LoginRequired)
                    .hint("prompt=login requires a fresh authentication."),
            ));
        }
        Ok(())
    }
}
