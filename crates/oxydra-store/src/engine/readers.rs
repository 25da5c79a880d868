//! Read connections, used on the calling thread: a read is an index lookup served from
//! memory-mapped pages, cheaper than the two thread hops a connection worker would cost.
//! Connections are opened on demand (at most one per thread reading at once) and kept for
//! reuse up to a cap.

use std::sync::Mutex;

use rusqlite::Connection;

/// The idle read connections of one database.
#[derive(Debug)]
pub(crate) struct Readers {
    idle: Mutex<Vec<Connection>>,
    /// Idle connections kept; extra ones are closed when returned.
    keep: usize,
}

impl Readers {
    /// An empty set that keeps up to `keep` idle connections.
    pub(crate) fn new(keep: usize) -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            keep: keep.max(1),
        }
    }

    /// Runs `read` on an idle connection, or on one `open` makes when none is idle.
    pub(crate) fn with<T>(
        &self,
        open: impl FnOnce() -> rusqlite::Result<Connection>,
        read: impl FnOnce(&Connection) -> T,
    ) -> rusqlite::Result<T> {
        let taken = self.lock().pop();
        let conn = match taken {
            Some(conn) => conn,
            None => open()?,
        };
        let answer = read(&conn);
        let mut idle = self.lock();
        if idle.len() < self.keep {
            idle.push(conn);
        }
        Ok(answer)
    }

    /// Connections open and idle now.
    pub(crate) fn idle(&self) -> usize {
        self.lock().len()
    }

    /// Closes every idle connection.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A panic while holding the lock cannot leave the vector half-changed.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
