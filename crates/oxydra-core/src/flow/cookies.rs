//! The browser's side of the flow (`shared/spec/behaviour.md` §3.4): the cookies it brings
//! back and the changes a response makes to them.

use crate::flow::FlowId;

/// The cookies the browser sent, as verified by the server (signature checked).
#[derive(Debug, Clone, Default)]
pub struct BrowserCookies {
    /// `oauth2_authentication_csrf`.
    pub login_csrf: Option<String>,
    /// `oauth2_consent_csrf`.
    pub consent_csrf: Option<String>,
    /// `oauth2_authentication_session` (`sid`).
    pub session_id: Option<String>,
    /// `consent_session` (0.10 flow): the legacy consent request's CSRF value.
    pub legacy_consent_csrf: Option<String>,
    /// `oauth2_device_csrf`: the device flow's user-code form value (RFC 8628 §3.3).
    pub device_csrf: Option<String>,
}

/// A cookie the response must set or clear.
#[derive(Debug, Clone, PartialEq)]
pub enum CookieChange {
    /// Set `oauth2_authentication_csrf`.
    LoginCsrf(FlowId),
    /// Set `oauth2_consent_csrf`.
    ConsentCsrf(FlowId),
    /// Set `oauth2_authentication_session` to this session id, for `max_age` seconds
    /// (`None`: for the browser session).
    Session {
        /// The session id.
        id: String,
        /// Lifetime in seconds.
        max_age: Option<i64>,
    },
    /// Expire `oauth2_authentication_session`.
    ClearSession,
    /// Set `consent_session` (0.10 flow) for `max_age` seconds.
    LegacyConsentCsrf {
        /// The legacy consent request's CSRF value.
        csrf: FlowId,
        /// Lifetime in seconds (the request's lifespan).
        max_age: i64,
    },
    /// Expire `consent_session`: the legacy consent request was redeemed.
    ClearLegacyConsent,
    /// Set `oauth2_device_csrf`: the anti-CSRF value the device flow's user-code form repeats.
    DeviceCsrf(FlowId),
}
