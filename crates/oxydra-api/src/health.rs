//! Health and version models (`shared/spec/api.md` §6.1).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Body of a healthy `/health/alive` or `/health/ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthStatus {
    /// Always `"ok"`.
    pub status: String,
}

impl HealthStatus {
    /// The only healthy body Hydra ever sends.
    pub fn ok() -> Self {
        Self {
            status: "ok".to_owned(),
        }
    }
}

/// Body of a failing `/health/ready` (503): failing check name to message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthNotReadyStatus {
    /// Failing check (`database`) to its error message.
    pub errors: BTreeMap<String, String>,
}

/// Body of `/version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Version {
    /// The build version.
    pub version: String,
}

/// Counters of one slice of traffic (a method, a status, a size, a path): 0.x's `Metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthMetrics {
    /// Requests received.
    #[serde(default)]
    pub requests: u64,
    /// Responses sent (lower than `requests` while requests are in flight or were abandoned).
    #[serde(default)]
    pub responses: u64,
    /// Latency histogram: bucket lower bound in nanoseconds to the number of responses whose
    /// latency fell in `[bound, next bound)`; empty buckets are omitted.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, u64>)]
    pub latencies: BTreeMap<u64, u64>,
}

/// Process memory (Linux: from `/proc/self/status`); fields the platform cannot tell are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemoryStats {
    /// Resident set size now, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rss: Option<u64>,
    /// Highest resident set size so far, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss: Option<u64>,
    /// Virtual memory size, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_size: Option<u64>,
}

/// Body of the 0.x `GET /health/stats` (`shared/spec/api.md` §6.3): this instance's traffic since
/// it started. Field names are 0.x's; the values are Oxydra's own counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthStats {
    /// A UUID chosen when the process started, to tell instances of a fleet apart.
    pub id: String,
    /// Seconds since the process started.
    pub uptime: u64,
    /// Requests received, both ports.
    #[serde(default)]
    pub requests: u64,
    /// Responses sent.
    #[serde(default)]
    pub responses: u64,
    /// Latency histogram of every response (see [`HealthMetrics::latencies`]).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, u64>)]
    pub latencies: BTreeMap<u64, u64>,
    /// By HTTP method (`OTHER` for extension methods).
    #[serde(default)]
    pub methods: BTreeMap<String, HealthMetrics>,
    /// By response status code.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, HealthMetrics>)]
    pub status: BTreeMap<u16, HealthMetrics>,
    /// By response body size: bucket lower bound in bytes; the last bucket (5120) holds
    /// everything larger. Bodies of unknown length (streamed) are not counted here.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, HealthMetrics>)]
    pub sizes: BTreeMap<u64, HealthMetrics>,
    /// By route template (`/clients/{id}`), never the raw path; unrouted requests share one
    /// bucket.
    #[serde(default)]
    pub paths: BTreeMap<String, HealthMetrics>,
    /// Process memory.
    #[serde(default)]
    pub memory: MemoryStats,
}
