//! Results and their printed tables: every run, then the medians, each with its requests/s as a
//! ratio to the hello-world ceiling.

use crate::wrk::Measurement;

/// The backend label of the ceiling rows.
pub const CEILING_BACKEND: &str = "ceiling";

/// One scenario's measured runs (the warm-up run is not among them).
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `sqlite`, `postgres` or [`CEILING_BACKEND`].
    pub backend: String,
    /// What was requested, e.g. `token: POST /oauth2/token`.
    pub name: String,
    /// The measured runs, in order.
    pub runs: Vec<Measurement>,
    /// The peer's median for the same kind of request, measured alternating with these runs.
    pub versus: Option<Measurement>,
}

impl Scenario {
    /// The median of each figure over the runs (each figure on its own); errors are summed.
    pub fn median(&self) -> Measurement {
        let pick = |f: fn(&Measurement) -> f64| median(self.runs.iter().map(f).collect());
        Measurement {
            per_second: pick(|m| m.per_second),
            requests: self.runs.iter().map(|m| m.requests).sum(),
            p50_ms: pick(|m| m.p50_ms),
            p99_ms: pick(|m| m.p99_ms),
            bad_status: self.runs.iter().map(|m| m.bad_status).sum(),
            socket_errors: self.runs.iter().map(|m| m.socket_errors).sum(),
            cpu_us_per_request: self.median_of(|m| m.cpu_us_per_request),
            driver_cpu_us_per_request: self.median_of(|m| m.driver_cpu_us_per_request),
        }
    }

    /// The median of an optional figure, when every run has it.
    fn median_of(&self, figure: fn(&Measurement) -> Option<f64>) -> Option<f64> {
        self.runs
            .iter()
            .map(figure)
            .collect::<Option<Vec<f64>>>()
            .map(median)
    }

    /// Failed requests over all runs.
    pub fn errors(&self) -> u64 {
        self.runs.iter().map(Measurement::errors).sum()
    }
}

/// The median (the mean of the middle two for an even count); 0 when empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    let upper = values.get(n / 2).copied().unwrap_or(0.0);
    if n % 2 == 1 {
        upper
    } else {
        let lower = values.get(n / 2 - 1).copied().unwrap_or(0.0);
        (lower + upper) / 2.0
    }
}

/// `value / ceiling` with three decimals, or `-` without a ceiling.
fn ratio(value: f64, ceiling: Option<f64>) -> String {
    match ceiling {
        Some(c) if c > 0.0 => format!("{:.3}", value / c),
        _ => "-".to_owned(),
    }
}

fn header() -> String {
    format!(
        "{:<15} {:<50} {:>6} {:>10} {:>8} {:>8} {:>11} {:>9} {:>7} {:>9} {:>7}",
        "backend",
        "scenario",
        "run",
        "req/s",
        "p50 ms",
        "p99 ms",
        "µs CPU/req",
        "/ceiling",
        "/peer",
        "CPU/peer",
        "errors"
    )
}

fn row(scenario: &Scenario, run: &str, m: &Measurement, ceiling: Option<f64>) -> String {
    let peer = |f: fn(&Measurement) -> Option<f64>, ours: Option<f64>| match (
        ours,
        scenario.versus.as_ref().and_then(f),
    ) {
        (Some(ours), Some(theirs)) if theirs > 0.0 => format!("{:.2}", ours / theirs),
        _ => "-".to_owned(),
    };
    format!(
        "{:<15} {:<50} {:>6} {:>10.0} {:>8.2} {:>8.2} {:>11} {:>9} {:>7} {:>9} {:>7}",
        scenario.backend,
        scenario.name,
        run,
        m.per_second,
        m.p50_ms,
        m.p99_ms,
        m.cpu_us_per_request
            .map_or_else(|| "-".to_owned(), |us| format!("{us:.1}")),
        ratio(m.per_second, ceiling),
        peer(|v| Some(v.per_second), Some(m.per_second)),
        peer(|v| v.cpu_us_per_request, m.cpu_us_per_request),
        m.errors()
    )
}

/// Every run of every scenario, then its median.
pub fn runs_table(scenarios: &[Scenario], ceiling: Option<f64>) -> String {
    let mut out = header();
    for scenario in scenarios {
        for (i, m) in scenario.runs.iter().enumerate() {
            out.push('\n');
            out.push_str(&row(scenario, &(i + 1).to_string(), m, ceiling));
        }
        out.push('\n');
        out.push_str(&row(scenario, "median", &scenario.median(), ceiling));
    }
    out
}

