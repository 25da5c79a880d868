//! What the login and consent flow is configured with: the apps' URLs, lifespans, the scope
//! strategy, subject types, and Hydra's fixed round-trip limit.

use std::time::Duration;

use url::Url;

use crate::config::ScopeStrategy;

/// Configuration the flow needs.
#[derive(Debug, Clone)]
pub struct FlowSettings {
    /// `<issuer>/oauth2/auth`: the base of every request URL the apps send the browser back to.
    pub authorize_url: Url,
    /// `<issuer>/oauth2/device/verify`: where the apps send the browser back to in the device
    /// flow (RFC 8628 §3.3).
    pub device_verify_url: Url,
    /// `OAUTH2_LOGIN_URL`.
    pub login_url: Url,
    /// `OAUTH2_CONSENT_URL`.
    pub consent_url: Url,
    /// `OAUTH2_LOGOUT_URL`: the logout app.
    pub logout_url: Url,
    /// `OAUTH2_LOGOUT_REDIRECT_URL`: where a logout ends without a registered target.
    pub logout_redirect_url: Url,
    /// `<issuer>/oauth2/sessions/logout`: where an accepted logout sends the browser back.
    pub end_session_url: Url,
    /// `SCOPE_STRATEGY`.
    pub scope_strategy: ScopeStrategy,
    /// `AUTH_CODE_LIFESPAN`.
    pub auth_code_lifespan: Duration,
    /// The whole login + consent round trip must finish within this (15 minutes, as Hydra).
    pub round_trip: Duration,
    /// `ACCESS_TOKEN_LIFESPAN`, for access tokens returned by the implicit and hybrid flows.
    pub access_token_lifespan: Duration,
    /// `OXYDRA_BROWSER_SESSION_LIFESPAN`: how long the server honours a login remembered with
    /// `remember_for = 0` (for the browser session), which no cookie expiry bounds.
    pub browser_session: Duration,
    /// Whether `pairwise` is among `OIDC_SUBJECT_TYPES_SUPPORTED`.
    pub pairwise_enabled: bool,
    /// `OIDC_SUBJECT_TYPE_PAIRWISE_SALT`.
    pub pairwise_salt: crate::Secret<Vec<u8>>,
    /// The 0.10 consent-by-id flow, when selected instead of login and consent challenges.
    pub legacy: Option<LegacyFlowSettings>,
    /// `OXYDRA_PAR_REQUIRED`: every client's authorization requests must be pushed first
    /// (RFC 9126 §5); a client can demand it for itself too
    /// (`require_pushed_authorization_requests`).
    pub par_required: bool,
}

/// Settings of the 0.10 consent-by-id flow (`shared/spec/behaviour.md` §15); its consent app
/// is [`FlowSettings::consent_url`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyFlowSettings {
    /// `CHALLENGE_TOKEN_LIFESPAN`: how long a consent request can be answered and redeemed.
    pub lifespan: Duration,
}

/// The flow limit Hydra fixes: 15 minutes from the first authorization request.
pub const ROUND_TRIP: Duration = Duration::from_secs(15 * 60);
