//! The device authorization grant (RFC 8628): a device that cannot show a browser asks for a
//! device code and a short user code; the user types the user code at the verification page in
//! a browser, which then runs the ordinary login and consent flow; the device polls the token
//! endpoint with the device code until the grant is approved, denied or expired.
//!
//! [`DeviceGrant`] is the stored aggregate; [`user_code`] makes and reads user codes;
//! [`poll`] decides what one poll of the token endpoint gets. Pure: no I/O here.

pub mod poll;
pub mod user_code;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::flow::FlowId;
use crate::model::{ClientId, Now};
use crate::oauth2::grant::issue::GrantedAccess;
use crate::token::{RequestId, TokenSession, TokenSignature};

/// RFC 8628 §3.5: how much a `slow_down` adds to the polling interval.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// What the device flow is configured with (`OXYDRA_DEVICE_*`).
#[derive(Debug, Clone)]
pub struct DeviceSettings {
    /// How long the device code and the user code are valid (`expires_in`).
    pub lifespan: Duration,
    /// The minimum polling interval the device is told (`interval`).
    pub interval: Duration,
    /// Characters of a user code (RFC 8628 §6.1), without the display dash.
    pub user_code_length: usize,
    /// The `verification_uri` the device shows to the user (RFC 8628 §3.2).
    pub verification_uri: Url,
}

/// What the user decided about a device grant, stored once the consent app answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceApproval {
    /// The request id of every token of the grant: the consent challenge, as in the code flow.
    pub request_id: String,
    /// The authenticated (real, never pairwise) subject.
    pub subject: String,
    /// The granted scopes the client may have.
    pub granted_scope: Vec<String>,
    /// Consent extras, authentication time, pairwise subject, `acr`.
    pub session: TokenSession,
}

impl DeviceApproval {
    /// The grant every token issued for this approval belongs to.
    pub fn access(&self, client_id: &ClientId) -> GrantedAccess {
        GrantedAccess {
            request_id: RequestId::from_stored(self.request_id.clone()),
            client_id: client_id.clone(),
            subject: self.subject.clone(),
            granted_scope: self.granted_scope.clone(),
            granted_audience: Vec::new(),
            session: self.session.clone(),
        }
    }
}

/// Where a device grant stands.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceState {
    /// Waiting for the user at the verification page.
    Pending,
    /// The user consented; the next poll gets the tokens.
    Authorized(Box<DeviceApproval>),
    /// The user (or the login or consent app) refused.
    Denied,
    /// The tokens were issued; the approval is kept so a replay revokes them.
    Used(Box<DeviceApproval>),
}

impl DeviceState {
    /// The stored name of the state.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Authorized(_) => "authorized",
            Self::Denied => "denied",
            Self::Used(_) => "used",
        }
    }

    /// The approval an authorized or used grant carries.
    pub fn approval(&self) -> Option<&DeviceApproval> {
        match self {
            Self::Authorized(a) | Self::Used(a) => Some(a),
            Self::Pending | Self::Denied => None,
        }
    }

    /// Rebuilds a state from its stored name and approval; `None` for an unknown name or an
    /// approval missing where the state needs one.
    pub fn from_stored(name: &str, approval: Option<DeviceApproval>) -> Option<Self> {
        Some(match (name, approval) {
            ("pending", _) => Self::Pending,
            ("denied", _) => Self::Denied,
            ("authorized", Some(a)) => Self::Authorized(Box::new(a)),
            ("used", Some(a)) => Self::Used(Box::new(a)),
            _ => return None,
        })
    }
}

/// One device authorization (RFC 8628 §3.1–3.2) as stored: only the device code's signature
/// and a keyed hash of the user code are kept, never the codes themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceGrant {
    /// The device code's row key ([`crate::token::TokenKeys::verify`] of the code).
    pub signature: TokenSignature,
    /// The keyed hash of the normalised user code ([`crate::token::TokenKeys::user_code_hashes`]).
    pub user_code_hash: String,
    /// Public id of the grant in the verification page's URLs (the login and consent
    /// requests' `request_url`), so the browser's return finds the grant.
    pub challenge: FlowId,
    /// The client that asked, and the only one that may poll.
    pub client_id: ClientId,
    /// The scopes the device asked for.
    pub requested_scope: Vec<String>,
    /// When the device asked.
    pub requested_at: Now,
    /// When the device code and user code stop working.
    pub expires_at: Now,
    /// The current minimum polling interval, in seconds (grows with `slow_down`).
    pub interval_secs: i64,
    /// When the device last polled.
    pub last_polled_at: Option<Now>,
    /// Where the grant stands.
    pub state: DeviceState,
}

impl DeviceGrant {
    /// Whether the codes still work at `now`.
    pub fn is_live_at(&self, now: Now) -> bool {
        now < self.expires_at
    }
}

/// What the store did with a consent answer for a device grant
/// (`DeviceStore::consent_to_device`).
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceDecision {
    /// The user consented: store the approval.
    Approve(Box<DeviceApproval>),
    /// The user refused.
    Deny,
}
