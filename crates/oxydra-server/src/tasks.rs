//! Background work: the optional token janitor (`OXYDRA_JANITOR_INTERVAL`, `--janitor-interval`),
//! which flushes expired access tokens and codes as `POST /oauth2/flush` does, so tables stay
//! bounded without an external cron job. Every instance of a fleet may run it: each batch is an
//! idempotent, short `DELETE`.

use std::time::Duration;

use oxydra_core::service::revoke;

use crate::app::AppState;

/// Spawns the janitor when an interval is configured; it stops when the runtime shuts down.
pub fn spawn_janitor(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let interval = state.config.janitor_interval?;
    let state = state.clone();
    Some(tokio::spawn(
        async move { run_janitor(state, interval).await },
    ))
}

async fn run_janitor(state: AppState, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick fires at once; skip it so start-up is not slowed by a flush.
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let now = state.now();
        match revoke::flush(&state.store, now, now).await {
            Ok(deleted) => tracing::info!(deleted, "janitor flushed expired tokens"),
            Err(e) => tracing::warn!(error = %e, "janitor flush failed; retrying next interval"),
        }
    }
}
