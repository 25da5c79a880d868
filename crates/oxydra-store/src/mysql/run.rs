//! Running one store statement on MySQL/MariaDB: binding [`Arg`]s in `?` order, the
//! multi-statement forms of [`super::MySqlForm`], and decoding rows.

use std::time::Instant;

use sqlx::error::ErrorKind;
use sqlx::mysql::{MySqlConnection, MySqlPool};
use sqlx::{Executor, MySql};

use super::form::{Bound, Prepared};
use super::rows::MySqlRowDecode;
use crate::db::{Arg, Stmt, bind_args};

/// The arguments of `bound`, in the order of its `?`s.
fn ordered<'a>(bound: &'a Bound, args: &'a [Arg]) -> impl Iterator<Item = &'a Arg> {
    bound.order.iter().filter_map(|&i| args.get(i))
}

/// Runs one text; the number of rows it matched (sqlx asks the server for found rows, so an
/// `UPDATE` that leaves a row as it was still counts it).
async fn run_execute(
    conn: &mut MySqlConnection,
    bound: &Bound,
    args: &[Arg],
) -> Result<u64, sqlx::Error> {
    let started = Instant::now();
    let result = bind_args!(sqlx::query::<MySql>(&bound.sql), ordered(bound, args))
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected());
    crate::query_stats::record(started.elapsed());
    result
}

/// Runs one text and decodes at most `limit` rows.
async fn run_fetch<R: MySqlRowDecode>(
    conn: &mut MySqlConnection,
    bound: &Bound,
    args: &[Arg],
    limit: usize,
) -> Result<Vec<R>, sqlx::Error> {
    let started = Instant::now();
    let rows = bind_args!(sqlx::query::<MySql>(&bound.sql), ordered(bound, args))
        .fetch_all(&mut *conn)
        .await;
    crate::query_stats::record(started.elapsed());
    rows?.iter().take(limit).map(R::decode).collect()
}

/// Runs `stmt` on `conn` (inside a transaction when it sends more than one statement).
pub(crate) async fn execute(
    conn: &mut MySqlConnection,
    stmt: &'static Stmt,
    args: &[Arg],
) -> Result<u64, sqlx::Error> {
    match stmt.mysql_prepared() {
        Prepared::One(one) => run_execute(conn, one, args).await,
        Prepared::UpdateThenSelect { update, .. } => run_execute(conn, update, args).await,
        Prepared::DeleteThenInsert { delete, insert } => {
            run_execute(conn, delete, args).await?;
            match run_execute(conn, insert, args).await {
                // MySQL undoes only the failed statement; the transaction goes on.
                Err(sqlx::Error::Database(e)) if matches!(e.kind(), ErrorKind::UniqueViolation) => {
                    Ok(0)
                }
                other => other,
            }
        }
    }
}

/// Runs `stmt` on `conn` and decodes at most `limit` rows.
pub(crate) async fn fetch<R: MySqlRowDecode>(
    conn: &mut MySqlConnection,
    stmt: &'static Stmt,
    args: &[Arg],
    limit: usize,
) -> Result<Vec<R>, sqlx::Error> {
    match stmt.mysql_prepared() {
        Prepared::One(one) => run_fetch(conn, one, args, limit).await,
        Prepared::UpdateThenSelect { update, select } => {
            if run_execute(conn, update, args).await? == 0 {
                return Ok(Vec::new());
            }
            run_fetch(conn, select, args, limit).await
        }
        Prepared::DeleteThenInsert { .. } => {
            execute(conn, stmt, args).await?;
            Ok(Vec::new())
        }
    }
}

/// Runs `work` on a connection of `pool`: in a transaction of its own when `stmt` sends more
/// than one statement, so its steps see and lock the same rows.
pub(crate) async fn on_pool<T>(
    pool: &MySqlPool,
    stmt: &'static Stmt,
    work: impl AsyncFnOnce(&mut MySqlConnection) -> Result<T, sqlx::Error>,
) -> Result<T, sqlx::Error> {
    if !stmt.mysql_prepared().is_multi() {
        let mut conn = pool.acquire().await?;
        return work(&mut conn).await;
    }
    let mut tx = pool.begin().await?;
    let value = work(&mut tx).await?;
    tx.commit().await?;
    Ok(value)
}

/// Asks the server to parse every text `stmt` sends (the statement test).
pub(crate) async fn prepare(pool: &MySqlPool, stmt: &'static Stmt) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    for sql in stmt.mysql_prepared().texts() {
        conn.prepare(sql).await?;
    }
    Ok(())
}
