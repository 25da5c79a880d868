//! Trait implementations for [`crate::SqlStore`], one file per storage port, each method
//! written once against [`crate::db::Db`].

pub(crate) mod clients;
