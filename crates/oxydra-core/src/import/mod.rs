//! Bringing another server's data into Oxydra (`oxydra import hydra`,
//! docs/migrating-from-hydra.md): the source rows as read, their conversion into Oxydra's
//! aggregates (pure), and the report of what came over. The use case that writes them is
//! `service::import_hydra`; the reading of the source database lives in the store crate.

pub mod hydra;
pub mod report;
