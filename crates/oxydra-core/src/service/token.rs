//! `POST /oauth2/token` (RFC 6749 §3.2): runs one grant for an already authenticated client,
//! persisting what it issues through [`TokenStore`] — one transaction per grant.

use std::time::Duration;

use crate::client::{Client, IssuingGrant};
use crate::error::Error;
use crate::model::Now;
use crate::oauth2::grant::authorization_code::{self, CodeRedemption};
use crate::oauth2::grant::issue::{GrantedAccess, Issued, Minter, issue, wants_refresh_token};
use crate::oauth2::grant::{
    TokenGrant, check_client_grant, client_credentials, invalid_grant, refresh_token,
};
use crate::service::access_tokens::find_row;
use crate::service::device;
use crate::service::id_tokens::{IdTokenBindings, IdTokenIssuer, is_openid};
use crate::service::provider::Provider;
use crate::store::{DeviceStore, KeyStore, StoreError, TokenStore};
use crate::token::{RequestId, StoredToken, TokenKeys, TokenKind, TokenSession, UseOutcome};
use crate::{OAuthError, OAuthErrorKind};

pub use crate::service::provider::TokenSettings;

/// The grant parameters of a token request (RFC 6749 §4.1.3, §4.4.2, §6); empty values are
/// treated as absent by the handler.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenRequest<'a> {
    /// `code`.
    pub code: Option<&'a str>,
    /// `redirect_uri`.
    pub redirect_uri: Option<&'a str>,
    /// `code_verifier`.
    pub code_verifier: Option<&'a str>,
    /// `refresh_token`.
    pub refresh_token: Option<&'a str>,
    /// `scope` (space-separated, possibly empty).
    pub scope: &'a str,
    /// `device_code` (RFC 8628 §3.4).
    pub device_code: Option<&'a str>,
}

impl Provider {
    /// Runs `grant` for `client` and returns the tokens to send, the access token in the
    /// configured format; an `openid` grant also gets an ID token (OIDC Core §3.1.3.3,
    /// §12.2), whose `at_hash` covers that access token.
    pub async fn exchange<S: TokenStore + KeyStore + DeviceStore>(
        &self,
        store: &S,
        client: &Client,
        grant: TokenGrant,
        request: TokenRequest<'_>,
        now: Now,
    ) -> Result<Issued, Error> {
        check_client_grant(client, grant)?;
        let loaded = self.access_tokens().load(store, now).await?;
        let minter = &loaded.minter();
        let settings = &self.token_settings();
        let oidc = &self.id_token_issuer();
        match grant {
            TokenGrant::ClientCredentials => {
                client_credentials(store, minter, settings, client, request, now).await
            }
            TokenGrant::AuthorizationCode => {
                let (row, issued) =
                    redeem_code(store, minter, settings, client, request, now).await?;
                let oidc = &oidc.for_client(client, IssuingGrant::AuthorizationCode);
                let grant = GrantedAccess::of(&row);
                let issued = with_id_token(store, oidc, client, &grant, issued, true, now).await?;
                finish_use(store, &row, issued).await
            }
            TokenGrant::RefreshToken => {
                let (row, issued) = refresh(store, minter, settings, client, request, now).await?;
                let oidc = &oidc.for_client(client, IssuingGrant::RefreshToken);
                let grant = GrantedAccess::of(&row);
                let issued = with_id_token(store, oidc, client, &grant, issued, false, now).await?;
                finish_use(store, &row, issued).await
            }
            TokenGrant::DeviceCode => {
                let oidc = &oidc.for_client(client, IssuingGrant::DeviceCode);
                let code = request.device_code;
                device::redeem(store, minter, settings, oidc, client, code, now).await
            }
        }
    }
}

/// Adds the ID token of an `openid` grant, signed before anything is stored.
pub(crate) async fn with_id_token<S: KeyStore>(
    store: &S,
    oidc: &IdTokenIssuer<'_>,
    client: &Client,
    grant: &GrantedAccess,
    mut issued: Issued,
    with_nonce: bool,
    now: Now,
) -> Result<Issued, Error> {
    if is_openid(&grant.granted_scope) {
        let bindings = IdTokenBindings {
            access_token: Some(&issued.access_token),
            code: None,
            with_nonce,
        };
        issued.id_token = Some(
            oidc.issue(
                store,
                grant,
                &client.id_token_signed_response_alg,
                bindings,
                now,
            )
            .await?,
        );
    }
    Ok(issued)
}

/// RFC 6749 §4.4.
async fn client_credentials<S: TokenStore>(
    store: &S,
    minter: &Minter<'_>,
    settings: &TokenSettings,
    client: &Client,
    request: TokenRequest<'_>,
    now: Now,
) -> Result<Issued, Error> {
    let granted =
        client_credentials::granted_scope(client, request.scope, settings.scope_strategy)?;
    let grant = GrantedAccess {
        request_id: RequestId::generate(),
        client_id: client.id.clone(),
        subject: client.id.as_str().to_owned(),
        granted_scope: granted.clone(),
        granted_audience: Vec::new(),
        session: TokenSession {
            requested_scope: granted.clone(),
            client_credentials: true,
            ..TokenSession::default()
        },
    };
    let lifespan = client.token_lifespans.access_token(
        IssuingGrant::ClientCredentials,
        settings.access_token_lifespan,
    );
    let issued = issue(minter, &grant, &granted, false, lifespan, now)?;
    store
        .insert_tokens(&issued.rows)
        .await
        .map_err(|e| match e {
            // Deleted since it authenticated (through another instance of a fleet).
            StoreError::NotFound => Error::from(
                OAuthError::new(OAuthErrorKind::InvalidClient).hint("The client no longer exists."),
            ),
            other => Error::from_store("token", other),
        })?;
    Ok(issued)
}

