//! The device authorization grant's use cases (RFC 8628): the device authorization request
//! (§3.1–3.2), the verification page's user-code lookup (§3.3), and the device's poll of the
//! token endpoint (§3.4–3.5). The browser part in between is the ordinary login and consent
//! flow (`service/authorize/device.rs`).

use url::Url;

use crate::client::{Client, IssuingGrant};
use crate::error::Error;
use crate::flow::FlowId;
use crate::flow::device::poll::{Poll, poll, wait_error};
use crate::flow::device::{DeviceGrant, DeviceSettings, DeviceState, user_code};
use crate::model::Now;
use crate::oauth2::grant::issue::{Issued, issue, wants_refresh_token};
use crate::oauth2::grant::{TokenGrant, check_client_grant, invalid_grant};
use crate::oauth2::scope;
use crate::service::id_tokens::IdTokenIssuer;
use crate::service::token::{Grants, expire_refresh_token, with_id_token};
use crate::service::token_hook::{self, TokenHook};
use crate::store::{ClientStore, DeviceStore, KeyStore, StoreError};
use crate::token::{TokenKeys, TokenKind, UseOutcome};
use crate::{OAuthError, OAuthErrorKind};

/// How often a fresh user code is drawn when the one drawn is taken by a live grant.
const USER_CODE_ATTEMPTS: usize = 5;

/// RFC 8628 §3.2: the device authorization response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    /// The device code (a credential: never log it).
    pub device_code: String,
    /// The user code as shown (`BCDF-GHJK`).
    pub user_code: String,
    /// Where the user goes.
    pub verification_uri: String,
    /// The same with the user code filled in (for QR codes and links).
    pub verification_uri_complete: String,
    /// Seconds until both codes expire.
    pub expires_in: i64,
    /// The minimum seconds between polls.
    pub interval: i64,
}

