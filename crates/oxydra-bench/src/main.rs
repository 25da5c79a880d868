//! `oxydra-bench`: the benchmark of a release `oxydra` binary, in one run.
//!
//! It measures the machine's ceiling first (wrk against a hello-world axum route the benchmark
//! serves itself), then, for SQLite (a fresh file in a temporary directory), PostgreSQL
//! (`--postgres-url`, created when missing; `--skip-postgres` skips it) and MySQL/MariaDB
//! (`--mysql-url`, created when missing; `--skip-mysql` skips it), it migrates the
//! database, starts `oxydra serve all --dev` on `127.0.0.1` with OS-chosen ports, creates a
//! `client_credentials` client through the admin API, and drives three scenarios with wrk:
//! token issuance, introspection of a valid token, and a discovery-style `GET` (and, named with
//! `--scenario`, the volume scenarios `growth` and `flush`, which seed rows straight into the
//! database: see the `growth` and `seed` modules). Every scenario gets one warm-up run and
//! `--runs` measured runs. It prints every run, the medians, each scenario's requests/s as a
//! ratio to the ceiling, the server's peak RSS per backend and the binary's size, and exits
//! non-zero when any request failed. `scripts/bench.sh` installs wrk,
//! builds both binaries and runs this; results are in `docs/benchmarks.md`. This is not a test:
//! nothing runs it in `cargo test`.

mod backend;
mod ceiling;
mod cpu;
mod dpop;
mod driven;
mod driver;
mod growth;
mod journeys;
mod mysql;
mod peer;
mod postgres;
mod report;
mod seed;
mod selection;
mod server;
mod setup;
mod signing;
mod wrk;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::backend::{Backend, Outcome};
use crate::report::{CEILING_BACKEND, Scenario, mib};

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "oxydra-bench",
    args_override_self = true,
    about = "Benchmark of a release oxydra binary on SQLite and PostgreSQL over loopback, with wrk, against a hello-world ceiling"
)]
struct Args {
    /// The `oxydra` binary to benchmark (build it with `cargo build --release -p oxydra`).
    #[arg(long, default_value = "target/release/oxydra")]
    server_bin: PathBuf,
    /// The `wrk` executable (`apt-get install wrk`; scripts/bench.sh installs it).
    #[arg(long, default_value = "wrk")]
    wrk: PathBuf,
    /// The PostgreSQL database to benchmark on; created when missing, then migrated.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/bench")]
    postgres_url: String,
    /// Do not benchmark PostgreSQL.
    #[arg(long)]
    skip_postgres: bool,
    /// The MySQL/MariaDB database to benchmark on (URL form); created when missing, then
    /// migrated.
    #[arg(long, default_value = "mysql://root@127.0.0.1:3306/bench")]
    mysql_url: String,
    /// Do not benchmark MySQL/MariaDB.
    #[arg(long)]
    skip_mysql: bool,
    /// Measured runs per scenario (after one warm-up run); the median is reported too.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    runs: u32,
    /// Seconds per measured run (wrk `-d`).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    duration: u64,
    /// Seconds of the warm-up run before each scenario's measured runs.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=600))]
    warmup: u64,
    /// Open connections (wrk `-c`).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    connections: u32,
    /// wrk threads (wrk `-t`).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=256))]
    threads: u32,
    /// Only measure the cost of one JWT signature per algorithm (in process, no server, no
    /// wrk), for `--duration` seconds each.
    #[arg(long)]
    signing: bool,
    /// The peer OpenID provider to measure alongside (Node's `oidc-provider`; needs node and
    /// npm). Its files are copied to `--peer-cache`, where `npm ci` runs once.
    #[arg(long, default_value = "../shared/peer")]
    peer_dir: PathBuf,
    /// Where the peer is installed and run from (`shared/` is read-only).
    #[arg(long, default_value = "target/bench-peer")]
    peer_cache: PathBuf,
    /// Do not start the peer (no ratios to it).
    #[arg(long)]
    skip_peer: bool,
    /// Scenarios to measure (repeatable or comma-separated); all when absent. The hello-world
    /// ceiling is always measured.
    #[arg(long = "scenario", value_enum, value_delimiter = ',')]
    scenarios: Vec<selection::ScenarioName>,
    /// Token-table sizes the `growth` scenario measures at (comma-separated, e.g.
    /// `1000000,10000000` or `1M,10M`); rows are seeded directly into the database up to each.
    #[arg(long, value_delimiter = ',', default_value = "1000000", value_parser = growth::parse_rows)]
    growth_rows: Vec<u64>,
    /// Expired tokens the `flush` scenario seeds before `POST /oauth2/flush`.
    #[arg(long, default_value = "1000000", value_parser = growth::parse_rows)]
    flush_rows: u64,
    /// `BCRYPT_COST` of the server (Hydra's and oxydra's default is 10).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(4..=31))]
    bcrypt_cost: u32,
}

