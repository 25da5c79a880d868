//! Seeding the token table directly (not over HTTP) for the `growth` and `flush` scenarios:
//! set-based `INSERT … SELECT` statements, PostgreSQL from `generate_series`, SQLite and
//! MySQL from a recursive CTE, one batch per statement (and transaction) so progress can be printed. The
//! rows are access tokens of the benchmark's client, with unique signatures and request ids.

use std::str::FromStr as _;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use sqlx::Connection as _;

/// How long connecting to the database may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one batch (or the row count) may take before the seeding is abandoned.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(600);
/// How long SQLite waits for the server's write lock before a batch fails.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(60);
/// Rows per statement on PostgreSQL.
const POSTGRES_BATCH: u64 = 1_000_000;
/// Rows per statement (and transaction) on SQLite, which holds the write lock meanwhile.
const SQLITE_BATCH: u64 = 500_000;
/// Rows per statement on MySQL (each one transaction, its undo log held until the commit).
const MYSQL_BATCH: u64 = 100_000;
/// One hour in microseconds.
const HOUR_US: i64 = 3_600_000_000;

/// Which database dialect the statements are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL: `$n` parameters, `generate_series`.
    Postgres,
    /// SQLite: `?n` parameters, a recursive CTE.
    Sqlite,
    /// MySQL/MariaDB: `?` parameters in order, a recursive CTE.
    Mysql,
}

impl Dialect {
    /// The dialect of a `DATABASE_URL`.
    pub fn of(database_url: &str) -> anyhow::Result<Dialect> {
        if database_url.starts_with("postgres") {
            Ok(Dialect::Postgres)
        } else if database_url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if database_url.starts_with("mysql:") {
            Ok(Dialect::Mysql)
        } else {
            Err(anyhow!("cannot seed {}", crate::redact(database_url)))
        }
    }

    /// Rows per statement.
    pub fn batch(self) -> u64 {
        match self {
            Dialect::Postgres => POSTGRES_BATCH,
            Dialect::Sqlite => SQLITE_BATCH,
            Dialect::Mysql => MYSQL_BATCH,
        }
    }
}

/// Whether the seeded rows are still valid or long expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Issued now, expiring in an hour: rows the flush keeps.
    Live,
    /// Issued two hours ago, expired an hour ago: rows the flush deletes.
    Expired,
}

impl Lifetime {
    /// `(issued_at, expires_at)` in Unix microseconds, relative to `now_us`.
    pub fn times(self, now_us: i64) -> (i64, i64) {
        match self {
            Lifetime::Live => (now_us, now_us + HOUR_US),
            Lifetime::Expired => (now_us - 2 * HOUR_US, now_us - HOUR_US),
        }
    }
}

/// The columns every seeded row fills.
const COLUMNS: &str = "signature, kind, request_id, client_id, subject, granted_scope, \
     granted_audience, issued_at, expires_at, active, session";
/// The constant part of each row after the client id: subject, scope, audience.
const CONSTANTS: &str = "'bench-seed', '[\"bench\"]', '[]'";
/// The session of a `client_credentials` token asking for `bench`.
const SESSION: &str =
    "'{\"access_extra\":{},\"id_token_extra\":{},\"requested_scope\":[\"bench\"]}'";

/// The statement inserting rows `first..=last`. Parameters: 1 signature prefix, 2 request id
/// prefix, 3 client id, 4 `issued_at`, 5 `expires_at`, 6 first, 7 last. Row `i` gets signature
/// `<prefix><i>`, so a prefix unique to the seeding keeps signatures unique.
pub fn insert_sql(dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "INSERT INTO oxydra_token ({COLUMNS}) \
             SELECT $1 || i, 'access_token', $2 || i, $3, {CONSTANTS}, $4, $5, TRUE, {SESSION} \
             FROM generate_series($6::BIGINT, $7::BIGINT) AS i"
        ),
        Dialect::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT ?6 UNION ALL SELECT i + 1 FROM n WHERE i < ?7) \
             INSERT INTO oxydra_token ({COLUMNS}) \
             SELECT ?1 || i, 'access_token', ?2 || i, ?3, {CONSTANTS}, ?4, ?5, TRUE, {SESSION} \
             FROM n"
        ),
        // The CTE in a derived table, so that the parameters appear in their order.
        Dialect::Mysql => format!(
            "INSERT INTO oxydra_token ({COLUMNS}) \
             SELECT CONCAT(?, i), 'access_token', CONCAT(?, i), ?, {CONSTANTS}, ?, ?, TRUE, \
             {SESSION} FROM (WITH RECURSIVE n(i) AS \
             (SELECT CAST(? AS SIGNED) UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
             SELECT i FROM n) AS seq"
        ),
    }
}

