//! The scenarios at volume (issue 12 item 4): `growth` measures token issuance and
//! introspection with millions of rows already in the token table, as a ratio to the same
//! backend's empty-table figures of the run; `flush` seeds expired tokens and times
//! `POST /oauth2/flush` on the admin port while wrk keeps issuing tokens. Rows are seeded
//! straight into the live database ([`crate::seed`]), after the empty-table scenarios.

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

use crate::backend::{Plan, Target};
use crate::report::Scenario;
use crate::seed::{Db, Lifetime, now_us};
use crate::selection::ScenarioName;
use crate::wrk::{Measurement, Request};

/// How long `POST /oauth2/flush` may take before the scenario fails.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(600);
/// How long the token traffic runs before the flush is sent.
const FLUSH_DELAY: Duration = Duration::from_secs(1);
/// Growth target: figures at volume at least this share of the empty table's.
const GROWTH_TARGET: f64 = 0.80;
/// Flush target: the flush itself.
const FLUSH_TARGET: Duration = Duration::from_secs(30);
/// Flush target: p99 of the concurrent token traffic, in milliseconds.
const FLUSH_P99_TARGET_MS: f64 = 50.0;

/// How many rows the two scenarios seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volumes {
    /// Token-table sizes `growth` measures at, in increasing order (rows are added up to each).
    pub growth_rows: Vec<u64>,
    /// Expired tokens `flush` seeds and flushes.
    pub flush_rows: u64,
}

/// What the scenarios need from the backend's setup.
#[derive(Debug, Clone, Copy)]
pub struct Setup<'a> {
    /// The row label, `sqlite` or `postgres`.
    pub backend: &'a str,
    /// The server's `DATABASE_URL`, which is seeded directly.
    pub database_url: &'a str,
    /// The server's process id.
    pub pid: u32,
    /// The admin port's base URL.
    pub admin: &'a str,
    /// The benchmark client, owner of the seeded rows.
    pub client_id: &'a str,
    /// The token request of the `token` scenario.
    pub token: &'a Request,
    /// The introspection request of the `introspect` scenario.
    pub introspect: &'a Request,
}

/// Runs `growth` and `flush` when selected; returns their scenarios and the summary lines
/// (ratios and targets). `empty` holds the scenarios measured before, on the empty table.
pub async fn scenarios(
    plan: &Plan,
    setup: Setup<'_>,
    http: &reqwest::Client,
    selected: &[ScenarioName],
    empty: &[Scenario],
) -> anyhow::Result<(Vec<Scenario>, Vec<String>)> {
    let mut scenarios = Vec::new();
    let mut notes = Vec::new();
    if selected.contains(&ScenarioName::Growth) {
        let mut sizes = plan.volumes.growth_rows.clone();
        sizes.sort_unstable();
        sizes.dedup();
        for rows in sizes {
            let (measured, lines) = growth(plan, setup, rows, empty).await?;
            scenarios.extend(measured);
            notes.extend(lines);
        }
    }
    if selected.contains(&ScenarioName::Flush) {
        let (measured, line) = flush(plan, setup, http).await?;
        scenarios.push(measured);
        notes.push(line);
    }
    Ok((scenarios, notes))
}

/// Fills the token table up to `rows` rows, then measures token issuance and introspection.
async fn growth(
    plan: &Plan,
    setup: Setup<'_>,
    rows: u64,
    empty: &[Scenario],
) -> anyhow::Result<(Vec<Scenario>, Vec<String>)> {
    let label = format!("{}: growth to {rows} rows", setup.backend);
    let mut db = Db::connect(setup.database_url).await?;
    let before = db.count().await?;
    let missing = rows.saturating_sub(before);
    eprintln!("{label}: {before} rows in the token table, seeding {missing}");
    let took = db
        .seed(&label, setup.client_id, missing, Lifetime::Live)
        .await?;
    let now = db.count().await?;
    db.close().await;
    let mut notes = vec![format!(
        "{:<9} growth: seeded {missing} rows in {:.1} s; {now} rows in the token table",
        setup.backend,
        took.as_secs_f64()
    )];
    let mut scenarios = Vec::new();
    for (kind, request) in [("token", setup.token), ("introspect", setup.introspect)] {
        let name = format!("{kind} @ {rows} rows (growth)");
        let target = Target {
            backend: setup.backend,
            pid: Some(setup.pid),
            request,
        };
        let measured = plan.measure(&name, &[target]).await?;
        for scenario in measured {
            let base = empty_figure(empty, setup.backend, kind);
            notes.push(growth_note(
                setup.backend,
                kind,
                now,
                &scenario.median(),
                base.as_ref(),
            ));
            scenarios.push(scenario);
        }
    }
    Ok((scenarios, notes))
}

/// The median of the same backend's empty-table scenario `kind` (`token` or `introspect`),
/// when it was measured in this run.
pub fn empty_figure(empty: &[Scenario], backend: &str, kind: &str) -> Option<Measurement> {
    let prefix = format!("{kind}: ");
    empty
        .iter()
        .find(|s| s.backend == backend && s.name.starts_with(&prefix))
        .map(Scenario::median)
}

