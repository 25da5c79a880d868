//! [`SqlStore`]: opening a pool for a [`Dsn`], migrations, and the `Store` supertrait.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use oxydra_core::store::{Store, StoreError};
use sqlx::migrate::Migrator;
use sqlx::mysql::MySqlPool;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::SqlitePool;

use crate::batch::InsertBatcher;
use crate::client_cache::{ClientCache, DEFAULT_CLIENT_CACHE_REFRESH};
use crate::db::Db;
use crate::dsn::{Backend, Dsn, DsnKind};
use crate::engine::Engine;
use crate::error::{map_migrate, map_sqlx};
use crate::health::Health;
use crate::rows::{CountRow, VersionRow};
use crate::sql;
use crate::token_cache::{DEFAULT_TOKEN_CACHE_REFRESH, TokenCache};

/// SQLite migrations, embedded at compile time.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
/// PostgreSQL migrations, embedded at compile time.
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");
/// MySQL/MariaDB migrations, embedded at compile time.
static MYSQL_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/mysql");

/// Pool size when neither [`OpenOptions`] nor the DSN's `max_conns` says otherwise.
const DEFAULT_MAX_CONNECTIONS: u32 = 10;
/// How long a caller waits for a pooled connection before the store reports `Unavailable`.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Tuning for [`SqlStore::open`]; the defaults suit a server.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Pool size; overrides the DSN's `max_conns`. On SQLite, the idle read connections kept
    /// (reads run on the caller's thread, so at most one per thread is open at once).
    pub max_connections: Option<u32>,
    /// How long the cached client records are trusted before the client revision is re-read:
    /// the longest another instance's client write goes unseen. Default one second; zero
    /// re-reads on every client lookup.
    pub client_cache_refresh: Option<Duration>,
    /// How long a looked-up access-token row is used before it is read again: the longest
    /// another instance's revocation goes unseen. Default one second; zero keeps no rows.
    pub token_cache_refresh: Option<Duration>,
}

/// A freshly opened store, and whether its database was just created.
#[derive(Debug)]
pub struct Opened {
    /// The store.
    pub store: SqlStore,
    /// The SQLite file did not exist (or was empty) before, or the DSN is `memory`: the caller
    /// may migrate without asking.
    pub newly_created: bool,
}

/// A migration, as applied or pending; printed by `oxydra migrate sql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// The version (the file's number).
    pub version: i64,
    /// The description (the rest of the file name).
    pub description: String,
}

/// The connection pool's figures, from [`SqlStore::pool_stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Open connections, in use or idle.
    pub size: u32,
    /// Open connections no query holds.
    pub idle: u32,
    /// The pool's cap.
    pub max: u32,
}

/// The result of preparing one statement (see [`SqlStore::check_statements`]).
#[derive(Debug)]
pub struct StatementCheck {
    /// The statement's registry name, e.g. `clients.update`.
    pub name: &'static str,
    /// Whether the backend accepted it.
    pub result: Result<(), StoreError>,
}

/// Oxydra's one storage implementation (SQLite, PostgreSQL or MySQL/MariaDB); cheap to clone
/// (the pool is shared).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(crate) db: Db,
    /// Group commit of token inserts (see [`crate::batch`]).
    pub(crate) writer: InsertBatcher,
    /// Client records kept in memory (see [`crate::client_cache`]).
    pub(crate) client_cache: Arc<ClientCache>,
    /// Access-token rows kept in memory (see [`crate::token_cache`]).
    pub(crate) token_cache: Arc<TokenCache>,
    /// `jti` claims made through this store: every [`crate::impls::tokens::JTI_CLEANUP_EVERY`]th
    /// also deletes a bounded batch of expired records.
    pub(crate) jti_claims: Arc<std::sync::atomic::AtomicU64>,
}

