//! The storage backend matrix: a fresh, migrated [`SqlStore`] per test and per backend.
//!
//! - `Sqlite`: a new in-memory database (always available).
//! - `Postgres`: when `TEST_DATABASE_URL` is set, a new schema `t_<random>` in that database,
//!   reached through `options=-c search_path=<schema>`, dropped again when the test ends.
//! - `Mysql`: when `TEST_MYSQL_URL` is set, a new database `t_<random>` on that server, dropped
//!   again when the test ends.
//!
//! A backend that is not configured is skipped with a `skipped: <backend> (...)` line, unless
//! the environment variable `OXYDRA_TEST_REQUIRE` names it (CI sets `postgres,mysql`): then the
//! test fails, so CI can never pass without having run it.

use std::future::Future;
use std::ops::Deref;

use oxydra_store::{Dsn, OpenOptions, SqlStore};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::scratch_mysql::MySqlScratch;
pub use crate::scratch_mysql::TEST_MYSQL_URL;

/// The variable holding the PostgreSQL URL the matrix uses (a database the tests may create
/// schemas in).
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";
/// The variable naming backends that must not be skipped (e.g. `postgres`).
pub const OXYDRA_TEST_REQUIRE: &str = "OXYDRA_TEST_REQUIRE";

/// A backend of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    /// In-memory SQLite.
    Sqlite,
    /// PostgreSQL from `TEST_DATABASE_URL`.
    Postgres,
    /// MySQL/MariaDB from `TEST_MYSQL_URL`.
    Mysql,
}

impl TestBackend {
    /// Every backend, for tests that loop instead of using [`crate::store_test!`].
    pub const ALL: [TestBackend; 3] = [
        TestBackend::Sqlite,
        TestBackend::Postgres,
        TestBackend::Mysql,
    ];

    /// The name used in test names, skip lines and `OXYDRA_TEST_REQUIRE`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
        }
    }

    /// Whether `OXYDRA_TEST_REQUIRE` demands this backend.
    pub fn required(self) -> bool {
        std::env::var(OXYDRA_TEST_REQUIRE)
            .map(|v| {
                v.split([',', ' '])
                    .any(|w| w.trim().eq_ignore_ascii_case(self.name()))
            })
            .unwrap_or(false)
    }
}

/// A PostgreSQL schema created for one test.
#[derive(Debug)]
struct PgSchema {
    base_url: String,
    schema: String,
}

/// What a server test created to run in, and drops afterwards.
#[derive(Debug)]
enum Scratch {
    /// A PostgreSQL schema.
    Pg(PgSchema),
    /// A MySQL/MariaDB database.
    Mysql(MySqlScratch),
}

impl Scratch {
    async fn drop_it(&self) {
        match self {
            Self::Pg(pg) => drop_schema(pg).await,
            Self::Mysql(db) => db.drop_database().await,
        }
    }
}

/// A migrated store for one test; derefs to [`SqlStore`]. Its PostgreSQL schema or MySQL
/// database is dropped by [`TestStore::cleanup`], or on drop when the test panicked first.
#[derive(Debug)]
pub struct TestStore {
    /// The store under test.
    pub store: SqlStore,
    /// The backend it runs on.
    pub backend: TestBackend,
    scratch: Option<Scratch>,
    /// How to reach the same database again (servers only: in-memory SQLite is private).
    shared_dsn: Option<Dsn>,
}

impl Deref for TestStore {
    type Target = SqlStore;
    fn deref(&self) -> &SqlStore {
        &self.store
    }
}

impl TestStore {
    /// The PostgreSQL schema this test runs in, if any.
    pub fn schema(&self) -> Option<&str> {
        match &self.scratch {
            Some(Scratch::Pg(pg)) => Some(pg.schema.as_str()),
            _ => None,
        }
    }

    /// A second store on this test's database, as another server instance of a fleet would
    /// open it; `None` on in-memory SQLite, which no other store can reach.
    pub async fn another_instance(&self, opts: &OpenOptions) -> Option<SqlStore> {
        let dsn = self.shared_dsn.as_ref()?;
        match SqlStore::open(dsn, opts).await {
            Ok(opened) => Some(opened.store),
            Err(e) => panic!("cannot open a second store on {dsn}: {e}"),
        }
    }

    /// Closes the store and drops the test's schema or database.
    pub async fn cleanup(mut self) {
        self.store.close().await;
        if let Some(scratch) = self.scratch.take() {
            scratch.drop_it().await;
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        // Only reached without `cleanup` (the test panicked): drop the schema from a separate
        // thread and runtime, since `drop` cannot await.
        if let Some(scratch) = self.scratch.take() {
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(scratch.drop_it());
                }
            })
            .join();
        }
    }
}