/// The statement counting the table's rows.
pub const COUNT_SQL: &str = "SELECT COUNT(*) FROM oxydra_token";

/// The statement counting access tokens expired before parameter 1 (a flush leaves none).
pub fn count_expired_sql(dialect: Dialect) -> String {
    let param = match dialect {
        Dialect::Postgres => "$1",
        Dialect::Sqlite => "?1",
        Dialect::Mysql => "?",
    };
    format!(
        "SELECT COUNT(*) FROM oxydra_token \
         WHERE kind = 'access_token' AND expires_at IS NOT NULL AND expires_at < {param}"
    )
}

/// The batches covering rows `1..=rows`: `(first, last)`, each at most `batch` rows.
pub fn batches(rows: u64, batch: u64) -> Vec<(u64, u64)> {
    let batch = batch.max(1);
    let mut out = Vec::new();
    let mut first = 1;
    while first <= rows {
        let last = rows.min(first.saturating_add(batch - 1));
        out.push((first, last));
        first = last + 1;
    }
    out
}

/// Now in Unix microseconds, from the project's one wall clock.
pub fn now_us() -> i64 {
    use oxydra_core::clock::Clock as _;
    oxydra_core::clock::SystemClock.now().unix_micros()
}

/// A connection to the benchmarked database, beside the running server.
pub enum Db {
    /// PostgreSQL.
    Postgres(sqlx::PgConnection),
    /// SQLite (WAL: the server keeps serving reads while a batch is written).
    Sqlite(sqlx::SqliteConnection),
    /// MySQL/MariaDB.
    Mysql(sqlx::MySqlConnection),
}

/// Bounds `future` by [`STATEMENT_TIMEOUT`], naming `what` in the error.
async fn bounded<T, E>(
    what: &str,
    future: impl std::future::Future<Output = Result<T, E>>,
) -> anyhow::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    tokio::time::timeout(STATEMENT_TIMEOUT, future)
        .await
        .map_err(|_| anyhow!("{what} took over {STATEMENT_TIMEOUT:?}"))?
        .with_context(|| what.to_owned())
}

