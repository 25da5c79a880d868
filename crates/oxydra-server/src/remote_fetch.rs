//! Bounded, SSRF-safe `GET`s of documents a client's metadata points at (`jwks_uri`,
//! `sector_identifier_uri`): the one HTTP client the server uses to reach URLs an admin or a
//! client chose.
//!
//! Limits: a whole-request timeout, a response-size cap, at most [`MAX_REDIRECTS`] redirects
//! (each target checked like the first URL), no proxy (a proxy would resolve the name itself).
//! Outside development mode only `https` is fetched, and only from globally routable
//! addresses: the name is resolved, *every* address checked, and the connection made to the
//! checked addresses ([`address::PublicOnlyResolver`]), so a rebinding DNS answer cannot swap
//! them. In development mode (`--dangerous-force-http`) `http` is allowed to loopback hosts
//! and private addresses are not refused. Errors never echo the remote status or body.

pub mod address;

#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::ACCEPT;
use url::{Host, Url};

use self::address::{NonPublicAddress, PublicOnlyResolver, is_public};
use oxydra_core::client::uri::is_loopback_host;

/// Redirects followed per fetch; each target must pass the same URL check.
pub const MAX_REDIRECTS: usize = 3;

/// Limits of a [`RemoteFetcher`], and whether it runs in development mode.
#[derive(Debug, Clone, Copy)]
pub struct FetchPolicy {
    /// Whole-request timeout (resolution, connect, headers and body).
    pub timeout: Duration,
    /// Largest accepted response body, in bytes.
    pub max_bytes: usize,
    /// Development mode: `http` to loopback hosts, and no address check.
    pub dev: bool,
}

impl Default for FetchPolicy {
    /// 5 s, 256 KiB, production rules.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            max_bytes: 256 * 1024,
            dev: false,
        }
    }
}

/// Why a fetch failed, in terms safe to show the admin or client (no remote status, no body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchError {
    /// The URL (or a redirect target) is not one this server fetches.
    NotAllowed,
    /// The host resolves to a loopback, private, link-local or otherwise non-public address.
    NonPublicAddress,
    /// No answer within the timeout.
    Timeout,
    /// Connection or protocol failure.
    Unreachable,
    /// The server answered with a non-2xx status.
    ErrorStatus,
    /// The body exceeds the size cap.
    TooLarge,
}

impl FetchError {
    /// What went wrong, as the end of a sentence starting with the document's name.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotAllowed => {
                "must be an https URL (plain http only to a loopback host in development mode)"
            }
            Self::NonPublicAddress => "does not resolve to a public address",
            Self::Timeout => "did not answer in time",
            Self::Unreachable => "could not be fetched",
            Self::ErrorStatus => "did not answer with a success status",
            Self::TooLarge => "returned a document larger than this server accepts",
        }
    }
}

/// The HTTP client for client-chosen URLs; cheap to clone (reqwest's client is shared).
#[derive(Debug, Clone)]
pub struct RemoteFetcher {
    http: reqwest::Client,
    policy: FetchPolicy,
}

impl RemoteFetcher {
    /// A fetcher with its own HTTP client (rustls, no proxy, checked redirects and addresses).
    pub fn new(policy: FetchPolicy) -> Result<Self, reqwest::Error> {
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else {
                match check_url(attempt.url(), policy.dev) {
                    Ok(()) => attempt.follow(),
                    Err(refused) => attempt.error(RefusedRedirect(refused)),
                }
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout)
            .redirect(redirects)
            .no_proxy();
        if !policy.dev {
            builder = builder.dns_resolver(PublicOnlyResolver::shared());
        }
        Ok(Self {
            http: builder.build()?,
            policy,
        })
    }

    /// `GET uri` with `Accept: accept`: the body of a 2xx answer, at most `max_bytes` long.
    pub async fn get(&self, uri: &str, accept: &'static str) -> Result<Vec<u8>, FetchError> {
        let url = Url::parse(uri).map_err(|_| FetchError::NotAllowed)?;
        check_url(&url, self.policy.dev)?;
        let response = self
            .http
            .get(url)
            .header(ACCEPT, accept)
            .send()
            .await
            .map_err(|e| classify(uri, &e))?;
        let status = response.status();
        if !status.is_success() {
            tracing::debug!(
                uri,
                status = status.as_u16(),
                "remote document: error status"
            );
            return Err(FetchError::ErrorStatus);
        }
        read_capped(uri, response, self.policy.max_bytes).await
    }
}

/// The body of `response`, refused as [`FetchError::TooLarge`] once it exceeds `max` bytes
/// (announced or read), so a hostile server cannot make this process buffer without bound.
pub(crate) async fn read_capped(
    uri: &str,
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, FetchError> {
    if response
        .content_length()
        .is_some_and(|len| len > u64::try_from(max).unwrap_or(u64::MAX))
    {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(uri, &e))? {
        if body.len().saturating_add(chunk.len()) > max {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl RemoteFetcher {
    /// `POST uri` with a form body (a back-channel logout, Back-Channel Logout 1.0 §2.5),
    /// under the same URL, address and time rules as [`RemoteFetcher::get`]; the answer's
    /// body is not read. Success is a 2xx status.
    pub async fn post_form(&self, uri: &str, form: &[(&str, &str)]) -> Result<(), FetchError> {
        let url = Url::parse(uri).map_err(|_| FetchError::NotAllowed)?;
        check_url(&url, self.policy.dev)?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| classify(uri, &e))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(FetchError::ErrorStatus)
        }
    }
}

/// The URL rule, applied to the first URL and every redirect target: `https` (or, in
/// development mode, `http` to a loopback host); outside development mode an IP-literal host
/// must be public (names are checked when resolved, by the resolver).
pub fn check_url(url: &Url, dev: bool) -> Result<(), FetchError> {
    let scheme_ok = match url.scheme() {
        "https" => url.host().is_some(),
        "http" => dev && is_loopback_host(url),
        _ => false,
    };
    if !scheme_ok {
        return Err(FetchError::NotAllowed);
    }
    let literal = match url.host() {
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    match literal {
        Some(ip) if !dev && !is_public(ip) => Err(FetchError::NonPublicAddress),
        _ => Ok(()),
    }
}

/// The redirect policy's refusal, found again in the error's source chain.
#[derive(Debug)]
struct RefusedRedirect(FetchError);

impl std::fmt::Display for RefusedRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redirect target refused: it {}", self.0.reason())
    }
}

impl std::error::Error for RefusedRedirect {}

/// Maps a reqwest failure to a [`FetchError`], logging the detail (never returned).
pub(crate) fn classify(uri: &str, error: &reqwest::Error) -> FetchError {
    let mut detail = error.to_string();
    let mut kind = if error.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Unreachable
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<NonPublicAddress>() {
            kind = FetchError::NonPublicAddress;
        } else if let Some(RefusedRedirect(refused)) = cause.downcast_ref() {
            kind = *refused;
        }
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::debug!(uri, detail, "remote document: fetch failed");
    kind
}
