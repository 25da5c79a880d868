//! `POST /oauth2/token` (RFC 6749 §3.2): runs one grant for an already authenticated client,
//! persisting what it issues through [`TokenStore`] — one transaction per grant.

use std::time::Duration;

use crate::client::{Client, IssuingGrant};
use crate::error::Error;
use crate::jwk::KeyCipher;
use crate::model::Now;
use crate::oauth2::grant::audience::granted_audience;
use crate::oauth2::grant::authorization_code::{self, CodeRedemption};
use crate::oauth2::grant::issue::{GrantedAccess, Issued, Minter, issue, wants_refresh_token};
use crate::oauth2::grant::{TokenGrant, check_client_grant, client_credentials, invalid_grant};
use crate::service::access_tokens::find_row;
use crate::service::device;
use crate::service::id_tokens::{IdTokenBindings, IdTokenIssuer, is_openid};
use crate::service::jwt_bearer;
use crate::service::provider::Provider;
use crate::service::refresh;
use crate::service::token_exchange;
use crate::service::token_hook::{self, TokenHook};
use crate::store::{DeviceStore, KeyStore, StoreError, TokenStore, TrustStore};
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
    /// `audience` values (client credentials, RFC 8693 §2.1), `resource` ones included.
    pub audience: &'a [&'a str],
    /// RFC 8693 §2.1 `subject_token`.
    pub subject_token: Option<&'a str>,
    /// RFC 8693 §2.1 `subject_token_type`.
    pub subject_token_type: Option<&'a str>,
    /// RFC 8693 §2.1 `actor_token`.
    pub actor_token: Option<&'a str>,
    /// RFC 8693 §2.1 `actor_token_type`.
    pub actor_token_type: Option<&'a str>,
    /// RFC 8693 §2.1 `requested_token_type`.
    pub requested_token_type: Option<&'a str>,
    /// `assertion` (RFC 7523 §2.1).
    pub assertion: Option<&'a str>,
    /// The thumbprint of the key of the request's accepted DPoP proof (RFC 9449 §5), which
    /// the tokens are bound to; `None` for bearer tokens.
    pub dpop_jkt: Option<&'a str>,
}

impl Provider {
    /// Runs `grant` for `client` and returns the tokens to send, the access token in the
    /// configured format; an `openid` grant also gets an ID token (OIDC Core §3.1.3.3,
    /// §12.2), whose `at_hash` covers that access token.
    pub async fn exchange<S: TokenStore + KeyStore + DeviceStore + TrustStore, H: TokenHook>(
        &self,
        store: &S,
        hook: &H,
        client: &Client,
        grant: TokenGrant,
        request: TokenRequest<'_>,
        now: Now,
    ) -> Result<Issued, Error> {
        check_client_grant(client, grant)?;
        self.check_dpop_required(client, request.dpop_jkt)?;
        let loaded = self.access_tokens().load(store, client, now).await?;
        let minter = Minter {
            dpop_jkt: request.dpop_jkt,
            ..loaded.minter()
        };
        let grants = &Grants {
            minter: &minter,
            settings: &self.token_settings(),
            oidc: &self.id_token_issuer(),
            cipher: &self.cipher,
        };
        match grant {
            TokenGrant::ClientCredentials => {
                client_credentials(store, hook, grants, client, request, now).await
            }
            TokenGrant::AuthorizationCode => {
                let (row, grant, issued) =
                    redeem_code(store, hook, grants, client, request, now).await?;
                let oidc = &grants
                    .oidc
                    .for_client(client, IssuingGrant::AuthorizationCode);
                let issued = with_id_token(store, oidc, client, &grant, issued, true, now).await?;
                finish_use(store, &row, issued).await
            }
            TokenGrant::RefreshToken => {
                refresh::exchange(store, hook, grants, client, request, now).await
            }
            TokenGrant::DeviceCode => {
                let oidc = &grants.oidc.for_client(client, IssuingGrant::DeviceCode);
                let code = request.device_code;
                device::redeem(store, hook, grants, oidc, client, code, now).await
            }
            TokenGrant::TokenExchange => {
                let readers = token_exchange::Readers {
                    access: &self.access_tokens(),
                    id_tokens: grants.oidc,
                    trusted: &self.jwt_bearer,
                };
                token_exchange::exchange(store, hook, grants, &readers, client, request, now).await
            }
            TokenGrant::JwtBearer => {
                let rules = &self.jwt_bearer;
                jwt_bearer::exchange(store, hook, grants, rules, client, request, now).await
            }
        }
    }
}

impl Provider {
    /// RFC 9449 §5.2: a client registered with `dpop_bound_access_tokens` gets no token
    /// without a proof (nor any while DPoP is off: it would be a bearer token it refused).
    fn check_dpop_required(&self, client: &Client, dpop_jkt: Option<&str>) -> Result<(), Error> {
        if !client.dpop_bound_access_tokens || dpop_jkt.is_some() {
            return Ok(());
        }
        let hint = if self.dpop.enabled {
            "This client must send a DPoP proof with every token request (dpop_bound_access_tokens)."
        } else {
            "This client requires DPoP-bound tokens (dpop_bound_access_tokens), but DPoP is turned off on this server (OXYDRA_DPOP=false)."
        };
        Err(OAuthError::invalid_request(hint).into())
    }
}

