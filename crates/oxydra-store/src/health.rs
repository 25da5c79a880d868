//! Fail fast while PostgreSQL (or MySQL) is unreachable: a circuit breaker that a background probe opens
//! and closes.
//!
//! Without it every request waits for the pool's acquire timeout (sqlx retries a refused
//! connect until then) before its 503, and probes with shorter timeouts see hangs. The probe
//! pings over a connection of its own every [`PROBE_INTERVAL`], bounded by [`PROBE_TIMEOUT`];
//! it alone decides, so a few failing queries cannot make the breaker flap. While it is open,
//! every pool operation fails at once with `Unavailable`, and operations already waiting are
//! cut short. After recovery the pool discards connections opened before the outage began
//! (they were cut), so the first requests do not trip over dead sockets.

use std::future::Future;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::{ConnectOptions, Connection};
use tokio::sync::watch;

/// How often the probe pings the database.
pub(crate) const PROBE_INTERVAL: Duration = Duration::from_millis(200);
/// How long one ping (or the probe's reconnect) may take before the database counts as down.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// The shared breaker state; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Health(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    down: watch::Sender<bool>,
    /// When the latest outage began: connections older than that are not trusted again.
    outage_began: Mutex<Option<Instant>>,
}

impl Health {
    /// A closed breaker (database assumed up).
    pub(crate) fn new() -> Self {
        Self(Arc::new(Inner {
            down: watch::Sender::new(false),
            outage_began: Mutex::new(None),
        }))
    }

    fn is_down(&self) -> bool {
        *self.0.down.borrow()
    }

    /// Runs a pool operation unless the database is down; cut short if it goes down meanwhile.
    pub(crate) async fn guard<T>(
        &self,
        operation: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, sqlx::Error> {
        let mut down = self.0.down.subscribe();
        if *down.borrow_and_update() {
            return Err(unreachable());
        }
        tokio::select! {
            biased;
            result = operation => result,
            _ = down.wait_for(|down| *down) => Err(unreachable()),
        }
    }

    /// Whether a pooled connection of this age was opened before the latest outage began.
    pub(crate) fn predates_outage(&self, age: Duration) -> bool {
        let began = *self
            .0
            .outage_began
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        began.is_some_and(|began| {
            Instant::now()
                .checked_sub(age)
                .is_none_or(|born| born < began)
        })
    }

    fn set_down(&self, down: bool) {
        if down && !self.is_down() {
            *self
                .0
                .outage_began
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
            tracing::error!("database unreachable: failing requests fast until it answers again");
        } else if !down && self.is_down() {
            tracing::info!("database reachable again");
        }
        self.0
            .down
            .send_if_modified(|state| std::mem::replace(state, down) != down);
    }

    /// Starts the probe; it stops once every clone of this `Health` is dropped.
    pub(crate) fn spawn_probe<O>(&self, options: O)
    where
        O: ConnectOptions,
        O::Connection: Sized,
    {
        tokio::spawn(probe(Arc::downgrade(&self.0), options));
    }
}

/// The error a guarded operation fails with while the database is down.
fn unreachable() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "the database is unreachable (failing fast until the health probe reaches it again)",
    ))
}

async fn probe<O>(health: Weak<Inner>, options: O)
where
    O: ConnectOptions,
    O::Connection: Sized,
{
    let options = options.disable_statement_logging();
    let mut conn: Option<O::Connection> = None;
    loop {
        tokio::time::sleep(PROBE_INTERVAL).await;
        let Some(inner) = health.upgrade() else {
            return;
        };
        let reached = tokio::time::timeout(PROBE_TIMEOUT, ping(&mut conn, &options)).await;
        let up = matches!(reached, Ok(Ok(())));
        if !up {
            conn = None;
        }
        Health(inner).set_down(!up);
    }
}

async fn ping<O>(conn: &mut Option<O::Connection>, options: &O) -> Result<(), sqlx::Error>
where
    O: ConnectOptions,
    O::Connection: Sized,
{
    match conn {
        Some(conn) => conn.ping().await,
        None => {
            let mut fresh = options.connect().await?;
            fresh.ping().await?;
            *conn = Some(fresh);
            Ok(())
        }
    }
}