/// Only the medians, one line per scenario.
pub fn summary_table(scenarios: &[Scenario], ceiling: Option<f64>) -> String {
    let mut out = header();
    for scenario in scenarios {
        out.push('\n');
        out.push_str(&row(scenario, "median", &scenario.median(), ceiling));
    }
    out
}

/// Each scenario's median CPU per request divided by that of `GET /health/alive` measured on
/// the same backend in the same run: the figure that carries across machines.
pub fn health_multiples(scenarios: &[Scenario]) -> String {
    let health = |backend: &str| {
        scenarios
            .iter()
            .find(|s| s.backend == backend && s.name.starts_with("health:"))
            .and_then(|s| s.median().cpu_us_per_request)
    };
    let mut lines = Vec::new();
    for scenario in scenarios {
        let ours = scenario.median().cpu_us_per_request;
        let line = match (ours, health(&scenario.backend)) {
            (Some(ours), Some(yardstick)) if yardstick > 0.0 => format!(
                "{:<15} {:<50} {:>8.1}x health ({ours:.1} µs / {yardstick:.1} µs)",
                scenario.backend,
                scenario.name,
                ours / yardstick
            ),
            _ => continue,
        };
        lines.push(line);
    }
    if lines.is_empty() {
        "(health not measured: select --scenario health)".to_owned()
    } else {
        lines.join("\n")
    }
}

/// The DPoP target: token issuance with a proof in every request keeps at least this share of
/// the plain `token` scenario's requests/s.
pub const DPOP_TARGET: f64 = 0.5;

/// For each backend (and the peer beside it) that measured both, the `token-dpop` median requests/s beside the
/// plain `token` one and their ratio, against [`DPOP_TARGET`].
pub fn dpop_ratios(scenarios: &[Scenario]) -> String {
    let mut lines = Vec::new();
    // The peer's runs are scenarios of their own (`peer@<backend>`), paired the same way.
    let pairs = scenarios
        .iter()
        .filter(|s| s.name.starts_with("token-dpop:"))
        .map(|dpop| {
            let plain = scenarios
                .iter()
                .find(|s| s.backend == dpop.backend && s.name.starts_with("token:"));
            (&dpop.backend, plain.map(Scenario::median), dpop.median())
        });
    for (backend, plain, dpop) in pairs {
        let Some(plain) = plain.filter(|p| p.per_second > 0.0) else {
            lines.push(format!(
                "{backend:<15} token-dpop {:>8.0} req/s (no plain token run: select --scenario token,token-dpop)",
                dpop.per_second
            ));
            continue;
        };
        let share = dpop.per_second / plain.per_second;
        let cpu = match (dpop.cpu_us_per_request, plain.cpu_us_per_request) {
            (Some(d), Some(p)) if p > 0.0 => {
                format!(", CPU/req {d:.1} / {p:.1} µs = {:.2}x", d / p)
            }
            _ => String::new(),
        };
        lines.push(format!(
            "{backend:<15} token-dpop {:>8.0} / token {:>8.0} req/s = {share:.2} (target ≥ {DPOP_TARGET:.2}: {}){cpu}",
            dpop.per_second,
            plain.per_second,
            if share >= DPOP_TARGET { "met" } else { "MISSED" },
        ));
    }
    lines.join("\n")
}

