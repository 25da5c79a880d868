//! Background work: the optional token janitor (`OXYDRA_JANITOR_INTERVAL`, `--janitor-interval`),
//! which flushes expired access tokens and codes as `POST /oauth2/flush` does, so tables stay
//! bounded without an external cron job. Every instance of a fleet may run it: each batch is an
//! idempotent, short `DELETE`.

use oxydra_core::service::revoke;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::state::AppState;

/// Spawns the janitor when an interval is configured. The first flush happens one interval
/// after start-up; abort the handle (or shut the runtime down) to stop it.
pub fn spawn_janitor(state: &AppState) -> Option<JoinHandle<()>> {
    let interval = state.config.janitor_interval?;
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await; // fires at once: skip, so start-up is not slowed by a flush
        loop {
            ticker.tick().await;
            if tx.send(()).await.is_err() {
                break; // the janitor stopped
            }
        }
    });
    Some(spawn_janitor_on(state.clone(), rx))
}

/// Runs one flush per message on `ticks` until the channel closes. [`spawn_janitor`] drives it
/// from a timer; tests drive it directly, so they never wait on real time.
pub fn spawn_janitor_on(state: AppState, mut ticks: mpsc::Receiver<()>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while ticks.recv().await.is_some() {
            let now = state.now();
            match revoke::flush(&state.store, now, now).await {
                Ok(deleted) => tracing::info!(deleted, "janitor flushed expired tokens"),
                Err(e) => {
                    tracing::warn!(error = %e, "janitor flush failed; retrying next interval")
                }
            }
        }
    })
}
