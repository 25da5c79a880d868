//! The OIDC subject identifier type: a plain value read by the configuration and by clients, so
//! it lives below both.

use std::str::FromStr;

/// OIDC Core §8 subject identifier types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SubjectType {
    /// The same `sub` for every client.
    #[default]
    Public,
    /// A per-sector `sub`.
    Pairwise,
}

impl SubjectType {
    /// The registered / wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Pairwise => "pairwise",
        }
    }
}

impl FromStr for SubjectType {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "public" => Ok(Self::Public),
            "pairwise" => Ok(Self::Pairwise),
            _ => Err(()),
        }
    }
}