/// RFC 8628 §3.1: a device authorization request of an authenticated `client` for `scope`.
/// The client must be registered for the device grant (`unauthorized_client`) and may ask only
/// for its own scopes (`invalid_scope`).
pub async fn authorize_device<S: DeviceStore>(
    store: &S,
    keys: &TokenKeys,
    settings: &DeviceSettings,
    strategy: crate::config::ScopeStrategy,
    client: &Client,
    requested: &str,
    now: Now,
) -> Result<DeviceAuthorization, Error> {
    check_client_grant(client, TokenGrant::DeviceCode)?;
    let requested_scope = granted_request_scope(client, requested, strategy)?;
    let (device_code, signature) = keys.generate(TokenKind::DeviceCode, now)?;
    let lifespan = settings.lifespan;
    let interval = i64::try_from(settings.interval.as_secs()).unwrap_or(5);
    for _ in 0..USER_CODE_ATTEMPTS {
        let code = user_code::generate(settings.user_code_length)?;
        let hash = keys.user_code_hashes(&code).swap_remove(0);
        let grant = DeviceGrant {
            signature: signature.clone(),
            user_code_hash: hash,
            challenge: FlowId::generate(),
            client_id: client.id.clone(),
            requested_scope: requested_scope.clone(),
            requested_at: now,
            expires_at: now.plus(lifespan),
            interval_secs: interval,
            last_polled_at: None,
            state: DeviceState::Pending,
        };
        match store.create_device_grant(&grant).await {
            Ok(()) => {
                return Ok(DeviceAuthorization {
                    device_code,
                    user_code: user_code::display(&code),
                    verification_uri: settings.verification_uri.to_string(),
                    verification_uri_complete: complete_uri(&settings.verification_uri, &code),
                    expires_in: i64::try_from(lifespan.as_secs()).unwrap_or(i64::MAX),
                    interval,
                });
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(StoreError::NotFound) => {
                return Err(OAuthError::new(OAuthErrorKind::InvalidClient)
                    .hint("The client no longer exists.")
                    .into());
            }
            Err(e) => return Err(Error::from_store("device grant", e)),
        }
    }
    Err(OAuthError::new(OAuthErrorKind::TemporarilyUnavailable)
        .hint("No free user code was found; try again.")
        .into())
}

/// The requested scopes, each one the client may have (RFC 6749 §3.3), in order, without
/// repeats.
fn granted_request_scope(
    client: &Client,
    requested: &str,
    strategy: crate::config::ScopeStrategy,
) -> Result<Vec<String>, OAuthError> {
    let mut words: Vec<&str> = Vec::new();
    for s in scope::split(requested) {
        if !words.contains(&s) {
            words.push(s);
        }
    }
    scope::all_allowed(strategy, &scope::split(&client.scope), &words).map_err(|denied| {
        OAuthError::new(OAuthErrorKind::InvalidScope).hint(format!(
            "The client is not allowed to request the scope '{denied}'."
        ))
    })?;
    Ok(words.into_iter().map(str::to_owned).collect())
}

/// `verification_uri_complete`: the verification URI with `user_code` in its query.
fn complete_uri(base: &Url, code: &str) -> String {
    let mut url = base.clone();
    url.query_pairs_mut()
        .append_pair("user_code", &user_code::display(code));
    url.to_string()
}

/// A grant a user may approve at the verification page, and its client.
#[derive(Debug, Clone)]
pub struct Verifiable {
    /// The pending, unexpired grant.
    pub grant: DeviceGrant,
    /// Its client (for the confirmation page: RFC 8628 §5.4 asks to show who is asking).
    pub client: Client,
}

/// RFC 8628 §3.3: the pending, unexpired grant of what the user typed (case, dashes and spaces
/// ignored), found under any configured secret; `None` for a malformed, unknown, expired or
/// finished code — all the same to the user, and each a wrong guess to the caller.
pub async fn find_by_user_code<S: DeviceStore + ClientStore>(
    store: &S,
    keys: &TokenKeys,
    length: usize,
    typed: &str,
    now: Now,
) -> Result<Option<Verifiable>, Error> {
    let Some(code) = user_code::normalise(typed, length) else {
        return Ok(None);
    };
    for hash in keys.user_code_hashes(&code) {
        let found = store
            .get_device_grant_by_user_code(&hash)
            .await
            .map_err(|e| Error::from_store("device grant", e))?;
        if let Some(grant) = found {
            return verifiable(store, grant, now).await;
        }
    }
    Ok(None)
}

/// The grant with its client, when it is still pending and unexpired at `now`.
pub(crate) async fn verifiable<S: ClientStore>(
    store: &S,
    grant: DeviceGrant,
    now: Now,
) -> Result<Option<Verifiable>, Error> {
    if grant.state != DeviceState::Pending || !grant.is_live_at(now) {
        return Ok(None);
    }
    let client = store
        .get_client(&grant.client_id)
        .await
        .map_err(|e| Error::from_store("client", e))?;
    Ok(client.map(|client| Verifiable { grant, client }))
}

/// RFC 8628 §3.4–3.5: one poll of the token endpoint with `device_code` by `client`. Errors
/// are the RFC's: `authorization_pending`, `slow_down`, `access_denied`, `expired_token`,
/// and `invalid_grant` for an unknown code, another client's code or a replay (which revokes
/// the tokens the first redemption issued).
pub(super) async fn redeem<S: DeviceStore + KeyStore, H: TokenHook>(
    store: &S,
    hook: &H,
    grants: &Grants<'_>,
    oidc: &IdTokenIssuer<'_>,
    client: &Client,
    device_code: Option<&str>,
    now: Now,
) -> Result<Issued, Error> {
    let code = device_code
        .ok_or_else(|| OAuthError::invalid_request("The device_code parameter is missing."))?;
    let unknown = || invalid_grant("The device code is invalid, unknown or was revoked.");
    let signature = grants
        .minter
        .opaque
        .verify(TokenKind::DeviceCode, code)
        .map_err(|_| unknown())?;
    let grant = store
        .get_device_grant(&signature)
        .await
        .map_err(|e| Error::from_store("device grant", e))?
        .ok_or_else(unknown)?;
    let approval = match poll(&grant, &client.id, now)? {
        Poll::Redeem(approval) => approval,
        Poll::Replayed => {
            store
                .redeem_device_grant(&signature, &[], now)
                .await
                .map_err(|e| Error::from_store("device grant", e))?;
            return Err(replayed().into());
        }
        Poll::Wait {
            slow_down,
            interval_secs,
        } => {
            store
                .record_device_poll(&signature, now, interval_secs)
                .await
                .map_err(|e| Error::from_store("device grant", e))?;
            return Err(wait_error(slow_down).into());
        }
    };
    let mut access = approval.access(&client.id);
    let scope = access.granted_scope.clone();
    token_hook::consult(hook, TokenGrant::DeviceCode, &mut access, &scope).await?;
    let lifespan = (client.token_lifespans).access_token(
        IssuingGrant::DeviceCode,
        grants.settings.access_token_lifespan,
    );
    let with_refresh = wants_refresh_token(client, &access.granted_scope);
    let mut issued = issue(
        grants.minter,
        &access,
        &access.granted_scope,
        with_refresh,
        lifespan,
        now,
    )?;
    let refresh_lifespan = client
        .token_lifespans
        .refresh_token(IssuingGrant::DeviceCode);
    expire_refresh_token(&mut issued, refresh_lifespan, now);
    let issued = with_id_token(store, oidc, client, &access, issued, true, now).await?;
    match store
        .redeem_device_grant(&signature, &issued.rows, now)
        .await
        .map_err(|e| Error::from_store("device grant", e))?
    {
        UseOutcome::Used => Ok(issued),
        UseOutcome::Replayed => Err(replayed().into()),
        UseOutcome::Unknown => Err(unknown().into()),
    }
}

fn replayed() -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidGrant)
        .hint("The device code has already been used; every token issued from it has been revoked.")
}
