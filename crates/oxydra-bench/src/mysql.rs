//! The MySQL/MariaDB benchmark database: created when missing (the server's `--auto-migrate`
//! then creates the tables), with a clear error when the server does not answer.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use sqlx::Connection as _;

/// How long connecting to MySQL may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The database name in a `mysql://` URL (the URL form), and the URL without it.
fn split_url(raw: &str) -> anyhow::Result<(String, String)> {
    let mut url = url::Url::parse(raw).with_context(|| format!("invalid MySQL URL {raw:?}"))?;
    if url.scheme() != "mysql" {
        bail!("not a mysql:// URL: {}", crate::redact(raw));
    }
    let name = url.path().trim_start_matches('/').to_owned();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("the MySQL URL must name one database (letters, digits, `_`), e.g. {DEFAULT_HINT}");
    }
    url.set_path("/");
    Ok((name, url.to_string()))
}

/// An example URL for error messages.
const DEFAULT_HINT: &str = "mysql://root@127.0.0.1:3306/bench";

/// Makes sure the database in `database_url` exists; `true` when it had to be created.
pub async fn ensure_database(database_url: &str) -> anyhow::Result<bool> {
    let (name, server) = split_url(database_url)?;
    let shown = crate::redact(&server);
    let mut conn = tokio::time::timeout(CONNECT_TIMEOUT, sqlx::MySqlConnection::connect(&server))
        .await
        .map_err(|_| anyhow!("MySQL at {shown} did not answer within {CONNECT_TIMEOUT:?}"))?
        .with_context(|| {
            format!("MySQL is unreachable at {shown} (start it, pass --mysql-url, or --skip-mysql)")
        })?;
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(1 AS SIGNED) FROM information_schema.schemata WHERE schema_name = ?",
    )
    .bind(&name)
    .fetch_optional(&mut conn)
    .await
    .context("cannot list the MySQL databases")?;
    if exists.is_none() {
        sqlx::query(&format!("CREATE DATABASE `{name}`"))
            .execute(&mut conn)
            .await
            .with_context(|| format!("cannot create the database {name:?}"))?;
    }
    let _ = conn.close().await;
    Ok(exists.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_database_from_the_url() {
        let (name, server) = split_url("mysql://root:pw@127.0.0.1:3306/bench").unwrap();
        assert_eq!(name, "bench");
        assert_eq!(server, "mysql://root:pw@127.0.0.1:3306/");
        assert!(split_url("mysql://h/").is_err());
        assert!(split_url("mysql://h/a`b").is_err());
        assert!(split_url("postgres://h/bench").is_err());
    }
}
