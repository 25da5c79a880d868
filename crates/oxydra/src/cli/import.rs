//! `oxydra import hydra --from <Hydra's DATABASE_URL> [DSN | -e]`: brings an ORY Hydra
//! 0.10/0.11 or 1.0.0-beta database into Oxydra's — clients with their secret hashes, key sets,
//! remembered logins and consents, unexpired tokens — without a flag day
//! (docs/migrating-from-hydra.md). The source is only read. Each kind is written in one
//! transaction that skips what is already there, so running it again changes nothing.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use oxydra_core::client::SubjectType;
use oxydra_core::clock::{Clock, SystemClock};
use oxydra_core::config::ClientPolicy;
use oxydra_core::jwk::KeyCipher;
use oxydra_core::service::import_hydra::{self, HydraImport};
use oxydra_core::{Error, Secret};
use oxydra_server::config::{Config, ProcessEnv};
use oxydra_store::{Dsn, OpenOptions, SqlStore, read_hydra};

use super::migrate::DatabaseArgs;

/// How long an imported login session is honoured after its login: the documented default of
/// `OXYDRA_BROWSER_SESSION_LIFESPAN` (Hydra kept no server-side expiry).
const BROWSER_SESSION: Duration = Duration::from_secs(24 * 3600);

/// Arguments of `oxydra import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Where to import from.
    #[command(subcommand)]
    pub source: ImportSource,
}

/// Import sources.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// Import an ORY Hydra 0.10/0.11 or 1.0.0-beta database (PostgreSQL or MySQL/MariaDB).
    #[command(
        long_about = "Import an ORY Hydra 0.10/0.11 or 1.0.0-beta database (PostgreSQL \
                            or MySQL/MariaDB) into Oxydra's database.\n\n\
                            Clients keep their secrets (bcrypt hashes are copied), key sets are \
                            decrypted with Hydra's system secret and encrypted again under \
                            SYSTEM_SECRET (so ID tokens Hydra signed keep verifying), remembered \
                            consents and login sessions come over (with the key of Hydra's login cookie, so \
                            remembered users stay logged in), and unexpired access and \
                            refresh tokens keep working. The Hydra database is only read. Each \
                            kind is written in one transaction; what already exists is left \
                            alone, so a second run changes nothing. A wrong Hydra system secret \
                            is detected before anything is written. Restart running servers \
                            afterwards so they load the imported token and cookie keys."
    )]
    Hydra(HydraArgs),
}

/// Arguments of `oxydra import hydra`.
#[derive(Debug, Args)]
pub struct HydraArgs {
    /// Hydra's DATABASE_URL (postgres://… or mysql://…, Hydra's Go form `mysql://u:p@tcp(h:3306)/db` too).
    #[arg(long = "from", value_name = "HYDRA_DATABASE_URL")]
    pub from: String,
    /// The SYSTEM_SECRET Hydra ran with: it decrypts Hydra's keys and verifies its tokens.
    /// Prefer the environment variable (a flag shows in the process list).
    #[arg(
        long,
        env = "HYDRA_SYSTEM_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub hydra_system_secret: Option<String>,
    /// The COOKIE_SECRET Hydra ran with, if it had one (else Hydra signed its login cookies
    /// with a key derived from the system secret): users Hydra remembered stay logged in.
    #[arg(
        long,
        env = "HYDRA_COOKIE_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub hydra_cookie_secret: Option<String>,
    /// Report what would be imported without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Oxydra's database (migrated first with `oxydra migrate sql`).
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Runs `oxydra import`.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    match args.source {
        ImportSource::Hydra(args) => hydra(args).await,
    }
}

async fn hydra(args: HydraArgs) -> anyhow::Result<()> {
    let target = args.database.dsn()?;
    if target.is_memory() {
        bail!("`memory` is an in-memory database: an import into it would vanish on exit");
    }
    let source = Dsn::parse(&args.from).map_err(|e| anyhow!("invalid --from URL: {e}"))?;
    let secrets = Config::load_system_secrets(&ProcessEnv)?;
    let cipher = KeyCipher::new(&secrets).map_err(|e| anyhow!("{e}"))?;
    let hydra_secret = args
        .hydra_system_secret
        .filter(|s| !s.is_empty())
        .map(|s| Secret::new(s.into_bytes()));
    let hydra_cookie_secret = args
        .hydra_cookie_secret
        .filter(|s| !s.is_empty())
        .map(|s| Secret::new(s.into_bytes()));
    if hydra_secret.is_none() {
        eprintln!(
            "warning: no Hydra system secret (--hydra-system-secret or HYDRA_SYSTEM_SECRET): \
             keys and tokens cannot be imported"
        );
    }
    let dump = read_hydra(&source)
        .await
        .with_context(|| format!("cannot read the Hydra database {source}"))?;
    let opened = SqlStore::open(&target, &OpenOptions::default())
        .await
        .with_context(|| format!("cannot open {target}"))?;
    let store = opened.store;
    let result = async {
        let pending = store.pending_migrations().await?;
        if !pending.is_empty() {
            bail!(
                "{target} has {} pending migration(s); run `oxydra migrate sql` first",
                pending.len()
            );
        }
        let policy = ClientPolicy {
            subject_types: vec![SubjectType::Public, SubjectType::Pairwise],
            ..ClientPolicy::default()
        };
        let options = HydraImport {
            hydra_secret: hydra_secret.as_ref(),
            hydra_cookie_secret: hydra_cookie_secret.as_ref(),
            cipher: &cipher,
            client_policy: &policy,
            browser_session: BROWSER_SESSION,
            dry_run: args.dry_run,
            now: SystemClock.now(),
        };
        import_hydra::import(&store, &dump, &options)
            .await
            .map_err(|e| match e {
                Error::Invalid { reason, .. } => anyhow!("{reason}"),
                other => anyhow!("{other}"),
            })
    }
    .await;
    store.close().await;
    print!("{}", result?);
    Ok(())
}
