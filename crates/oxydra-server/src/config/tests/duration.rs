//! Go duration and byte-size parsing.

use std::time::Duration;

use super::super::{parse_bytes, parse_duration};

#[test]
fn go_durations() {
    let ms = Duration::from_millis;
    let s = Duration::from_secs;
    let table: &[(&str, Duration)] = &[
        ("0", Duration::ZERO),
        ("0s", Duration::ZERO),
        ("+5s", s(5)),
        ("300ms", ms(300)),
        ("1h30m", s(5400)),
        ("1.5h", s(5400)),
        ("1h0.5m", s(3630)),
        (".5s", ms(500)),
        ("1.s", s(1)),
        ("2m3s4ms", ms(123_004)),
        ("10us", Duration::from_micros(10)),
        ("10\u{b5}s", Duration::from_micros(10)),
        ("10\u{3bc}s", Duration::from_micros(10)),
        ("7ns", Duration::from_nanos(7)),
        ("1.000000001s", Duration::new(1, 1)),
        ("0.1234567891234ms", Duration::from_nanos(123_456)),
        ("24h", s(86_400)),
        (" 10m ", s(600)),
    ];
    for (input, want) in table {
        assert_eq!(parse_duration(input), Ok(*want), "{input:?}");
    }
}

#[test]
fn rejected_durations() {
    for input in [
        "",
        "10",
        "1.5",
        "-1s",
        "h",
        "1x",
        "1hour",
        "1 h",
        ".s",
        "1h-5m",
        "ms",
        "1e3s",
        "99999999999999999999999h",
    ] {
        assert!(
            parse_duration(input).is_err(),
            "{input:?} should be rejected"
        );
    }
}

#[test]
fn byte_sizes() {
    assert_eq!(parse_bytes("1048576"), Ok(1 << 20));
    assert_eq!(parse_bytes("1MiB"), Ok(1 << 20));
    assert_eq!(parse_bytes("64 KiB"), Ok(64 << 10));
    assert_eq!(parse_bytes("2MB"), Ok(2_000_000));
    assert_eq!(parse_bytes("10B"), Ok(10));
    for bad in ["", "1.5MiB", "-1", "1TiB", "lots"] {
        assert!(parse_bytes(bad).is_err(), "{bad:?}");
    }
}
