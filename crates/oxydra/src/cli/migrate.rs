//! `oxydra migrate sql [DSN]`: bring a database schema up to date; `oxydra migrate secret [DSN]`:
//! re-encrypt every stored JSON Web Key under a new system secret.
//!
//! `sql` is idempotent: a second run applies nothing and says so. `serve` refuses to start on a
//! database with pending migrations (unless `--auto-migrate`), so operators run it on upgrade.

use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use oxydra_core::jwk::KeyCipher;
use oxydra_server::config::{Config, ProcessEnv};
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
    Sql(DatabaseArgs),
    /// Re-encrypt every stored JSON Web Key under a new system secret.
    #[command(
        long_about = "Re-encrypt every stored JSON Web Key under a new system secret.\n\n\
                      SYSTEM_SECRET is the NEW secret and ROTATED_SYSTEM_SECRET the OLD one \
                      (Hydra 1.x's SECRETS_SYSTEM=new,old works too). Every key is decrypted with \
                      whichever of them sealed it and encrypted again with SYSTEM_SECRET only, all \
                      in one transaction: if any key decrypts with neither, nothing is changed and \
                      the command fails. Afterwards the keys need only SYSTEM_SECRET. Opaque tokens \
                      issued under the old secret stay valid only while ROTATED_SYSTEM_SECRET is \
                      set on the servers; they become invalid when it is removed.\n\n\
                      Every key is also rewritten bound to its row (set and kid as AES-GCM \
                      associated data). Keys written by earlier versions lack that binding: run \
                      this command once after upgrading, with SYSTEM_SECRET alone if the secret \
                      does not change.",
        after_help = "Example:\n  SYSTEM_SECRET=$NEW ROTATED_SYSTEM_SECRET=$OLD \
                      oxydra migrate secret postgres://oxydra:secret@127.0.0.1:5432/oxydra"
    )]
    Secret(DatabaseArgs),
}

/// The database a migration works on.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// The database, e.g. `sqlite://oxydra.db` or `postgres://user:pass@host:5432/db`.
    #[arg(value_name = "DSN", required_unless_present = "read_from_env")]
    pub dsn: Option<String>,
    /// Read the database URL from the DATABASE_URL environment variable instead.
    #[arg(short = 'e', long, conflicts_with = "dsn")]
    pub read_from_env: bool,
}

impl DatabaseArgs {
    /// The parsed DSN, from the argument or `DATABASE_URL`.
    pub(crate) fn dsn(&self) -> anyhow::Result<Dsn> {
        let raw = match (&self.dsn, self.read_from_env) {
            (_, true) => std::env::var("DATABASE_URL")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| anyhow!("--read-from-env was given but DATABASE_URL is not set"))?,
            (Some(dsn), false) => dsn.clone(),
            (None, false) => {
                bail!("give a database URL, or --read-from-env to read DATABASE_URL")
            }
        };
        Dsn::parse(&raw).map_err(|e| anyhow!("invalid database URL: {e}"))
    }
}

/// Runs `oxydra migrate sql` or `oxydra migrate secret`.
pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    match args.target {
        MigrateCommand::Sql(db) => sql(&db).await,
        MigrateCommand::Secret(db) => secret(&db).await,
    }
}

/// Applies pending migrations and prints each one, or that there was nothing to do.
async fn sql(db: &DatabaseArgs) -> anyhow::Result<()> {
    let dsn = db.dsn()?;
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

/// Re-encrypts every stored key under `SYSTEM_SECRET`, opening each with it or with
/// `ROTATED_SYSTEM_SECRET`, in one transaction; prints how many keys it re-encrypted.
async fn secret(db: &DatabaseArgs) -> anyhow::Result<()> {
    let dsn = db.dsn()?;
    if dsn.is_memory() {
        bail!("`memory` is an in-memory database: it holds no stored keys to re-encrypt");
    }
    let secrets = Config::load_system_secrets(&ProcessEnv)?;
    if secrets.len() < 2 {
        eprintln!(
            "warning: ROTATED_SYSTEM_SECRET is not set, so every key must already decrypt with \
             SYSTEM_SECRET; they are re-encrypted under it again"
        );
    }
    let cipher = KeyCipher::new(&secrets).map_err(|e| anyhow!("{e}"))?;
    let opened = SqlStore::open(&dsn, &OpenOptions::default())
        .await
        .with_context(|| format!("cannot open {dsn}"))?;
    let store = opened.store;
    let result = reencrypt(&store, &cipher).await;
    store.close().await;
    let count = result.with_context(|| format!("no key in {dsn} was changed"))?;
    println!("re-encrypted {count} key(s) under SYSTEM_SECRET");
    if secrets.len() > 1 {
        println!(
            "stored keys no longer need ROTATED_SYSTEM_SECRET; opaque tokens issued under it stay \
             valid only while it is set on the servers"
        );
    }
    Ok(())
}

/// Refuses a schema with pending migrations (the key table may not exist yet), then rotates.
async fn reencrypt(store: &SqlStore, cipher: &KeyCipher) -> anyhow::Result<u64> {
    let pending = store.pending_migrations().await?;
    if !pending.is_empty() {
        bail!(
            "the database has {} pending migration(s); run `oxydra migrate sql` first",
            pending.len()
        );
    }
    oxydra_core::service::keys::reencrypt_all(store, cipher)
        .await
        .map_err(|e| match e {
            oxydra_core::Error::Invalid { reason, .. } => anyhow!(
                "{reason}: set ROTATED_SYSTEM_SECRET to the secret the keys were encrypted with"
            ),
            other => anyhow!("{other}"),
        })
}