/// RFC 6749 §4.1.3, with single use and replay revocation (§4.1.2): the code's row and the
/// tokens to store when it is marked used.
async fn redeem_code<S: TokenStore>(
    store: &S,
    minter: &Minter<'_>,
    settings: &TokenSettings,
    client: &Client,
    request: TokenRequest<'_>,
    now: Now,
) -> Result<(StoredToken, Issued), Error> {
    let code = request
        .code
        .ok_or_else(|| OAuthError::invalid_request("The code parameter is missing."))?;
    let row = load(store, minter.opaque, TokenKind::AuthorizeCode, code).await?;
    if row.client_id != client.id {
        return Err(invalid_grant("The authorization code was issued to another client.").into());
    }
    if !row.active {
        return Err(replayed(store, &row).await?);
    }
    let redemption = CodeRedemption {
        redirect_uri: request.redirect_uri,
        code_verifier: request.code_verifier,
    };
    authorization_code::check(&row, client, redemption, now)?;
    let grant = GrantedAccess::of(&row);
    let with_refresh = wants_refresh_token(client, &row.granted_scope);
    let issuing = IssuingGrant::AuthorizationCode;
    let lifespan = (client.token_lifespans).access_token(issuing, settings.access_token_lifespan);
    let mut issued = issue(
        minter,
        &grant,
        &row.granted_scope,
        with_refresh,
        lifespan,
        now,
    )?;
    expire_refresh_token(
        &mut issued,
        client.token_lifespans.refresh_token(issuing),
        now,
    );
    Ok((row, issued))
}

/// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): the refresh token's row and its successors.
async fn refresh<S: TokenStore>(
    store: &S,
    minter: &Minter<'_>,
    settings: &TokenSettings,
    client: &Client,
    request: TokenRequest<'_>,
    now: Now,
) -> Result<(StoredToken, Issued), Error> {
    let token = request
        .refresh_token
        .ok_or_else(|| OAuthError::invalid_request("The refresh_token parameter is missing."))?;
    let row = load(store, minter.opaque, TokenKind::RefreshToken, token).await?;
    let scope = refresh_token::access_scope(&row, client, request.scope, settings.scope_strategy)?;
    if !row.active {
        return Err(replayed(store, &row).await?);
    }
    if row.expires_at.is_some_and(|at| at <= now) {
        return Err(invalid_grant("The refresh token has expired.").into());
    }
    let grant = GrantedAccess::of(&row);
    let issuing = IssuingGrant::RefreshToken;
    let lifespan = (client.token_lifespans).access_token(issuing, settings.access_token_lifespan);
    let mut issued = issue(minter, &grant, &scope, true, lifespan, now)?;
    expire_refresh_token(
        &mut issued,
        client.token_lifespans.refresh_token(issuing),
        now,
    );
    Ok((row, issued))
}

/// Hydra 2.x per-client refresh-token lifespans: the new refresh token's row expires after
/// `lifespan`; `None` keeps the server's rule (refresh tokens do not expire).
fn expire_refresh_token(issued: &mut Issued, lifespan: Option<Duration>, now: Now) {
    if let Some(lifespan) = lifespan {
        for row in &mut issued.rows {
            if row.kind == TokenKind::RefreshToken {
                row.expires_at = Some(now.plus(lifespan));
            }
        }
    }
}

/// Verifies a presented code or refresh token and loads its row; a token that is malformed,
/// forged or unknown is `invalid_grant` (RFC 6749 §5.2).
async fn load<S: TokenStore>(
    store: &S,
    keys: &TokenKeys,
    kind: TokenKind,
    token: &str,
) -> Result<StoredToken, Error> {
    let unknown = || match kind {
        TokenKind::AuthorizeCode => {
            invalid_grant("The authorization code is invalid, unknown or was revoked.")
        }
        _ => invalid_grant("The refresh token is invalid, unknown or was revoked."),
    };
    let signature = keys.verify(kind, token).map_err(|_| unknown())?;
    find_row(store, kind, &signature)
        .await?
        .ok_or_else(|| unknown().into())
}

/// Marks the code or refresh token used while storing the new tokens (one transaction).
async fn finish_use<S: TokenStore>(
    store: &S,
    row: &StoredToken,
    issued: Issued,
) -> Result<Issued, Error> {
    match store
        .use_token(row.kind, &row.signature, &issued.rows)
        .await
        .map_err(|e| Error::from_store("token", e))?
    {
        UseOutcome::Used => Ok(issued),
        UseOutcome::Replayed => Err(reuse_error(row.kind).into()),
        UseOutcome::Unknown => Err(invalid_grant("The token was revoked concurrently.").into()),
    }
}

/// A second use of a code or rotated refresh token: revokes the whole grant (committed even
/// though the request fails) and returns the error to answer with.
async fn replayed<S: TokenStore>(store: &S, row: &StoredToken) -> Result<Error, Error> {
    store
        .use_token(row.kind, &row.signature, &[])
        .await
        .map_err(|e| Error::from_store("token", e))?;
    Ok(reuse_error(row.kind).into())
}

fn reuse_error(kind: TokenKind) -> OAuthError {
    let hint = match kind {
        TokenKind::AuthorizeCode => {
            "The authorization code has already been used; every token issued from it has been revoked."
        }
        _ => "The refresh token has already been used; every token of its grant has been revoked.",
    };
    OAuthError::new(OAuthErrorKind::InvalidGrant).hint(hint)
}