impl SqlStore {
    /// Wraps a pool, starting its token writer.
    fn with_db(db: Db, opts: &OpenOptions) -> Self {
        let refresh = opts
            .client_cache_refresh
            .unwrap_or(DEFAULT_CLIENT_CACHE_REFRESH);
        Self {
            writer: InsertBatcher::spawn(db.clone()),
            client_cache: Arc::new(ClientCache::new(refresh)),
            token_cache: Arc::new(TokenCache::new(
                opts.token_cache_refresh
                    .unwrap_or(DEFAULT_TOKEN_CACHE_REFRESH),
            )),
            jti_claims: Arc::default(),
            db,
        }
    }

    /// Connects to `dsn`. `memory` is also migrated here, since nothing else could ever see it;
    /// for files and PostgreSQL the caller decides (see [`Opened::newly_created`] and
    /// [`SqlStore::pending_migrations`]).
    pub async fn open(dsn: &Dsn, opts: &OpenOptions) -> Result<Opened, StoreError> {
        match &dsn.kind {
            DsnKind::Memory => {
                let store = Self::with_db(Db::Sqlite(Engine::open_memory()?), opts);
                store.migrate().await?;
                Ok(Opened {
                    store,
                    newly_created: true,
                })
            }
            DsnKind::SqliteFile { options, max_conns } => {
                let path = options.get_filename();
                let newly_created = std::fs::metadata(path)
                    .map(|m| m.len() == 0)
                    .unwrap_or(true);
                let max = pool_size(opts, *max_conns);
                let engine = Engine::open_file(path.to_path_buf(), max)?;
                Ok(Opened {
                    store: Self::with_db(Db::Sqlite(engine), opts),
                    newly_created,
                })
            }
            DsnKind::Postgres { options, max_conns } => {
                let max = pool_size(opts, *max_conns);
                let health = Health::new();
                let pool = postgres_pool(max, &health)
                    .connect_with(options.clone())
                    .await
                    .map_err(map_sqlx)?;
                Ok(Opened {
                    store: Self::with_db(Db::Postgres(pool, health), opts),
                    newly_created: false,
                })
            }
            DsnKind::Mysql { options, max_conns } => {
                let max = pool_size(opts, *max_conns);
                let health = Health::new();
                let pool = crate::mysql::pool_options(max, ACQUIRE_TIMEOUT, &health)
                    .connect_with(options.clone())
                    .await
                    .map_err(map_sqlx)?;
                Ok(Opened {
                    store: Self::with_db(Db::Mysql(pool, health), opts),
                    newly_created: false,
                })
            }
        }
    }

    /// Applies pending migrations; idempotent. Returns only the migrations this call applied.
    pub async fn migrate(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        let before = self.applied_versions().await?;
        match &self.db {
            Db::Sqlite(engine) => SQLITE_MIGRATIONS.run(engine.sqlx_pool()).await,
            Db::Postgres(pool, _) => POSTGRES_MIGRATIONS.run(pool).await,
            Db::Mysql(pool, _) => MYSQL_MIGRATIONS.run(pool).await,
        }
        .map_err(map_migrate)?;
        let after = self.applied_versions().await?;
        let applied = self.known_migrations(|v| after.contains(&v) && !before.contains(&v));
        for m in &applied {
            tracing::info!(version = m.version, description = %m.description, "applied migration");
        }
        Ok(applied)
    }

