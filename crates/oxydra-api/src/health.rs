//! Health and version models (`shared/spec/api.md` §6.1).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Body of a healthy `/health/alive` or `/health/ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthNotReadyStatus {
    /// Failing check (`database`) to its error message.
    pub errors: BTreeMap<String, String>,
}

/// Body of `/version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// The build version.
    pub version: String,
}
