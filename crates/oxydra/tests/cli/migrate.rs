//! `oxydra migrate sql`: applies migrations once, then reports the database up to date.

use crate::support::oxydra;

/// `sqlite://<absolute path>` of a fresh file in `dir`.
pub fn sqlite_dsn(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("oxydra.db").display())
}

#[test]
fn migrate_sql_applies_once_then_is_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let dsn = sqlite_dsn(&dir);

    let first = oxydra(&["migrate", "sql", &dsn], &[]).ok();
    let applied: Vec<&str> = first
        .lines()
        .filter(|l| l.starts_with("applied "))
        .collect();
    assert!(!applied.is_empty(), "first run applied nothing:\n{first}");
    assert!(!first.contains("up to date"), "{first}");
    for line in &applied {
        let mut words = line.split_whitespace().skip(1);
        let version = words.next().unwrap_or_default();
        assert!(version.parse::<i64>().is_ok(), "no version in {line:?}");
        assert!(words.next().is_some(), "no description in {line:?}");
    }

    let second = oxydra(&["migrate", "sql", &dsn], &[]).ok();
    assert_eq!(second.trim(), "database is up to date");

    let from_env = oxydra(&["migrate", "sql", "-e"], &[("DATABASE_URL", &dsn)]).ok();
    assert_eq!(from_env.trim(), "database is up to date");
}

#[test]
fn migrate_sql_needs_a_database_url() {
    let run = oxydra(&["migrate", "sql"], &[]);
    assert_eq!(run.status.code(), Some(2), "{run:#?}");
    assert!(run.stderr.contains("DSN"), "{run:#?}");

    let stderr = oxydra(&["migrate", "sql", "--read-from-env"], &[]).fails();
    assert!(
        stderr.starts_with("error:") && stderr.contains("DATABASE_URL"),
        "{stderr}"
    );

    let stderr = oxydra(&["migrate", "sql", "nosuchdb://x"], &[]).fails();
    assert!(stderr.starts_with("error:"), "{stderr}");
}
