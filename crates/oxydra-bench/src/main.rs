//! `oxydra-bench`: a reproducible load benchmark of a release `oxydra` binary.
//!
//! It migrates a database (a fresh SQLite file in a temporary directory by default, or the
//! PostgreSQL database given with `--database-url`), starts `oxydra serve all --dev` on
//! `127.0.0.1` with OS-chosen ports, creates a `client_credentials` client through the admin API,
//! and runs three bounded scenarios over HTTP/1.1 keep-alive connections:
//!
//! 1. `client_credentials` token issuance at `--concurrency` (`POST /oauth2/token`);
//! 2. introspection of one access token at `--concurrency` (`POST /oauth2/introspect`);
//! 3. sequential token issuance over a single connection (latency without queueing).
//!
//! Each scenario stops after `--requests` (or `--sequential-requests`) requests or
//! `--max-seconds`, whichever comes first. Afterwards it prints the server's peak RSS and the
//! binary's size, then kills the server. `scripts/bench.sh` builds both binaries and runs this.
//! Results are recorded in `docs/benchmarks.md`. This is not a test: nothing runs it in
//! `cargo test`.

mod load;
mod server;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use base64::Engine as _;
use clap::Parser;
use reqwest::header::HeaderValue;

use crate::load::{Bounds, Outcome, Probe};
use crate::server::{Server, ServerOptions};

/// How long one request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The scope the benchmark client is registered for and requests.
const SCOPE: &str = "bench";

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "oxydra-bench",
    args_override_self = true,
    about = "Load benchmark of a release oxydra binary over loopback (token issuance, introspection, sequential latency)"
)]
struct Args {
    /// The `oxydra` binary to benchmark (build it with `cargo build --release -p oxydra`).
    #[arg(long, default_value = "target/release/oxydra")]
    server_bin: PathBuf,
    /// Database for the server; default: a fresh SQLite file in a temporary directory.
    /// A PostgreSQL URL (e.g. `postgres://postgres@127.0.0.1:5432/bench`) is migrated first.
    #[arg(long)]
    database_url: Option<String>,
    /// Requests in flight at once in the concurrent scenarios.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=4096))]
    concurrency: u32,
    /// Requests per concurrent scenario.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Requests in the sequential single-connection scenario.
    #[arg(long, default_value_t = 2_000)]
    sequential_requests: usize,
    /// Upper bound on each scenario's duration, in seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    max_seconds: u64,
    /// Uncounted requests before each scenario (warms connections and the secret cache).
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// `BCRYPT_COST` of the server (Hydra's and oxydra's default is 10).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(4..=31))]
    bcrypt_cost: u32,
}

