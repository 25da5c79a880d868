//! Typed HTTP client for the admin port (feature `client`).
//!
//! The `oxydra clients …` commands and the end-to-end tests use it, so the CLI talks to a running
//! server exactly the way a Hydra SDK would: the same paths, bodies and status codes
//! (`shared/spec/api.md` §2.2). It never links the server.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, LINK};
use reqwest::{Method, Response, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::paths::DEFAULT_PAGE_SIZE;
use crate::{ErrorBody, HealthStatus, OAuth2Client, Version};

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

/// One page of `GET /clients`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientPage {
    /// The clients on this page, in server order (Oxydra: by `client_id`).
    pub clients: Vec<OAuth2Client>,
    /// Whether the `Link` header announced a `rel="next"` page.
    pub has_next: bool,
}

/// A client for the admin port: `/clients`, `/health/*` and `/version`.
#[derive(Debug, Clone)]
pub struct AdminClient {
    http: reqwest::Client,
    base: Url,
}

impl AdminClient {
    /// Builds a client for the admin API at `endpoint` (e.g. `http://127.0.0.1:4445`; a path
    /// prefix such as `https://proxy/hydra-admin` is kept).
    pub fn new(endpoint: &str, opts: ClientOptions) -> Result<Self, ClientError> {
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
        let http = reqwest::Client::builder()
            .user_agent(concat!("oxydra/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .tls_danger_accept_invalid_certs(opts.skip_tls_verify)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self { http, base })
    }

    /// The base URL requests are made against.
    pub fn endpoint(&self) -> &Url {
        &self.base
    }

    /// `POST /clients`: registers a client; the answer carries the plaintext secret this once.
    pub async fn create_client(&self, client: &OAuth2Client) -> Result<OAuth2Client, ClientError> {
        let response = self.send(Method::POST, &["clients"], Some(client)).await?;
        decode(response).await
    }

    /// `GET /clients/{id}`: one client, without its secret.
    pub async fn get_client(&self, id: &str) -> Result<OAuth2Client, ClientError> {
        let response = self.send::<()>(Method::GET, &["clients", id], None).await?;
        decode(response).await
    }

    /// `GET /clients?limit=&offset=`: one page of clients; `None` uses the server defaults.
    pub async fn list_clients(
        &self,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<ClientPage, ClientError> {
        let mut url = self.url(&["clients"]);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("limit", &limit.unwrap_or(DEFAULT_PAGE_SIZE).to_string());
            query.append_pair("offset", &offset.unwrap_or(0).to_string());
        }
        let response = check(self.http.get(url).send().await?).await?;
        let has_next = response
            .headers()
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(link_has_next);
        let clients = decode(response).await?;
        Ok(ClientPage { clients, has_next })
    }

    /// `PUT /clients/{id}`: replaces the client (the path id wins over the body's); the secret
    /// is kept unless `client.client_secret` is set, and echoed only then.
    pub async fn update_client(
        &self,
        id: &str,
        client: &OAuth2Client,
    ) -> Result<OAuth2Client, ClientError> {
        let response = self
            .send(Method::PUT, &["clients", id], Some(client))
            .await?;
        decode(response).await
    }

    /// `DELETE /clients/{id}`: removes the client (Oxydra answers 404 for an unknown id).
    pub async fn delete_client(&self, id: &str) -> Result<(), ClientError> {
        self.send::<()>(Method::DELETE, &["clients", id], None)
            .await?;
        Ok(())
    }

    /// `GET /health/alive`: whether the process serves requests.
    pub async fn health_alive(&self) -> Result<HealthStatus, ClientError> {
        let response = self
            .send::<()>(Method::GET, &["health", "alive"], None)
            .await?;
        decode(response).await
    }

    /// `GET /health/ready`: whether the server can reach its database (503 is an `Api` error).
    pub async fn health_ready(&self) -> Result<HealthStatus, ClientError> {
        let response = self
            .send::<()>(Method::GET, &["health", "ready"], None)
            .await?;
        decode(response).await
    }

    /// `GET /version`: the server's build version.
    pub async fn version(&self) -> Result<Version, ClientError> {
        let response = self.send::<()>(Method::GET, &["version"], None).await?;
        decode(response).await
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

    /// Sends one request and turns an error status into [`ClientError::Api`].
    async fn send<B: Serialize>(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&B>,
    ) -> Result<Response, ClientError> {
        let mut request = self.http.request(method, self.url(segments));
        if let Some(body) = body {
            request = request.json(body);
        }
        check(request.send().await?).await
    }
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

/// Whether an RFC 8288 `Link` header value has a link with relation type `next`.
fn link_has_next(value: &str) -> bool {
    value.split(',').any(|link| {
        link.split(';').skip(1).any(|param| {
            let Some((name, rels)) = param.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && rels
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(endpoint: &str) -> AdminClient {
        AdminClient::new(endpoint, ClientOptions::default()).unwrap()
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
                AdminClient::new(endpoint, ClientOptions::default()),
                Err(ClientError::InvalidEndpoint { .. })
            ));
        }
    }

    #[test]
    fn link_header_next_is_detected() {
        assert!(link_has_next(
            r#"</clients?limit=2&offset=0>; rel="first",</clients?limit=2&offset=2>; rel="next""#
        ));
        assert!(link_has_next("</clients?offset=2>; rel=next"));
        assert!(link_has_next(r#"</x>; title="t"; rel="prev next""#));
        assert!(!link_has_next(
            r#"</clients?limit=2&offset=0>; rel="first""#
        ));
        assert!(!link_has_next(""));
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
