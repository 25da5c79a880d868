//! §3.2 steps 8–9: the browser is back with a consent verifier — verify it, then answer the
//! client with what its response type asks for (RFC 6749 §4.1.2, §4.2.2; OIDC Core §3.2.2.5,
//! §3.3.2.5): a code, an access token, an ID token, or a combination.

use crate::flow::{ConsentOutcome, ConsentRequest, LoginOutcome};
use crate::oauth2::grant::issue::{GrantedAccess as GrantTemplate, issue};
use crate::oidc::id_token::{check_hint_subject, hint_subject};
use crate::oidc::subject::obfuscated_subject;
use crate::service::access_tokens::AccessTokens;
use crate::service::id_tokens::{
    IdTokenBindings as Alongside, IdTokenIssuer, is_openid, visible_subject,
};
use crate::store::{ClientStore, FlowStore, KeyStore, TokenStore};
use crate::token::{RequestId, StoredToken, TokenKind, TokenSession};
use crate::{OAuthError, OAuthErrorKind};

use super::{AuthorizeResponse, BrowserCookies, Flow, FlowError, access_denied, fail, store_fail};

/// The keys the final step signs with.
pub(super) struct Signing<'a> {
    /// Codes (opaque) and access tokens (opaque or JWT, as configured).
    pub tokens: &'a AccessTokens<'a>,
    /// ID tokens.
    pub oidc: &'a IdTokenIssuer<'a>,
}

