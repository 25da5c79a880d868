//! `oxydra migrate sql [DSN]`: bring a database schema up to date.
//!
//! Idempotent: a second run applies nothing and says so. `serve` refuses to start on a database
//! with pending migrations (unless `--auto-migrate`), so operators run this on upgrade.

use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use oxydra_store::{Dsn, OpenOptions, SqlStore};

/// Arguments of `oxydra migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// What to migrate.
    #[command(subcommand)]
    pub target: MigrateCommand,
}

/// Migration targets.
#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply all pending SQL migrations to a database (SQLite or PostgreSQL).
    #[command(after_help = "Examples:\n  oxydra migrate sql sqlite://oxydra.db\n  \
                            oxydra migrate sql postgres://oxydra:secret@127.0.0.1:5432/oxydra\n  \
                            DATABASE_URL=postgres://... oxydra migrate sql -e")]
    Sql(SqlArgs),
}

/// Arguments of `oxydra migrate sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// Database to migrate, e.g. `sqlite://oxydra.db` or `postgres://user:pass@host:5432/db`.
    #[arg(value_name = "DSN", required_unless_present = "read_from_env")]
    pub dsn: Option<String>,
    /// Read the database URL from the DATABASE_URL environment variable instead.
    #[arg(short = 'e', long, conflicts_with = "dsn")]
    pub read_from_env: bool,
}

/// Applies pending migrations and prints each one, or that there was nothing to do.
pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let MigrateCommand::Sql(args) = args.target;
    let raw = match (args.dsn, args.read_from_env) {
        (_, true) => std::env::var("DATABASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| anyhow!("--read-from-env was given but DATABASE_URL is not set"))?,
        (Some(dsn), false) => dsn,
        (None, false) => bail!("give a database URL, or --read-from-env to read DATABASE_URL"),
    };
    let dsn = Dsn::parse(&raw).map_err(|e| anyhow!("invalid database URL: {e}"))?;
    if dsn.is_memory() {
        eprintln!("warning: `memory` is an in-memory database; its schema vanishes on exit");
    }
    let opened = SqlStore::open(&dsn, &OpenOptions::default())
        .await
        .with_context(|| format!("cannot open {dsn}"))?;
    let store = opened.store;
    let applied = store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate {dsn}"));
    store.close().await;
    let applied = applied?;
    if applied.is_empty() {
        println!("database is up to date");
    }
    for migration in applied {
        println!("applied {} {}", migration.version, migration.description);
    }
    Ok(())
}
