//! `GET /metrics/prometheus`: this process's counters in the Prometheus text format, served on
//! the admin port (and, in 0.10 mode, on the single public port), where the admin guard's
//! route table decides who may read it.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxydra_api::paths::METRICS_PROMETHEUS;

use crate::metrics::{Gauges, PoolGauges, QueryLatency};
use crate::state::AppState;

/// The one route.
pub fn routes() -> Router<AppState> {
    Router::new().route(METRICS_PROMETHEUS, get(scrape))
}

/// The counters, then what the state knows now: pool figures and signing-key cache ages.
async fn scrape(State(state): State<AppState>) -> Response {
    let Ok(body) = state.metrics.prometheus(gauges(&state)) else {
        // Writing into a `String` does not fail; only a collector could, and ours do not.
        tracing::error!("the Prometheus encoder failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
    );
    response
}

fn gauges(state: &AppState) -> Gauges {
    let pool = state.store.pool_stats();
    let now = state.now();
    let key_cache_ages = [&state.id_token_keys, &state.access_token_keys]
        .into_iter()
        .filter_map(|keys| {
            let loaded = keys.cached_at()?;
            let micros = now
                .unix_micros()
                .saturating_sub(loaded.unix_micros())
                .max(0);
            // Microseconds of an age fit f64 exactly for 285 years.
            #[allow(clippy::cast_precision_loss)]
            Some((keys.set(), micros as f64 / 1e6))
        })
        .collect();
    Gauges {
        pool: Some(PoolGauges {
            size: pool.size,
            idle: pool.idle,
            max: pool.max,
        }),
        key_cache_ages,
        query_latency: Some(query_latency()),
    }
}

/// The store's statement timings (`oxydra_store::query_timings`) in seconds.
fn query_latency() -> QueryLatency {
    let timings = oxydra_store::query_timings();
    // Microsecond counts fit f64 exactly up to 2^53 µs (285 years).
    #[allow(clippy::cast_precision_loss)]
    let seconds = |us: u64| us as f64 / 1e6;
    QueryLatency {
        buckets: timings
            .cumulative_us
            .iter()
            .map(|&(bound, count)| (seconds(bound), count))
            .collect(),
        sum_seconds: seconds(timings.sum_us),
        count: timings.count,
    }
}
