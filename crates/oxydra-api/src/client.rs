//! Typed admin HTTP client.
