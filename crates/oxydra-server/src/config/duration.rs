//! Go-style durations (`300ms`, `1h30m`, `1.5h`) and byte sizes (`1048576`, `1MiB`).

use std::time::Duration;

/// Nanoseconds per unit, longest suffixes first so `ms` is not read as `m` + `s`.
const UNITS: &[(&str, u128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Writes a duration the way Go's `time.Duration.String()` does (`1h0m0s`, `1m30.5s`, `1.5ms`,
/// `0s`), as Hydra 2.x writes client lifespans, so [`parse_duration`] reads it back.
pub fn format_go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    if nanos < 1_000_000_000 {
        let (unit, per) = match nanos {
            n if n < 1_000 => ("ns", 1),
            n if n < 1_000_000 => ("\u{b5}s", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{}{unit}", fraction(nanos / per, nanos % per, per));
    }
    let secs = nanos / 1_000_000_000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let s = fraction(s, nanos % 1_000_000_000, 1_000_000_000);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

/// `whole` plus `part / per` as a decimal without trailing zeros (`1`, `1.5`).
fn fraction(whole: u128, part: u128, per: u128) -> String {
    if part == 0 {
        return whole.to_string();
    }
    let digits = per.ilog10() as usize;
    let frac = format!("{part:0digits$}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Parses a duration the way Go's `time.ParseDuration` does: a sequence of decimal numbers,
/// each with an optional fraction and a mandatory unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`).
/// A lone `0` is accepted; other unit-less numbers and negative durations are not.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let s = input.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.starts_with('-') {
        return Err(format!(
            "{input:?} is negative; a duration must be zero or positive"
        ));
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err("empty duration".to_owned());
    }
    let mut rest = s;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (int_part, after_int) = rest.split_at(int_len);
        let (frac_part, after_num) = match after_int.strip_prefix('.') {
            Some(after_dot) => {
                let len = after_dot
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(after_dot.len());
                after_dot.split_at(len)
            }
            None => ("", after_int),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(format!(
                "{input:?} is not a duration (expected e.g. 300ms, 1h30m, 1.5h)"
            ));
        }
        let Some(&(unit, nanos)) = UNITS.iter().find(|(unit, _)| {
            after_num.starts_with(unit)
                && !after_num[unit.len()..].starts_with(|c: char| c.is_alphabetic())
        }) else {
            return Err(format!(
                "{input:?} is not a duration: each number needs a unit (ns, us, ms, s, m, h), e.g. 300ms, 1h30m"
            ));
        };
        total = total
            .checked_add(
                component_nanos(int_part, frac_part, nanos).ok_or_else(|| too_long(input))?,
            )
            .ok_or_else(|| too_long(input))?;
        rest = &after_num[unit.len()..];
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| too_long(input))?;
    // The remainder of a division by 10^9 always fits.
    let sub = u32::try_from(total % 1_000_000_000).unwrap_or(0);
    Ok(Duration::new(secs, sub))
}

/// `int.frac` units in nanoseconds, truncated; `None` on overflow.
fn component_nanos(int_part: &str, frac_part: &str, unit: u128) -> Option<u128> {
    let int: u128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut value = int.checked_mul(unit)?;
    // Digits beyond 18 cannot change a nanosecond count of any unit up to an hour.
    let frac = &frac_part[..frac_part.len().min(18)];
    if !frac.is_empty() {
        let numerator: u128 = frac.parse().ok()?;
        let scale = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        value = value.checked_add(numerator.checked_mul(unit)? / scale)?;
    }
    Some(value)
}

fn too_long(input: &str) -> String {
    format!("{input:?} is too long a duration")
}

/// Parses a byte count: a plain integer, or an integer with a `KiB`/`MiB`/`GiB` (or `KB`/`MB`/`GB`,
/// decimal) suffix.
pub fn parse_bytes(input: &str) -> Result<usize, String> {
    const SUFFIXES: &[(&str, u64)] = &[
        ("KiB", 1 << 10),
        ("MiB", 1 << 20),
        ("GiB", 1 << 30),
        ("KB", 1_000),
        ("MB", 1_000_000),
        ("GB", 1_000_000_000),
        ("B", 1),
    ];
    let s = input.trim();
    let (number, factor) = SUFFIXES
        .iter()
        .find_map(|(suffix, factor)| s.strip_suffix(suffix).map(|n| (n.trim(), *factor)))
        .unwrap_or((s, 1));
    let bad = || format!("{input:?} is not a byte count (expected e.g. 1048576 or 1MiB)");
    let n: u64 = number.parse().map_err(|_| bad())?;
    n.checked_mul(factor)
        .and_then(|b| usize::try_from(b).ok())
        .ok_or_else(bad)
}