/// For each driven scenario, the server's and the driver's CPU per journey and what they bound
/// on `cores` cores: the load driver runs in the benchmark process on the server's cores, so
/// journeys/s cannot exceed `cores / (server + driver)`, and a server with the cores to itself
/// could do `cores / server`.
pub fn driven_bounds(scenarios: &[Scenario], cores: usize) -> String {
    let cores = cores as f64;
    let mut lines = Vec::new();
    for scenario in scenarios {
        let m = scenario.median();
        let (Some(server), Some(driver)) = (m.cpu_us_per_request, m.driver_cpu_us_per_request)
        else {
            continue;
        };
        if server <= 0.0 {
            continue;
        }
        lines.push(format!(
            "{:<15} {:<50} server {server:.0} µs + driver {driver:.0} µs per journey: \
             {:.0}/s when they share {cores} cores (measured {:.0}/s), {:.0}/s for the server \
             alone on {cores} cores",
            scenario.backend,
            scenario.name,
            cores * 1e6 / (server + driver),
            m.per_second,
            cores * 1e6 / server,
        ));
    }
    lines.join("\n")
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(per_second: f64, p99_ms: f64, bad_status: u64) -> Measurement {
        Measurement {
            per_second,
            requests: 10,
            p50_ms: 1.0,
            p99_ms,
            bad_status,
            socket_errors: 0,
            cpu_us_per_request: Some(per_second / 100.0),
            driver_cpu_us_per_request: None,
        }
    }

    #[test]
    fn medians_and_error_sums() {
        assert_eq!(median(vec![]), 0.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        let s = Scenario {
            backend: "sqlite".to_owned(),
            name: "x".to_owned(),
            runs: vec![m(300.0, 9.0, 0), m(100.0, 3.0, 2), m(200.0, 5.0, 1)],
            versus: None,
        };
        let med = s.median();
        assert_eq!(med.per_second, 200.0);
        assert_eq!(med.p99_ms, 5.0);
        assert_eq!(med.requests, 30);
        assert_eq!(s.errors(), 3);
        assert_eq!(med.errors(), 3);
    }

    #[test]
    fn tables_show_ratios_to_the_ceiling() {
        let s = Scenario {
            backend: "postgres".to_owned(),
            name: "token".to_owned(),
            runs: vec![m(25_000.0, 4.0, 0)],
            versus: Some(m(5_000.0, 9.0, 0)),
        };
        let table = runs_table(std::slice::from_ref(&s), Some(100_000.0));
        assert_eq!(table.lines().count(), 3);
        assert!(table.contains("0.250"));
        // 25k/s against the peer's 5k/s; 250 µs against 50 µs of CPU per request.
        assert!(table.contains(" 5.00 "), "{table}");
        assert!(table.contains(" 250.0 "), "{table}");
        assert!(
            summary_table(&[s], None)
                .lines()
                .all(|l| !l.contains("0.250"))
        );
        assert_eq!(mib(3 * 1024 * 1024 / 2), "1.5 MiB");
    }

    #[test]
    fn dpop_throughput_is_shown_as_a_share_of_plain_tokens() {
        let scenario = |backend: &str, name: &str, rate: f64| Scenario {
            backend: backend.into(),
            name: name.into(),
            runs: vec![m(rate, 1.0, 0)],
            versus: None,
        };
        let (plain, dpop) = ("token: POST /oauth2/token", "token-dpop: POST + DPoP");
        let text = dpop_ratios(&[
            scenario("sqlite", plain, 30_000.0),
            scenario("peer@sqlite", plain, 4_000.0),
            scenario("sqlite", dpop, 12_000.0),
            scenario("peer@sqlite", dpop, 3_000.0),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("sqlite "), "{text}");
        assert!(
            lines[0].contains("12000 / token    30000 req/s = 0.40"),
            "{text}"
        );
        assert!(lines[0].contains("MISSED"), "{text}");
        assert!(
            lines[0].contains("CPU/req 120.0 / 300.0 µs = 0.40x"),
            "{text}"
        );
        assert!(lines[1].starts_with("peer@sqlite "), "{text}");
        assert!(lines[1].contains("= 0.75 (target ≥ 0.50: met)"), "{text}");
        let alone = dpop_ratios(&[scenario("sqlite", dpop, 1.0)]);
        assert!(alone.contains("no plain token run"), "{alone}");
        assert_eq!(dpop_ratios(&[]), "");
    }

    #[test]
    fn driven_bounds_split_the_cores_between_server_and_driver() {
        let mut run = m(900.0, 50.0, 0);
        run.cpu_us_per_request = Some(1000.0);
        run.driver_cpu_us_per_request = Some(1000.0);
        let flow = Scenario {
            backend: "sqlite".into(),
            name: "flow".into(),
            runs: vec![run],
            versus: None,
        };
        let wrk_only = Scenario {
            name: "token".into(),
            runs: vec![m(1.0, 1.0, 0)],
            ..flow.clone()
        };
        let text = driven_bounds(&[flow, wrk_only], 2);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.contains("1000/s when they share 2 cores (measured 900/s)"),
            "{text}"
        );
        assert!(text.contains("2000/s for the server alone"), "{text}");
    }
}
