//! Go's `time.Time` in JSON (RFC 3339 with optional nanoseconds), as fosite sessions carry
//! expiry and authentication times. Go's zero time (`0001-01-01T00:00:00Z`) means "not set".

use crate::model::Now;

/// Parses an RFC 3339 timestamp into a [`Now`]; `None` for Go's zero time (or any time before
/// 1970, which no token of Hydra's has) and for malformed text.
pub fn parse(text: &str) -> Option<Now> {
    let b = text.as_bytes();
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't')) || b.get(13) != Some(&b':') {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> { text.get(from..to)?.parse().ok() };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = text.get(19..)?;
    let mut micros = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<6}", frac.get(..digits.min(6))?);
        micros = padded.parse().ok()?;
        rest = frac.get(digits..)?;
    }
    let offset_secs = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes().get(3) != Some(&b':') {
                return None;
            }
            let h: i64 = rest.get(1..3)?.parse().ok()?;
            let m: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(60) - offset_secs;
    (secs > 0).then(|| Now::from_unix_micros(secs * 1_000_000 + micros))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_times() {
        assert_eq!(
            parse("2022-06-01T00:00:00Z"),
            Some(Now::from_unix_secs(1_654_041_600))
        );
        assert_eq!(
            parse("2022-06-01T02:00:00.5+02:00"),
            Some(Now::from_unix_micros(1_654_041_600_500_000))
        );
        assert_eq!(
            parse("2022-06-01T00:00:00.123456789Z"),
            Some(Now::from_unix_micros(1_654_041_600_123_456))
        );
        assert_eq!(
            parse("2000-03-01T00:00:00Z"),
            Some(Now::from_unix_secs(951_868_800))
        );
    }

    #[test]
    fn zero_and_malformed_times_are_none() {
        assert_eq!(parse("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2022-13-01T00:00:00Z"), None);
        assert_eq!(parse("2022-06-01T00:00:00"), None);
        assert_eq!(parse("2022-06-01T00:00:00.Z"), None);
    }
}