/// `grown / empty` requests/s, when there is an empty figure to divide by.
pub fn ratio(grown: &Measurement, empty: Option<&Measurement>) -> Option<f64> {
    empty
        .filter(|e| e.per_second > 0.0)
        .map(|e| grown.per_second / e.per_second)
}

/// `met` or `MISSED`.
fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// One summary line of a growth measurement.
pub fn growth_note(
    backend: &str,
    kind: &str,
    rows: u64,
    grown: &Measurement,
    empty: Option<&Measurement>,
) -> String {
    let head = format!(
        "{backend:<9} growth: {kind} with {rows} rows: {:.0} req/s, p99 {:.2} ms",
        grown.per_second, grown.p99_ms
    );
    match (ratio(grown, empty), empty) {
        (Some(r), Some(e)) => format!(
            "{head}; empty table {:.0} req/s: {:.1} % (target ≥ {:.0} %: {})",
            e.per_second,
            r * 100.0,
            GROWTH_TARGET * 100.0,
            verdict(r >= GROWTH_TARGET)
        ),
        _ => format!("{head}; no empty-table figure in this run (select --scenario {kind})"),
    }
}

/// Seeds `flush_rows` expired tokens, then sends the flush while wrk issues tokens, in
/// consecutive runs of `--duration` until the flush answers.
async fn flush(
    plan: &Plan,
    setup: Setup<'_>,
    http: &reqwest::Client,
) -> anyhow::Result<(Scenario, String)> {
    let rows = plan.volumes.flush_rows;
    let label = format!("{}: flush of {rows} rows", setup.backend);
    let mut db = Db::connect(setup.database_url).await?;
    let took = db
        .seed(&label, setup.client_id, rows, Lifetime::Expired)
        .await?;
    let cutoff = now_us();
    let expired = db.count_expired(cutoff).await?;
    db.close().await;
    eprintln!("{label}: {expired} expired access tokens before the flush");

    let target = Target {
        backend: setup.backend,
        pid: Some(setup.pid),
        request: setup.token,
    };
    let name = format!("token during flush of {rows} rows");
    eprintln!("{label}: warm-up {:?}", plan.warmup);
    crate::wrk::run(&plan.settings, setup.token, plan.warmup, &plan.work_dir).await?;
    let flushing = tokio::spawn(post_flush(http.clone(), setup.admin.to_owned()));
    let mut scenario = Scenario {
        backend: setup.backend.to_owned(),
        name,
        runs: Vec::new(),
        versus: None,
    };
    let max_slices = FLUSH_TIMEOUT.as_secs() / plan.duration.as_secs().max(1) + 1;
    while scenario.runs.is_empty() || !flushing.is_finished() {
        if scenario.runs.len() as u64 >= max_slices {
            flushing.abort();
            return Err(anyhow!(
                "{label}: the flush did not answer in {FLUSH_TIMEOUT:?}"
            ));
        }
        eprintln!(
            "{label}: token run {} ({})",
            scenario.runs.len() + 1,
            crate::load_average()
        );
        scenario.runs.push(plan.run_once(&target).await?);
    }
    let flush_took = flushing
        .await
        .map_err(|e| anyhow!("the flush task failed: {e}"))??;
    let mut db = Db::connect(setup.database_url).await?;
    let left = db.count_expired(cutoff).await?;
    db.close().await;
    let note = flush_note(setup.backend, rows, took, flush_took, &scenario.runs, left);
    Ok((scenario, note))
}

/// `POST {admin}/oauth2/flush` with `notAfter` = now, after [`FLUSH_DELAY`]; how long it took.
async fn post_flush(http: reqwest::Client, admin: String) -> anyhow::Result<Duration> {
    tokio::time::sleep(FLUSH_DELAY).await;
    let not_after = rfc3339(now_us())?;
    let url = format!("{admin}/oauth2/flush");
    let started = Instant::now();
    let response = http
        .post(&url)
        .json(&serde_json::json!({ "notAfter": not_after }))
        .timeout(FLUSH_TIMEOUT)
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let took = started.elapsed();
    let status = response.status();
    if status != reqwest::StatusCode::NO_CONTENT {
        let text = response.text().await.unwrap_or_default();
        return Err(anyhow!("POST {url} answered {status}: {text}"));
    }
    Ok(took)
}

/// Unix microseconds as an RFC 3339 date-time (UTC), as `notAfter` takes it.
pub fn rfc3339(unix_us: i64) -> anyhow::Result<String> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_us) * 1_000)
        .context("notAfter out of range")?
        .format(&time::format_description::well_known::Rfc3339)
        .context("formatting notAfter")
}

/// The worst p99 over the runs (a run's p99 is wrk's, over that run's requests).
pub fn worst_p99(runs: &[Measurement]) -> f64 {
    runs.iter().map(|m| m.p99_ms).fold(0.0, f64::max)
}

