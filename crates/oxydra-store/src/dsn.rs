//! Database URLs (`DATABASE_URL`): which backend, where, and how to show it without its password.
//!
//! Accepted forms: `memory` (in-memory SQLite), `sqlite://path[?..]` / `sqlite:path` (a file,
//! created when missing), `postgres://…` / `postgresql://…`, and `mysql://…` / `mariadb://…`
//! in Hydra's Go spelling or as a URL (see `mysql/dsn.rs`).

use std::fmt;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use url::Url;

/// Which SQL dialect a store speaks; callers branch on it only for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite (a file or `memory`).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL/MariaDB.
    Mysql,
}

impl Backend {
    /// A short lower-case name, for logs and test names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a database URL was refused; `Display` is one line an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsnError {
    /// Nothing was given.
    #[error(
        "the database URL is empty; use `memory`, `sqlite://<path>`, `postgres://...` or `mysql://...`"
    )]
    Empty,
    /// The scheme names no backend Oxydra knows.
    #[error(
        "unsupported database URL scheme `{scheme}`; use `memory`, `sqlite://<path>`, `postgres://...` or `mysql://...`"
    )]
    UnknownScheme {
        /// The scheme as given (or the whole value when it has none).
        scheme: String,
    },
    /// The URL names a known backend but is malformed.
    #[error("invalid {backend} database URL: {reason}")]
    Invalid {
        /// The backend the URL was meant for.
        backend: Backend,
        /// What is wrong with it.
        reason: String,
    },
}

/// Query parameters Hydra accepted in SQL DSNs that Oxydra handles itself and never passes on
/// to the driver (which would reject or misread them).
const POOL_PARAMS: &[&str] = &["max_conns", "max_idle_conns", "max_conn_lifetime"];

/// A parsed, validated database URL.
#[derive(Clone)]
pub struct Dsn {
    pub(crate) kind: DsnKind,
    /// The URL with any password replaced by `***`.
    redacted: String,
}

/// The backend-specific part of a [`Dsn`].
#[derive(Clone)]
pub(crate) enum DsnKind {
    /// In-memory SQLite, alive as long as the store.
    Memory,
    /// A SQLite file.
    SqliteFile {
        /// Driver options (pool parameters stripped).
        options: SqliteConnectOptions,
        /// `max_conns` from the URL, if given.
        max_conns: Option<u32>,
    },
    /// A PostgreSQL server.
    Postgres {
        /// Driver options (pool parameters stripped).
        options: PgConnectOptions,
        /// `max_conns` from the URL, if given.
        max_conns: Option<u32>,
    },
    /// A MySQL/MariaDB server.
    Mysql {
        /// Driver options (pool and Go-driver parameters stripped).
        options: sqlx::mysql::MySqlConnectOptions,
        /// `max_conns` from the URL, if given.
        max_conns: Option<u32>,
    },
}

impl Dsn {
    /// Parses `memory`, `sqlite://path[?..]`, `sqlite:path`, `postgres://…`, `postgresql://…`,
    /// `mysql://…` or `mariadb://…`.
    pub fn parse(raw: &str) -> Result<Dsn, DsnError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DsnError::Empty);
        }
        if raw == "memory" || raw == "sqlite::memory:" || raw == "sqlite://:memory:" {
            return Ok(Dsn {
                kind: DsnKind::Memory,
                redacted: "memory".to_owned(),
            });
        }
        let scheme = raw.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => parse_sqlite(raw),
            Some("postgres" | "postgresql") => parse_postgres(raw),
            Some("mysql" | "mariadb") => Ok(parse_mysql(raw)?),
            Some(other) => Err(DsnError::UnknownScheme {
                scheme: other.to_owned(),
            }),
            None => Err(DsnError::UnknownScheme {
                scheme: raw.to_owned(),
            }),
        }
    }

    /// The backend this URL selects.
    pub fn backend(&self) -> Backend {
        match self.kind {
            DsnKind::Memory | DsnKind::SqliteFile { .. } => Backend::Sqlite,
            DsnKind::Postgres { .. } => Backend::Postgres,
            DsnKind::Mysql { .. } => Backend::Mysql,
        }
    }

    /// Whether this is the in-memory database (schema and data vanish on exit).
    pub fn is_memory(&self) -> bool {
        matches!(self.kind, DsnKind::Memory)
    }

    /// The file of a SQLite database (`None` for memory and server databases), so that files
    /// that belong with it, such as development mode's system secret, can be kept beside it.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        match &self.kind {
            DsnKind::SqliteFile { options, .. } => Some(options.get_filename()),
            DsnKind::Memory | DsnKind::Postgres { .. } | DsnKind::Mysql { .. } => None,
        }
    }
}

/// A [`DsnError::Invalid`] for `backend`.
pub(crate) fn invalid(backend: Backend, reason: impl fmt::Display) -> DsnError {
    DsnError::Invalid {
        backend,
        reason: reason.to_string(),
    }
}

/// Splits Hydra's pool parameters off a query string: `max_conns` (validated) and the pairs
/// the driver should see.
pub(crate) fn take_pool_params<'a>(
    backend: Backend,
    pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
) -> Result<PoolParams, DsnError> {
    let mut max_conns = None;
    let mut kept = Vec::new();
    for (key, value) in pairs {
        if key == "max_conns" {
            let n = value.parse::<u32>().ok().filter(|n| *n > 0);
            max_conns =
                Some(n.ok_or_else(|| invalid(backend, "max_conns must be a positive integer"))?);
        } else if !POOL_PARAMS.contains(&key.as_ref()) {
            kept.push((key.into_owned(), value.into_owned()));
        }
    }
    Ok(PoolParams { max_conns, kept })
}

