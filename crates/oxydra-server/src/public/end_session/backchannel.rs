//! Back-Channel Logout 1.0 §2.5: each logout token is `POST`ed (`logout_token=…`) to its
//! client's `backchannel_logout_uri` through the safe remote fetcher (its https and public-
//! address rules, its bounded timeout), in background tasks: the browser never waits, and a
//! failure is logged, not retried (Hydra does not retry either).

use oxydra_core::service::end_session::BackchannelLogout;

use crate::remote_fetch::RemoteFetcher;

/// Sends every logout in its own task and returns at once.
pub(super) fn spawn(fetcher: RemoteFetcher, logouts: Vec<BackchannelLogout>) {
    for logout in logouts {
        let fetcher = fetcher.clone();
        tokio::spawn(async move {
            let sent = fetcher
                .post_form(&logout.uri, &[("logout_token", &logout.logout_token)])
                .await;
            match sent {
                Ok(()) => {
                    tracing::debug!(client_id = %logout.client_id, "back-channel logout delivered")
                }
                Err(e) => tracing::warn!(
                    client_id = %logout.client_id,
                    uri = %logout.uri,
                    reason = e.reason(),
                    "back-channel logout failed"
                ),
            }
        });
    }
}
