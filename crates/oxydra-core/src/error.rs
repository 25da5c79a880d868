//! Domain errors: the OAuth 2.0 error vocabulary and what services return.
//!
//! `OAuthError` carries an RFC 6749 §5.2 / RFC 7009 / OIDC Core §3.1.2.6 error code (plus the
//! codes Hydra adds) with a description, an optional hint and optional debug detail that is only
//! shown when the operator enables debug sharing. The HTTP edge turns these into Hydra's JSON
//! error body; nothing here knows about HTTP beyond the status number each code belongs to.

use std::borrow::Cow;

use crate::store::StoreError;

/// The error codes Oxydra emits, with the HTTP status each belongs to (`shared/spec/api.md` §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorKind {
    /// RFC 6749: malformed or invalid request.
    InvalidRequest,
    /// RFC 6749: client authentication failed.
    InvalidClient,
    /// RFC 6749: grant invalid, expired, revoked or issued to another client.
    InvalidGrant,
    /// RFC 6749: client may not use this grant or response type.
    UnauthorizedClient,
    /// RFC 6749: grant type not supported.
    UnsupportedGrantType,
    /// RFC 6749: response type not supported.
    UnsupportedResponseType,
    /// RFC 6749: requested scope invalid or not allowed.
    InvalidScope,
    /// RFC 6749: resource owner or server denied the request.
    AccessDenied,
    /// RFC 6749: unexpected condition.
    ServerError,
    /// RFC 6749: temporarily overloaded or under maintenance (database down).
    TemporarilyUnavailable,
    /// Hydra: `state` missing or too short.
    InvalidState,
    /// Hydra: a value (nonce, state, verifier) has too little entropy.
    InsufficientEntropy,
    /// RFC 6750: token malformed or invalid.
    InvalidToken,
    /// RFC 6750 §3.1: the token lacks a scope the resource needs (userinfo without `openid`).
    InsufficientScope,
    /// Hydra: token expired.
    TokenExpired,
    /// Hydra: token inactive.
    TokenInactive,
    /// Hydra: request not authorized (expired flow, bad bearer token).
    RequestUnauthorized,
    /// Hydra: request forbidden (CSRF mismatch, policy denial).
    RequestForbidden,
    /// Hydra: scope not granted to this token.
    ScopeNotGranted,
    /// OIDC: end-user must log in.
    LoginRequired,
    /// OIDC: end-user interaction required.
    InteractionRequired,
    /// OIDC: end-user consent required.
    ConsentRequired,
    /// OIDC: `registration` parameter not supported.
    RegistrationNotSupported,
    /// OIDC: `request` parameter not supported.
    RequestNotSupported,
    /// OIDC: `request_uri` parameter not supported.
    RequestUriNotSupported,
    /// OIDC: request object invalid.
    InvalidRequestObject,
    /// OIDC: `request_uri` invalid.
    InvalidRequestUri,
    /// RFC 7591: client metadata invalid.
    InvalidClientMetadata,
    /// Resource not found (admin API).
    NotFound,
    /// Resource already exists (admin API).
    Conflict,
    /// Request body too large.
    PayloadTooLarge,
    /// Method not allowed on this route.
    MethodNotAllowed,
    /// Plain HTTP request refused by the TLS-termination guard (Hydra answers 502).
    InsecureTransport,
    /// Hydra 0.10: the consent app rejected the legacy consent request.
    RejectedConsentRequest,
    /// RFC 6585 §4: too many failed client authentications; retry after the budget refills.
    TooManyRequests,
}

impl OAuthErrorKind {
    /// Every kind, for looking one up by its wire code.
    pub const ALL: [OAuthErrorKind; 35] = {
        use OAuthErrorKind::*;
        [
            InvalidRequest,
            InvalidClient,
            InvalidGrant,
            UnauthorizedClient,
            UnsupportedGrantType,
            UnsupportedResponseType,
            InvalidScope,
            AccessDenied,
            ServerError,
            TemporarilyUnavailable,
            InvalidState,
            InsufficientEntropy,
            InvalidToken,
            InsufficientScope,
            TokenExpired,
            TokenInactive,
            RequestUnauthorized,
            RequestForbidden,
            ScopeNotGranted,
            LoginRequired,
            InteractionRequired,
            ConsentRequired,
            RegistrationNotSupported,
            RequestNotSupported,
            RequestUriNotSupported,
            InvalidRequestObject,
            InvalidRequestUri,
            InvalidClientMetadata,
            NotFound,
            Conflict,
            PayloadTooLarge,
            MethodNotAllowed,
            InsecureTransport,
            RejectedConsentRequest,
            TooManyRequests,
        ]
    };

