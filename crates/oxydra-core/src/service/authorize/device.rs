//! The device flow's browser part (RFC 8628 §3.3): once the user confirmed a user code at the
//! verification page, the ordinary login and consent flow runs — the same login and consent
//! requests, apps, cookies and checks as `/oauth2/auth` — with the verification page as the
//! endpoint the apps send the browser back to. Only the end differs: instead of a code sent to
//! a redirect URI, the consent app's answer is recorded on the device grant, which the device
//! then redeems by polling the token endpoint.

use crate::OAuthError;
use crate::OAuthErrorKind;
use crate::flow::device::{DeviceApproval, DeviceDecision, DeviceGrant};
use crate::flow::{ConsentOutcome, ConsentRequest, FlowId, LoginOutcome};
use crate::model::Now;
use crate::oauth2::authorize::{
    AuthorizeParams, OidcContext, Prompt, TrustedRedirect, ValidAuthorizeRequest,
};
use crate::service::device::{Verifiable, verifiable};
use crate::store::{ClientStore, DeviceStore, FlowStore, KeyStore, TokenStore};

use super::verifier::redeemed;
use super::{
    AuthorizeResponse, BrowserCookies, CookieChange, ErrorWithCookies, Flow, FlowSettings, fail,
    store_fail,
};

/// The query parameter that names the device grant on the verification page's return URLs.
pub const DEVICE_CHALLENGE_PARAM: &str = "device_challenge";

/// What the browser brings back to the verification page from the login or consent app.
#[derive(Debug, Clone, Copy)]
pub struct DeviceReturn<'a> {
    /// `device_challenge`: which grant.
    pub challenge: &'a str,
    /// `login_verifier`, back from the login app.
    pub login_verifier: Option<&'a str>,
    /// `consent_verifier`, back from the consent app.
    pub consent_verifier: Option<&'a str>,
}

/// Where the browser goes next.
#[derive(Debug, Clone)]
pub enum DeviceStep {
    /// On to the consent app.
    Continue(AuthorizeResponse),
    /// The flow ended: the grant was approved (`true`) or denied; tell the user.
    Finished(bool),
}

/// An error for the user at the verification page, plus the cookies to change anyway.
#[derive(Debug, Clone)]
pub struct DeviceFailure {
    /// What went wrong.
    pub error: OAuthError,
    /// Cookies to set or clear all the same.
    pub cookies: Vec<CookieChange>,
}

impl From<ErrorWithCookies> for DeviceFailure {
    fn from(e: ErrorWithCookies) -> Self {
        Self {
            error: e.error,
            cookies: e.cookies,
        }
    }
}

/// The authorization request the device flow stands for: the grant's scopes, no redirect URI
/// of the client's (the verification page is the end), and `prompt=consent`, so a remembered
/// consent never approves a device by itself (RFC 8628 §5.4: the user must see which device
/// and client asks, a defence against remote phishing with a user code).
fn device_request(settings: &FlowSettings, grant: &DeviceGrant) -> ValidAuthorizeRequest {
    ValidAuthorizeRequest {
        redirect: TrustedRedirect::own_page(settings.device_verify_url.clone()),
        redirect_uri_sent: false,
        response_type: Vec::new(),
        scope: grant.requested_scope.clone(),
        state: String::new(),
        nonce: None,
        prompt: Prompt {
            consent: true,
            ..Prompt::default()
        },
        max_age: None,
        code_challenge: None,
        oidc_context: OidcContext::default(),
        id_token_hint: None,
    }
}

/// What a device grant's steps of the flow run with: the request it stands for and the
/// parameters of the verification page's return URLs (`device_challenge`).
struct DeviceFlowInput {
    request: ValidAuthorizeRequest,
    params: AuthorizeParams,
}

impl DeviceFlowInput {
    fn of(settings: &FlowSettings, grant: &DeviceGrant) -> Self {
        let params = AuthorizeParams::from([(
            DEVICE_CHALLENGE_PARAM.to_owned(),
            grant.challenge.as_str().to_owned(),
        )]);
        Self {
            request: device_request(settings, grant),
            params,
        }
    }

    /// The flow of `found`, its apps sending the browser back to the verification page.
    fn flow<'a, S>(
        &'a self,
        store: &'a S,
        settings: &'a FlowSettings,
        found: &'a Verifiable,
        now: Now,
    ) -> Flow<'a, S> {
        Flow {
            store,
            settings,
            endpoint: &settings.device_verify_url,
            client: &found.client,
            request: &self.request,
            params: &self.params,
            now,
        }
    }
}

