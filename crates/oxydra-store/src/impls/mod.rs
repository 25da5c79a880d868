//! Trait implementations for [`crate::SqlStore`], one file per storage port, each method
//! written once against [`crate::db::Db`].

pub(crate) mod clients;
pub(crate) mod device;
pub(crate) mod flow_intents;
pub(crate) mod flows;
pub(crate) mod import;
pub(crate) mod keys;
pub(crate) mod legacy_consent;
pub(crate) mod logout;
pub(crate) mod par;
pub(crate) mod policies;
pub(crate) mod registration;
pub(crate) mod tokens;
pub(crate) mod trust;