impl Db {
    /// Connects to `database_url` (bounded by [`CONNECT_TIMEOUT`]).
    pub async fn connect(database_url: &str) -> anyhow::Result<Db> {
        let connect = async {
            match Dialect::of(database_url)? {
                Dialect::Postgres => anyhow::Ok(Db::Postgres(
                    sqlx::PgConnection::connect(database_url).await?,
                )),
                Dialect::Mysql => {
                    let mut conn = sqlx::MySqlConnection::connect(database_url).await?;
                    // MariaDB stops a recursive CTE after 1,000 rows by default; a batch has
                    // MYSQL_BATCH.
                    sqlx::query(&format!(
                        "SET SESSION max_recursive_iterations = {}",
                        MYSQL_BATCH + 1
                    ))
                    .execute(&mut conn)
                    .await?;
                    Ok(Db::Mysql(conn))
                }
                Dialect::Sqlite => {
                    let options = sqlx::sqlite::SqliteConnectOptions::from_str(database_url)?
                        .busy_timeout(SQLITE_BUSY_TIMEOUT)
                        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
                    Ok(Db::Sqlite(
                        sqlx::SqliteConnection::connect_with(&options).await?,
                    ))
                }
            }
        };
        tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| anyhow!("connecting to the database took over {CONNECT_TIMEOUT:?}"))?
            .with_context(|| format!("cannot connect to {}", crate::redact(database_url)))
    }

    fn dialect(&self) -> Dialect {
        match self {
            Db::Postgres(_) => Dialect::Postgres,
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Mysql(_) => Dialect::Mysql,
        }
    }

    /// The token table's row count.
    pub async fn count(&mut self) -> anyhow::Result<u64> {
        let count: i64 = match self {
            Db::Postgres(c) => {
                bounded(
                    "counting tokens",
                    sqlx::query_scalar(COUNT_SQL).fetch_one(c),
                )
                .await?
            }
            Db::Sqlite(c) => {
                bounded(
                    "counting tokens",
                    sqlx::query_scalar(COUNT_SQL).fetch_one(c),
                )
                .await?
            }
            Db::Mysql(c) => {
                bounded(
                    "counting tokens",
                    sqlx::query_scalar(COUNT_SQL).fetch_one(c),
                )
                .await?
            }
        };
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Access tokens that expired before `before_us`.
    pub async fn count_expired(&mut self, before_us: i64) -> anyhow::Result<u64> {
        let sql = count_expired_sql(self.dialect());
        let what = "counting expired tokens";
        let count: i64 = match self {
            Db::Postgres(c) => {
                bounded(what, sqlx::query_scalar(&sql).bind(before_us).fetch_one(c)).await?
            }
            Db::Sqlite(c) => {
                bounded(what, sqlx::query_scalar(&sql).bind(before_us).fetch_one(c)).await?
            }
            Db::Mysql(c) => {
                bounded(what, sqlx::query_scalar(&sql).bind(before_us).fetch_one(c)).await?
            }
        };
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Inserts `rows` access tokens of `client_id` with `lifetime`, a batch per statement,
    /// printing progress under `label`. Returns how long it took.
    pub async fn seed(
        &mut self,
        label: &str,
        client_id: &str,
        rows: u64,
        lifetime: Lifetime,
    ) -> anyhow::Result<Duration> {
        let dialect = self.dialect();
        let sql = insert_sql(dialect);
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let signature_prefix = format!("seed-{}-", &tag[..12]);
        let request_prefix = format!("seed-req-{}-", &tag[..12]);
        let (issued_at, expires_at) = lifetime.times(now_us());
        let started = Instant::now();
        for (first, last) in batches(rows, dialect.batch()) {
            let (first_i, last_i) = (i64::try_from(first)?, i64::try_from(last)?);
            let what = format!("inserting seed rows {first}..={last}");
            macro_rules! run {
                ($conn:expr) => {
                    bounded(
                        &what,
                        sqlx::query(&sql)
                            .bind(&signature_prefix)
                            .bind(&request_prefix)
                            .bind(client_id)
                            .bind(issued_at)
                            .bind(expires_at)
                            .bind(first_i)
                            .bind(last_i)
                            .execute($conn),
                    )
                    .await?
                    .rows_affected()
                };
            }
            let inserted = match self {
                Db::Postgres(c) => run!(&mut *c),
                Db::Sqlite(c) => run!(&mut *c),
                Db::Mysql(c) => run!(&mut *c),
            };
            if inserted != last - first + 1 {
                anyhow::bail!("{what}: inserted {inserted} rows");
            }
            eprintln!(
                "{label}: seeded {last}/{rows} rows ({:.1} s, {})",
                started.elapsed().as_secs_f64(),
                crate::load_average()
            );
        }
        self.settle().await?;
        Ok(started.elapsed())
    }

    /// Writes the seeded rows back before traffic starts, so that what is measured next is
    /// the server, not the write-back of a bulk load (rows that expire in production trickle
    /// in and were written back long before a flush): on SQLite a `TRUNCATE` checkpoint (the
    /// seed's statements leave a log of hundreds of MiB that the server's checkpointer would
    /// otherwise copy during the first measured run); on PostgreSQL a `CHECKPOINT` and an
    /// `ANALYZE` of the token table, as autovacuum would have done by then.
    async fn settle(&mut self) -> anyhow::Result<()> {
        let what = "settling the seeded rows";
        match self {
            Db::Sqlite(c) => {
                bounded(
                    what,
                    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *c),
                )
                .await?;
            }
            Db::Postgres(c) => {
                bounded(what, sqlx::query("ANALYZE oxydra_token").execute(&mut *c)).await?;
                bounded(what, sqlx::query("CHECKPOINT").execute(&mut *c)).await?;
            }
            Db::Mysql(c) => {
                bounded(
                    what,
                    sqlx::query("ANALYZE TABLE oxydra_token").execute(&mut *c),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Closes the connection.
    pub async fn close(self) {
        let _ = match self {
            Db::Postgres(c) => c.close().await,
            Db::Sqlite(c) => c.close().await,
            Db::Mysql(c) => c.close().await,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_every_row_once() {
        assert!(batches(0, 10).is_empty());
        assert_eq!(batches(10, 4), vec![(1, 4), (5, 8), (9, 10)]);
        assert_eq!(batches(8, 4), vec![(1, 4), (5, 8)]);
        assert_eq!(batches(3, 0), vec![(1, 1), (2, 2), (3, 3)]);
        let big = batches(10_000_000, SQLITE_BATCH);
        assert_eq!(big.len(), 20);
        assert_eq!(big.last(), Some(&(9_500_001, 10_000_000)));
    }

    #[test]
    fn statements_use_each_dialect() {
        let pg = insert_sql(Dialect::Postgres);
        assert!(
            pg.contains("generate_series($6::BIGINT, $7::BIGINT)"),
            "{pg}"
        );
        assert!(!pg.contains('?'), "{pg}");
        let lite = insert_sql(Dialect::Sqlite);
        assert!(lite.starts_with("WITH RECURSIVE n(i)"), "{lite}");
        assert!(lite.contains("WHERE i < ?7"), "{lite}");
        assert!(!lite.contains('$'), "{lite}");
        for sql in [&pg, &lite] {
            // Eleven columns, eleven values.
            assert_eq!(COLUMNS.split(',').count(), 11);
            assert!(sql.contains("'access_token'"));
        }
        assert!(count_expired_sql(Dialect::Postgres).ends_with("< $1"));
        assert!(count_expired_sql(Dialect::Sqlite).ends_with("< ?1"));
    }

    #[test]
    fn dialects_and_lifetimes() {
        assert_eq!(Dialect::of("postgres://h/db").unwrap(), Dialect::Postgres);
        assert_eq!(Dialect::of("sqlite:///tmp/x.db").unwrap(), Dialect::Sqlite);
        assert_eq!(Dialect::of("mysql://h/db").unwrap(), Dialect::Mysql);
        assert!(Dialect::of("redis://h").is_err());
        let (issued, expires) = Lifetime::Live.times(10 * HOUR_US);
        assert!(issued == 10 * HOUR_US && expires > issued);
        let (issued, expires) = Lifetime::Expired.times(10 * HOUR_US);
        assert!(issued < expires && expires < 10 * HOUR_US);
    }

    /// The real insert on a SQLite file with the real token table, and a client table reduced
    /// to the id the foreign key needs.
    #[tokio::test]
    async fn seeds_a_sqlite_token_table() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("seed.db").display());
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true);
        let mut setup = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        let client = "CREATE TABLE oxydra_client (id TEXT PRIMARY KEY); \
                      INSERT INTO oxydra_client (id) VALUES ('client');";
        sqlx::raw_sql(client).execute(&mut setup).await.unwrap();
        let schema = include_str!("../../oxydra-store/migrations/sqlite/0002_tokens.sql");
        sqlx::raw_sql(schema).execute(&mut setup).await.unwrap();
        setup.close().await.unwrap();

        let mut db = Db::connect(&url).await.unwrap();
        db.seed("test", "client", 1_234, Lifetime::Live)
            .await
            .unwrap();
        db.seed("test", "client", 766, Lifetime::Expired)
            .await
            .unwrap();
        assert_eq!(db.count().await.unwrap(), 2_000);
        assert_eq!(db.count_expired(now_us()).await.unwrap(), 766);
        db.close().await;
    }
}
