//! The PostgreSQL benchmark database: created when missing (through the `postgres` maintenance
//! database on the same server), with a clear error when the server does not answer.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use sqlx::Connection as _;

/// How long connecting to PostgreSQL may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The database name in a `postgres://` URL, and the URL of the `postgres` maintenance database
/// on the same server with the same credentials.
fn split_url(raw: &str) -> anyhow::Result<(String, String)> {
    let mut url =
        url::Url::parse(raw).with_context(|| format!("invalid PostgreSQL URL {raw:?}"))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        bail!("not a postgres:// URL: {}", crate::redact(raw));
    }
    let name = url.path().trim_start_matches('/').to_owned();
    if name.is_empty() || name.contains('/') {
        bail!(
            "the PostgreSQL URL must name one database, e.g. postgres://postgres@127.0.0.1:5432/bench"
        );
    }
    let name = percent_decode(&name)?;
    url.set_path("/postgres");
    Ok((name, url.to_string()))
}

/// `%xx` escapes in a URL path segment decoded (`+` stays a `+` in a path).
fn percent_decode(segment: &str) -> anyhow::Result<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = segment
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| anyhow!("bad %-escape in the database name {segment:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).context("the database name is not UTF-8")
}

/// A quoted SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Makes sure the database in `database_url` exists; `true` when it had to be created.
pub async fn ensure_database(database_url: &str) -> anyhow::Result<bool> {
    let (name, maintenance) = split_url(database_url)?;
    let shown = crate::redact(&maintenance);
    let mut conn = tokio::time::timeout(CONNECT_TIMEOUT, sqlx::PgConnection::connect(&maintenance))
        .await
        .map_err(|_| {
            anyhow!("PostgreSQL at {shown} did not answer within {CONNECT_TIMEOUT:?}")
        })?
        .with_context(|| {
            format!(
                "PostgreSQL is unreachable at {shown} (start it, pass --postgres-url, or --skip-postgres)"
            )
        })?;
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut conn)
        .await
        .context("cannot list the PostgreSQL databases")?;
    let created = if exists.is_none() {
        let sql = format!("CREATE DATABASE {}", quote_ident(&name));
        sqlx::query(&sql)
            .execute(&mut conn)
            .await
            .with_context(|| format!("cannot create the database {name:?}"))?;
        true
    } else {
        false
    };
    let _ = conn.close().await;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_database_from_the_url() {
        let (name, maintenance) = split_url("postgres://u:pw@127.0.0.1:5432/bench").unwrap();
        assert_eq!(name, "bench");
        assert_eq!(maintenance, "postgres://u:pw@127.0.0.1:5432/postgres");
        let (name, _) = split_url("postgresql://h/my%20db?sslmode=disable").unwrap();
        assert_eq!(name, "my db");
        assert_eq!(percent_decode("a+b%2Fc").unwrap(), "a+b/c");
        assert!(percent_decode("a%zz").is_err());
        assert!(split_url("postgres://h/").is_err());
        assert!(split_url("sqlite://x.db").is_err());
    }

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("bench"), "\"bench\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