/// The result of [`take_pool_params`].
pub(crate) struct PoolParams {
    /// `max_conns`, when given.
    pub(crate) max_conns: Option<u32>,
    /// The query pairs left for the driver.
    pub(crate) kept: Vec<(String, String)>,
}

fn parse_sqlite(raw: &str) -> Result<Dsn, DsnError> {
    let (base, query) = raw.split_once('?').unwrap_or((raw, ""));
    let path = base
        .strip_prefix("sqlite://")
        .or_else(|| base.strip_prefix("sqlite:"));
    if path.is_none_or(str::is_empty) {
        return Err(invalid(
            Backend::Sqlite,
            "no file path (e.g. `sqlite://oxydra.db`)",
        ));
    }
    let PoolParams { max_conns, kept } = take_pool_params(
        Backend::Sqlite,
        url::form_urlencoded::parse(query.as_bytes()),
    )?;
    let driver_url = if kept.is_empty() {
        base.to_owned()
    } else {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish();
        format!("{base}?{query}")
    };
    let options =
        SqliteConnectOptions::from_str(&driver_url).map_err(|e| invalid(Backend::Sqlite, e))?;
    Ok(Dsn {
        kind: DsnKind::SqliteFile { options, max_conns },
        redacted: raw.to_owned(),
    })
}

fn parse_postgres(raw: &str) -> Result<Dsn, DsnError> {
    let url = Url::parse(raw).map_err(|e| invalid(Backend::Postgres, e))?;
    let mut max_conns = None;
    let mut kept: Vec<(String, String)> = Vec::new();
    for (key, value) in url.query_pairs() {
        if key == "max_conns" {
            let n: u32 = value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                invalid(Backend::Postgres, "max_conns must be a positive integer")
            })?;
            max_conns = Some(n);
        } else if !POOL_PARAMS.contains(&key.as_ref()) {
            kept.push((key.into_owned(), value.into_owned()));
        }
    }
    let mut driver_url = url.clone();
    driver_url.set_query(None);
    if !kept.is_empty() {
        driver_url.query_pairs_mut().extend_pairs(kept);
    }
    let options = PgConnectOptions::from_str(driver_url.as_str())
        .map_err(|e| invalid(Backend::Postgres, e))?;
    let mut shown = url;
    if shown.password().is_some() {
        // Only fails for URLs that cannot have a password, which a parsed postgres URL can.
        let _ = shown.set_password(Some("***"));
    }
    Ok(Dsn {
        kind: DsnKind::Postgres { options, max_conns },
        redacted: shown.to_string(),
    })
}

fn parse_mysql(raw: &str) -> Result<Dsn, DsnError> {
    let parsed = crate::mysql::dsn::parse(raw)?;
    Ok(Dsn {
        kind: DsnKind::Mysql {
            options: parsed.options,
            max_conns: parsed.max_conns,
        },
        redacted: parsed.redacted,
    })
}

impl fmt::Display for Dsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for Dsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Dsn").field(&self.redacted).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_backend() {
        let memory = Dsn::parse("memory").unwrap();
        assert!(memory.is_memory());
        assert_eq!(memory.backend(), Backend::Sqlite);
        let file = Dsn::parse("sqlite://oxydra.db?mode=rwc").unwrap();
        assert!(!file.is_memory());
        assert_eq!(file.backend(), Backend::Sqlite);
        assert_eq!(file.sqlite_file(), Some(std::path::Path::new("oxydra.db")));
        assert_eq!(memory.sqlite_file(), None);
        assert_eq!(
            Dsn::parse("sqlite:data/x.db").unwrap().backend(),
            Backend::Sqlite
        );
        let pg = Dsn::parse("postgresql://u@localhost:5432/db?sslmode=disable").unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
    }

    #[test]
    fn refuses_unknown_schemes() {
        assert_eq!(
            Dsn::parse("mariadb://root@tcp(localhost)/db")
                .unwrap()
                .backend(),
            Backend::Mysql
        );
        assert!(matches!(
            Dsn::parse("redis://x"),
            Err(DsnError::UnknownScheme { .. })
        ));
        assert!(matches!(
            Dsn::parse("oxydra.db"),
            Err(DsnError::UnknownScheme { .. })
        ));
        assert_eq!(Dsn::parse("  ").unwrap_err(), DsnError::Empty);
        assert!(matches!(
            Dsn::parse("sqlite://"),
            Err(DsnError::Invalid { .. })
        ));
        assert!(matches!(
            Dsn::parse("postgres://h/db?max_conns=x"),
            Err(DsnError::Invalid { .. })
        ));
    }

    #[test]
    fn redacts_the_password() {
        let dsn = Dsn::parse("postgres://user:hunter2@db:5432/oxydra?max_conns=3").unwrap();
        let shown = format!("{dsn} {dsn:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("postgres://user:***@db:5432/oxydra"),
            "{shown}"
        );
    }

    #[test]
    fn strips_pool_parameters_for_sqlite_too() {
        let dsn = Dsn::parse("sqlite://x.db?max_conns=2&mode=rwc&max_idle_conns=1").unwrap();
        assert!(matches!(
            dsn.kind,
            DsnKind::SqliteFile {
                max_conns: Some(2),
                ..
            }
        ));
        assert!(matches!(
            Dsn::parse("sqlite://x.db?bogus=1"),
            Err(DsnError::Invalid { .. })
        ));
    }

    #[test]
    fn strips_pool_parameters() {
        let dsn =
            Dsn::parse("postgres://u@h/db?max_conns=3&max_idle_conns=1&sslmode=disable").unwrap();
        match dsn.kind {
            DsnKind::Postgres { max_conns, .. } => assert_eq!(max_conns, Some(3)),
            _ => panic!("not postgres"),
        }
    }
}