    /// The migrations [`SqlStore::migrate`] would apply now, oldest first.
    pub async fn pending_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        let applied = self.applied_versions().await?;
        Ok(self.known_migrations(|v| !applied.contains(&v)))
    }

    /// The SQL dialect behind this store.
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// PostgreSQL and MySQL: starts probing the database in the background over a connection of its own,
    /// so that every operation fails at once while it is unreachable instead of waiting for
    /// the pool's acquire timeout (see `health.rs`). For servers; short-lived tools and tests
    /// do without. No-op on SQLite, whose file cannot become unreachable.
    pub fn fail_fast_when_unreachable(&self) {
        match &self.db {
            Db::Postgres(pool, health) => {
                health.spawn_probe(pool.connect_options().as_ref().clone());
            }
            Db::Mysql(pool, health) => {
                health.spawn_probe(pool.connect_options().as_ref().clone());
            }
            Db::Sqlite(..) => {}
        }
    }

    /// Closes the pool; later calls fail with `StoreError::Unavailable`.
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Prepares every SQL statement the store uses against this (migrated) database, so a test
    /// proves each one parses and type-checks on each backend.
    pub async fn check_statements(&self) -> Vec<StatementCheck> {
        let mut checks = Vec::new();
        for stmt in sql::registry() {
            checks.push(StatementCheck {
                name: stmt.name,
                result: self.db.prepare(stmt).await,
            });
        }
        checks
    }

    /// The pool's figures now, for metrics. On SQLite: the writer's connection and the idle
    /// read connections (a read holds one only while it runs).
    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle, max) = match &self.db {
            Db::Sqlite(engine) => {
                let (open, idle) = engine.connections();
                (open, usize::try_from(idle).unwrap_or(usize::MAX), open)
            }
            Db::Postgres(pool, _) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
            Db::Mysql(pool, _) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
        };
        PoolStats {
            size,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            max,
        }
    }

    /// A sqlx pool on the SQLite database (migrations use it), for tests and diagnostics
    /// that need raw SQL (`PRAGMA`s).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.db {
            Db::Sqlite(engine) => Some(engine.sqlx_pool()),
            Db::Postgres(..) | Db::Mysql(..) => None,
        }
    }

    /// The MySQL/MariaDB pool, for tests and diagnostics that need raw SQL.
    pub fn mysql_pool(&self) -> Option<&MySqlPool> {
        match &self.db {
            Db::Mysql(pool, _) => Some(pool),
            Db::Sqlite(..) | Db::Postgres(..) => None,
        }
    }

    /// The PostgreSQL pool, for tests and diagnostics that need raw SQL (`information_schema`).
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.db {
            Db::Postgres(pool, _) => Some(pool),
            Db::Sqlite(..) | Db::Mysql(..) => None,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.db {
            Db::Sqlite(..) => &SQLITE_MIGRATIONS,
            Db::Postgres(..) => &POSTGRES_MIGRATIONS,
            Db::Mysql(..) => &MYSQL_MIGRATIONS,
        }
    }

    fn known_migrations(&self, keep: impl Fn(i64) -> bool) -> Vec<AppliedMigration> {
        self.migrator()
            .iter()
            .filter(|m| m.migration_type.is_up_migration() && keep(m.version))
            .map(|m| AppliedMigration {
                version: m.version,
                description: m.description.to_string(),
            })
            .collect()
    }

    /// Versions recorded as applied; empty when the bookkeeping table does not exist yet.
    async fn applied_versions(&self) -> Result<BTreeSet<i64>, StoreError> {
        let exists: CountRow = self
            .db
            .fetch_one(&sql::meta::MIGRATIONS_TABLE_EXISTS, &[])
            .await?;
        if exists.n == 0 {
            return Ok(BTreeSet::new());
        }
        let rows: Vec<VersionRow> = self
            .db
            .fetch_all(&sql::meta::APPLIED_MIGRATIONS, &[])
            .await?;
        Ok(rows.into_iter().map(|r| r.version).collect())
    }
}

/// The pool size: [`OpenOptions`] over the DSN's `max_conns` over the default.
fn pool_size(opts: &OpenOptions, max_conns: Option<u32>) -> u32 {
    opts.max_connections
        .or(max_conns)
        .unwrap_or(DEFAULT_MAX_CONNECTIONS)
}

/// PostgreSQL pool options: connections opened before the latest outage are discarded
/// instead of being handed out (the outage cut them).
fn postgres_pool(max_connections: u32, health: &Health) -> PgPoolOptions {
    let health = health.clone();
    PgPoolOptions::new()
        .max_connections(max_connections)
        // No ping before every acquire (one network round trip per query): a
        // connection broken by a server restart fails its next query instead, which
        // is reported as `Unavailable` (503) and the connection is dropped.
        .test_before_acquire(false)
        .before_acquire(move |_, meta| {
            let fresh = !health.predates_outage(meta.age);
            Box::pin(async move { Ok(fresh) })
        })
        .acquire_timeout(ACQUIRE_TIMEOUT)
}

impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let _: CountRow = self.db.fetch_one(&sql::meta::PING, &[]).await?;
        Ok(())
    }
}