/// The benchmark's own runtime is single-threaded: wrk generates the load, and the hello-world
/// ceiling runs in its own multi-threaded runtime.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.signing {
        return match signing::run(Duration::from_secs(args.duration)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("oxydra-bench: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    // On SIGINT/SIGTERM the run future is dropped, which kills the server and wrk (both are
    // `kill_on_drop`) and stops the hello-world server.
    let result = tokio::select! {
        result = run(args) => result,
        signal = interrupted() => {
            eprintln!("oxydra-bench: {signal}; the server and wrk were killed");
            return ExitCode::from(130);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!(
                "oxydra-bench: some requests failed or a backend could not be measured (see above)"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("oxydra-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM with the signal's name.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut int), Ok(mut term)) => tokio::select! {
            _ = int.recv() => "interrupted",
            _ = term.recv() => "terminated",
        },
        _ => std::future::pending().await,
    }
}

/// Runs the whole benchmark; `Ok(false)` when it ran but some request failed or a backend could
/// not be measured.
async fn run(args: Args) -> anyhow::Result<bool> {
    let binary_size = std::fs::metadata(&args.server_bin)
        .map(|m| m.len())
        .with_context(|| {
            format!(
                "no server binary at {} (build it with `cargo build --release -p oxydra`, or pass --server-bin)",
                args.server_bin.display()
            )
        })?;
    let temp = tempfile::Builder::new()
        .prefix("oxydra-bench-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let plan = plan(&args, temp.path());
    print_header(&args, binary_size);

    let ceiling = measure_ceiling(&plan).await?;
    let ceiling_rate = ceiling.median().per_second;
    let mut scenarios = vec![ceiling];
    let (peer, peer_side) = if args.skip_peer {
        println!(
            "
peer: skipped (--skip-peer)"
        );
        (None, None)
    } else {
        let (peer, side) = start_peer(&args).await?;
        (Some(peer), Some(side))
    };
    let outcomes = measure_backends(&args, &plan, temp.path(), peer_side.as_ref()).await;

    let (mut ok, mut memory) = collect(outcomes, &mut scenarios);
    if let Some(peer) = peer {
        memory.push(format!(
            "peer      peak RSS (VmHWM): {}",
            match server::peak_rss_kib(peer.pid()) {
                Ok(kib) => mib(kib * 1024),
                Err(e) => format!("unavailable ({e:#})"),
            }
        ));
        peer.stop().await?;
    }
    ok &= scenarios.iter().all(|s| s.errors() == 0);

    print_report(&scenarios, ceiling_rate, memory, binary_size);
    Ok(ok)
}

/// What every backend is measured with: wrk's settings, warm-up, duration and runs.
fn plan(args: &Args, work_dir: &std::path::Path) -> backend::Plan {
    let settings = wrk::Settings {
        bin: args.wrk.clone(),
        connections: args.connections,
        threads: args.threads,
        timeout: Duration::from_secs(5),
    };
    backend::Plan {
        settings,
        warmup: Duration::from_secs(args.warmup),
        duration: Duration::from_secs(args.duration),
        runs: args.runs,
        work_dir: work_dir.to_owned(),
        volumes: growth::Volumes {
            growth_rows: args.growth_rows.clone(),
            flush_rows: args.flush_rows,
        },
    }
}

/// What is measured, on what, with which load.
fn print_header(args: &Args, binary_size: u64) {
    println!("oxydra-bench");
    println!(
        "  server      {} ({})",
        args.server_bin.display(),
        mib(binary_size)
    );
    println!("  machine     {}", machine());
    println!(
        "  load        {} -c {} -t {} -d {}s --latency, after a {}s warm-up run, {} runs per scenario, over loopback",
        args.wrk.display(),
        args.connections,
        args.threads,
        args.duration,
        args.warmup,
        args.runs
    );
    println!(
        "  server env  BCRYPT_COST={}, otherwise defaults",
        args.bcrypt_cost
    );
}

/// Runs the scenarios against SQLite and (unless skipped) PostgreSQL and MySQL; a backend that
/// could not be measured is reported at once and kept as its error.
async fn measure_backends(
    args: &Args,
    plan: &backend::Plan,
    work_dir: &std::path::Path,
    peer_ref: Option<&backend::PeerSide>,
) -> Vec<(&'static str, anyhow::Result<Outcome>)> {
    let selected = selection::resolve(&args.scenarios);
    let sqlite_path = work_dir.join("bench.db");
    let sqlite = Backend {
        name: "sqlite",
        database_url: format!("sqlite://{}", sqlite_path.display()),
        shown: format!("fresh file {}", sqlite_path.display()),
        bin: args.server_bin.clone(),
        bcrypt_cost: args.bcrypt_cost,
        log_path: work_dir.join("server-sqlite.log"),
    };
    let mut outcomes = Vec::new();
    outcomes.push((
        "sqlite",
        report_failure("sqlite", sqlite.run(plan, peer_ref, &selected).await),
    ));
    let servers = [
        ("postgres", &args.postgres_url, args.skip_postgres),
        ("mysql", &args.mysql_url, args.skip_mysql),
    ];
    for (name, url, skip) in servers {
        if skip {
            println!("\n{name}: skipped (--skip-{name})");
            continue;
        }
        let backend = Backend {
            name,
            database_url: url.clone(),
            shown: redact(url),
            bin: args.server_bin.clone(),
            bcrypt_cost: args.bcrypt_cost,
            log_path: work_dir.join(format!("server-{name}.log")),
        };
        outcomes.push((
            name,
            report_failure(name, backend.run(plan, peer_ref, &selected).await),
        ));
    }
    outcomes
}

/// Adds each measured backend's scenarios to `scenarios`; returns whether every backend was
/// measured, and the lines to print after the tables (volume summaries, memory).
fn collect(
    outcomes: Vec<(&'static str, anyhow::Result<Outcome>)>,
    scenarios: &mut Vec<Scenario>,
) -> (bool, Vec<String>) {
    let mut ok = true;
    let mut memory = Vec::new();
    for (name, outcome) in outcomes {
        match outcome {
            Ok(outcome) => {
                memory.extend(outcome.notes);
                memory.push(format!(
                    "{name:<9} server peak RSS (VmHWM): {}",
                    match outcome.peak_rss_kib {
                        Ok(kib) => mib(kib * 1024),
                        Err(e) => format!("unavailable ({e:#})"),
                    }
                ));
                scenarios.extend(outcome.scenarios);
                if let Some(e) = outcome.incomplete {
                    ok = false;
                    memory.push(format!("{name:<9} some scenarios NOT MEASURED: {e:#}"));
                }
            }
            Err(e) => {
                ok = false;
                memory.push(format!("{name:<9} NOT MEASURED: {e:#}"));
            }
        }
    }
    (ok, memory)
}

/// The tables, the memory lines and the machine's state at the end.
fn print_report(scenarios: &[Scenario], ceiling_rate: f64, memory: Vec<String>, binary_size: u64) {
    println!("\nEvery run (req/s / ceiling uses the ceiling's median):");
    println!("{}", report::runs_table(scenarios, Some(ceiling_rate)));
    println!("\nMedians:");
    println!("{}", report::summary_table(scenarios, Some(ceiling_rate)));
    println!(
        "\nServer CPU per request (per journey for the driven scenarios) as a multiple of GET /health/alive on the same backend:"
    );
    println!("{}", report::health_multiples(scenarios));
    let dpop = report::dpop_ratios(scenarios);
    if !dpop.is_empty() {
        println!(
            "\nDPoP: token issuance with a proof per request, as a share of plain token issuance:"
        );
        println!("{dpop}");
    }
    let bounds = report::driven_bounds(scenarios, crate::cores());
    if !bounds.is_empty() {
        println!(
            "\nDriven scenarios: CPU per journey of the server and of the load driver (this process), and the rate they bound:"
        );
        println!("{bounds}");
    }
    println!();
    for line in memory {
        println!("{line}");
    }
    println!(
        "server binary size: {} ({binary_size} bytes)",
        mib(binary_size)
    );
    println!("machine at the end: {}", load_average());
}

/// Says at once when a backend could not be measured (the summary repeats it).
fn report_failure<T>(name: &str, result: anyhow::Result<T>) -> anyhow::Result<T> {
    if let Err(e) = &result {
        eprintln!("{name}: NOT MEASURED: {e:#}");
    }
    result
}

/// The hello-world ceiling, measured with the same wrk settings as the scenarios.
async fn measure_ceiling(plan: &backend::Plan) -> anyhow::Result<Scenario> {
    let hello = ceiling::HelloWorld::start()?;
    let request = wrk::Request::Get { url: hello.url() };
    let target = backend::Target {
        backend: CEILING_BACKEND,
        pid: Some(std::process::id()),
        request: &request,
    };
    let result = plan
        .measure("hello world: GET / (axum, in-process)", &[target])
        .await;
    hello.stop()?;
    result?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("the ceiling was not measured"))
}

/// Starts the peer and prepares its requests.
async fn start_peer(args: &Args) -> anyhow::Result<(peer::Peer, backend::PeerSide)> {
    let http = backend::http_client()?;
    let peer = peer::Peer::start(&args.peer_dir, &args.peer_cache, &http)
        .await
        .context("the peer (pass --skip-peer to measure without it)")?;
    println!(
        "
peer: oidc-provider, pid {}, {}",
        peer.pid(),
        peer.base
    );
    let requests = peer.requests(&http).await?;
    let side = backend::PeerSide {
        pid: peer.pid(),
        requests,
    };
    Ok((peer, side))
}

/// The URL with any password replaced by `***`.
pub(crate) fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) => "(unparsable database URL)".to_owned(),
    }
}

/// `load average a b c`, from `/proc/loadavg`.
pub(crate) fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("load average {}", load.join(" "))
}

