//! Oxydra's HTTP side: configuration, the public and admin routers, error mapping and serving.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
