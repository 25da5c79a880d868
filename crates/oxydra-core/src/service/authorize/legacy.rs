//! The 0.10 consent-by-id flow at the authorization endpoint (`shared/spec/behaviour.md` §15
//! steps 1 and 5): without `consent=<id>`, create a consent request and send the browser to the
//! consent app; with it, redeem the answered request once and answer the client through the
//! same [`Flow::respond`] as the 1.0 flow — same codes, tokens and ID tokens, with the consent
//! request id as the grant's request id.

use crate::flow::consent;
use crate::flow::legacy::{
    CONSENT_PARAM, LegacyConsentRequest, LegacyConsentUse, LegacyOutcome, check_return,
    missing_subject, redemption_error, rejection_error,
};
use crate::oauth2::grant::issue::GrantedAccess;
use crate::oidc::claims::{self, check_subject};
use crate::oidc::subject::obfuscated_subject;
use crate::service::id_tokens::visible_subject;
use crate::store::{ClientStore, FlowStore, KeyStore, LegacyConsentStore, TokenStore};
use crate::token::{RequestId, TokenSession};
use crate::{OAuthError, OAuthErrorKind};

use super::finish::ResponseIssuers;
use super::{
    AuthorizeResponse, BrowserCookies, CookieChange, ErrorWithCookies, Flow, LegacyFlowSettings,
    fail, non_empty, store_fail,
};

const WHAT: &str = "consent request";

impl<S> Flow<'_, S>
where
    S: ClientStore + TokenStore + FlowStore + KeyStore + LegacyConsentStore,
{
    /// Starts the legacy flow or, when the browser brings a consent id back, finishes it.
    pub(super) async fn legacy(
        &self,
        settings: &LegacyFlowSettings,
        issuers: &ResponseIssuers<'_>,
        browser: &BrowserCookies,
    ) -> Result<AuthorizeResponse, ErrorWithCookies> {
        match non_empty(self.params, CONSENT_PARAM) {
            Some(id) => self.legacy_finish(issuers, id, browser).await,
            None => self.legacy_start(settings).await,
        }
    }

    /// Step 1: the consent request, its CSRF cookie, and the redirect to the consent app.
    /// `prompt=none` cannot be honoured: the legacy flow always asks the consent app, and Oxydra
    /// keeps no session that could answer for it (OIDC Core §3.1.2.1).
    async fn legacy_start(
        &self,
        settings: &LegacyFlowSettings,
    ) -> Result<AuthorizeResponse, ErrorWithCookies> {
        if self.request.prompt.none {
            return Err(fail(OAuthError::new(OAuthErrorKind::LoginRequired).hint(
                "prompt=none was requested, but the consent app must always be asked in the 0.10 flow.",
            )));
        }
        let request = LegacyConsentRequest::new(
            self.client.id.clone(),
            self.request.scope.clone(),
            &self.request_url_except(&[CONSENT_PARAM]),
            self.now,
            settings.lifespan,
        );
        self.store
            .create_legacy_consent(&request)
            .await
            .map_err(store_fail(WHAT))?;
        let mut location = self.settings.consent_url.clone();
        location
            .query_pairs_mut()
            .append_pair(CONSENT_PARAM, &request.id);
        let max_age = i64::try_from(settings.lifespan.as_secs()).unwrap_or(i64::MAX);
        Ok(AuthorizeResponse::redirect(
            location,
            vec![CookieChange::LegacyConsentCsrf {
                csrf: request.csrf,
                max_age,
            }],
        ))
    }

    /// Step 5: checks the request belongs to this client, browser and authorization request
    /// before redeeming it (so a stranger cannot burn it), redeems it atomically, then issues.
    /// The `consent_session` cookie is cleared whatever the outcome once redeemed.
    async fn legacy_finish(
        &self,
        issuers: &ResponseIssuers<'_>,
        id: &str,
        browser: &BrowserCookies,
    ) -> Result<AuthorizeResponse, ErrorWithCookies> {
        let stored = self
            .store
            .get_legacy_consent(id)
            .await
            .map_err(store_fail(WHAT))?
            .ok_or_else(|| fail(redemption_error(&LegacyConsentUse::Unknown)))?;
        let returning =
            LegacyConsentRequest::redirect_url_for(&self.request_url_except(&[CONSENT_PARAM]), id);
        check_return(
            &stored,
            &self.client.id,
            browser.legacy_consent_csrf.as_deref(),
            &returning,
        )
        .map_err(fail)?;
        let clear = || vec![CookieChange::ClearLegacyConsent];
        let request = match self
            .store
            .use_legacy_consent(id, self.now)
            .await
            .map_err(store_fail(WHAT))?
        {
            LegacyConsentUse::Fresh(request) => request,
            other => {
                return Err(ErrorWithCookies {
                    error: redemption_error(&other),
                    cookies: clear(),
                });
            }
        };
        let grant = self
            .legacy_grant(*request)
            .map_err(|error| ErrorWithCookies {
                error,
                cookies: clear(),
            })?;
        match self.respond(issuers, grant).await {
            Ok(mut response) => {
                response.cookies.extend(clear());
                Ok(response)
            }
            Err(ErrorWithCookies { error, mut cookies }) => {
                cookies.extend(clear());
                Err(ErrorWithCookies { error, cookies })
            }
        }
    }

    /// The grant an accepted request becomes: its granted scopes (restricted to the client's,
    /// as in the 1.0 flow), the extras, `auth_time` = the time of the acceptance.
    fn legacy_grant(&self, request: LegacyConsentRequest) -> Result<GrantedAccess, OAuthError> {
        let (subject, grant_scopes, access_extra, id_token_extra) = match request.outcome {
            Some(LegacyOutcome::Accepted {
                subject,
                grant_scopes,
                access_extra,
                id_token_extra,
            }) => (subject, grant_scopes, access_extra, id_token_extra),
            Some(LegacyOutcome::Rejected { reason }) => return Err(rejection_error(&reason)),
            None => return Err(redemption_error(&LegacyConsentUse::Unanswered)),
        };
        if subject.is_empty() {
            return Err(missing_subject());
        }
        let authenticated_at = request.handled_at.unwrap_or(self.now);
        let granted_scope = consent::grantable(
            &grant_scopes,
            &self.client.scope,
            self.settings.scope_strategy,
        );
        let mut session = TokenSession {
            access_extra,
            id_token_extra,
            auth_time: Some(authenticated_at.unix_secs()),
            requested_at: Some(request.requested_at.unix_secs()),
            nonce: self.request.nonce.clone(),
            requested_scope: self.request.scope.clone(),
            redirect_uri: None,
            code_challenge: None,
            obfuscated_subject: obfuscated_subject(
                self.client,
                &subject,
                "",
                self.settings.pairwise_salt.expose(),
            )?,
            // OIDC Core §2: "0" (no assurance) when the client asked for `acr_values`.
            acr: (!self.request.oidc_context.acr_values.is_empty()).then(|| "0".to_owned()),
            ..TokenSession::default()
        };
        let context = &self.request.oidc_context;
        claims::place(&mut session, context.claims.as_ref(), &granted_scope);
        check_subject(context, visible_subject(&subject, &session))?;
        Ok(GrantedAccess {
            request_id: RequestId::from_stored(request.id),
            client_id: self.client.id.clone(),
            subject,
            granted_scope,
            granted_audience: Vec::new(),
            session,
        })
    }
}
