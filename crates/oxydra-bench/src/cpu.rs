//! A process's own CPU time (user + system, all threads) from `/proc/<pid>/stat`: sampled
//! before and after a wrk run, it gives the server's CPU per request, the figure that carries
//! across machines better than requests/s on a shared one.

use std::time::Duration;

use anyhow::{Context, anyhow};

/// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`; 100 on Linux).
fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|t| *t > 0)
        .unwrap_or(100)
}

/// The CPU time process `pid` has used so far.
pub fn used(pid: u32) -> anyhow::Result<Duration> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let ticks = parse_ticks(&stat).ok_or_else(|| anyhow!("cannot parse {path}: {stat}"))?;
    Ok(Duration::from_micros(
        ticks * 1_000_000 / ticks_per_second(),
    ))
}

/// `utime + stime` (fields 14 and 15) of a `stat` line. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted from the last `)`.
fn parse_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Microseconds of CPU per request: `spent / requests`, `None` without requests.
pub fn per_request_us(spent: Duration, requests: u64) -> Option<f64> {
    (requests > 0).then(|| spent.as_secs_f64() * 1e6 / requests as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_counted_after_the_command_name() {
        let stat = "4242 (node (peer) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 \
                    11 0 5000 1000000 2000 18446744073709551615";
        assert_eq!(parse_ticks(stat), Some(300));
        assert_eq!(parse_ticks("garbage"), None);
    }

    #[test]
    fn our_own_process_has_used_some_cpu() {
        let mut spin = 0u64;
        for i in 0..2_000_000u64 {
            spin = spin.wrapping_add(i * i);
        }
        assert!(spin > 0);
        assert!(used(std::process::id()).is_ok());
        assert_eq!(per_request_us(Duration::from_millis(2), 1000), Some(2.0));
        assert_eq!(per_request_us(Duration::from_millis(2), 0), None);
    }
}
