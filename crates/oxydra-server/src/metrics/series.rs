//! The (route, method, status class) slices that `GET /metrics/prometheus` labels its request
//! counts and latency histograms with. `/health/stats` keeps one slice per route, per method
//! and per status code, never their combinations; Prometheus wants the combination, so the
//! layer also counts each response into one cell of this table, in the same `depart` call.
//! Keys are claimed once by compare-and-swap (like the status table) and each shard holds its
//! own cells, so the hot path stays lock-free: two more relaxed increments per response (its
//! latency bucket and its latency sum).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::{Histogram, LATENCY_BUCKETS_NS};

/// Capacity of the combination table: the router's ~100 routes, each seen with one or two
/// methods and a few status classes.
pub(super) const SERIES_SLOTS: usize = 512;

/// One cell: the latency histogram (whose total is the response count) and the latency sum.
pub(super) struct Cell {
    pub(super) latencies: Histogram,
    pub(super) sum_ns: AtomicU64,
}

impl Cell {
    fn new() -> Self {
        Self {
            latencies: Histogram::new(),
            sum_ns: AtomicU64::new(0),
        }
    }
}

/// One shard's cells: `SERIES_SLOTS` keyed ones, then the overflow cell.
pub(super) fn shard_cells() -> Box<[Cell]> {
    (0..=SERIES_SLOTS).map(|_| Cell::new()).collect()
}

/// A packed key: route counter index + 1 (so 0 is free), method index, status class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SeriesKey {
    /// The index in `Shard::routes` (a slot, unrouted or other).
    pub(super) route: usize,
    /// The index in `METHODS` (its length is `OTHER`).
    pub(super) method: usize,
    /// 1 to 5 for 1xx to 5xx, 0 for anything else.
    pub(super) class: u8,
}

impl SeriesKey {
    fn pack(self) -> u32 {
        let route = u32::try_from(self.route + 1).unwrap_or(u32::MAX >> 8);
        let method = u32::try_from(self.method).unwrap_or(31) & 31;
        (route << 8) | (method << 3) | u32::from(self.class & 7)
    }

    fn unpack(packed: u32) -> Option<Self> {
        let route = usize::try_from(packed >> 8).ok()?.checked_sub(1)?;
        Some(Self {
            route,
            method: usize::try_from((packed >> 3) & 31).ok()?,
            class: u8::try_from(packed & 7).ok()?,
        })
    }
}

/// The status class of a code: `1` for 1xx … `5` for 5xx, `0` for anything else.
pub(super) fn status_class(code: u16) -> u8 {
    match code / 100 {
        class @ 1..=5 => u8::try_from(class).unwrap_or(0),
        _ => 0,
    }
}

/// The label value of a status class.
pub(super) fn class_label(class: u8) -> &'static str {
    match class {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        5 => "5xx",
        _ => "other",
    }
}

/// The keys of the table; a free slot holds 0.
pub(super) struct SeriesKeys(Box<[AtomicU32]>);

impl SeriesKeys {
    pub(super) fn new() -> Self {
        Self((0..SERIES_SLOTS).map(|_| AtomicU32::new(0)).collect())
    }

    /// The cell index of `key`, claimed when new; `SERIES_SLOTS` (overflow) when full.
    pub(super) fn slot(&self, key: SeriesKey) -> usize {
        let packed = key.pack();
        let start = usize::try_from(packed.wrapping_mul(0x9E37_79B9)).unwrap_or(0);
        for probe in 0..SERIES_SLOTS {
            let index = start.wrapping_add(probe) % SERIES_SLOTS;
            let Some(slot) = self.0.get(index) else {
                break;
            };
            let mut current = slot.load(Ordering::Relaxed);
            if current == 0 {
                current =
                    match slot.compare_exchange(0, packed, Ordering::Relaxed, Ordering::Relaxed) {
                        Ok(_) => packed,
                        Err(existing) => existing,
                    };
            }
            if current == packed {
                return index;
            }
        }
        SERIES_SLOTS
    }

    /// Every claimed key with its cell index.
    pub(super) fn claimed(&self) -> impl Iterator<Item = (usize, SeriesKey)> + '_ {
        self.0.iter().enumerate().filter_map(|(index, slot)| {
            Some((index, SeriesKey::unpack(slot.load(Ordering::Relaxed))?))
        })
    }
}

/// The sums over every shard of one cell: latency buckets and the latency sum in seconds.
pub(super) struct CellTotals {
    pub(super) buckets: [u64; LATENCY_BUCKETS_NS.len()],
    pub(super) sum_seconds: f64,
}

impl CellTotals {
    /// Adds up cell `index` of every shard.
    pub(super) fn of<'a>(cells: impl Iterator<Item = &'a Cell>) -> Self {
        let mut buckets = [0; LATENCY_BUCKETS_NS.len()];
        let mut sum_ns = 0_u64;
        for cell in cells {
            cell.latencies.add_to(&mut buckets);
            sum_ns = sum_ns.saturating_add(cell.sum_ns.load(Ordering::Relaxed));
        }
        Self {
            buckets,
            // Precision loss only beyond 2^53 ns (104 days of summed latency).
            #[allow(clippy::cast_precision_loss)]
            sum_seconds: sum_ns as f64 / 1e9,
        }
    }

    /// The number of responses.
    pub(super) fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_overflow() {
        let key = SeriesKey {
            route: 129,
            method: 9,
            class: 5,
        };
        assert_eq!(SeriesKey::unpack(key.pack()), Some(key));
        let keys = SeriesKeys::new();
        let a = keys.slot(key);
        assert_ne!(a, SERIES_SLOTS);
        assert_eq!(keys.slot(key), a);
        assert_eq!(keys.claimed().count(), 1);
        for route in 0..SERIES_SLOTS {
            keys.slot(SeriesKey {
                route,
                method: 0,
                class: 2,
            });
        }
        let full = SeriesKey {
            route: 7,
            method: 2,
            class: 4,
        };
        assert_eq!(keys.slot(full), SERIES_SLOTS);
        assert_eq!(keys.slot(key), a);
        assert_eq!(keys.claimed().count(), SERIES_SLOTS);
    }

    #[test]
    fn status_classes() {
        assert_eq!(class_label(status_class(204)), "2xx");
        assert_eq!(class_label(status_class(503)), "5xx");
        assert_eq!(class_label(status_class(99)), "other");
        assert_eq!(class_label(status_class(600)), "other");
    }
}
