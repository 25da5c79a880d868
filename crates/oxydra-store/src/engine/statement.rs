//! Running one statement on a rusqlite connection: numbered placeholders, binding [`Arg`]s and
//! decoding rows. Synchronous: the caller decides the thread (a reader runs it inline on the
//! request's worker, the writer thread runs the rest).

use std::time::Instant;

use rusqlite::{CachedStatement, Connection};

use crate::db::Arg;

/// A row type the engine can decode, by column name.
pub(crate) trait EngineRow: Sized + Send + 'static {
    /// Reads one row.
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

/// The store's SQL uses PostgreSQL's `$1` placeholders. SQLite reads `$1` as a *named*
/// parameter numbered by first appearance, so it is rewritten to `?1`, which SQLite binds at
/// exactly that index whatever the order in the text.
pub(crate) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// Prepares `sql` from the connection's statement cache and binds `args` at indices 1, 2, ….
pub(crate) fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
    args: &[Arg],
) -> rusqlite::Result<CachedStatement<'c>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    Ok(stmt)
}

fn bind(stmt: &mut CachedStatement<'_>, args: &[Arg]) -> rusqlite::Result<()> {
    for (i, arg) in args.iter().enumerate() {
        let index = i + 1;
        match arg {
            Arg::Text(v) | Arg::Json(v) => stmt.raw_bind_parameter(index, v.as_str())?,
            Arg::OptText(v) => stmt.raw_bind_parameter(index, v.as_deref())?,
            Arg::Int(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::OptInt(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::Bool(v) => stmt.raw_bind_parameter(index, v)?,
        }
    }
    Ok(())
}

/// Runs a bound statement that returns no rows; the number of rows it changed.
pub(crate) fn execute(conn: &Connection, sql: &str, args: &[Arg]) -> rusqlite::Result<u64> {
    let started = Instant::now();
    let result = prepare(conn, sql, args).and_then(|mut stmt| stmt.raw_execute());
    crate::query_stats::record(started.elapsed());
    result.map(|n| n as u64)
}

/// Runs a bound statement and decodes at most `limit` rows (every row with `usize::MAX`).
/// A `RETURNING` statement makes all its changes on the first step, so stopping early never
/// leaves a write half done.
pub(crate) fn query<R: EngineRow>(
    stmt: &mut CachedStatement<'_>,
    limit: usize,
) -> rusqlite::Result<Vec<R>> {
    let started = Instant::now();
    let mut out = Vec::new();
    let result = (|| {
        let mut rows = stmt.raw_query();
        while out.len() < limit {
            match rows.next()? {
                Some(row) => out.push(R::decode(row)?),
                None => break,
            }
        }
        Ok(())
    })();
    crate::query_stats::record(started.elapsed());
    result.map(|()| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = $2 AND c = $10 OR d = $1"),
            "SELECT a FROM t WHERE b = ?2 AND c = ?10 OR d = ?1"
        );
        assert_eq!(
            numbered_placeholders("SELECT '$' || $1"),
            "SELECT '$' || ?1"
        );
    }

    struct Pair {
        a: i64,
        b: Option<String>,
    }

    impl EngineRow for Pair {
        fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
            Ok(Self {
                a: row.get("a")?,
                b: row.get("b")?,
            })
        }
    }

    #[test]
    fn binds_by_number_whatever_the_order_of_appearance() {
        let conn = Connection::open_in_memory().unwrap();
        let sql = numbered_placeholders("SELECT $2 AS a, $1 AS b");
        let mut stmt = prepare(&conn, &sql, &[Arg::OptText(None), Arg::Int(7)]).unwrap();
        let rows: Vec<Pair> = query(&mut stmt, usize::MAX).unwrap();
        assert_eq!((rows[0].a, rows[0].b.as_deref()), (7, None));
    }
}
