//! `GET|POST /oauth2/auth` (RFC 6749 §4.1.1) with Hydra's login and consent flow
//! (`shared/spec/behaviour.md` §3.2): validate, then — depending on which verifier the browser
//! brings back — ask the login app, ask the consent app, or issue the authorization code.

use crate::OAuthError;
use crate::client::Client;
use crate::client::SubjectType;
use crate::error::Error;
pub use crate::flow::cookies::{BrowserCookies, CookieChange};
use crate::flow::login::{self, LoggedIn, LoginDemands, LoginReturn, LoginStart, SessionChange};
pub use crate::flow::response::{
    AuthorizeFailure, AuthorizeResponse, redirect_with, rejection_error,
};
pub use crate::flow::settings::{FlowSettings, LegacyFlowSettings, ROUND_TRIP};
use crate::flow::{ConsentRequest, FlowId, LoginRequest, consent};
use crate::model::{ClientId, Now};
use crate::oauth2::authorize::{self, AuthorizeError, AuthorizeParams, ValidAuthorizeRequest};
use crate::service::client_auth::ClientKeys;
use crate::store::{
    ClientStore, FlowStore, KeyStore, LegacyConsentStore, PushedRequestStore, TokenStore,
};

mod device;
mod finish;
mod legacy;
mod pushed;
mod request_object;
mod verifier;

pub use device::{
    DEVICE_CHALLENGE_PARAM, DeviceFailure, DeviceReturn, DeviceStep, device_return, device_start,
};
pub use finish::ResponseIssuers;
pub use request_object::{RequestObjects, RequestUris};

