//! URI rules shared by client registration and the authorization endpoint: which schemes a
//! registered URI may use, what counts as a loopback host (RFC 8252 §7.3, RFC 6761 §6.3), and
//! the OIDC Core §8.1 sector document check.

use url::{Host, Url};

use crate::error::Error;

/// Schemes a browser executes or reads locally rather than navigating to a party that could
/// receive a code or a token: never accepted in a registered URI (RFC 9700 §4.1, and the
/// classic `javascript:` redirect XSS).
pub const FORBIDDEN_SCHEMES: &[&str] = &["javascript", "data", "vbscript", "file", "blob"];

/// Whether `url`'s host is a loopback host: `localhost`, a name under `.localhost` (RFC 6761
/// §6.3 reserves both for loopback), or a loopback IP address. A name that merely *ends* in
/// `localhost` (`evillocalhost`) is an ordinary host.
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            domain == "localhost" || domain.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// Parses `raw` as an absolute URL whose scheme is not one of [`FORBIDDEN_SCHEMES`].
pub fn parse_registered_url(field: &'static str, raw: &str) -> Result<Url, Error> {
    let url = Url::parse(raw)
        .map_err(|e| Error::invalid(field, format!("{raw:?} is not an absolute URL: {e}")))?;
    if FORBIDDEN_SCHEMES.contains(&url.scheme()) {
        return Err(Error::invalid(
            field,
            format!(
                "{raw:?} uses the scheme {}:, which is never allowed",
                url.scheme()
            ),
        ));
    }
    Ok(url)
}

/// RFC 6749 §3.1.2: an absolute URI without a fragment, and not a script or local-content
/// scheme.
pub fn validate_redirect_uri(field: &'static str, raw: &str) -> Result<(), Error> {
    if raw.contains('#') {
        return Err(Error::invalid(
            field,
            format!("{raw:?} must not contain a fragment"),
        ));
    }
    parse_registered_url(field, raw).map(|_| ())
}

/// Whether a `sector_identifier_uri` may be fetched: `https`, or — only when
/// `loopback_http` (development mode) — plain `http` to a loopback host.
pub fn sector_uri_allowed(url: &Url, loopback_http: bool) -> bool {
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => loopback_http && is_loopback_host(url),
        _ => false,
    }
}

/// OIDC Core §8.1: the document at a `sector_identifier_uri` is a non-empty JSON array of
/// redirect URIs, and it must list every one of the client's `redirect_uris` (compared as
/// exact strings, as the authorization endpoint compares them). Otherwise a client could name another party's
/// sector and receive the same pairwise subject identifiers, linking users across the two.
pub fn check_sector_document(redirect_uris: &[String], document: &[u8]) -> Result<(), Error> {
    let listed: Vec<String> = serde_json::from_slice(document)
        .ok()
        .filter(|listed: &Vec<String>| !listed.is_empty())
        .ok_or_else(|| {
            Error::invalid(
                "sector_identifier_uri",
                "the document is not a non-empty JSON array of redirect URIs (OIDC Core §8.1)",
            )
        })?;
    match redirect_uris.iter().find(|uri| !listed.contains(uri)) {
        None => Ok(()),
        Some(missing) => Err(Error::invalid(
            "sector_identifier_uri",
            format!("the document does not list the redirect URI {missing:?}"),
        )),
    }
}

#[cfg(test)]
mod tests;
