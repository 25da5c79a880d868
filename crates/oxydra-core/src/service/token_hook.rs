//! The token hook (Hydra 2.x's `oauth2.token_hook`): an operator's service asked, before the
//! token endpoint issues tokens, for the extra claims of the access token and the ID token.
//! Core decides when it is asked and what its answer changes; the call itself (HTTP, JSON,
//! timeout) is the server's, behind [`TokenHook`], so core does no I/O.

use std::future::Future;

use serde_json::{Map, Value};

use crate::error::Error;
use crate::model::ClientId;
use crate::oauth2::grant::TokenGrant;
use crate::oauth2::grant::issue::GrantedAccess;
use crate::token::TokenSession;
use crate::{OAuthError, OAuthErrorKind};

/// What the hook is told: the grant about to be issued. Never a credential: no client
/// secret, no presented code or refresh token.
#[derive(Debug, Clone, Copy)]
pub struct TokenHookCall<'a> {
    /// The grant type of the token request.
    pub grant_type: TokenGrant,
    /// The authenticated client.
    pub client_id: &'a ClientId,
    /// The resource owner (the client id for `client_credentials`).
    pub subject: &'a str,
    /// The scopes the new access token carries.
    pub granted_scope: &'a [String],
    /// The granted audiences.
    pub granted_audience: &'a [String],
    /// The grant's session: the current extra claims of both tokens.
    pub session: &'a TokenSession,
}

/// The hook's answer to apply: each present map replaces that token's extra claims.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenHookAnswer {
    /// `session.access_token`: the access token's extra claims (introspection's `ext`).
    pub access_token: Option<Map<String, Value>>,
    /// `session.id_token`: the ID token's extra claims.
    pub id_token: Option<Map<String, Value>>,
}

/// Why the hook did not allow the issuance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenHookFailure {
    /// It answered `403`: the request is refused.
    Denied,
    /// It failed (error status, bad body, timeout, unreachable); the cause is for the log.
    Failed(String),
}

/// Calls the configured hook. `Ok(None)` means "issue unchanged" (`204`).
pub trait TokenHook: Send + Sync {
    /// Whether a hook is configured; when not, nothing is built or called.
    fn configured(&self) -> bool;

    /// Asks the hook about `call`.
    fn call(
        &self,
        call: TokenHookCall<'_>,
    ) -> impl Future<Output = Result<Option<TokenHookAnswer>, TokenHookFailure>> + Send;
}

/// No hook configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTokenHook;

impl TokenHook for NoTokenHook {
    fn configured(&self) -> bool {
        false
    }

    async fn call(
        &self,
        _call: TokenHookCall<'_>,
    ) -> Result<Option<TokenHookAnswer>, TokenHookFailure> {
        Ok(None)
    }
}

/// Asks `hook` (when configured) before `grant` is issued with `scope`, and applies its
/// answer to the grant's session, so the new tokens and their rows carry it.
pub(crate) async fn consult<H: TokenHook>(
    hook: &H,
    grant_type: TokenGrant,
    grant: &mut GrantedAccess,
    scope: &[String],
) -> Result<(), Error> {
    if !hook.configured() {
        return Ok(());
    }
    let call = TokenHookCall {
        grant_type,
        client_id: &grant.client_id,
        subject: &grant.subject,
        granted_scope: scope,
        granted_audience: &grant.granted_audience,
        session: &grant.session,
    };
    match hook.call(call).await {
        Ok(Some(answer)) => {
            apply(&mut grant.session, answer);
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(TokenHookFailure::Denied) => Err(OAuthError::new(OAuthErrorKind::AccessDenied)
            .hint("The token hook refused to issue tokens for this request.")
            .into()),
        Err(TokenHookFailure::Failed(cause)) => Err(OAuthError::new(OAuthErrorKind::ServerError)
            .hint("The token hook failed.")
            .debug(cause)
            .into()),
    }
}

/// Each map the hook answered replaces the matching extras (Hydra 2.x's semantics for a
/// present field; an absent one keeps the extras it was sent).
fn apply(session: &mut TokenSession, answer: TokenHookAnswer) {
    if let Some(access) = answer.access_token {
        session.access_extra = access;
    }
    if let Some(id) = answer.id_token {
        session.id_token_extra = id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::RequestId;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn grant() -> GrantedAccess {
        GrantedAccess {
            request_id: RequestId::from_stored("r"),
            client_id: ClientId::parse("c").unwrap(),
            subject: "alice".into(),
            granted_scope: vec!["openid".into()],
            granted_audience: vec![],
            session: TokenSession {
                access_extra: map(json!({"a": 1})),
                id_token_extra: map(json!({"i": 1})),
                ..TokenSession::default()
            },
        }
    }

    /// Answers as configured and records the subject it was asked about.
    struct Fixed(Result<Option<TokenHookAnswer>, TokenHookFailure>);

    impl TokenHook for Fixed {
        fn configured(&self) -> bool {
            true
        }

        async fn call(
            &self,
            call: TokenHookCall<'_>,
        ) -> Result<Option<TokenHookAnswer>, TokenHookFailure> {
            assert_eq!(call.subject, "alice");
            self.0.clone()
        }
    }

    async fn run(hook: Fixed) -> (GrantedAccess, Result<(), Error>) {
        let mut g = grant();
        let scope = g.granted_scope.clone();
        let result = consult(&hook, TokenGrant::RefreshToken, &mut g, &scope).await;
        (g, result)
    }

    /// A minimal executor: the fixed hook never pends.
    fn block_on<F: Future>(f: F) -> F::Output {
        use std::pin::pin;
        use std::task::{Context, Poll, Waker};
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    #[test]
    fn a_present_map_replaces_and_an_absent_one_keeps() {
        let answer = TokenHookAnswer {
            access_token: Some(map(json!({"b": 2}))),
            id_token: None,
        };
        let (g, result) = block_on(run(Fixed(Ok(Some(answer)))));
        assert!(result.is_ok());
        assert_eq!(g.session.access_extra, map(json!({"b": 2})));
        assert_eq!(g.session.id_token_extra, map(json!({"i": 1})));
        let (g, _) = block_on(run(Fixed(Ok(None))));
        assert_eq!(g, grant());
    }

    #[test]
    fn denial_is_access_denied_and_failure_a_server_error() {
        let (_, denied) = block_on(run(Fixed(Err(TokenHookFailure::Denied))));
        let denied = OAuthError::from(denied.unwrap_err());
        assert_eq!(
            (denied.kind, denied.status()),
            (OAuthErrorKind::AccessDenied, 403)
        );
        let (_, failed) = block_on(run(Fixed(Err(TokenHookFailure::Failed("x".into())))));
        let failed = OAuthError::from(failed.unwrap_err());
        assert_eq!(
            (failed.kind, failed.status()),
            (OAuthErrorKind::ServerError, 500)
        );
        assert_eq!(failed.debug.as_deref(), Some("x"));
    }
}