/// What a grant mints with: the token formats, the endpoint's settings, the ID-token signer
/// and the cipher that seals a rotation's successor pair.
pub(super) struct Grants<'a> {
    /// Access and refresh token formats.
    pub(super) minter: &'a Minter<'a>,
    /// Lifespans, scope strategy, rotation grace window.
    pub(super) settings: &'a TokenSettings,
    /// Signs ID tokens.
    pub(super) oidc: &'a IdTokenIssuer<'a>,
    /// Seals successor pairs (`oauth2::grant::successor_pair`).
    pub(super) cipher: &'a KeyCipher,
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
async fn client_credentials<S: TokenStore, H: TokenHook>(
    store: &S,
    hook: &H,
    grants: &Grants<'_>,
    client: &Client,
    request: TokenRequest<'_>,
    now: Now,
) -> Result<Issued, Error> {
    let granted =
        client_credentials::granted_scope(client, request.scope, grants.settings.scope_strategy)?;
    let audience = granted_audience(client, request.audience, OAuthErrorKind::InvalidRequest)?;
    let grant = GrantedAccess {
        request_id: RequestId::generate(),
        client_id: client.id.clone(),
        subject: client.id.as_str().to_owned(),
        granted_scope: granted.clone(),
        granted_audience: audience,
        session: TokenSession {
            requested_scope: granted.clone(),
            client_credentials: true,
            ..TokenSession::default()
        },
    };
    let lifespan = client.token_lifespans.access_token(
        IssuingGrant::ClientCredentials,
        grants.settings.access_token_lifespan,
    );
    issue_access_only(
        store,
        hook,
        grants,
        TokenGrant::ClientCredentials,
        grant,
        lifespan,
        now,
    )
    .await
}

/// The end of a grant that gives an access token alone (client credentials, JWT bearer,
/// token exchange): the token hook, then the token minted (`lifespan`) and stored.
pub(super) async fn issue_access_only<S: TokenStore, H: TokenHook>(
    store: &S,
    hook: &H,
    grants: &Grants<'_>,
    kind: TokenGrant,
    mut grant: GrantedAccess,
    lifespan: Duration,
    now: Now,
) -> Result<Issued, Error> {
    let granted = grant.granted_scope.clone();
    token_hook::consult(hook, kind, &mut grant, &granted).await?;
    let issued = issue(grants.minter, &grant, &granted, false, lifespan, now)?;
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
/// tokens to store when it is marked used (after the token hook, when one is configured).
async fn redeem_code<S: TokenStore, H: TokenHook>(
    store: &S,
    hook: &H,
    grants: &Grants<'_>,
    client: &Client,
    request: TokenRequest<'_>,
    now: Now,
) -> Result<(StoredToken, GrantedAccess, Issued), Error> {
    let code = request
        .code
        .ok_or_else(|| OAuthError::invalid_request("The code parameter is missing."))?;
    let row = load(store, grants.minter.opaque, TokenKind::AuthorizeCode, code).await?;
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
    let mut grant = GrantedAccess::of(&row);
    let scope = &row.granted_scope;
    token_hook::consult(hook, TokenGrant::AuthorizationCode, &mut grant, scope).await?;
    let with_refresh = wants_refresh_token(client, &row.granted_scope);
    let issuing = IssuingGrant::AuthorizationCode;
    let lifespan =
        (client.token_lifespans).access_token(issuing, grants.settings.access_token_lifespan);
    let mut issued = issue(
        grants.minter,
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
    Ok((row, grant, issued))
}

/// Hydra 2.x per-client refresh-token lifespans: the new refresh token's row expires after
/// `lifespan`; `None` keeps the server's rule (refresh tokens do not expire).
pub(super) fn expire_refresh_token(issued: &mut Issued, lifespan: Option<Duration>, now: Now) {
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
pub(super) async fn load<S: TokenStore>(
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
pub(super) async fn finish_use<S: TokenStore>(
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
pub(super) async fn replayed<S: TokenStore>(store: &S, row: &StoredToken) -> Result<Error, Error> {
    store
        .use_token(row.kind, &row.signature, &[])
        .await
        .map_err(|e| Error::from_store("token", e))?;
    Ok(reuse_error(row.kind).into())
}

pub(super) fn reuse_error(kind: TokenKind) -> OAuthError {
    let hint = match kind {
        TokenKind::AuthorizeCode => {
            "The authorization code has already been used; every token issued from it has been revoked."
        }
        _ => "The refresh token has already been used; every token of its grant has been revoked.",
    };
    OAuthError::new(OAuthErrorKind::InvalidGrant).hint(hint)
}
