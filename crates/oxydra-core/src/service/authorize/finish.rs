//! §3.2 steps 8–9: the browser is back with a consent verifier — verify it, then answer the
//! client with what its response type asks for (RFC 6749 §4.1.2, §4.2.2; OIDC Core §3.2.2.5,
//! §3.3.2.5): a code, an access token, an ID token, or a combination.

use crate::client::IssuingGrant;
use crate::flow::{ConsentRequest, FlowId, LoginOutcome, consent};
use crate::oauth2::grant::issue::{GrantedAccess, issue};
use crate::oidc::claims::{self, check_subject};
use crate::oidc::subject::obfuscated_subject;
use crate::service::access_tokens::AccessTokens;
use crate::service::id_tokens::{IdTokenBindings, IdTokenIssuer, visible_subject};
use crate::store::{ClientStore, FlowStore, KeyStore, TokenStore};
use crate::token::{RequestId, StoredToken, TokenKind, TokenSession};

use super::verifier::redeemed;
use super::{AuthorizeResponse, BrowserCookies, ErrorWithCookies, Flow, fail, store_fail};

/// What mints the authorization response: the access-token keys and the ID-token issuer.
pub struct ResponseIssuers<'a> {
    /// Codes (opaque) and access tokens (opaque or JWT, as configured).
    pub tokens: &'a AccessTokens<'a>,
    /// ID tokens.
    pub oidc: &'a IdTokenIssuer<'a>,
}

/// An authorization response, minted but not stored yet.
struct Minted {
    /// The rows to store: the code, the access token.
    rows: Vec<StoredToken>,
    /// The answer to the client.
    response: AuthorizeResponse,
}