/// One authorization request: the entry point of the flow (the 0.10 consent-by-id flow when
/// [`FlowSettings::legacy`] selects it). A pushed request's reference is swapped for its
/// parameters first (RFC 9126), then a request object (`request`, `request_uri`) is unpacked
/// ([`RequestObjects::unpack`]); the rest sees the merged parameters.
pub async fn authorize<S, K, U>(
    store: &S,
    issuers: &ResponseIssuers<'_>,
    settings: &FlowSettings,
    objects: &RequestObjects<'_, K, U>,
    params: AuthorizeParams,
    browser: BrowserCookies,
    now: Now,
) -> Result<AuthorizeResponse, AuthorizeFailure>
where
    S: ClientStore + TokenStore + FlowStore + KeyStore + LegacyConsentStore + PushedRequestStore,
    K: ClientKeys,
    U: RequestUris,
{
    let id = authorize::client_id(&params)?;
    let client_id = ClientId::parse(id).map_err(|_| authorize::unknown_client())?;
    let client = store
        .get_client(&client_id)
        .await
        .map_err(|e| untrusted(Error::from_store("client", e)))?
        .ok_or_else(authorize::unknown_client)?;
    let params = pushed::resolve(store, &client, params, settings.par_required, now).await?;
    let params = match objects.unpack(store, &client, &params, now).await {
        Ok(Some(merged)) => merged,
        Ok(None) => params,
        Err(e) => return Err(authorize::refuse_early(&params, &client, e).into()),
    };
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
        let claims = issuers
            .oidc
            .verify_hint(store, hint, now)
            .await
            .map_err(|e| AuthorizeFailure::from(refuse(e)))?;
        request.oidc_context.id_token_hint_claims = Some(claims);
    }
    let flow = Flow {
        store,
        settings,
        endpoint: &settings.authorize_url,
        client: &client,
        request: &request,
        params: &params,
        now,
    };
    let result = if let Some(legacy) = &settings.legacy {
        flow.legacy(legacy, issuers, &browser).await
    } else if let Some(verifier) = non_empty(&params, "consent_verifier") {
        flow.finish(issuers, verifier, &browser).await
    } else if let Some(verifier) = non_empty(&params, "login_verifier") {
        flow.after_login(verifier, &browser).await
    } else {
        flow.start_login(&browser).await
    };
    result.map_err(|ErrorWithCookies { error, cookies }| AuthorizeFailure {
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
#[derive(Debug)]
struct ErrorWithCookies {
    /// The error sent to the client.
    error: OAuthError,
    /// The cookies to set or clear all the same.
    cookies: Vec<CookieChange>,
}

/// An error that changes no cookie.
fn fail(error: OAuthError) -> ErrorWithCookies {
    ErrorWithCookies {
        error,
        cookies: Vec::new(),
    }
}

fn store_fail(what: &'static str) -> impl Fn(crate::store::StoreError) -> ErrorWithCookies {
    move |e| fail(OAuthError::from(Error::from_store(what, e)))
}

/// Everything one step of the flow works with.
struct Flow<'a, S> {
    store: &'a S,
    settings: &'a FlowSettings,
    /// The endpoint the apps send the browser back to: `/oauth2/auth`, or the device flow's
    /// verification page.
    endpoint: &'a url::Url,
    client: &'a Client,
    request: &'a ValidAuthorizeRequest,
    params: &'a AuthorizeParams,
    now: Now,
}

impl<S: ClientStore + TokenStore + FlowStore + KeyStore> Flow<'_, S> {
    /// `<endpoint>?<the request's parameters without verifiers>`.
    fn request_url(&self) -> String {
        self.request_url_except(&[])
    }

    /// [`Flow::request_url`], without the `skipped` parameters either.
    fn request_url_except(&self, skipped: &[&str]) -> String {
        let mut url = self.endpoint.clone();
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

    /// What the authorization request demands of the authentication.
    fn demands(&self) -> LoginDemands {
        LoginDemands {
            prompt: self.request.prompt,
            max_age: self.request.max_age,
        }
    }

    /// §3.2 step 2–3: look for a remembered login, then create the login request.
    async fn start_login(
        &self,
        browser: &BrowserCookies,
    ) -> Result<AuthorizeResponse, ErrorWithCookies> {
        let mut session = None;
        if let (false, Some(sid)) = (self.request.prompt.login, browser.session_id.as_deref()) {
            session = self
                .store
                .get_login_session(sid)
                .await
                .map_err(store_fail("login session"))?;
        }
        let session = match login::start(self.demands(), session, self.now).map_err(fail)? {
            LoginStart::Remembered(session) => Some(session),
            LoginStart::Authenticate => None,
        };
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

    /// §3.2 step 5–6: verify the login, decide ([`login::after_login`], [`consent::ask`]),
    /// then redeem the verifier, remember or forget the login session and create the consent
    /// request in one transaction ([`FlowStore::login_to_consent`]). A decision against the
    /// flow still redeems the verifier (and applies the session change when it comes after it).
    async fn after_login(
        &self,
        verifier: &str,
        browser: &BrowserCookies,
    ) -> Result<AuthorizeResponse, ErrorWithCookies> {
        let verifier = FlowId::from_stored(verifier);
        let login: LoginRequest = self.pending(&verifier, browser).await?;
        let input = LoginReturn {
            demands: self.demands(),
            session_cookie: browser.session_id.clone(),
            browser_session: self.settings.browser_session,
            new_session_id: FlowId::generate().as_str().to_owned(),
        };
        let logged_in = match login::after_login(&login, &input, self.now) {
            Ok(logged_in) => logged_in,
            Err(e) => {
                self.login_to_consent(&verifier, &SessionChange::Keep, None)
                    .await?;
                return Err(fail(e));
            }
        };
        let mut cookies = logged_in.cookies.clone();
        let skip = self
            .remembered_consent(&logged_in.subject)
            .await
            .map_err(fail)?;
        if let Err(e) = consent::ask(skip, self.request.prompt) {
            self.login_to_consent(&verifier, &logged_in.session, None)
                .await?;
            return Err(ErrorWithCookies { error: e, cookies });
        }
        let session = logged_in.session.clone();
        let consent = self.consent_request(&login, logged_in, skip);
        self.login_to_consent(&verifier, &session, Some(&consent))
            .await?;
        let mut location = self.settings.consent_url.clone();
        location
            .query_pairs_mut()
            .append_pair("consent_challenge", consent.challenge.as_str());
        cookies.push(CookieChange::ConsentCsrf(consent.csrf));
        Ok(AuthorizeResponse::redirect(location, cookies))
    }

    /// Runs [`FlowStore::login_to_consent`]; a verifier redeemed meanwhile is an error.
    async fn login_to_consent(
        &self,
        verifier: &FlowId,
        session: &SessionChange,
        consent: Option<&ConsentRequest>,
    ) -> Result<(), ErrorWithCookies> {
        let used = self
            .store
            .login_to_consent(verifier, session, consent)
            .await
            .map_err(store_fail("consent request"))?;
        verifier::redeemed(used).map(drop)
    }

    /// The consent request an accepted `login` leads to.
    fn consent_request(&self, login: &LoginRequest, in_: LoggedIn, skip: bool) -> ConsentRequest {
        ConsentRequest {
            challenge: FlowId::generate(),
            verifier: FlowId::generate(),
            csrf: FlowId::generate(),
            client_id: self.client.id.clone(),
            subject: in_.subject,
            skip,
            requested_scope: self.request.scope.clone(),
            request_url: self.request_url(),
            oidc_context: self.request.oidc_context.clone(),
            login_challenge: login.challenge.clone(),
            login_session_id: in_.session_id,
            requested_at: login.requested_at,
            authenticated_at: in_.authenticated_at,
            acr: in_.acr,
            amr: in_.amr,
            context: in_.context,
            outcome: None,
            handled_at: None,
            verifier_used: false,
        }
    }

    /// §3.2 step 6: whether a remembered consent covers every requested scope
    /// ([`consent::may_skip`], [`consent::covered`]).
    async fn remembered_consent(&self, subject: &str) -> Result<bool, OAuthError> {
        let scheme = self.request.redirect.url().scheme();
        if !consent::may_skip(self.request.prompt, self.client.is_public(), scheme) {
            return Ok(false);
        }
        let previous = self
            .store
            .remembered_consents(subject, Some(&self.client.id), self.now, 100, 0)
            .await
            .map_err(|e| OAuthError::from(Error::from_store("consent", e)))?;
        let strategy = self.settings.scope_strategy;
        Ok(consent::covered(&previous, &self.request.scope, strategy))
    }
}