/// The summary line of the flush scenario.
pub fn flush_note(
    backend: &str,
    rows: u64,
    seeded_in: Duration,
    flush_took: Duration,
    runs: &[Measurement],
    left: u64,
) -> String {
    let p99 = worst_p99(runs);
    let rate = crate::report::median(runs.iter().map(|m| m.per_second).collect());
    format!(
        "{backend:<9} flush: {rows} expired rows seeded in {:.1} s; POST /oauth2/flush took {:.2} s \
         (target < {} s: {}); tokens meanwhile: {} run(s), {rate:.0} req/s, worst p99 {p99:.2} ms \
         (target < {FLUSH_P99_TARGET_MS:.0} ms: {}); expired rows left: {left}",
        seeded_in.as_secs_f64(),
        flush_took.as_secs_f64(),
        FLUSH_TARGET.as_secs(),
        verdict(flush_took < FLUSH_TARGET),
        runs.len(),
        verdict(p99 < FLUSH_P99_TARGET_MS),
    )
}

/// Parses `--growth-rows`/`--flush-rows` values: a count with optional `_` separators or a
/// `k`/`M` suffix (`1M`, `10_000_000`, `500k`).
pub fn parse_rows(raw: &str) -> Result<u64, String> {
    let text = raw.trim().replace('_', "");
    let (digits, scale) = match text.strip_suffix(['M', 'm']) {
        Some(d) => (d, 1_000_000),
        None => match text.strip_suffix(['k', 'K']) {
            Some(d) => (d, 1_000),
            None => (text.as_str(), 1),
        },
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{raw:?} is not a row count (e.g. 1000000, 1M, 500k)"))?;
    match n.checked_mul(scale) {
        Some(0) => Err("the row count must be at least 1".to_owned()),
        Some(rows) if rows <= 1_000_000_000 => Ok(rows),
        _ => Err(format!("{raw:?} is more than 1,000,000,000 rows")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(per_second: f64, p99_ms: f64) -> Measurement {
        Measurement {
            per_second,
            p99_ms,
            ..Measurement::default()
        }
    }

    fn scenario(backend: &str, name: &str, per_second: f64) -> Scenario {
        Scenario {
            backend: backend.to_owned(),
            name: name.to_owned(),
            runs: vec![m(per_second, 1.0)],
            versus: None,
        }
    }

    #[test]
    fn ratios_use_the_same_backends_empty_figure() {
        let empty = [
            scenario("sqlite", "token: POST /oauth2/token", 5_000.0),
            scenario("postgres", "token: POST /oauth2/token", 4_000.0),
            scenario("postgres", "token @ 1000000 rows (growth)", 1.0),
        ];
        let base = empty_figure(&empty, "postgres", "token").unwrap();
        assert_eq!(base.per_second, 4_000.0);
        assert!(empty_figure(&empty, "postgres", "introspect").is_none());
        let grown = m(3_000.0, 4.0);
        assert_eq!(ratio(&grown, Some(&base)), Some(0.75));
        assert_eq!(ratio(&grown, None), None);
        assert_eq!(ratio(&grown, Some(&m(0.0, 1.0))), None);
        let note = growth_note("postgres", "token", 1_000_000, &grown, Some(&base));
        assert!(note.contains("75.0 % (target ≥ 80 %: MISSED)"), "{note}");
        let note = growth_note(
            "sqlite",
            "token",
            10,
            &m(4_500.0, 2.0),
            Some(&m(5_000.0, 1.0)),
        );
        assert!(note.contains("90.0 % (target ≥ 80 %: met)"), "{note}");
        let note = growth_note("sqlite", "introspect", 10, &grown, None);
        assert!(note.contains("--scenario introspect"), "{note}");
    }

    #[test]
    fn flush_note_reports_the_worst_p99() {
        let runs = [m(1_000.0, 12.0), m(3_000.0, 60.0), m(2_000.0, 8.0)];
        assert_eq!(worst_p99(&runs), 60.0);
        assert_eq!(worst_p99(&[]), 0.0);
        let note = flush_note(
            "sqlite",
            1_000_000,
            Duration::from_secs(9),
            Duration::from_millis(12_500),
            &runs,
            0,
        );
        assert!(note.contains("took 12.50 s (target < 30 s: met)"), "{note}");
        assert!(
            note.contains("3 run(s), 2000 req/s, worst p99 60.00 ms"),
            "{note}"
        );
        assert!(note.contains("(target < 50 ms: MISSED)"), "{note}");
        assert!(note.ends_with("expired rows left: 0"), "{note}");
    }

    #[test]
    fn formats_not_after() {
        assert_eq!(rfc3339(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(1_796_601_600_250_000).unwrap(),
            "2026-12-07T00:00:00.25Z"
        );
    }

    #[test]
    fn parses_row_counts() {
        assert_eq!(parse_rows("1000000"), Ok(1_000_000));
        assert_eq!(parse_rows("10_000_000"), Ok(10_000_000));
        assert_eq!(parse_rows("1M"), Ok(1_000_000));
        assert_eq!(parse_rows("500k"), Ok(500_000));
        assert!(parse_rows("0").is_err());
        assert!(parse_rows("-1").is_err());
        assert!(parse_rows("lots").is_err());
        assert!(parse_rows("2000M").is_err());
    }
}