impl<S: ClientStore + TokenStore + FlowStore + KeyStore> Flow<'_, S> {
    /// Verifies the consent, decides and mints the authorization response, then redeems the
    /// verifier and stores the response's tokens in one transaction
    /// ([`FlowStore::consent_to_code`]). A decision against the flow still redeems the verifier.
    pub(super) async fn finish(
        &self,
        issuers: &ResponseIssuers<'_>,
        verifier: &str,
        browser: &BrowserCookies,
    ) -> Result<AuthorizeResponse, ErrorWithCookies> {
        let verifier = FlowId::from_stored(verifier);
        let consent: ConsentRequest = self.pending(&verifier, browser).await?;
        let minted = self.answer(issuers, &consent).await;
        let rows = minted.as_ref().map_or(&[][..], |m| m.rows.as_slice());
        let used = self
            .store
            .consent_to_code(&verifier, rows)
            .await
            .map_err(store_fail("authorization response"))?;
        redeemed(used)?;
        minted.map(|m| m.response)
    }

    /// The answered consent's grant ([`consent::granted`]), minted as the response type asks.
    async fn answer(
        &self,
        issuers: &ResponseIssuers<'_>,
        consent: &ConsentRequest,
    ) -> Result<Minted, ErrorWithCookies> {
        let grant = self.granted_access(consent).await?;
        self.mint(issuers, grant).await
    }

    /// What the answered `consent` grants ([`consent::granted`]: restricted to the client's
    /// scope), with the session every token of the grant carries.
    pub(super) async fn granted_access(
        &self,
        consent: &ConsentRequest,
    ) -> Result<GrantedAccess, ErrorWithCookies> {
        let granted = consent::granted(consent, &self.client.scope, self.settings.scope_strategy)
            .map_err(fail)?;
        let mut session = TokenSession {
            access_extra: granted.access_extra,
            id_token_extra: granted.id_token_extra,
            auth_time: Some(consent.authenticated_at.unix_secs()),
            requested_at: Some(consent.requested_at.unix_secs()),
            nonce: self.request.nonce.clone(),
            requested_scope: self.request.scope.clone(),
            redirect_uri: None,
            code_challenge: None,
            obfuscated_subject: self.obfuscated(consent).await?,
            acr: consent::acr(&consent.acr, &self.request.oidc_context.acr_values),
            amr: consent.amr.clone(),
            sid: consent.login_session_id.clone(),
            ..TokenSession::default()
        };
        let context = &self.request.oidc_context;
        claims::place(&mut session, context.claims.as_ref(), &granted.scope);
        check_subject(context, visible_subject(&consent.subject, &session)).map_err(fail)?;
        Ok(GrantedAccess {
            request_id: RequestId::from_stored(consent.challenge.as_str()),
            client_id: self.client.id.clone(),
            subject: consent.subject.clone(),
            granted_scope: granted.scope,
            granted_audience: Vec::new(),
            session,
        })
    }

    /// The pairwise identifier of a pairwise client's user (`shared/spec/behaviour.md` §3.7),
    /// honouring the login app's `force_subject_identifier`.
    async fn obfuscated(
        &self,
        consent: &ConsentRequest,
    ) -> Result<Option<String>, ErrorWithCookies> {
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

    /// [`Flow::mint`], then stores the tokens in one write (the 0.10 flow, whose consent was
    /// redeemed already).
    pub(super) async fn respond(
        &self,
        issuers: &ResponseIssuers<'_>,
        grant: GrantedAccess,
    ) -> Result<AuthorizeResponse, ErrorWithCookies> {
        let minted = self.mint(issuers, grant).await?;
        self.store
            .insert_tokens(&minted.rows)
            .await
            .map_err(store_fail("authorization response"))?;
        Ok(minted.response)
    }

    /// Mints what the response type asks for ([`consent::response_parts`]) and builds the
    /// redirect (or form) to the client; stores nothing. The ID token is signed here, before
    /// anything is stored.
    async fn mint(
        &self,
        issuers: &ResponseIssuers<'_>,
        grant: GrantedAccess,
    ) -> Result<Minted, ErrorWithCookies> {
        let parts = consent::response_parts(&self.request.response_type, &grant.granted_scope)
            .map_err(fail)?;
        let mut rows = Vec::new();
        let mut code = None;
        if parts.code {
            let (value, signature) = issuers
                .tokens
                .opaque
                .generate(TokenKind::AuthorizeCode, self.now)
                .map_err(|e| fail(e.into()))?;
            rows.push(self.code_row(&grant, signature));
            code = Some(value);
        }
        let mut access = None;
        if parts.token {
            // RFC 6749 §4.2.2: never a refresh token from the authorization endpoint.
            let loaded = issuers
                .tokens
                .load(self.store, self.client, self.now)
                .await
                .map_err(|e| fail(e.into()))?;
            let lifespan = (self.client.token_lifespans)
                .access_token(IssuingGrant::Implicit, self.settings.access_token_lifespan);
            let issued = issue(
                &loaded.minter(),
                &grant,
                &grant.granted_scope,
                false,
                lifespan,
                self.now,
            )
            .map_err(|e| fail(e.into()))?;
            rows.extend(issued.rows);
            access = Some((issued.access_token, issued.expires_in.to_string()));
        }
        let mut id_token = None;
        if parts.id_token {
            let alongside = IdTokenBindings {
                access_token: access.as_ref().map(|(t, _)| t.as_str()),
                code: code.as_deref(),
                with_nonce: true,
            };
            let signed = issuers
                .oidc
                .for_client(self.client, IssuingGrant::Implicit)
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
        let response = self.redirect_to_client(
            &grant.granted_scope,
            code.as_deref(),
            access.as_ref().map(|(t, e)| (t.as_str(), e.as_str())),
            id_token.as_deref(),
        );
        Ok(Minted { rows, response })
    }

    /// The redirect (or form) carrying what was minted to the client.
    fn redirect_to_client(
        &self,
        granted_scope: &[String],
        code: Option<&str>,
        access: Option<(&str, &str)>,
        id_token: Option<&str>,
    ) -> AuthorizeResponse {
        let scope = granted_scope.join(" ");
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(code) = code {
            pairs.push(("code", code));
        }
        if let Some((token, expires_in)) = access {
            pairs.extend([
                ("access_token", token),
                ("token_type", "bearer"),
                ("expires_in", expires_in),
            ]);
        }
        if let Some(id_token) = id_token {
            pairs.push(("id_token", id_token));
        }
        pairs.push(("scope", &scope));
        pairs.push(("state", &self.request.state));
        AuthorizeResponse::to_client(
            self.request.redirect.url(),
            self.request.redirect.mode,
            &pairs,
        )
    }

    /// The stored row of an authorization code: the grant plus what the token request must
    /// repeat (`redirect_uri`, the PKCE challenge).
    fn code_row(
        &self,
        grant: &GrantedAccess,
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
