//! Typed HTTP clients for the admin and public ports (feature `client`).
//!
//! The `oxydra clients …` and `oxydra token …` commands and the end-to-end tests use them, so the
//! CLI talks to a running server exactly the way a Hydra SDK would: the same paths, bodies and
//! status codes (`shared/spec/api.md` §2.2). They never link the server. [`AdminClient`] covers
//! the admin port, [`PublicClient`] the public token and userinfo endpoints; both share the
//! transport and the error handling defined here.

mod admin;
mod public;

pub use admin::{AdminClient, ClientPage, PolicyPage};
pub use public::{ClientCredentials, PublicClient, Userinfo};

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::ErrorBody;

/// How long one request may take before the client gives up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a non-JSON error body quoted in an error message.
const MAX_QUOTED_BODY: usize = 300;

/// Connection options, mirroring Hydra's CLI flags of the same names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// Accept any TLS certificate (`--skip-tls-verify`), e.g. a self-signed development one.
    pub skip_tls_verify: bool,
    /// Send `X-Forwarded-Proto: https` (`--fake-tls-termination`), for a server that only
    /// accepts plain HTTP from a TLS-terminating proxy.
    pub fake_tls_termination: bool,
}

/// Why an admin call failed.
#[derive(Debug)]
pub enum ClientError {
    /// The endpoint URL cannot be used as a base URL.
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server answered with an error status; `body` is its Hydra error body, or one built
    /// from the status and the raw text when the body was not a Hydra error.
    Api {
        /// HTTP status code.
        status: u16,
        /// The error body.
        body: ErrorBody,
    },
    /// The request could not be sent or the response not received.
    Transport(reqwest::Error),
    /// A success response whose body is not the expected JSON.
    Decode(serde_json::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEndpoint { endpoint, reason } => {
                write!(f, "invalid endpoint {endpoint:?}: {reason}")
            }
            Self::Api { body, .. } => {
                f.write_str(&body.error)?;
                if !body.error_description.is_empty() {
                    write!(f, ": {}", body.error_description)?;
                }
                if let Some(hint) = body.error_hint.as_deref().filter(|h| !h.is_empty()) {
                    write!(f, " ({hint})")?;
                }
                Ok(())
            }
            Self::Transport(e) => write!(f, "request failed: {e}"),
            Self::Decode(e) => write!(f, "unexpected response body: {e}"),
        }
    }
}

/// `Display` already quotes the wrapped error, so the chain continues with *its* source; error
/// reporters that walk the chain then print every cause once.
impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(e) => std::error::Error::source(e),
            Self::Decode(e) => std::error::Error::source(e),
            Self::InvalidEndpoint { .. } | Self::Api { .. } => None,
        }
    }
}

impl From<reqwest::Error> for ClientError {
    fn from(e: reqwest::Error) -> Self {
        Self::Transport(e)
    }
}

/// The transport both clients share: a configured `reqwest::Client`, the base URL and, for a
/// guarded admin API, the bearer token every request carries.
#[derive(Debug, Clone)]
struct Http {
    client: reqwest::Client,
    base: Url,
    bearer: Option<Bearer>,
}

/// An access token sent as `Authorization: Bearer` (RFC 6750 §2.1); never printed by `Debug`.
#[derive(Clone)]
struct Bearer(String);

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bearer(<redacted>)")
    }
}

impl Http {
    /// Validates `endpoint` (http or https, usable as a base; a path prefix such as
    /// `https://proxy/hydra-admin` is kept) and builds the connection.
    fn new(endpoint: &str, opts: ClientOptions) -> Result<Self, ClientError> {
        let invalid = |reason: String| ClientError::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            reason,
        };
        let base = Url::parse(endpoint).map_err(|e| invalid(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https".to_owned()));
        }
        if base.cannot_be_a_base() {
            return Err(invalid("it cannot be a base URL".to_owned()));
        }
        let mut headers = HeaderMap::new();
        if opts.fake_tls_termination {
            headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        }
        let client = reqwest::Client::builder()
            .user_agent(concat!("oxydra/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .tls_danger_accept_invalid_certs(opts.skip_tls_verify)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self {
            client,
            base,
            bearer: None,
        })
    }

    /// The base URL with `segments` appended, each percent-encoded as one path segment.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// A request to the base URL plus `segments`, with the bearer token when there is one
    /// (reqwest marks the header sensitive).
    fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        let request = self.client.request(method, self.url(segments));
        match &self.bearer {
            Some(Bearer(token)) => request.bearer_auth(token),
            None => request,
        }
    }

    /// A request to the base URL plus a fixed route from [`crate::paths`], e.g.
    /// [`crate::paths::OAUTH2_TOKEN`].
    fn route(&self, method: Method, path: &str) -> RequestBuilder {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.request(method, &segments)
    }
}

