//! Small validated value types shared across the domain.

mod id;
mod now;
mod secret;
mod subject_type;

pub use id::ClientId;
pub use now::Now;
pub use secret::Secret;
pub use subject_type::SubjectType;
