//! Development mode's system secret, kept in a file beside the SQLite database.
//!
//! `--dev` without `SYSTEM_SECRET` used to generate a secret per process, while the database
//! file kept the signing keys encrypted under the previous one: the second start failed. The
//! secret now lives in `<database file>.dev-secret` (mode `0600`), created on the first start and
//! read on every later one, so a development database and its secret travel together. A
//! production start (no `--dev`) never reads or writes this file.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use oxydra_store::Dsn;

use super::env::EnvSource;
use super::secrets::{MIN_SYSTEM_SECRET_LEN, random_secret};
use super::{Config, ConfigError};

/// Suffix of the secret file, appended to the database file's name.
pub const DEV_SECRET_SUFFIX: &str = ".dev-secret";

impl Config {
    /// [`Config::load`] for `oxydra serve`: in development mode, when no system secret is
    /// configured and the database is a SQLite file, the secret kept beside that file is used
    /// (and created on the first start), so the database's encrypted keys survive a restart.
    pub fn load_for_serve(
        env: &impl EnvSource,
        flags: &[(&str, String)],
    ) -> Result<Config, ConfigError> {
        let config = Config::load(env, flags)?;
        if !config.system_secret_generated {
            return Ok(config);
        }
        let Some(path) = secret_file(config.database_url.expose()) else {
            return Ok(config);
        };
        let (secret, created) = read_or_create(&path).map_err(|problem| ConfigError {
            problems: vec![format!("SYSTEM_SECRET: {problem}")],
        })?;
        let mut with_secret = flags.to_vec();
        with_secret.push(("SYSTEM_SECRET", secret));
        let mut config = Config::load(env, &with_secret)?;
        let verb = if created { "generated" } else { "read" };
        config.warnings.push(format!(
            "SYSTEM_SECRET is not set: development mode {verb} the secret kept in {} \
             (mode 0600, beside the database); set SYSTEM_SECRET in production",
            path.display()
        ));
        Ok(config)
    }
}

/// Where the development secret of the database at `database_url` lives: beside a SQLite
/// file; `None` for the in-memory database (nothing outlives the process) and server databases.
pub fn secret_file(database_url: &str) -> Option<PathBuf> {
    let dsn = Dsn::parse(database_url).ok()?;
    let file = dsn.sqlite_file()?;
    let mut name = file.file_name()?.to_os_string();
    name.push(DEV_SECRET_SUFFIX);
    Some(file.with_file_name(name))
}

/// The secret stored at `path`, or a new one written there with mode `0600` (`true` when new).
fn read_or_create(path: &Path) -> Result<(String, bool), String> {
    match read(path) {
        Ok(secret) => return Ok((secret, false)),
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    }
    let secret = random_secret().map(hex)?;
    match create_private(path, &secret) {
        Ok(()) => Ok((secret, true)),
        // Another process created it first: use theirs, so both agree.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => read(path)
            .map(|s| (s, false))
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        Err(e) => Err(format!(
            "cannot create {} for the development secret: {e}",
            path.display()
        )),
    }
}

/// Reads a secret file, refusing one too short to be a system secret.
fn read(path: &Path) -> std::io::Result<String> {
    let secret = fs::read_to_string(path)?.trim().to_owned();
    if secret.len() < MIN_SYSTEM_SECRET_LEN {
        return Err(std::io::Error::new(
            ErrorKind::InvalidData,
            format!(
                "holds {} bytes; a system secret needs at least {MIN_SYSTEM_SECRET_LEN} \
                 (delete the file together with the database to start afresh)",
                secret.len()
            ),
        ));
    }
    Ok(secret)
}

/// Creates `path` (never overwriting) readable by its owner only, and writes `secret` to it.
fn create_private(path: &Path, secret: &str) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(secret.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// Lower-case hex, so the secret file is plain text an operator can copy into `SYSTEM_SECRET`.
fn hex(bytes: Vec<u8>) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lives_beside_a_sqlite_file_only() {
        assert_eq!(
            secret_file("sqlite://data/oxydra.db?mode=rwc"),
            Some(PathBuf::from("data/oxydra.db.dev-secret"))
        );
        assert_eq!(secret_file("memory"), None);
        assert_eq!(secret_file("postgres://u@localhost/db"), None);
    }

    #[test]
    fn is_created_private_once_and_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db.dev-secret");
        let (first, created) = read_or_create(&path).unwrap();
        assert!(created);
        assert_eq!(first.len(), 64);
        let (second, created) = read_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_truncated_file_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db.dev-secret");
        fs::write(&path, "short\n").unwrap();
        let problem = read_or_create(&path).unwrap_err();
        assert!(problem.contains("at least 16"), "{problem}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "short\n");
    }
}
