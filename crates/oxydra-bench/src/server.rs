//! The server under test: the real `oxydra` binary, migrated, started on `127.0.0.1:0`, and
//! killed at the end (also when the benchmark fails: the child is `kill_on_drop`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::time::{Instant, timeout};

/// How long migrating, announcing the listeners, or becoming ready may take.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Pause between two `/health/ready` probes.
const READY_POLL: Duration = Duration::from_millis(20);

/// How to start the server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The release `oxydra` binary.
    pub bin: PathBuf,
    /// `DATABASE_URL` for the server.
    pub database_url: String,
    /// `BCRYPT_COST` for client-secret hashes.
    pub bcrypt_cost: u32,
    /// Where the server's stderr (its log) is written.
    pub log_path: PathBuf,
}

/// A running `oxydra serve all --dev`.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pid: u32,
    log_path: PathBuf,
    /// Base URL of the public listener, e.g. `http://127.0.0.1:43567`.
    pub public: String,
    /// Base URL of the admin listener.
    pub admin: String,
}

/// The benchmark's `SYSTEM_SECRET`: the same in every run, because a benchmark database
/// (PostgreSQL's `bench` is reused) keeps signing keys encrypted under the secret of the run that
/// created them, and a server given another secret refuses to start. Benchmark databases only.
const BENCH_SYSTEM_SECRET: &str = "oxydra-bench-system-secret-for-benchmark-databases-only";

/// The environment the server runs with, and nothing else: loopback, OS-chosen ports.
fn server_env(options: &ServerOptions, system_secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", options.database_url.clone()),
        ("SYSTEM_SECRET", system_secret.to_owned()),
        ("PUBLIC_HOST", "127.0.0.1".to_owned()),
        ("ADMIN_HOST", "127.0.0.1".to_owned()),
        ("PUBLIC_PORT", "0".to_owned()),
        ("ADMIN_PORT", "0".to_owned()),
        ("BCRYPT_COST", options.bcrypt_cost.to_string()),
    ]
}

/// Runs `oxydra migrate sql -e` against the benchmark database (idempotent).
async fn migrate(options: &ServerOptions) -> anyhow::Result<()> {
    let child = Command::new(&options.bin)
        .args(["migrate", "sql", "-e"])
        .env_clear()
        .env("DATABASE_URL", &options.database_url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot run {}", options.bin.display()))?;
    let output = timeout(START_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| {
            anyhow!("`oxydra migrate sql -e` did not finish within {START_TIMEOUT:?}")
        })??;
    if !output.status.success() {
        bail!(
            "`oxydra migrate sql -e` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

impl Server {
    /// Migrates the database, starts the server, reads its announced addresses and waits until
    /// `/health/ready` answers 200 on both ports.
    pub async fn start(options: &ServerOptions, http: &reqwest::Client) -> anyhow::Result<Server> {
        if !options.bin.is_file() {
            bail!(
                "no server binary at {} (build it with `cargo build --release -p oxydra`, or pass --server-bin)",
                options.bin.display()
            );
        }
        migrate(options).await?;
        let system_secret = BENCH_SYSTEM_SECRET.to_owned();
        let log = std::fs::File::create(&options.log_path)
            .with_context(|| format!("cannot create {}", options.log_path.display()))?;
        let mut command = Command::new(&options.bin);
        command.args(["serve", "all", "--dev"]).env_clear();
        for (key, value) in server_env(options, &system_secret) {
            command.env(key, value);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", options.bin.display()))?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow!("the server exited at once"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("the server's stdout is not piped"))?;
        let mut server = Server {
            child,
            pid,
            log_path: options.log_path.clone(),
            public: String::new(),
            admin: String::new(),
        };
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + START_TIMEOUT;
        while server.public.is_empty() || server.admin.is_empty() {
            let line = match tokio::time::timeout_at(deadline, lines.next_line()).await {
                Ok(Ok(Some(line))) => line,
                Ok(Ok(None)) => bail!(
                    "the server exited before announcing its listeners{}",
                    server.log_tail()
                ),
                Ok(Err(e)) => bail!("cannot read the server's stdout: {e}"),
                Err(_) => bail!(
                    "the server did not announce both listeners within {START_TIMEOUT:?}{}",
                    server.log_tail()
                ),
            };
            if let Some(url) = line.strip_prefix("public listening on ") {
                server.public = url.trim().to_owned();
            } else if let Some(url) = line.strip_prefix("admin listening on ") {
                server.admin = url.trim().to_owned();
            }
        }
        // Keep draining stdout so the server never blocks writing to it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        for base in [server.public.clone(), server.admin.clone()] {
            server.wait_ready(http, &base, deadline).await?;
        }
        Ok(server)
    }

    /// Polls `GET {base}/health/ready` until it answers 200, at most until `deadline`.
    async fn wait_ready(
        &mut self,
        http: &reqwest::Client,
        base: &str,
        deadline: Instant,
    ) -> anyhow::Result<()> {
        let url = format!("{base}/health/ready");
        let mut last = String::from("no answer");
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited ({status}){}", self.log_tail());
            }
            match http.get(&url).timeout(READY_POLL * 50).send().await {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) => last = format!("status {}", response.status()),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(READY_POLL).await;
        }
        bail!(
            "{url} was not ready within {START_TIMEOUT:?} ({last}){}",
            self.log_tail()
        )
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The server's peak resident set size in KiB (`VmHWM` in `/proc/<pid>/status`).
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        peak_rss_kib(self.pid)
    }

    /// Kills the server and reaps it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        timeout(START_TIMEOUT, self.child.wait())
            .await
            .map_err(|_| anyhow!("the server did not exit after SIGKILL"))??;
        Ok(())
    }

    /// The end of the server's log, for error messages.
    fn log_tail(&self) -> String {
        log_tail(&self.log_path)
    }
}

/// The peak resident set size in KiB of process `pid` (`VmHWM` in `/proc/<pid>/status`).
pub fn peak_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("cannot read /proc/<pid>/status (Linux only)")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .ok_or_else(|| anyhow!("no VmHWM line in /proc/{pid}/status"))
}

/// The last lines of the log at `path`, prefixed for an error message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    if tail.is_empty() {
        String::new()
    } else {
        format!("; server log ({}):\n{tail}", path.display())
    }
}
