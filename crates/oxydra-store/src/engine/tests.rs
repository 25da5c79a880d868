//! The engine's own guarantees, on a real file: concurrent writers and readers, per-call
//! atomicity of group commits, a full database and a locked file answering `Unavailable`
//! within the busy timeout (never a hang), rollback of an abandoned transaction, deferred
//! statements failing the step they travel with, and whole transactions (`Db::transaction`)
//! committing all of their body or nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use oxydra_core::store::StoreError;

use super::Engine;
use crate::db::{Arg, Db, Stmt, Tx, TxFuture};
use crate::rows::CountRow;

static INSERT: Stmt = Stmt::new("test.insert", "INSERT INTO t (k, v) VALUES ($1, $2)");
static COUNT_KEY: Stmt = Stmt::new("test.count_key", "SELECT COUNT(*) AS n FROM t WHERE k = $1");
static COUNT: Stmt = Stmt::new("test.count", "SELECT COUNT(*) AS n FROM t");
static PAGES: Stmt = Stmt::new(
    "test.pages",
    "SELECT page_count AS n FROM pragma_page_count()",
);

/// A fresh engine on a file with table `t (k TEXT PRIMARY KEY, v TEXT)`.
async fn engine(dir: &tempfile::TempDir) -> Engine {
    let engine = Engine::open_file(dir.path().join("engine.db"), 4).unwrap();
    engine
        .inner
        .writer
        .run(|conn| {
            conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
                .map_err(crate::error::map_rusqlite)
        })
        .await
        .unwrap();
    engine
}

fn row(k: &str) -> Vec<Arg> {
    vec![Arg::Text(k.to_owned()), Arg::Text("value".repeat(20))]
}

async fn count(engine: &Engine, stmt: &'static Stmt, args: &[Arg]) -> i64 {
    let rows: Vec<CountRow> = engine.fetch(stmt, args, 1).await.unwrap();
    rows[0].n
}

