//! A MySQL/MariaDB database of its own for one test: created on the server of
//! `TEST_MYSQL_URL`, dropped when the test ends.

use oxydra_store::Dsn;
use sqlx::mysql::MySqlConnection;
use sqlx::{Connection, Executor};

/// The variable holding the MySQL/MariaDB URL the matrix uses, in the URL form
/// (`mysql://root@127.0.0.1:3306/test`): a server where the tests may create databases.
pub const TEST_MYSQL_URL: &str = "TEST_MYSQL_URL";

/// A database created for one test.
#[derive(Debug)]
pub(crate) struct MySqlScratch {
    /// `TEST_MYSQL_URL`.
    base_url: String,
    /// The database's name.
    pub(crate) name: String,
}

impl MySqlScratch {
    /// Creates a fresh database on the server of `base_url`; returns it and the DSN that
    /// selects it.
    pub(crate) async fn create(base_url: String) -> (Self, Dsn) {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = MySqlConnection::connect(&base_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {TEST_MYSQL_URL}: {e}"));
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        let mut url = url::Url::parse(&base_url)
            .unwrap_or_else(|e| panic!("{TEST_MYSQL_URL} is not a URL: {e}"));
        url.set_path(&name);
        let dsn = Dsn::parse(url.as_str()).unwrap_or_else(|e| panic!("{TEST_MYSQL_URL}: {e}"));
        (Self { base_url, name }, dsn)
    }

    /// Drops the database; best effort, since a database left behind is still isolated.
    pub(crate) async fn drop_database(&self) {
        let result = async {
            let mut conn = MySqlConnection::connect(&self.base_url).await?;
            conn.execute("SET SESSION lock_wait_timeout = 5").await?;
            conn.execute(format!("DROP DATABASE IF EXISTS {}", self.name).as_str())
                .await?;
            conn.close().await
        }
        .await;
        if let Err(e) = result {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}
