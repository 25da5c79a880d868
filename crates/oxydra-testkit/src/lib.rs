//! Dev-only test support for Oxydra: the storage backend matrix (and, later, the in-process
//! app and loopback servers).
//!
//! This crate fails by panicking, which is how a test reports a broken fixture.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "app")]
pub mod app;
pub mod backend;
#[cfg(feature = "app")]
pub mod browser;
#[cfg(feature = "app")]
pub mod documents;
mod scratch_mysql;
#[cfg(feature = "app")]
pub mod server;

pub use backend::{TestBackend, TestStore, open_store};

/// Expands each `async fn name(store: SqlStore) { .. }` into a module `name` with one
/// `#[tokio::test]` per backend (`name::sqlite`, `name::postgres`, `name::mysql`), each on a fresh, migrated
/// store. A backend that is not configured prints a `skipped:` line and passes, unless
/// `OXYDRA_TEST_REQUIRE` names it. The calling crate needs `tokio` (with `macros`).
///
/// ```ignore
/// store_test! {
///     async fn ping_answers(store: SqlStore) {
///         store.ping().await.unwrap();
///     }
/// }
/// ```
#[macro_export]
macro_rules! store_test {
    ($($(#[$meta:meta])* async fn $name:ident($store:ident : $ty:ty) $body:block)*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn body($store: $ty) $body

                #[tokio::test]
                async fn sqlite() {
                    $crate::backend::run($crate::backend::TestBackend::Sqlite, body).await;
                }

                #[tokio::test]
                async fn postgres() {
                    $crate::backend::run($crate::backend::TestBackend::Postgres, body).await;
                }

                #[tokio::test]
                async fn mysql() {
                    $crate::backend::run($crate::backend::TestBackend::Mysql, body).await;
                }
            }
        )*
    };
}
