//! Checkpoints off the writer's path. With WAL every commit appends pages to the log, and a
//! checkpoint copies them back into the database file and syncs it. Run by the writer (SQLite's
//! default, every 1,000 pages) that copy stalls every write queued behind it; here a thread of
//! its own runs a `PASSIVE` checkpoint (which never blocks the writer or readers) every
//! [`PERIOD`], and the writer's own automatic checkpoint stays only as a bound on the log's
//! length, at [`WAL_BOUND_PAGES`].

use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use rusqlite::Connection;

/// How often the checkpointer runs.
pub(crate) const PERIOD: Duration = Duration::from_millis(50);
/// The writer checkpoints itself when the log reaches this many pages (8 MiB of 4 KiB pages).
/// Under continuous writes the checkpointer's rounds never find the log wholly copied when the
/// writer begins, so the log cannot restart until the writer checkpoints it, stalling the
/// writes queued meanwhile for the uncopied frames and an `fsync`; a short log keeps that
/// stall short. Measured with the benchmark's flush scenario (three runs each, worst token
/// p99 while 1 M expired rows were deleted): 50,000 pages 142–160 ms, 10,000 pages 74–131 ms,
/// 2,000 pages 48–64 ms, with plain token issuance unchanged.
pub(crate) const WAL_BOUND_PAGES: i64 = 2_000;

/// Stops the checkpointer thread when stopped or dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    /// Dropping the sender wakes and ends the thread.
    stop: Mutex<Option<mpsc::Sender<()>>>,
}

impl Checkpointer {
    /// Starts the thread that checkpoints through `conn`.
    pub(crate) fn spawn(conn: Connection) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        thread::Builder::new()
            .name("oxydra-sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(PERIOD) {
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "SQLite checkpoint failed");
                    }
                }
            })?;
        Ok(Self {
            stop: Mutex::new(Some(stop)),
        })
    }
}

impl Checkpointer {
    /// Ends the thread (after a checkpoint under way), closing its connection.
    pub(crate) fn stop(&self) {
        let sender = self
            .stop
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        drop(sender);
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}