/// RFC 8628 §3.3: the user confirmed the grant's user code in this browser; start the login
/// (a remembered login session stands in, as at `/oauth2/auth`).
pub async fn device_start<S>(
    store: &S,
    settings: &FlowSettings,
    found: &Verifiable,
    browser: &BrowserCookies,
    now: Now,
) -> Result<AuthorizeResponse, DeviceFailure>
where
    S: ClientStore + TokenStore + FlowStore + KeyStore + DeviceStore,
{
    let input = DeviceFlowInput::of(settings, &found.grant);
    let flow = input.flow(store, settings, found, now);
    Ok(flow.start_login(browser).await?)
}

/// The browser is back at the verification page with a login or consent verifier.
pub async fn device_return<S>(
    store: &S,
    settings: &FlowSettings,
    back: DeviceReturn<'_>,
    browser: &BrowserCookies,
    now: Now,
) -> Result<DeviceStep, DeviceFailure>
where
    S: ClientStore + TokenStore + FlowStore + KeyStore + DeviceStore,
{
    let challenge = FlowId::from_stored(back.challenge);
    let grant = store
        .get_device_grant_by_challenge(&challenge)
        .await
        .map_err(store_fail("device grant"))?
        .ok_or_else(|| fail(unknown()))?;
    let found = verifiable(store, grant, now)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(finished()))?;
    let input = DeviceFlowInput::of(settings, &found.grant);
    let flow = input.flow(store, settings, &found, now);
    if let Some(verifier) = back.consent_verifier.filter(|v| !v.is_empty()) {
        return Ok(DeviceStep::Finished(
            flow.device_finish(&found.grant, verifier, browser).await?,
        ));
    }
    let Some(verifier) = back.login_verifier.filter(|v| !v.is_empty()) else {
        return Err(fail(OAuthError::invalid_request(
            "The verification page expects a login_verifier or a consent_verifier.",
        ))
        .into());
    };
    match flow.after_login(verifier, browser).await {
        Ok(next) => Ok(DeviceStep::Continue(next)),
        Err(e) => flow.device_login_failed(&found.grant, verifier, e).await,
    }
}

impl<S: ClientStore + TokenStore + FlowStore + KeyStore + DeviceStore> Flow<'_, S> {
    /// After a failed return from the login app: a login the app rejected denies the device
    /// grant (the device then gets `access_denied`); any other failure leaves it pending.
    async fn device_login_failed(
        &self,
        grant: &DeviceGrant,
        verifier: &str,
        error: ErrorWithCookies,
    ) -> Result<DeviceStep, DeviceFailure> {
        let login = self
            .store
            .get_login_request_by_verifier(&FlowId::from_stored(verifier))
            .await
            .map_err(store_fail("login request"))?;
        let rejected = login.is_some_and(|l| {
            l.verifier_used && matches!(l.outcome, Some(LoginOutcome::Rejected(_)))
        });
        if !rejected {
            return Err(error.into());
        }
        self.store
            .deny_device_grant(&grant.challenge)
            .await
            .map_err(store_fail("device grant"))?;
        Ok(DeviceStep::Finished(false))
    }

    /// Verifies the consent (CSRF cookie, binding, round trip, single use — as at
    /// `/oauth2/auth`), then redeems the verifier and records the decision on the grant in one
    /// transaction ([`DeviceStore::consent_to_device`]). Returns whether it was approved.
    async fn device_finish(
        &self,
        grant: &DeviceGrant,
        verifier: &str,
        browser: &BrowserCookies,
    ) -> Result<bool, ErrorWithCookies> {
        let verifier = FlowId::from_stored(verifier);
        let consent: ConsentRequest = self.pending(&verifier, browser).await?;
        let decision = match consent.outcome {
            Some(ConsentOutcome::Rejected(_)) => DeviceDecision::Deny,
            _ => {
                let access = self.granted_access(&consent).await?;
                DeviceDecision::Approve(Box::new(DeviceApproval {
                    request_id: access.request_id.as_str().to_owned(),
                    subject: access.subject,
                    granted_scope: access.granted_scope,
                    session: access.session,
                }))
            }
        };
        let used = self
            .store
            .consent_to_device(&verifier, &grant.challenge, &decision, self.now)
            .await
            .map_err(store_fail("device grant"))?;
        if redeemed(used)? {
            Ok(matches!(decision, DeviceDecision::Approve(_)))
        } else {
            Err(fail(finished()))
        }
    }
}

/// No device grant has the challenge the browser brought back.
fn unknown() -> OAuthError {
    OAuthError::invalid_request("The device authorization request is unknown.")
}

/// The grant expired, or was approved or denied already (perhaps in another browser).
fn finished() -> OAuthError {
    OAuthError::new(OAuthErrorKind::ExpiredToken)
        .hint("The user code has expired or was used already; start again on the device.")
}