/// Sends `request` and turns an error status into [`ClientError::Api`].
async fn execute(request: RequestBuilder) -> Result<Response, ClientError> {
    check(request.send().await?).await
}

/// Passes a success response through; reads an error response into [`ClientError::Api`].
async fn check(response: Response) -> Result<Response, ClientError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    Err(ClientError::Api {
        status: status.as_u16(),
        body: error_body(status, &text),
    })
}

/// The Hydra error body in `text`, or one describing the status and quoting the raw text.
fn error_body(status: StatusCode, text: &str) -> ErrorBody {
    if let Ok(body) = serde_json::from_str::<ErrorBody>(text)
        && !body.error.is_empty()
    {
        return body;
    }
    let reason = status.canonical_reason().unwrap_or("unknown status");
    let mut quoted: String = text.trim().chars().take(MAX_QUOTED_BODY).collect();
    if text.trim().chars().count() > MAX_QUOTED_BODY {
        quoted.push('…');
    }
    ErrorBody {
        error: format!("HTTP {} {reason}", status.as_u16()),
        error_description: quoted,
        error_hint: None,
        status_code: status.as_u16(),
        error_debug: None,
    }
}

/// Reads a success body as JSON of type `T`.
async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    let bytes = response.bytes().await?;
    serde_json::from_slice(&bytes).map_err(ClientError::Decode)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(endpoint: &str) -> Http {
        Http::new(endpoint, ClientOptions::default()).unwrap()
    }

    #[test]
    fn bearer_tokens_are_sent_and_never_printed() {
        let mut c = client("http://127.0.0.1:4445");
        c.bearer = Some(Bearer("ory_at_secret".into()));
        let request = c.request(Method::GET, &["clients"]).build().unwrap();
        let header = request
            .headers()
            .get(reqwest::header::AUTHORIZATION)
            .unwrap();
        assert!(header.is_sensitive());
        assert_eq!(header.to_str().unwrap(), "Bearer ory_at_secret");
        assert!(!format!("{c:?}").contains("ory_at_secret"));
    }

    #[test]
    fn path_ids_are_percent_encoded_as_one_segment() {
        let c = client("http://127.0.0.1:4445");
        assert_eq!(
            c.url(&["clients", "a/b c?d#e"]).as_str(),
            "http://127.0.0.1:4445/clients/a%2Fb%20c%3Fd%23e"
        );
    }

    #[test]
    fn fixed_routes_are_appended_segment_by_segment() {
        let c = client("https://proxy.example/hydra/");
        let request = c
            .route(Method::POST, crate::paths::OAUTH2_INTROSPECT)
            .build()
            .unwrap();
        assert_eq!(
            request.url().as_str(),
            "https://proxy.example/hydra/oauth2/introspect"
        );
    }

    #[test]
    fn endpoint_path_prefix_is_kept() {
        let c = client("https://proxy.example/hydra/admin/");
        assert_eq!(
            c.url(&["clients"]).as_str(),
            "https://proxy.example/hydra/admin/clients"
        );
    }

    #[test]
    fn bad_endpoints_are_rejected() {
        for endpoint in ["", "127.0.0.1:4445", "ftp://x", "mailto:a@b"] {
            assert!(matches!(
                Http::new(endpoint, ClientOptions::default()),
                Err(ClientError::InvalidEndpoint { .. })
            ));
            assert!(matches!(
                PublicClient::new(endpoint, ClientOptions::default()),
                Err(ClientError::InvalidEndpoint { .. })
            ));
        }
    }

    #[test]
    fn api_errors_display_error_description_and_hint() {
        let body = error_body(
            StatusCode::BAD_REQUEST,
            r#"{"error":"invalid_request","error_description":"bad","error_hint":"fix it","status_code":400}"#,
        );
        let e = ClientError::Api { status: 400, body };
        assert_eq!(e.to_string(), "invalid_request: bad (fix it)");
    }

    #[test]
    fn non_json_error_bodies_still_explain() {
        let body = error_body(StatusCode::NOT_FOUND, "404 page not found\n");
        assert_eq!(body.error, "HTTP 404 Not Found");
        assert_eq!(body.error_description, "404 page not found");
        let e = ClientError::Api { status: 404, body };
        assert_eq!(e.to_string(), "HTTP 404 Not Found: 404 page not found");
        let empty = error_body(StatusCode::BAD_GATEWAY, "");
        assert_eq!(
            ClientError::Api {
                status: 502,
                body: empty
            }
            .to_string(),
            "HTTP 502 Bad Gateway"
        );
    }
}