/// One printed row.
struct Row {
    name: &'static str,
    outcome: Outcome,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("oxydra-bench: some requests failed (see the errors column)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("oxydra-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the whole benchmark; `Ok(false)` when every scenario ran but some requests failed.
async fn run(args: Args) -> anyhow::Result<bool> {
    let temp = tempfile::Builder::new()
        .prefix("oxydra-bench-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let (database_url, database_shown) = match &args.database_url {
        Some(url) => (url.clone(), redact(url)),
        None => {
            let path = temp.path().join("bench.db");
            (
                format!("sqlite://{}", path.display()),
                format!("sqlite, fresh file {}", path.display()),
            )
        }
    };
    let options = ServerOptions {
        bin: args.server_bin.clone(),
        database_url,
        bcrypt_cost: args.bcrypt_cost,
        log_path: temp.path().join("server.log"),
    };
    let binary_size = std::fs::metadata(&args.server_bin)
        .map(|m| m.len())
        .with_context(|| {
            format!(
                "no server binary at {} (build it with `cargo build --release -p oxydra`, or pass --server-bin)",
                args.server_bin.display()
            )
        })?;
    let concurrency = usize::try_from(args.concurrency)?;
    let pooled = http_client(concurrency)?;
    let single = http_client(1)?;

    let server = Server::start(&options, &pooled).await?;
    println!("oxydra-bench");
    println!(
        "  server      {} ({}), pid {}",
        args.server_bin.display(),
        mib(binary_size),
        server.pid()
    );
    println!("  database    {database_shown}");
    println!("  machine     {}", machine());
    println!(
        "  settings    BCRYPT_COST={}, HTTP/1.1 keep-alive, {} uncounted warm-up requests per scenario, at most {} s per scenario",
        args.bcrypt_cost, args.warmup, args.max_seconds
    );
    let result = scenarios(&server, &args, &pooled, &single).await;
    let peak = server.peak_rss_kib();
    server.stop().await?;
    let rows = result?;

    println!();
    println!(
        "{:<34} {:>5} {:>9} {:>7} {:>8} {:>9} {:>7} {:>7} {:>7} {:>7}",
        "scenario",
        "conc",
        "requests",
        "errors",
        "wall s",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms"
    );
    for row in &rows {
        let o = &row.outcome;
        println!(
            "{:<34} {:>5} {:>9} {:>7} {:>8.2} {:>9.1} {:>7.2} {:>7.2} {:>7.2} {:>7.2}{}",
            row.name,
            o.concurrency,
            o.requests,
            o.errors,
            o.wall.as_secs_f64(),
            o.per_second(),
            o.percentile_ms(50.0),
            o.percentile_ms(90.0),
            o.percentile_ms(99.0),
            o.percentile_ms(100.0),
            if o.hit_time_limit {
                "  (stopped by --max-seconds)"
            } else {
                ""
            }
        );
    }
    println!();
    match peak {
        Ok(kib) => println!("server peak RSS (VmHWM): {}", mib(kib * 1024)),
        Err(e) => println!("server peak RSS: unavailable ({e:#})"),
    }
    println!(
        "server binary size: {} ({binary_size} bytes)",
        mib(binary_size)
    );
    Ok(rows.iter().all(|row| row.outcome.errors == 0))
}

/// Creates the client, then runs the three scenarios.
async fn scenarios(
    server: &Server,
    args: &Args,
    pooled: &reqwest::Client,
    single: &reqwest::Client,
) -> anyhow::Result<Vec<Row>> {
    let client_id = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let client_secret = uuid::Uuid::new_v4().simple().to_string();
    create_client(pooled, &server.admin, &client_id, &client_secret).await?;
    let token_url = format!("{}/oauth2/token", server.public);
    let token_body = format!("grant_type=client_credentials&scope={SCOPE}");
    let authorization = basic_auth(&client_id, &client_secret)?;
    let access_token = issue_token(pooled, &token_url, &authorization, &token_body).await?;
    let introspect_body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", &access_token)
        .finish();

    let concurrency = usize::try_from(args.concurrency)?;
    let max_duration = Duration::from_secs(args.max_seconds);
    let concurrent = Bounds {
        concurrency,
        requests: args.requests,
        max_duration,
    };
    let sequential = Bounds {
        concurrency: 1,
        requests: args.sequential_requests,
        max_duration,
    };
    let plan = [
        (
            "client_credentials token",
            Probe::form_post(
                pooled.clone(),
                token_url.clone(),
                Some(authorization.clone()),
                token_body.clone(),
                None,
            ),
            concurrent,
        ),
        (
            "introspect access token",
            Probe::form_post(
                pooled.clone(),
                format!("{}/oauth2/introspect", server.admin),
                None,
                introspect_body,
                Some(br#""active":true"#),
            ),
            concurrent,
        ),
        (
            "client_credentials, 1 connection",
            Probe::form_post(
                single.clone(),
                token_url,
                Some(authorization),
                token_body,
                None,
            ),
            sequential,
        ),
    ];
    let mut rows = Vec::new();
    for (name, probe, bounds) in plan {
        let warmup = Bounds {
            requests: args.warmup,
            ..bounds
        };
        load::run(&probe, warmup).await?;
        eprintln!(
            "running: {name} ({} requests, concurrency {})",
            bounds.requests, bounds.concurrency
        );
        let outcome = load::run(&probe, bounds).await?;
        rows.push(Row { name, outcome });
    }
    Ok(rows)
}

/// A client for loopback load: HTTP/1.1 only, no proxy, keep-alive pool.
fn http_client(max_idle: usize) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .http1_only()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(max_idle)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("cannot build the HTTP client")
}

/// `Authorization: Basic` with the form-url-encoded id and secret (RFC 6749 §2.3.1).
fn basic_auth(client_id: &str, client_secret: &str) -> anyhow::Result<HeaderValue> {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let credentials = format!("{}:{}", encode(client_id), encode(client_secret));
    let value = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    );
    HeaderValue::from_str(&value).context("invalid Authorization header")
}

/// `POST /clients` on the admin port: a confidential `client_credentials` client.
async fn create_client(
    http: &reqwest::Client,
    admin: &str,
    client_id: &str,
    client_secret: &str,
) -> anyhow::Result<()> {
    let body = serde_json::json!({
        "client_id": client_id,
        "client_name": "oxydra-bench",
        "client_secret": client_secret,
        "grant_types": ["client_credentials"],
        "response_types": ["token"],
        "scope": SCOPE,
        "token_endpoint_auth_method": "client_secret_basic",
    });
    let response = http
        .post(format!("{admin}/clients"))
        .json(&body)
        .send()
        .await
        .context("POST /clients")?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        bail!("POST /clients answered {status}: {text}");
    }
    Ok(())
}

/// One token request outside the measurement, whose access token the introspection uses.
async fn issue_token(
    http: &reqwest::Client,
    url: &str,
    authorization: &HeaderValue,
    body: &str,
) -> anyhow::Result<String> {
    let response = http
        .post(url)
        .header(reqwest::header::AUTHORIZATION, authorization.clone())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body.to_owned())
        .send()
        .await
        .context("POST /oauth2/token")?;
    let status = response.status();
    let json: serde_json::Value = response.json().await.context("token response body")?;
    if !status.is_success() {
        bail!("POST /oauth2/token answered {status}: {json}");
    }
    json.get("access_token")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("the token response has no access_token: {json}"))
}

/// The URL with any password replaced by `***`.
fn redact(raw: &str) -> String {
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

/// Cores, kernel and load average, so a printed result says where it was taken.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{cores} cores (shared by server and load generator), Linux {}, load average {}",
        kernel.trim(),
        load.join(" ")
    )
}

/// Bytes as MiB with one decimal.
fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_form_encodes_both_parts() {
        let value = basic_auth("my client", "s:e/c").unwrap();
        let encoded = value.to_str().unwrap().strip_prefix("Basic ").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert_eq!(decoded, b"my+client:s%3Ae%2Fc");
    }

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
}