/// Sets a pragma on the writer's connection (test-only tampering).
async fn writer_pragma(engine: &Engine, name: &'static str, value: i64) {
    engine
        .inner
        .writer
        .run(move |conn| {
            conn.pragma_update(None, name, value)
                .map_err(crate::error::map_rusqlite)
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_and_readers_see_every_acknowledged_row() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8 {
        let engine = engine.clone();
        tasks.spawn(async move {
            for n in 0..60 {
                let k = format!("{w}-{n}");
                engine.insert_grouped(&INSERT, vec![row(&k)]).await.unwrap();
                // A read on the caller's thread sees what the writer acknowledged.
                assert_eq!(count(&engine, &COUNT_KEY, &[Arg::Text(k)]).await, 1);
            }
        });
    }
    for _ in 0..4 {
        let engine = engine.clone();
        tasks.spawn(async move {
            let mut last = 0;
            while last < 480 {
                let now = count(&engine, &COUNT, &[]).await;
                assert!(now >= last, "a reader went back in time: {now} < {last}");
                last = now;
                tokio::task::yield_now().await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    assert_eq!(count(&engine, &COUNT, &[]).await, 480);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_call_in_a_group_fails_alone_and_leaves_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    engine
        .insert_grouped(&INSERT, vec![row("taken")])
        .await
        .unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..40 {
        let engine = engine.clone();
        calls.spawn(async move {
            // Every fifth call's second row collides: that whole call must fail, alone.
            let second = if n % 5 == 0 {
                "taken".to_owned()
            } else {
                format!("b{n}")
            };
            let result = engine
                .insert_grouped(&INSERT, vec![row(&format!("a{n}")), row(&second)])
                .await;
            (n, result)
        });
    }
    while let Some(done) = calls.join_next().await {
        let (n, result) = done.unwrap();
        let first = count(&engine, &COUNT_KEY, &[Arg::Text(format!("a{n}"))]).await;
        if n % 5 == 0 {
            assert!(
                matches!(result, Err(StoreError::Conflict { .. })),
                "{result:?}"
            );
            assert_eq!(first, 0, "a failed call left its first row");
        } else {
            result.unwrap();
            assert_eq!(first, 1);
        }
    }
    assert_eq!(count(&engine, &COUNT, &[]).await, 1 + 32 * 2);
}

#[tokio::test]
async fn a_full_database_is_unavailable_without_partial_writes_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    // Cap the file at its current size: SQLite answers SQLITE_FULL, as on a full disk.
    let pages = count(&engine, &PAGES, &[]).await;
    writer_pragma(&engine, "max_page_count", pages).await;
    let rows: Vec<Vec<Arg>> = (0..200).map(|n| row(&format!("big-{n}"))).collect();
    let started = Instant::now();
    let result = engine.insert_grouped(&INSERT, rows.clone()).await;
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        count(&engine, &COUNT, &[]).await,
        0,
        "a partial call was kept"
    );

    writer_pragma(&engine, "max_page_count", 1 << 30).await;
    engine.insert_grouped(&INSERT, rows).await.unwrap();
    assert_eq!(count(&engine, &COUNT, &[]).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_locked_by_another_process_is_unavailable_within_the_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    engine
        .insert_grouped(&INSERT, vec![row("before")])
        .await
        .unwrap();
    writer_pragma(&engine, "busy_timeout", 200).await;

    let other = rusqlite::Connection::open(dir.path().join("engine.db")).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = Instant::now();
    let result = engine.insert_grouped(&INSERT, vec![row("blocked")]).await;
    let waited = started.elapsed();
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{result:?}"
    );
    assert!(
        waited >= Duration::from_millis(150),
        "gave up before the timeout: {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "hung for {waited:?}");
    // Reads go on meanwhile (WAL): the lock holder blocks writers only.
    assert_eq!(count(&engine, &COUNT, &[]).await, 1);

    other.execute_batch("COMMIT").unwrap();
    engine
        .insert_grouped(&INSERT, vec![row("after")])
        .await
        .unwrap();
    assert_eq!(count(&engine, &COUNT, &[]).await, 2);
}

#[tokio::test]
async fn an_abandoned_transaction_rolls_back_and_frees_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Arc::new(engine(&dir).await);
    {
        let mut tx = engine.begin().unwrap();
        tx.execute(&INSERT, &row("abandoned")).await.unwrap();
        tx.defer(&INSERT, &row("abandoned-deferred"));
        // Dropped without commit.
    }
    engine
        .insert_grouped(&INSERT, vec![row("next")])
        .await
        .unwrap();
    assert_eq!(
        count(&engine, &COUNT_KEY, &[Arg::Text("abandoned".into())]).await,
        0
    );
    assert_eq!(count(&engine, &COUNT, &[]).await, 1);

    engine.close().await;
    let closed = engine.insert_grouped(&INSERT, vec![row("late")]).await;
    assert!(
        matches!(closed, Err(StoreError::Unavailable(_))),
        "{closed:?}"
    );
}

#[tokio::test]
async fn deferred_statements_run_with_the_commit_and_their_failure_rolls_back_all() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let mut tx = engine.begin().unwrap();
    tx.execute(&INSERT, &row("a")).await.unwrap();
    tx.defer(&INSERT, &row("b"));
    tx.defer(&INSERT, &row("c"));
    tx.commit().await.unwrap();
    assert_eq!(count(&engine, &COUNT, &[]).await, 3);

    // A deferred duplicate fails the commit; the statement before it is undone too.
    let mut tx = engine.begin().unwrap();
    tx.execute(&INSERT, &row("d")).await.unwrap();
    tx.defer(&INSERT, &row("a"));
    let committed = tx.commit().await;
    assert!(
        matches!(committed, Err(StoreError::Conflict { .. })),
        "{committed:?}"
    );
    assert_eq!(count(&engine, &COUNT, &[]).await, 3);
    assert_eq!(
        count(&engine, &COUNT_KEY, &[Arg::Text("d".into())]).await,
        0
    );

    // A deferred failure is the answer of the next statement, which does not run.
    let mut tx = engine.begin().unwrap();
    tx.defer(&INSERT, &row("b"));
    let next = tx.execute(&INSERT, &row("e")).await;
    assert!(matches!(next, Err(StoreError::Conflict { .. })), "{next:?}");
    drop(tx);
    assert_eq!(
        count(&engine, &COUNT_KEY, &[Arg::Text("e".into())]).await,
        0
    );
    engine.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_that_cannot_begin_answers_its_first_statement_and_frees_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    writer_pragma(&engine, "busy_timeout", 200).await;
    let other = rusqlite::Connection::open(dir.path().join("engine.db")).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let mut tx = engine.begin().unwrap();
    let first = tx.execute(&INSERT, &row("blocked")).await;
    assert!(
        matches!(first, Err(StoreError::Unavailable(_))),
        "{first:?}"
    );
    let committed = tx.commit().await;
    assert!(
        matches!(committed, Err(StoreError::Unavailable(_))),
        "{committed:?}"
    );

    other.execute_batch("COMMIT").unwrap();
    let mut tx = engine.begin().unwrap();
    tx.execute(&INSERT, &row("after")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&engine, &COUNT, &[]).await, 1);
    engine.close().await;
}

static COUNTER_VALUE: Stmt = Stmt::new(
    "test.counter_value",
    "SELECT CAST(v AS INTEGER) AS n FROM t WHERE k = $1",
);
static COUNTER_SET: Stmt = Stmt::new("test.counter_set", "UPDATE t SET v = $2 WHERE k = $1");

/// A transaction body inserting `first`, then `second` as a deferred statement.
fn insert_both(
    first: &str,
    second: &str,
) -> impl for<'t, 'c> FnOnce(&'t mut Tx<'c>) -> TxFuture<'t, ()> + Send + 'static {
    let (first, second) = (row(first), row(second));
    move |tx| {
        Box::pin(async move {
            tx.execute(&INSERT, &first).await?;
            tx.execute_deferred(&INSERT, &second).await
        })
    }
}

#[tokio::test]
async fn a_whole_transaction_commits_all_of_its_body_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::Sqlite(engine(&dir).await);
    db.transaction(insert_both("a", "b")).await.unwrap();
    // The second insert collides: the first of the same body is rolled back with it.
    let collided = db.transaction(insert_both("c", "a")).await;
    assert!(
        matches!(collided, Err(StoreError::Conflict { .. })),
        "{collided:?}"
    );
    // A body that fails after writing leaves nothing either.
    let failed = db
        .transaction(|tx| {
            Box::pin(async move {
                tx.execute(&INSERT, &row("d")).await?;
                Err::<(), _>(StoreError::NotFound)
            })
        })
        .await;
    assert!(matches!(failed, Err(StoreError::NotFound)));
    let Db::Sqlite(engine) = &db else {
        unreachable!()
    };
    assert_eq!(count(engine, &COUNT, &[]).await, 2);
}

#[tokio::test]
async fn a_whole_transaction_that_waits_on_anything_else_is_refused_and_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::Sqlite(engine(&dir).await);
    let waited = db
        .transaction(|tx| {
            Box::pin(async move {
                tx.execute(&INSERT, &row("a")).await?;
                tokio::task::yield_now().await;
                Ok(())
            })
        })
        .await;
    assert!(
        matches!(waited, Err(StoreError::Unavailable(_))),
        "{waited:?}"
    );
    // Rolled back, and the writer serves the next transaction.
    db.transaction(insert_both("b", "c")).await.unwrap();
    let Db::Sqlite(engine) = &db else {
        unreachable!()
    };
    assert_eq!(count(engine, &COUNT, &[]).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whole_transactions_read_and_write_without_interleaving() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::Sqlite(engine(&dir).await);
    db.transaction(|tx| {
        Box::pin(async move {
            tx.execute(&INSERT, &[Arg::Text("n".into()), Arg::Text("0".into())])
                .await
                .map(drop)
        })
    })
    .await
    .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let db = db.clone();
        tasks.spawn(async move {
            for _ in 0..50 {
                // Read, then write what was read plus one: a lost update shows in the total.
                db.transaction(|tx| {
                    Box::pin(async move {
                        let key = [Arg::Text("n".into())];
                        let read: Option<CountRow> =
                            tx.fetch_optional(&COUNTER_VALUE, &key).await?;
                        let next = read.map_or(0, |r| r.n) + 1;
                        let args = [Arg::Text("n".into()), Arg::Text(next.to_string())];
                        tx.execute(&COUNTER_SET, &args).await.map(drop)
                    })
                })
                .await
                .unwrap();
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let Db::Sqlite(engine) = &db else {
        unreachable!()
    };
    assert_eq!(
        count(engine, &COUNTER_VALUE, &[Arg::Text("n".into())]).await,
        400
    );
}

static TAKE: Stmt = Stmt::new(
    "test.take",
    "UPDATE t SET v = 'taken' WHERE k = $1 AND v <> 'taken' RETURNING CAST(1 AS INTEGER) AS n",
);

/// Holds the writer in an open transaction until the returned sender is dropped, so that the
/// calls sent meanwhile queue up and commit as one group.
async fn hold_writer(engine: &Engine) -> tokio::sync::oneshot::Sender<()> {
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let mut held = engine.begin().unwrap();
    held.execute(&INSERT, &row("holder")).await.unwrap();
    tokio::spawn(async move {
        let _ = released.await;
        held.commit().await.unwrap();
    });
    release
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_of_mixed_writes_keeps_each_calls_outcome_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::Sqlite(engine(&dir).await);
    let Db::Sqlite(engine) = &db else {
        unreachable!()
    };
    engine.execute(&INSERT, &row("taken")).await.unwrap();
    engine.execute(&INSERT, &row("free")).await.unwrap();
    let release = hold_writer(engine).await;
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..30 {
        let db = db.clone();
        calls.spawn(async move {
            let Db::Sqlite(engine) = &db else {
                unreachable!()
            };
            let outcome = match n % 3 {
                // A whole transaction; every sixth one collides after its first insert.
                0 => {
                    let second = if n % 6 == 0 {
                        "taken".to_owned()
                    } else {
                        format!("w{n}")
                    };
                    db.transaction(insert_both(&format!("v{n}"), &second))
                        .await
                        .map(|()| 1)
                }
                // A single statement (without a savepoint); one of them collides.
                1 if n == 4 => engine.execute(&INSERT, &row("taken")).await,
                1 => engine.execute(&INSERT, &row(&format!("s{n}"))).await,
                // A conditional update with RETURNING: only one of them takes the row.
                _ => {
                    let taken: Vec<CountRow> = engine
                        .fetch(&TAKE, &[Arg::Text("free".into())], 1)
                        .await
                        .unwrap();
                    Ok(u64::try_from(taken.len()).unwrap())
                }
            };
            (n, outcome)
        });
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(release);
    let mut takers = 0;
    while let Some(done) = calls.join_next().await {
        let (n, outcome) = done.unwrap();
        match n % 3 {
            0 if n % 6 == 0 => {
                assert!(
                    matches!(outcome, Err(StoreError::Conflict { .. })),
                    "{outcome:?}"
                );
                let first = count(engine, &COUNT_KEY, &[Arg::Text(format!("v{n}"))]).await;
                assert_eq!(first, 0, "a failed transaction left its first row");
            }
            0 => {
                outcome.unwrap();
                assert_eq!(
                    count(engine, &COUNT_KEY, &[Arg::Text(format!("w{n}"))]).await,
                    1
                );
            }
            1 if n == 4 => {
                assert!(
                    matches!(outcome, Err(StoreError::Conflict { .. })),
                    "{outcome:?}"
                );
            }
            1 => assert_eq!(outcome.unwrap(), 1),
            _ => takers += outcome.unwrap(),
        }
    }
    assert_eq!(takers, 1, "the conditional update took the row once");
    // taken, free, holder; 5 whole transactions of 2 rows; 9 single inserts.
    assert_eq!(count(engine, &COUNT, &[]).await, 3 + 5 * 2 + 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_meeting_a_full_database_answers_every_call_truthfully() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    // Room for the small writes and the holder's, not for the large one.
    let pages = count(&engine, &PAGES, &[]).await;
    writer_pragma(&engine, "max_page_count", pages + 2).await;
    let release = hold_writer(&engine).await;
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..12 {
        let engine = engine.clone();
        calls.spawn(async move {
            let rows: Vec<Vec<Arg>> = if n == 6 {
                (0..400).map(|m| row(&format!("big-{m}"))).collect()
            } else {
                vec![row(&format!("small-{n}"))]
            };
            (n, engine.insert_grouped(&INSERT, rows).await)
        });
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(release);
    while let Some(done) = calls.join_next().await {
        let (n, outcome) = done.unwrap();
        let key = if n == 6 {
            "big-0".to_owned()
        } else {
            format!("small-{n}")
        };
        let stored = count(&engine, &COUNT_KEY, &[Arg::Text(key)]).await;
        match outcome {
            Ok(_) => assert_eq!(stored, 1, "call {n} answered success without its row"),
            Err(StoreError::Unavailable(_)) => {
                assert_eq!(stored, 0, "call {n} answered failure but its row was kept");
            }
            Err(other) => panic!("call {n}: {other:?}"),
        }
        if n == 6 {
            assert_eq!(stored, 0, "the large call cannot fit");
        }
    }
}
