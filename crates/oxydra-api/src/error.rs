//! The Hydra 1.0.0-beta JSON error body (`shared/spec/api.md` §5.1).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The flat error body every JSON endpoint returns on failure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Error code (`invalid_request`, `not_found`, ...).
    pub error: String,
    /// Human-readable description (may be empty).
    #[serde(default)]
    pub error_description: String,
    /// How to fix the request; omitted when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_hint: Option<String>,
    /// The HTTP status the error belongs to; omitted when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub status_code: u16,
    /// Internal detail, only when debug sharing is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_debug: Option<String>,
}

fn is_zero(status: &u16) -> bool {
    *status == 0
}
