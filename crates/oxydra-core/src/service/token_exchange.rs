//! RFC 8693 token exchange at `POST /oauth2/token`: reads the presented subject (and actor)
//! token — an access token or ID token this server issued — checks the client may present it
//! and ask for the new token's audiences and scopes (`oauth2::grant::token_exchange`), and
//! issues an access token for the subject, with `act` naming the actor.
//!
//! Every failure to accept a presented token is `invalid_request` (RFC 8693 §2.2.2), with a
//! hint that does not say whether the token exists.

use serde_json::{Map, Value};

use crate::client::{Client, SubjectType};
use crate::error::Error;
use crate::model::Now;
use crate::oauth2::grant::TokenGrant;
use crate::oauth2::grant::audience::granted_audience;
use crate::oauth2::grant::issue::{GrantedAccess, Issued};
use crate::oauth2::grant::token_exchange::{
    PresentedToken, PresentedType, act_claim, check_requested_type, granted_scope, presented_type,
};
use crate::oauth2::jwt_bearer::{self, AssertionRules};
use crate::service::access_tokens::AccessTokens;
use crate::service::id_tokens::IdTokenIssuer;
use crate::service::token::{Grants, TokenRequest, issue_access_only};
use crate::service::token_hook::TokenHook;
use crate::store::{KeyStore, TokenStore, TrustStore};
use crate::token::{RequestId, TokenKind, TokenSession};
use crate::{OAuthError, OAuthErrorKind};

/// What reads presented tokens: the access-token formats, the ID-token keys and the rules
/// JWTs of trusted issuers are checked by.
pub(super) struct Readers<'a> {
    /// Recognises this server's access tokens.
    pub(super) access: &'a AccessTokens<'a>,
    /// Verifies this server's ID tokens.
    pub(super) id_tokens: &'a IdTokenIssuer<'a>,
    /// The JWT-bearer grant's rules (audience, lifetime bound, required claims).
    pub(super) trusted: &'a AssertionRules,
}

/// Runs the exchange for `client` (already authenticated and registered for the grant).
pub(super) async fn exchange<S: TokenStore + KeyStore + TrustStore, H: TokenHook>(
    store: &S,
    hook: &H,
    grants: &Grants<'_>,
    readers: &Readers<'_>,
    client: &Client,
    request: TokenRequest<'_>,
    now: Now,
) -> Result<Issued, Error> {
    if client.subject_type == SubjectType::Pairwise {
        return Err(OAuthError::new(OAuthErrorKind::UnauthorizedClient)
            .hint("Token exchange is not available to pairwise clients: the new token would carry the real subject.")
            .into());
    }
    check_requested_type(request.requested_token_type)?;
    let subject_token = request
        .subject_token
        .ok_or_else(|| OAuthError::invalid_request("The parameter subject_token is missing."))?;
    let subject_type = presented_type("subject_token_type", request.subject_token_type)?;
    let subject = read(
        store,
        readers,
        client,
        subject_type,
        subject_token,
        now,
        "subject",
    )
    .await?;
    let actor = match (request.actor_token, request.actor_token_type) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(OAuthError::invalid_request(
                "The parameter actor_token_type is sent without actor_token.",
            )
            .into());
        }
        (Some(token), kind) => {
            let kind = presented_type("actor_token_type", kind)?;
            Some(read(store, readers, client, kind, token, now, "actor").await?)
        }
    };

    subject.check_dpop_binding(&client.id, request.dpop_jkt, "subject")?;
    if let Some(actor) = &actor {
        actor.check_dpop_binding(&client.id, request.dpop_jkt, "actor")?;
    }
    let strategy = grants.settings.scope_strategy;
    let granted = granted_scope(request.scope, &subject, client, strategy)?;
    let audience = granted_audience(client, request.audience, OAuthErrorKind::InvalidTarget)?;
    let act = match &actor {
        Some(actor) => Some(act_claim(&actor.subject, subject.act.as_ref())),
        None => subject.act.clone(),
    };
    let grant = GrantedAccess {
        request_id: RequestId::generate(),
        client_id: client.id.clone(),
        subject: subject.subject,
        granted_scope: granted.clone(),
        granted_audience: audience,
        session: TokenSession {
            requested_scope: granted.clone(),
            act,
            ..TokenSession::default()
        },
    };
    let lifespan = grants.settings.access_token_lifespan;
    issue_access_only(
        store,
        hook,
        grants,
        TokenGrant::TokenExchange,
        grant,
        lifespan,
        now,
    )
    .await
}