/// The cores this process may run on (shared with the server, wrk and the databases).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
}

/// Cores, kernel and load average, so a printed result says where it was taken.
fn machine() -> String {
    let cores = cores();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{cores} cores (shared by the server, wrk and PostgreSQL), Linux {}, {} at the start",
        kernel.trim(),
        load_average()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:pw@127.0.0.1:5432/bench"),
            "postgres://u:***@127.0.0.1:5432/bench"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/bench"),
            "postgres://postgres@127.0.0.1/bench"
        );
    }

    #[test]
    fn defaults_match_the_documented_command() {
        let args = Args::try_parse_from(["oxydra-bench"]).unwrap();
        assert_eq!(
            (args.connections, args.threads, args.duration, args.warmup),
            (32, 2, 10, 2)
        );
        assert_eq!(args.runs, 3);
        assert_eq!(
            args.postgres_url,
            "postgres://postgres@127.0.0.1:5432/bench"
        );
        assert!(!args.skip_postgres);
        assert_eq!(args.mysql_url, "mysql://root@127.0.0.1:3306/bench");
        assert!(!args.skip_mysql);
        assert_eq!(args.growth_rows, vec![1_000_000]);
        assert_eq!(args.flush_rows, 1_000_000);
    }

    #[test]
    fn growth_rows_take_a_list() {
        let args = Args::try_parse_from([
            "oxydra-bench",
            "--growth-rows",
            "1000000,10M",
            "--flush-rows",
            "500k",
            "--scenario",
            "token,growth,flush",
        ])
        .unwrap();
        assert_eq!(args.growth_rows, vec![1_000_000, 10_000_000]);
        assert_eq!(args.flush_rows, 500_000);
        assert_eq!(args.scenarios.len(), 3);
        assert!(Args::try_parse_from(["oxydra-bench", "--growth-rows", "0"]).is_err());
    }
}
