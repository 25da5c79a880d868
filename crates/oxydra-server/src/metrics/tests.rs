//! Unit tests of the request counters.

use super::*;

#[test]
fn latencies_fall_in_the_bucket_of_their_lower_bound() {
    assert_eq!(latency_bucket(Duration::ZERO), 0);
    assert_eq!(latency_bucket(Duration::from_nanos(99_999)), 0);
    assert_eq!(latency_bucket(Duration::from_micros(100)), 1);
    assert_eq!(latency_bucket(Duration::from_millis(3)), 5);
    assert_eq!(
        latency_bucket(Duration::from_secs(3600)),
        LATENCY_BUCKETS_NS.len() - 1
    );
}

#[test]
fn sizes_are_capped_at_5120() {
    assert_eq!(size_bucket(0), 0);
    assert_eq!(size_bucket(127), 0);
    assert_eq!(size_bucket(128), 1);
    assert_eq!(size_bucket(5119), 6);
    assert_eq!(size_bucket(1 << 40), SIZE_BUCKETS.len() - 1);
}

#[test]
fn routes_are_interned_once_and_overflow_into_one_bucket() {
    let metrics = Metrics::new();
    let a = metrics.route("/clients/{id}");
    assert_eq!(metrics.route("/clients/{id}"), a);
    assert_ne!(metrics.route("/clients"), a);
    for n in 0..ROUTE_SLOTS {
        metrics.route(&format!("/r{n}"));
    }
    assert_eq!(metrics.route("/one-too-many"), RouteKey::Other);
    assert_eq!(metrics.route("/clients/{id}"), a);
}

#[test]
fn concurrent_lookups_agree_on_a_slot() {
    let metrics = std::sync::Arc::new(Metrics::new());
    let keys: Vec<RouteKey> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| metrics.route("/keys/{set}")))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    let taken = metrics.routes.iter().filter(|s| s.get().is_some()).count();
    assert_eq!(taken, 1);
}

#[test]
fn status_codes_are_claimed_once_and_overflow_into_one_slot() {
    let metrics = Metrics::new();
    let ok = metrics.status_slot(200);
    assert_eq!(metrics.status_slot(200), ok);
    // 264 collides with 200 (mod 64) and probes to the next slot.
    assert_ne!(metrics.status_slot(264), ok);
    for code in 300..400 {
        metrics.status_slot(code);
    }
    assert_eq!(metrics.status_slot(599), STATUS_SLOTS);
    assert_eq!(metrics.status_slot(200), ok);
}

#[test]
fn a_snapshot_sums_every_shard() {
    let metrics = Metrics::new();
    let route = metrics.route("/x");
    for (n, shard) in metrics.shards.iter().enumerate() {
        for _ in 0..=n {
            shard.methods[0].requests.fetch_add(1, Ordering::Relaxed);
            shard.methods[0].latencies.record(2);
            shard.routes[route.index()]
                .requests
                .fetch_add(1, Ordering::Relaxed);
        }
    }
    let stats = metrics.snapshot();
    assert_eq!(stats.requests, 10);
    assert_eq!(stats.responses, 10);
    assert_eq!(stats.methods["GET"].latencies[&LATENCY_BUCKETS_NS[2]], 10);
    assert_eq!(stats.paths["/x"].requests, 10);
    assert_eq!(stats.paths["/x"].responses, 0);
    assert!(stats.status.is_empty());
}

#[test]
fn methods_outside_the_table_are_other() {
    assert_eq!(method_index(&Method::GET), 0);
    let custom = Method::from_bytes(b"PROPFIND").unwrap();
    assert_eq!(method_index(&custom), METHODS.len());
}
