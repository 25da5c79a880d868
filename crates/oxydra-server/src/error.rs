//! The one error type at the HTTP edge: maps domain errors to a status code and Hydra's flat JSON
//! error body (`shared/spec/api.md` §5.1).
//!
//! 5xx responses never reveal their cause: the body says `server_error` (or
//! `temporarily_unavailable` when the database is down) and the cause is logged inside the
//! request's tracing span, which carries the request id.

use std::num::NonZeroU32;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxydra_api::ErrorBody;
use oxydra_core::{Error, OAuthError, OAuthErrorKind};

/// An error ready to be rendered as an HTTP response.
#[derive(Debug)]
pub struct ApiError {
    error: OAuthError,
    expose_debug: bool,
    /// Four bytes, so the error stays small enough to travel in `Result`s cheaply.
    retry_after: Option<NonZeroU32>,
    /// Another status than the error kind's, where an RFC moves it (RFC 9449 §7.1: DPoP
    /// proof errors are 401 at a protected resource, 400 at the token endpoint).
    status: Option<StatusCode>,
}

impl ApiError {
    /// Wraps an OAuth error.
    pub fn new(error: OAuthError) -> Self {
        Self {
            error,
            expose_debug: false,
            retry_after: None,
            status: None,
        }
    }

    /// Answers with `status` instead of the error kind's.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    /// Adds `Retry-After: <seconds>` (RFC 9110 §10.2.3, at least 1) to the response, for `429`.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        let seconds = u32::try_from(seconds).unwrap_or(u32::MAX);
        self.retry_after = Some(NonZeroU32::new(seconds).unwrap_or(NonZeroU32::MIN));
        self
    }

    /// Includes `error_debug` in the body (only where the operator enabled debug sharing).
    pub fn with_debug_shared(mut self, share: bool) -> Self {
        self.expose_debug = share;
        self
    }

    /// A 400 `invalid_request` with a hint.
    pub fn invalid_request(hint: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self::new(OAuthError::invalid_request(hint))
    }

    /// A 404 for an unrouted path.
    pub fn route_not_found() -> Self {
        Self::new(OAuthError::new(OAuthErrorKind::NotFound).hint("No route matches this path."))
    }

    /// A 405 for a routed path with another method.
    pub fn method_not_allowed() -> Self {
        Self::new(OAuthError::new(OAuthErrorKind::MethodNotAllowed))
    }

    /// The wrapped error.
    pub fn oauth(&self) -> &OAuthError {
        &self.error
    }
}

impl From<OAuthError> for ApiError {
    fn from(error: OAuthError) -> Self {
        Self::new(error)
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        Self::new(OAuthError::from(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status.unwrap_or_else(|| {
            StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        });
        if status.is_server_error() {
            tracing::error!(
                error = self.error.kind.code(),
                cause = self.error.debug.as_deref().unwrap_or(""),
                "request failed"
            );
        }
        let body = ErrorBody {
            error: self.error.kind.code().to_owned(),
            error_description: self.error.description.into_owned(),
            error_hint: self.error.hint.map(|h| h.into_owned()),
            status_code: status.as_u16(),
            error_debug: if self.expose_debug {
                self.error.debug
            } else {
                None
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.get()));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"oxydra\""),
            );
        }
        response
    }
}
