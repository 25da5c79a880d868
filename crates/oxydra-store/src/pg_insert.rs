//! PostgreSQL: a whole group of token rows in **one** statement and one round trip.
//!
//! `INSERT … SELECT * FROM UNNEST($1::text[], …)` takes one array per column, so a group of
//! any size is a single autocommit statement (atomic by itself): no `BEGIN`/`COMMIT` round
//! trips, no statement per 32 rows.

use oxydra_core::store::StoreError;
use oxydra_core::token::StoredToken;
use sqlx::PgPool;

use crate::args::insert_args;
use crate::db::Arg;
use crate::error::map_sqlx;
use crate::health::Health;

/// The statement; the columns in `sql::tokens` order, the arrays in the same order.
const INSERT_UNNEST: &str = "INSERT INTO oxydra_token (signature, kind, request_id, client_id, \
     subject, granted_scope, granted_audience, issued_at, expires_at, active, session) \
     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
     $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::boolean[], $11::text[])";

/// One column's values across the group, typed as its `Arg`s are.
enum Column {
    Text(Vec<String>),
    Int(Vec<Option<i64>>),
    Bool(Vec<bool>),
}

impl Column {
    fn push(&mut self, arg: Arg) -> Result<(), StoreError> {
        match (self, arg) {
            (Self::Text(v), Arg::Text(s) | Arg::Json(s)) => v.push(s),
            (Self::Int(v), Arg::Int(n)) => v.push(Some(n)),
            (Self::Int(v), Arg::OptInt(n)) => v.push(n),
            (Self::Bool(v), Arg::Bool(b)) => v.push(b),
            (_, arg) => {
                return Err(StoreError::Corrupt(format!(
                    "token column bound with an unexpected type: {arg:?}"
                )));
            }
        }
        Ok(())
    }
}

/// The column types of `sql::tokens::INSERT`, in order.
fn columns(rows: usize) -> Vec<Column> {
    let text = || Column::Text(Vec::with_capacity(rows));
    let int = || Column::Int(Vec::with_capacity(rows));
    vec![
        text(),
        text(),
        text(),
        text(),
        text(),
        text(),
        text(),
        int(),
        int(),
        Column::Bool(Vec::with_capacity(rows)),
        text(),
    ]
}

/// Inserts `rows`, all or none, in one statement.
pub(crate) async fn insert(
    pool: &PgPool,
    health: &Health,
    rows: &[&StoredToken],
) -> Result<(), StoreError> {
    let mut cols = columns(rows.len());
    for row in rows {
        for (col, arg) in cols.iter_mut().zip(insert_args(row)?) {
            col.push(arg)?;
        }
    }
    let mut query = sqlx::query(INSERT_UNNEST);
    for col in cols {
        query = match col {
            Column::Text(v) => query.bind(v),
            Column::Int(v) => query.bind(v),
            Column::Bool(v) => query.bind(v),
        };
    }
    let started = std::time::Instant::now();
    let result = health.guard(query.execute(pool)).await;
    crate::query_stats::record(started.elapsed());
    result.map(drop).map_err(map_sqlx)
}
