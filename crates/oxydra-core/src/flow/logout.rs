//! OIDC logout (RP-Initiated Logout 1.0, Front-Channel Logout 1.0, Back-Channel Logout 1.0) as
//! Hydra 1.x/2.x run it: a logout request the operator's logout app accepts or rejects, and the
//! pure decisions around it — where the browser may end up, and what each client is told.

use std::time::Duration;

use url::Url;

use super::FlowId;
use crate::client::Client;
use crate::model::{ClientId, Now};
use crate::{OAuthError, OAuthErrorKind};

/// A request to end a login session, answered by the logout app (Hydra's `logoutRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutRequest {
    /// The id the logout app is given (`logout_challenge`).
    pub challenge: FlowId,
    /// The secret the browser brings back once the request is accepted (`logout_verifier`).
    pub verifier: FlowId,
    /// The user of the session.
    pub subject: String,
    /// The login session to end (`sid`).
    pub session_id: String,
    /// The client that asked, when the logout is RP-initiated.
    pub client_id: Option<ClientId>,
    /// The URL of the logout request as received.
    pub request_url: String,
    /// Whether a client initiated it with an `id_token_hint`.
    pub rp_initiated: bool,
    /// Where the browser goes once logged out: a registered `post_logout_redirect_uri` with
    /// `state`, or `OAUTH2_LOGOUT_REDIRECT_URL`.
    pub redirect_to: String,
    /// When it was made.
    pub requested_at: Now,
    /// Whether the logout app accepted it.
    pub accepted: bool,
    /// Whether the browser has redeemed the verifier.
    pub verifier_used: bool,
}

impl LogoutRequest {
    /// Whether the request is older than the flow round trip (as login and consent requests).
    pub fn is_expired_at(&self, now: Now, round_trip: Duration) -> bool {
        now >= self.requested_at.plus(round_trip)
    }
}

/// What completing a logout ended: the request, and the clients the session consented to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedSession {
    /// The redeemed request.
    pub request: LogoutRequest,
    /// Every client with an accepted consent in the session, once each.
    pub clients: Vec<ClientId>,
}

/// RP-Initiated Logout 1.0 §3: the browser may only be sent to one of the hinted client's
/// registered `post_logout_redirect_uris` (exact match), with `state` appended; without a
/// requested URI, to `default`.
pub fn post_logout_target(
    client: Option<&Client>,
    requested: Option<&str>,
    state: Option<&str>,
    default: &Url,
) -> Result<String, OAuthError> {
    let Some(requested) = requested else {
        return Ok(default.to_string());
    };
    let registered =
        client.is_some_and(|c| c.post_logout_redirect_uris.iter().any(|u| u == requested));
    let mut url = Url::parse(requested).ok().filter(|_| registered).ok_or_else(|| {
        OAuthError::invalid_request(
            "The post_logout_redirect_uri is not one the client of the id_token_hint registered.",
        )
    })?;
    if let Some(state) = state {
        url.query_pairs_mut().append_pair("state", state);
    }
    Ok(url.to_string())
}

/// A hint-less logout (initiated by the OP) may carry neither `state` nor a
/// `post_logout_redirect_uri`: without a hint no client vouches for the target (Hydra's rule).
pub fn check_op_initiated(
    post_logout_redirect_uri: Option<&str>,
    state: Option<&str>,
) -> Result<(), OAuthError> {
    let refuse = |name: &str| {
        OAuthError::invalid_request(format!(
            "Logout failed because {name} is set but id_token_hint is missing."
        ))
    };
    if post_logout_redirect_uri.is_some() {
        return Err(refuse("post_logout_redirect_uri"));
    }
    if state.is_some() {
        return Err(refuse("state"));
    }
    Ok(())
}

/// The client an `id_token_hint` was issued to: its single audience.
pub fn hinted_client(
    claims: &serde_json::Map<String, serde_json::Value>,
) -> Result<ClientId, OAuthError> {
    let audience: Vec<&str> = match claims.get("aud") {
        Some(serde_json::Value::String(one)) => vec![one.as_str()],
        Some(serde_json::Value::Array(many)) => many.iter().filter_map(|a| a.as_str()).collect(),
        _ => Vec::new(),
    };
    match audience.as_slice() {
        [one] => ClientId::parse((*one).to_owned()).map_err(|_| unknown_audience()),
        _ => Err(OAuthError::new(OAuthErrorKind::InvalidRequest)
            .hint("The id_token_hint must name exactly one client in aud.")),
    }
}

fn unknown_audience() -> OAuthError {
    OAuthError::invalid_request("The id_token_hint was issued to no known client.")
}

/// The error for a hint whose client no longer exists.
pub fn unknown_hint_client() -> OAuthError {
    unknown_audience()
}

/// Front-Channel Logout 1.0 §2–3: the URI the logout page frames for `client`, with `iss` and
/// `sid` when the client registered `frontchannel_logout_session_required`.
pub fn frontchannel_url(client: &Client, issuer: &str, sid: &str) -> Option<String> {
    if client.frontchannel_logout_uri.is_empty() {
        return None;
    }
    let mut url = Url::parse(&client.frontchannel_logout_uri).ok()?;
    if client.frontchannel_logout_session_required {
        url.query_pairs_mut()
            .append_pair("iss", issuer)
            .append_pair("sid", sid);
    }
    Some(url.to_string())
}

#[cfg(test)]
mod tests;