    /// The kind whose wire code is `code` (`access_denied` → `AccessDenied`), if any: used
    /// when a login or consent app names the error to send (`shared/spec/behaviour.md` §3.5).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The wire `error` code.
    pub fn code(self) -> &'static str {
        use OAuthErrorKind::*;
        match self {
            InvalidRequest => "invalid_request",
            InvalidClient => "invalid_client",
            InvalidGrant => "invalid_grant",
            UnauthorizedClient => "unauthorized_client",
            UnsupportedGrantType => "unsupported_grant_type",
            UnsupportedResponseType => "unsupported_response_type",
            InvalidScope => "invalid_scope",
            AccessDenied => "access_denied",
            ServerError => "server_error",
            TemporarilyUnavailable => "temporarily_unavailable",
            InvalidState => "invalid_state",
            InsufficientEntropy => "insufficient_entropy",
            InvalidToken => "invalid_token",
            InsufficientScope => "insufficient_scope",
            TokenExpired => "token_expired",
            TokenInactive => "token_inactive",
            RequestUnauthorized => "request_unauthorized",
            RequestForbidden => "request_forbidden",
            ScopeNotGranted => "scope_not_granted",
            LoginRequired => "login_required",
            InteractionRequired => "interaction_required",
            ConsentRequired => "consent_required",
            RegistrationNotSupported => "registration_not_supported",
            RequestNotSupported => "request_not_supported",
            RequestUriNotSupported => "request_uri_not_supported",
            InvalidRequestObject => "invalid_request_object",
            InvalidRequestUri => "invalid_request_uri",
            InvalidClientMetadata => "invalid_client_metadata",
            NotFound => "not_found",
            Conflict => "conflict",
            PayloadTooLarge => "payload_too_large",
            MethodNotAllowed => "method_not_allowed",
            InsecureTransport => "insecure_transport",
            RejectedConsentRequest => "rejected_consent_request",
            TooManyRequests => "too_many_requests",
        }
    }

    /// The HTTP status this code belongs to.
    pub fn status(self) -> u16 {
        use OAuthErrorKind::*;
        match self {
            InvalidClient
            | TokenExpired
            | TokenInactive
            | RequestUnauthorized
            | RejectedConsentRequest => 401,
            AccessDenied | RequestForbidden | ScopeNotGranted | InsufficientScope => 403,
            NotFound => 404,
            MethodNotAllowed => 405,
            Conflict => 409,
            PayloadTooLarge => 413,
            TooManyRequests => 429,
            ServerError => 500,
            InsecureTransport => 502,
            TemporarilyUnavailable => 503,
            _ => 400,
        }
    }

    /// The standard description used when a caller supplies none.
    pub fn default_description(self) -> &'static str {
        use OAuthErrorKind::*;
        match self {
            InvalidRequest => {
                "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed."
            }
            InvalidClient => {
                "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)."
            }
            InvalidGrant => {
                "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
            }
            UnauthorizedClient => {
                "The client is not authorized to request a token using this method."
            }
            UnsupportedGrantType => {
                "The authorization grant type is not supported by the authorization server."
            }
            UnsupportedResponseType => {
                "The authorization server does not support obtaining a token using this method."
            }
            InvalidScope => "The requested scope is invalid, unknown, or malformed.",
            AccessDenied => "The resource owner or authorization server denied the request.",
            ServerError => {
                "The authorization server encountered an unexpected condition that prevented it from fulfilling the request."
            }
            TemporarilyUnavailable => {
                "The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server."
            }
            InvalidState => {
                "The state is missing or does not have enough characters and is therefore considered too weak."
            }
            InsufficientEntropy => {
                "The request used a security parameter (e.g., anti-replay, anti-csrf) with insufficient entropy."
            }
            InvalidToken => "The token is malformed or not valid.",
            InsufficientScope => {
                "The request requires higher privileges than provided by the access token."
            }
            TokenExpired => "The token is expired.",
            TokenInactive => "The token is inactive.",
            RequestUnauthorized => "The request could not be authorized.",
            RequestForbidden => "The request is not allowed.",
            ScopeNotGranted => "The token was not granted the requested scope.",
            LoginRequired => "The Authorization Server requires End-User authentication.",
            InteractionRequired => {
                "The Authorization Server requires End-User interaction of some form to proceed."
            }
            ConsentRequired => "The Authorization Server requires End-User consent.",
            RegistrationNotSupported => {
                "The OP does not support use of the registration parameter."
            }
            RequestNotSupported => "The OP does not support use of the request parameter.",
            RequestUriNotSupported => "The OP does not support use of the request_uri parameter.",
            InvalidRequestObject => "The request parameter contains an invalid Request Object.",
            InvalidRequestUri => {
                "The request_uri in the Authorization Request returns an error or contains invalid data."
            }
            InvalidClientMetadata => "The value of one of the Client Metadata fields is invalid.",
            NotFound => "Unable to locate the requested resource.",
            Conflict => {
                "Unable to insert or update resource because a resource with that value exists already."
            }
            PayloadTooLarge => "The request body is too large.",
            MethodNotAllowed => "The HTTP method is not allowed on this resource.",
            InsecureTransport => {
                "This server only accepts HTTPS requests (or requests from a trusted TLS-terminating proxy)."
            }
            RejectedConsentRequest => "The consent request was rejected.",
            TooManyRequests => {
                "Too many failed authentication attempts; retry after the time given in Retry-After."
            }
        }
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
