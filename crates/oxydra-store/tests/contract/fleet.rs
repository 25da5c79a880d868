//! Two stores on one database, as two instances of a fleet behind a load balancer: the
//! set-up of the cache tests, which check how late one instance sees another's writes.

use oxydra_store::{Dsn, OpenOptions, SqlStore};
use oxydra_testkit::backend::{TestBackend, TestStore, open_store};

/// The two stores, and what keeps their database alive.
pub struct Fleet {
    /// The instance the writes go through.
    pub writer: SqlStore,
    /// The other instance, whose cache is under test.
    pub reader: SqlStore,
    _dir: Option<tempfile::TempDir>,
    _server: Option<TestStore>,
}

/// Both stores opened with `opts` (a file for SQLite); `None` when the backend is not
/// configured.
pub async fn fleet(backend: TestBackend, opts: OpenOptions) -> Option<Fleet> {
    match backend {
        TestBackend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let dsn =
                Dsn::parse(&format!("sqlite://{}", dir.path().join("f.db").display())).unwrap();
            let writer = SqlStore::open(&dsn, &opts).await.unwrap().store;
            writer.migrate().await.unwrap();
            let reader = SqlStore::open(&dsn, &opts).await.unwrap().store;
            Some(Fleet {
                writer,
                reader,
                _dir: Some(dir),
                _server: None,
            })
        }
        TestBackend::Postgres | TestBackend::Mysql => {
            let test_store = open_store(backend).await?;
            let reader = test_store.another_instance(&opts).await?;
            Some(Fleet {
                writer: test_store.store.clone(),
                reader,
                _dir: None,
                _server: Some(test_store),
            })
        }
    }
}

/// One test per backend (`sqlite_file`, `postgres`, `mysql`) for each named
/// `async fn(TestBackend)`.
macro_rules! fleet_tests {
    ($($name:ident),*) => {
        $(mod $name {
            #[tokio::test]
            async fn sqlite_file() {
                super::$name(oxydra_testkit::backend::TestBackend::Sqlite).await;
            }
            #[tokio::test]
            async fn postgres() {
                super::$name(oxydra_testkit::backend::TestBackend::Postgres).await;
            }
            #[tokio::test]
            async fn mysql() {
                super::$name(oxydra_testkit::backend::TestBackend::Mysql).await;
            }
        })*
    };
}
pub(crate) use fleet_tests;
