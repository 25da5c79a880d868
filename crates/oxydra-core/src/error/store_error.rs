//! The storage failure vocabulary: what a store port reports, defined here (below every aggregate)
//! so that [`super::Error`] can carry it without the error layer importing the storage ports.

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row matched.
    #[error("not found")]
    NotFound,
    /// A unique constraint rejected the write.
    #[error("conflict on {}", constraint.as_deref().unwrap_or("a unique constraint"))]
    Conflict {
        /// The constraint's name, when the database reports it.
        constraint: Option<String>,
    },
    /// The database could not be reached or failed; the request may succeed later (503).
    #[error("storage unavailable: {0}")]
    Unavailable(Box<dyn std::error::Error + Send + Sync>),
    /// Stored data could not be decoded: a bug or manual tampering (500).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
}
