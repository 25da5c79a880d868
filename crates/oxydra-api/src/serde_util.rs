//! Small serde helpers shared by the wire models.

use serde::{Deserialize, Deserializer};

/// Deserialises `null` as the type's default, so SDKs that send `"redirect_uris": null`
/// (Go's nil slices marshal that way) are treated like ones that omit the field.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