/// Best effort: a schema left behind is still isolated, so failures are only reported.
async fn drop_schema(pg: &PgSchema) {
    let result = async {
        let mut conn = PgConnection::connect(&pg.base_url).await?;
        sqlx::query("SET lock_timeout = '5s'")
            .execute(&mut conn)
            .await?;
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", pg.schema))
            .execute(&mut conn)
            .await?;
        conn.close().await
    }
    .await;
    if let Err(e) = result {
        eprintln!("warning: could not drop test schema {}: {e}", pg.schema);
    }
}

/// Reports an unconfigured backend: a skip line, or a panic when it is required.
fn skip(backend: TestBackend, why: &str) -> Option<TestStore> {
    if backend.required() {
        panic!(
            "{} is required by {OXYDRA_TEST_REQUIRE} but not configured: {why}",
            backend.name()
        );
    }
    println!("skipped: {} ({why})", backend.name());
    None
}

/// Opens a fresh, migrated store on `backend`, or `None` (after printing a `skipped:` line)
/// when that backend is not configured. Panics if it is configured but broken, or required
/// but missing.
pub async fn open_store(backend: TestBackend) -> Option<TestStore> {
    match backend {
        TestBackend::Sqlite => {
            let dsn = Dsn::parse("memory").expect("memory DSN");
            let opened = SqlStore::open(&dsn, &OpenOptions::default())
                .await
                .unwrap_or_else(|e| panic!("cannot open in-memory SQLite: {e}"));
            Some(TestStore {
                store: opened.store,
                backend,
                scratch: None,
                shared_dsn: None,
            })
        }
        TestBackend::Postgres => {
            let base_url = match std::env::var(TEST_DATABASE_URL) {
                Ok(url) if !url.trim().is_empty() => url,
                _ => return skip(backend, "TEST_DATABASE_URL not set"),
            };
            Some(open_postgres(base_url).await)
        }
        TestBackend::Mysql => {
            let base_url = match std::env::var(TEST_MYSQL_URL) {
                Ok(url) if !url.trim().is_empty() => url,
                _ => return skip(backend, "TEST_MYSQL_URL not set"),
            };
            let (db, dsn) = MySqlScratch::create(base_url).await;
            Some(open_migrated(backend, Scratch::Mysql(db), dsn).await)
        }
    }
}

async fn open_postgres(base_url: String) -> TestStore {
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&base_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {TEST_DATABASE_URL}: {e}"));
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create test schema {schema}: {e}"));
    let _ = admin.close().await;
    let pg = PgSchema { base_url, schema };

    let mut url = url::Url::parse(&pg.base_url)
        .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL} is not a URL: {e}"));
    url.query_pairs_mut()
        .append_pair("options", &format!("-c search_path={}", pg.schema));
    let dsn = Dsn::parse(url.as_str()).unwrap_or_else(|e| panic!("{TEST_DATABASE_URL}: {e}"));
    open_migrated(TestBackend::Postgres, Scratch::Pg(pg), dsn).await
}

/// Opens and migrates a store on `dsn`, which selects the fresh `scratch`; drops `scratch`
/// again when that fails.
async fn open_migrated(backend: TestBackend, scratch: Scratch, dsn: Dsn) -> TestStore {
    // Small pools: many tests run in parallel against one server.
    let opts = OpenOptions {
        max_connections: Some(4),
        ..OpenOptions::default()
    };
    // From here on the scratch space exists, so wrap it before anything can panic.
    let mut test_store = TestStore {
        store: match SqlStore::open(&dsn, &opts).await {
            Ok(opened) => opened.store,
            Err(e) => {
                scratch.drop_it().await;
                panic!("cannot open {} at {dsn}: {e}", backend.name());
            }
        },
        backend,
        scratch: Some(scratch),
        shared_dsn: Some(dsn),
    };
    if let Err(e) = test_store.store.migrate().await {
        test_store.store.close().await;
        if let Some(scratch) = test_store.scratch.take() {
            scratch.drop_it().await;
        }
        panic!("cannot migrate a fresh {} database: {e}", backend.name());
    }
    test_store
}

/// Runs one test body on `backend` (the expansion of [`crate::store_test!`]): opens a fresh
/// store, runs `test` with it, then cleans up. Returns early when the backend is skipped.
pub async fn run<F, Fut>(backend: TestBackend, test: F)
where
    F: FnOnce(SqlStore) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(store) = open_store(backend).await else {
        return;
    };
    test(store.store.clone()).await;
    store.cleanup().await;
}
