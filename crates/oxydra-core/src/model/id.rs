//! Identifier newtypes.

use std::fmt;

/// An OAuth 2.0 client identifier: any non-empty string without control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(String);

impl ClientId {
    /// Validates and wraps a client id.
    pub fn parse(raw: impl Into<String>) -> Result<Self, &'static str> {
        let raw = raw.into();
        if raw.is_empty() {
            return Err("client_id must not be empty");
        }
        if raw.len() > 255 {
            return Err("client_id must be at most 255 bytes");
        }
        if raw.chars().any(char::is_control) {
            return Err("client_id must not contain control characters");
        }
        Ok(Self(raw))
    }

    /// A fresh random id (UUID v4), as Hydra generates when none is given.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_control_characters() {
        assert!(ClientId::parse("").is_err());
        assert!(ClientId::parse("a\nb").is_err());
        assert!(ClientId::parse("x".repeat(256)).is_err());
        assert_eq!(
            ClientId::parse("my-client").map(|c| c.to_string()),
            Ok("my-client".into())
        );
        assert_eq!(ClientId::generate().as_str().len(), 36);
    }
}
