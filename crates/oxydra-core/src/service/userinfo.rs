//! `GET|POST /userinfo` (OIDC Core §5.3; `shared/spec/behaviour.md` §9): the claims an access
//! token of an OpenID Connect grant may read, as JSON or — when its client registered
//! `userinfo_signed_response_alg` `RS256`, `ES256` or `EdDSA` — as a JWT signed with the
//! ID-token set's key of that algorithm.
//!
//! The token is checked as introspection checks it (recognised, stored, active, unexpired),
//! and must be an *access* token granted `openid`. Failures are the RFC 6750 §3.1 cases: the
//! HTTP edge turns them into `WWW-Authenticate: Bearer` challenges.

use serde_json::{Map, Value};

use crate::model::Now;
use crate::oidc::userinfo;
use crate::service::access_tokens::{AccessTokens, find_row};
use crate::service::id_tokens::{IdTokenIssuer, is_openid, visible_subject};
use crate::store::{ClientStore, KeyStore, TokenStore};
use crate::token::TokenKind;
use crate::{Error, OAuthError, OAuthErrorKind};

/// The `userinfo_signed_response_alg` value that asks for plain JSON (the default); any other
/// registered value names the algorithm that signs the response.
pub const UNSIGNED: &str = "none";

/// What the endpoint answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Userinfo {
    /// `application/json` claims.
    Claims(Map<String, Value>),
    /// An `application/jwt` signed response.
    Signed(String),
}

fn unauthorized(hint: &'static str) -> Error {
    OAuthError::new(OAuthErrorKind::RequestUnauthorized)
        .hint(hint)
        .into()
}

/// The userinfo response for a presented bearer `token`.
///
/// - not recognised, unknown, revoked or of a deleted client: `request_unauthorized` (401);
/// - a refresh token: `request_unauthorized` (401), without any storage lookup;
/// - expired: `token_expired` (401);
/// - granted without `openid`: `insufficient_scope` (403, OIDC Core §5.3.1);
/// - bound to a DPoP key but sent as a bearer token, or not bound to the key of the proof it
///   came with (`proof_jkt`, RFC 9449 §7.1–7.2): `request_unauthorized` (401).
pub async fn userinfo<S: TokenStore + KeyStore + ClientStore>(
    store: &S,
    tokens: &AccessTokens<'_>,
    oidc: &IdTokenIssuer<'_>,
    token: &str,
    proof_jkt: Option<&str>,
    now: Now,
) -> Result<Userinfo, Error> {
    let unknown =
        "The access token is malformed, unknown, revoked or was not issued by this server.";
    let (kind, signature) = tokens
        .recognise(store, token, now)
        .await?
        .ok_or_else(|| unauthorized(unknown))?;
    if kind != TokenKind::AccessToken {
        return Err(unauthorized(
            "Only access tokens are accepted here; this is a refresh token.",
        ));
    }
    let row = find_row(store, kind, &signature)
        .await?
        .filter(|row| row.active)
        .ok_or_else(|| unauthorized(unknown))?;
    if row.is_expired(now) {
        return Err(OAuthError::new(OAuthErrorKind::TokenExpired)
            .hint("The access token has expired; obtain a new one.")
            .into());
    }
    match (row.session.dpop_jkt.as_deref(), proof_jkt) {
        (None, None) => {}
        (Some(bound), Some(proved)) if bound == proved => {}
        (Some(_), None) => {
            return Err(unauthorized(
                "The access token is bound to a DPoP key: send it as Authorization: DPoP with a DPoP proof.",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(unauthorized(
                "The access token is bound to another key than the DPoP proof's.",
            ));
        }
        (None, Some(_)) => {
            return Err(unauthorized(
                "The access token is a bearer token, not bound to a DPoP key: send it as Authorization: Bearer.",
            ));
        }
    }
    if !is_openid(&row.granted_scope) {
        return Err(OAuthError::new(OAuthErrorKind::InsufficientScope)
            .hint("Userinfo needs an access token granted the openid scope.")
            .into());
    }
    let client = store
        .get_client(&row.client_id)
        .await
        .map_err(|e| Error::from_store("client", e))?
        .ok_or_else(|| {
            unauthorized("The client the access token was issued to no longer exists.")
        })?;
    let claims = userinfo::claims(visible_subject(&row.subject, &row.session), &row.session);
    let alg = client.userinfo_signed_response_alg.as_str();
    if matches!(alg, "" | UNSIGNED) {
        return Ok(Userinfo::Claims(claims));
    }
    let view = oidc.keys.current(store, oidc.cipher, now).await?;
    let signer = oidc.signer(&view, alg)?;
    let signed = userinfo::sign(claims, oidc.issuer, client.id.as_str(), signer)?;
    Ok(Userinfo::Signed(signed))
}