impl<S: ClientStore + TokenStore + FlowStore + KeyStore> Flow<'_, S> {
    /// Verifies the consent and issues the authorization response.
    pub(super) async fn finish(
        &self,
        signing: &Signing<'_>,
        verifier: &str,
        browser: &BrowserCookies,
    ) -> Result<AuthorizeResponse, FlowError> {
        let consent: ConsentRequest = self.redeem(verifier, browser).await?;
        let (grant_scope, access_extra, id_token_extra) = match &consent.outcome {
            Some(ConsentOutcome::Accepted {
                grant_scope,
                access_extra,
                id_token_extra,
                ..
            }) => (grant_scope, access_extra.clone(), id_token_extra.clone()),
            Some(ConsentOutcome::Rejected(rejection)) => {
                return Err(fail(super::rejection_error(rejection)));
            }
            None => return Err(fail(access_denied())),
        };
        // Stricter than Hydra: only scopes the client may have are granted.
        let granted = self.grantable(grant_scope);
        let session = TokenSession {
            access_extra,
            id_token_extra,
            auth_time: Some(consent.authenticated_at.unix_secs()),
            requested_at: Some(consent.requested_at.unix_secs()),
            nonce: self.request.nonce.clone(),
            requested_scope: self.request.scope.clone(),
            redirect_uri: None,
            code_challenge: None,
            obfuscated_subject: self.obfuscated(&consent).await?,
            acr: self.acr(&consent),
            client_credentials: false,
        };
        if let Some(hint) = &self.request.oidc_context.id_token_hint_claims {
            let visible = visible_subject(&consent.subject, &session);
            check_hint_subject(hint_subject(hint), visible).map_err(fail)?;
        }
        let grant = GrantTemplate {
            request_id: RequestId::from_stored(consent.challenge.as_str()),
            client_id: self.client.id.clone(),
            subject: consent.subject.clone(),
            granted_scope: granted,
            granted_audience: Vec::new(),
            session,
        };
        self.respond(signing, grant).await
    }

    /// The pairwise identifier of a pairwise client's user (`shared/spec/behaviour.md` §3.7),
    /// honouring the login app's `force_subject_identifier`.
    async fn obfuscated(&self, consent: &ConsentRequest) -> Result<Option<String>, FlowError> {
        if self.client.subject_type != crate::client::SubjectType::Pairwise {
            return Ok(None);
        }
        let login = self
            .store
            .get_login_request(&consent.login_challenge)
            .await
            .map_err(store_fail("login request"))?;
        let forced = match login.and_then(|l| l.outcome) {
            Some(LoginOutcome::Accepted {
                force_subject_identifier,
                ..
            }) => force_subject_identifier,
            _ => String::new(),
        };
        obfuscated_subject(
            self.client,
            &consent.subject,
            &forced,
            self.settings.pairwise_salt.expose(),
        )
        .map_err(fail)
    }

    /// `acr`: what the login app reported, else `"0"` when the client asked for `acr_values`
    /// (OIDC Core §2: "0" means no assurance), else none.
    fn acr(&self, consent: &ConsentRequest) -> Option<String> {
        if !consent.acr.is_empty() {
            Some(consent.acr.clone())
        } else if !self.request.oidc_context.acr_values.is_empty() {
            Some("0".to_owned())
        } else {
            None
        }
    }

    /// Mints what the response type asks for, stores it in one write, and builds the
    /// redirect (or form) to the client. The ID token is signed before anything is stored.
    pub(super) async fn respond(
        &self,
        signing: &Signing<'_>,
        grant: GrantTemplate,
    ) -> Result<AuthorizeResponse, FlowError> {
        let mut rows = Vec::new();
        let mut code = None;
        if self.request.responds_with("code") {
            let (value, signature) = signing
                .tokens
                .opaque
                .generate(TokenKind::AuthorizeCode)
                .map_err(|e| fail(e.into()))?;
            rows.push(self.code_row(&grant, signature));
            code = Some(value);
        }
        let mut access = None;
        if self.request.responds_with("token") {
            // RFC 6749 §4.2.2: never a refresh token from the authorization endpoint.
            let loaded = signing
                .tokens
                .load(self.store, self.now)
                .await
                .map_err(|e| fail(e.into()))?;
            let issued = issue(
                &loaded.minter(),
                &grant,
                &grant.granted_scope,
                false,
                self.settings.access_token_lifespan,
                self.now,
            )
            .map_err(|e| fail(e.into()))?;
            rows.extend(issued.rows);
            access = Some((issued.access_token, issued.expires_in.to_string()));
        }
        let mut id_token = None;
        if self.request.responds_with("id_token") {
            if !is_openid(&grant.granted_scope) {
                return Err(fail(OAuthError::new(OAuthErrorKind::AccessDenied).hint(
                    "The consent did not grant the openid scope the id_token response type needs.",
                )));
            }
            let alongside = Alongside {
                access_token: access.as_ref().map(|(t, _)| t.as_str()),
                code: code.as_deref(),
                with_nonce: true,
            };
            let signed = signing
                .oidc
                .issue(
                    self.store,
                    &grant,
                    &self.client.id_token_signed_response_alg,
                    alongside,
                    self.now,
                )
                .await
                .map_err(|e| fail(e.into()))?;
            id_token = Some(signed);
        }
        if !rows.is_empty() {
            self.store
                .insert_tokens(&rows)
                .await
                .map_err(store_fail("authorization response"))?;
        }
        let scope = grant.granted_scope.join(" ");
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(code) = &code {
            pairs.push(("code", code));
        }
        if let Some((token, expires_in)) = &access {
            pairs.extend([
                ("access_token", token.as_str()),
                ("token_type", "bearer"),
                ("expires_in", expires_in.as_str()),
            ]);
        }
        if let Some(id_token) = &id_token {
            pairs.push(("id_token", id_token));
        }
        pairs.push(("scope", &scope));
        pairs.push(("state", &self.request.state));
        Ok(AuthorizeResponse::to_client(
            self.request.redirect.url(),
            self.request.redirect.mode,
            &pairs,
        ))
    }

    /// The stored row of an authorization code: the grant plus what the token request must
    /// repeat (`redirect_uri`, the PKCE challenge).
    fn code_row(
        &self,
        grant: &GrantTemplate,
        signature: crate::token::TokenSignature,
    ) -> StoredToken {
        let mut row = grant.row(
            TokenKind::AuthorizeCode,
            signature,
            &grant.granted_scope,
            self.now,
            Some(self.now.plus(self.settings.auth_code_lifespan)),
        );
        row.session.redirect_uri = self
            .request
            .redirect_uri_sent
            .then(|| self.request.redirect.registered().to_owned());
        row.session.code_challenge = self
            .request
            .code_challenge
            .as_ref()
            .map(|c| c.as_str().to_owned());
        row
    }
}
