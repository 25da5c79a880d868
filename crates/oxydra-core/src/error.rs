//! Domain errors: the OAuth 2.0 error vocabulary and what services return.
//!
//! `OAuthError` carries an RFC 6749 §5.2 / RFC 7009 / OIDC Core §3.1.2.6 error code (plus the
//! codes Hydra adds) with a description, an optional hint and optional debug detail that is only
//! shown when the operator enables debug sharing. The HTTP edge turns these into Hydra's JSON
//! error body; nothing here knows about HTTP beyond the status number each code belongs to.

use std::borrow::Cow;

mod kinds;
mod store_error;

pub use kinds::OAuthErrorKind;
pub use store_error::StoreError;

impl OAuthErrorKind {
    /// The kind whose wire code is `code` (`access_denied` → `AccessDenied`), if any: used
    /// when a login or consent app names the error to send (`shared/spec/behaviour.md` §3.5).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// An OAuth 2.0 error with its description, hint and (never shown by default) debug detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// The error code.
    pub kind: OAuthErrorKind,
    /// Human-readable description.
    pub description: Cow<'static, str>,
    /// How to fix it, when known.
    pub hint: Option<Cow<'static, str>>,
    /// Internal detail; shown only where the operator allows debug sharing.
    pub debug: Option<String>,
}

impl OAuthError {
    /// An error of `kind` with its standard description.
    pub fn new(kind: OAuthErrorKind) -> Self {
        Self {
            kind,
            description: Cow::Borrowed(kind.default_description()),
            hint: None,
            debug: None,
        }
    }

    /// Replaces the description.
    pub fn description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.description = description.into();
        self
    }

    /// Adds a hint telling the caller how to fix the request.
    pub fn hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds internal debug detail.
    pub fn debug(mut self, debug: impl Into<String>) -> Self {
        self.debug = Some(debug.into());
        self
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// Shorthand for `invalid_request` with a hint.
    pub fn invalid_request(hint: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OAuthErrorKind::InvalidRequest).hint(hint)
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.description)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for OAuthError {}

/// What domain services return.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A protocol error with its OAuth 2.0 code.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// The named resource does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked up (`client`, `login request`, ...).
        what: &'static str,
    },
    /// A resource with the same identity exists already.
    #[error("{what} already exists")]
    Conflict {
        /// What collided.
        what: &'static str,
    },
    /// Input failed validation (client metadata and similar); becomes 400 `invalid_request`.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// Why it is invalid.
        reason: Cow<'static, str>,
    },
    /// Storage failed in a way the caller cannot fix (database down, I/O).
    #[error(transparent)]
    Store(StoreError),
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// Maps a store error, naming the resource for not-found and conflict cases.
    pub fn from_store(what: &'static str, err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound { what },
            StoreError::Conflict { .. } => Self::Conflict { what },
            other => Self::Store(other),
        }
    }
}

/// The OAuth 2.0 error a failed use case becomes on the wire: storage failures the caller cannot
/// fix are `temporarily_unavailable` (database down, 503) or `server_error` (500), with the
/// cause kept only in `debug`.
impl From<Error> for OAuthError {
    fn from(error: Error) -> Self {
        match error {
            Error::OAuth(e) => e,
            Error::NotFound { what } => OAuthError::new(OAuthErrorKind::NotFound)
                .hint(format!("The requested {what} does not exist.")),
            Error::Conflict { what } => OAuthError::new(OAuthErrorKind::Conflict)
                .hint(format!("A {what} with that identifier exists already.")),
            Error::Invalid { field, reason } => {
                OAuthError::invalid_request(format!("Field {field}: {reason}"))
            }
            Error::Store(StoreError::Unavailable(cause)) => {
                OAuthError::new(OAuthErrorKind::TemporarilyUnavailable).debug(cause.to_string())
            }
            Error::Store(StoreError::NotFound) => OAuthError::new(OAuthErrorKind::NotFound),
            Error::Store(StoreError::Conflict { .. }) => OAuthError::new(OAuthErrorKind::Conflict),
            Error::Store(other @ StoreError::Corrupt(_)) => {
                OAuthError::new(OAuthErrorKind::ServerError).debug(other.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_hydra_table() {
        assert_eq!(OAuthErrorKind::InvalidRequest.status(), 400);
        assert_eq!(OAuthErrorKind::InvalidClient.status(), 401);
        assert_eq!(OAuthErrorKind::AccessDenied.status(), 403);
        assert_eq!(OAuthErrorKind::ScopeNotGranted.status(), 403);
        assert_eq!(OAuthErrorKind::InsufficientScope.status(), 403);
        assert_eq!(OAuthErrorKind::ServerError.status(), 500);
        assert_eq!(OAuthErrorKind::TemporarilyUnavailable.status(), 503);
        assert_eq!(
            OAuthErrorKind::UnsupportedGrantType.code(),
            "unsupported_grant_type"
        );
    }

    #[test]
    fn every_kind_is_found_by_its_code() {
        for kind in OAuthErrorKind::ALL {
            assert_eq!(OAuthErrorKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(OAuthErrorKind::from_code("made_up"), None);
    }

    #[test]
    fn builder_sets_hint_and_debug() {
        let e = OAuthError::invalid_request("fix it").debug("internals");
        assert_eq!(e.hint.as_deref(), Some("fix it"));
        assert_eq!(e.debug.as_deref(), Some("internals"));
        assert!(e.to_string().starts_with("invalid_request: "));
    }

    #[test]
    fn store_errors_map_to_named_resources() {
        assert!(matches!(
            Error::from_store("client", StoreError::NotFound),
            Error::NotFound { what: "client" }
        ));
        assert!(matches!(
            Error::from_store("client", StoreError::Conflict { constraint: None }),
            Error::Conflict { what: "client" }
        ));
    }
}
