//! Connection hygiene of both listeners: timeouts for silent and slow clients, and a cap on
//! the connections each listener holds, fitted to the process's open-file limit so a flood on
//! the public port leaves descriptors for the admin port and the database.

mod listener;
mod service;
mod stream;

pub use listener::{CappedListener, PeerAddr};
pub use service::{BodyTimedOut, DeadlineBody, Tracked, TrackingAcceptor};
pub use stream::{TimedStream, Timeouts, Tracker};

/// Descriptors kept for everything but client connections: the database pool and its probe,
/// TLS and SQLite files, logs, the listeners themselves.
pub const RESERVED_FDS: usize = 64;

/// The connection caps of the public and admin listeners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Public listener.
    pub public: usize,
    /// Admin listener.
    pub admin: usize,
}

/// Lowers `wanted` so that both caps plus [`RESERVED_FDS`] fit in `fd_limit` (the admin side
/// keeps at least a quarter), and says so; unchanged when they fit or the limit is unknown.
pub fn fit_caps(wanted: Caps, fd_limit: Option<u64>) -> (Caps, Option<String>) {
    let Some(limit) = fd_limit.and_then(|l| usize::try_from(l).ok()) else {
        return (wanted, None);
    };
    let budget = limit.saturating_sub(RESERVED_FDS).max(2);
    if wanted.public.saturating_add(wanted.admin) <= budget {
        return (wanted, None);
    }
    let admin = wanted.admin.min((budget / 4).max(1));
    let public = wanted.public.min(budget.saturating_sub(admin).max(1));
    let fitted = Caps { public, admin };
    let warning = format!(
        "the open-file limit is {limit}: connection caps lowered to public {public}, admin \
         {admin} (asked {}, {}; {RESERVED_FDS} kept for the database and files); raise \
         `ulimit -n` to serve more connections",
        wanted.public, wanted.admin
    );
    (fitted, Some(warning))
}

/// The soft open-file limit (`ulimit -n`), where the platform tells (Linux `/proc`).
pub fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANTED: Caps = Caps {
        public: 1024,
        admin: 256,
    };

    #[test]
    fn caps_that_fit_are_kept() {
        assert_eq!(fit_caps(WANTED, None), (WANTED, None));
        assert_eq!(fit_caps(WANTED, Some(1_048_576)), (WANTED, None));
    }

    #[test]
    fn caps_shrink_to_the_open_file_limit_leaving_the_admin_side_a_share() {
        let (caps, warning) = fit_caps(WANTED, Some(256));
        assert_eq!(
            caps,
            Caps {
                public: 144,
                admin: 48
            }
        );
        assert!(caps.public + caps.admin + RESERVED_FDS <= 256);
        assert!(warning.unwrap().contains("256"));
        let (tiny, _) = fit_caps(WANTED, Some(10));
        assert!(tiny.public >= 1 && tiny.admin >= 1);
    }

    #[test]
    fn the_limit_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(open_file_limit().is_some_and(|n| n > 0));
        }
    }
}