/// A presented token of `kind`, active now and presentable by `client`; `role` names it in
/// the hint (`subject`, `actor`).
async fn read<S: TokenStore + KeyStore + TrustStore>(
    store: &S,
    readers: &Readers<'_>,
    client: &Client,
    kind: PresentedType,
    token: &str,
    now: Now,
    role: &str,
) -> Result<PresentedToken, Error> {
    let presented = match kind {
        PresentedType::AccessToken => access_token(store, readers.access, token, now).await?,
        PresentedType::IdToken => id_token(store, readers.id_tokens, token, now).await?,
        PresentedType::Jwt => return trusted_jwt(store, readers.trusted, token, now, role).await,
    };
    let presented = presented.ok_or_else(|| {
        OAuthError::invalid_request(format!(
            "The {role}_token is not an active token of the type {role}_token_type names."
        ))
    })?;
    if !presented.presentable_by(&client.id) {
        return Err(OAuthError::invalid_request(format!(
            "The {role}_token was issued to another client and does not name this client in its audience."
        ))
        .into());
    }
    Ok(presented)
}

/// A JWT of a trusted issuer, checked as a JWT-bearer assertion (signature by a trusted key
/// for its subject, `aud` the token endpoint, bounded `exp`); any client registered for the
/// exchange may present it — the operator's trust relationship is the permission — and the
/// trust's scopes bound the new token's. Its `jti` is not spent: a subject token may be
/// exchanged again until it expires.
async fn trusted_jwt<S: TrustStore>(
    store: &S,
    rules: &AssertionRules,
    token: &str,
    now: Now,
    role: &str,
) -> Result<PresentedToken, Error> {
    let refused = |reason: &OAuthError| {
        OAuthError::invalid_request(format!(
            "The {role}_token is not a JWT of a trusted issuer: {}",
            reason.hint.as_deref().unwrap_or(&reason.description)
        ))
    };
    let claimed = jwt_bearer::claimed(token).map_err(|e| refused(&e))?;
    let trusts = store
        .trusts_for(&claimed.issuer, &claimed.subject)
        .await
        .map_err(|e| Error::from_store("trust relationship", e))?;
    let verified =
        jwt_bearer::verify(token, &claimed, &trusts, rules, now).map_err(|e| refused(&e))?;
    Ok(PresentedToken {
        subject: verified.subject,
        client_id: String::new(),
        audience: Vec::new(),
        scope: Some(verified.trust.scope),
        act: None,
        dpop_jkt: None,
    })
}

/// An active access token this server issued (never a refresh token or code).
async fn access_token<S: TokenStore + KeyStore>(
    store: &S,
    tokens: &AccessTokens<'_>,
    token: &str,
    now: Now,
) -> Result<Option<PresentedToken>, Error> {
    let Some(row) = tokens.find(store, token, now).await? else {
        return Ok(None);
    };
    if row.kind != TokenKind::AccessToken || !row.is_usable(now) {
        return Ok(None);
    }
    Ok(Some(PresentedToken {
        subject: row.subject,
        client_id: row.client_id.as_str().to_owned(),
        audience: row.granted_audience,
        scope: Some(row.granted_scope),
        act: row.session.act,
        dpop_jkt: row.session.dpop_jkt,
    }))
}

/// An unexpired ID token this server signed. Its `sub` is the one its client sees, so only
/// that (non-pairwise) client can present it, which [`exchange`] already ensures.
async fn id_token<S: KeyStore>(
    store: &S,
    issuer: &IdTokenIssuer<'_>,
    token: &str,
    now: Now,
) -> Result<Option<PresentedToken>, Error> {
    let Ok(claims) = issuer.verify_hint(store, token, now).await else {
        return Ok(None);
    };
    let unexpired = claims
        .get("exp")
        .and_then(Value::as_i64)
        .is_some_and(|exp| exp > now.unix_secs());
    let Some(subject) = claims.get("sub").and_then(Value::as_str) else {
        return Ok(None);
    };
    let audience = audiences(&claims);
    let Some(client_id) = claims
        .get("azp")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| audience.first().cloned())
    else {
        return Ok(None);
    };
    if !unexpired {
        return Ok(None);
    }
    Ok(Some(PresentedToken {
        subject: subject.to_owned(),
        client_id,
        audience,
        scope: None,
        act: None,
        dpop_jkt: None,
    }))
}

/// `aud` as a list (a string or an array of strings).
fn audiences(claims: &Map<String, Value>) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}
