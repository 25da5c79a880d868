//! Small validated value types shared across the domain.

mod id;
mod now;
mod secret;

pub use id::ClientId;
pub use now::Now;
pub use secret::Secret;
