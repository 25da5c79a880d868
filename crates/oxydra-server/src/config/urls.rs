//! The issuer and the URLs derived from it.

use url::Url;

use super::defaults::DEFAULT_ISSUER;
use super::env::{EnvSource, Reader};

/// The issuer; without development mode it must be https (so the default is refused).
/// `None` (with a problem recorded) when it is unusable. Unset in development mode, it is
/// `http://localhost:<public port>`, so browsers are sent where the server listens (Hydra's
/// `http://localhost:4444` when the port is 0, which is only known once bound).
pub(super) fn issuer<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    dangerous: bool,
    public_port: u16,
) -> Option<Url> {
    let Some(value) = r.raw("OAUTH2_ISSUER_URL") else {
        if !dangerous {
            r.problem(
                "OAUTH2_ISSUER_URL",
                format!(
                    "not set, and the default {DEFAULT_ISSUER} is not https; set the public https URL \
                     of this server, or run with --dangerous-force-http for local development"
                ),
            );
        }
        let default = match public_port {
            0 => Url::parse(DEFAULT_ISSUER).ok(),
            port => Url::parse(&format!("http://localhost:{port}")).ok(),
        };
        if default.is_none() {
            r.problem(
                "OAUTH2_ISSUER_URL",
                "the built-in default does not parse (a bug)",
            );
        }
        return default;
    };
    let text = value.text.trim();
    let issuer = match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => url,
        _ => {
            r.problem(
                &value.source,
                format!("{text:?} is not an absolute http(s) URL"),
            );
            return None;
        }
    };
    if issuer.query().is_some() || issuer.fragment().is_some() {
        r.problem(
            &value.source,
            "an issuer must not have a query or fragment (OIDC Discovery §3)",
        );
    }
    if !dangerous && issuer.scheme() != "https" {
        r.problem(
            &value.source,
            format!(
                "{issuer} is not https; use an https issuer, or run with --dangerous-force-http \
                 for local development"
            ),
        );
    }
    Some(issuer)
}

/// `path` appended to the issuer (`https://a/b` + `/c` = `https://a/b/c`).
pub(crate) fn resolve_against(issuer: &Url, path: &str) -> Result<Url, url::ParseError> {
    let base = format!("{}/", issuer.as_str().trim_end_matches('/'));
    Url::parse(&base)?.join(path.trim_start_matches('/'))
}

/// An absolute http(s) URL, or a path resolved against the issuer. The default is the key
/// table's, or `instead_of_documented` (the demo's pages). `None` only when the issuer is
/// unusable (already a problem) or the value is invalid (recorded here).
pub(super) fn url<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    issuer: Option<&Url>,
    key: &str,
    instead_of_documented: Option<&str>,
) -> Option<Url> {
    let default = instead_of_documented.unwrap_or_else(|| r.documented_default(key));
    let fallback = issuer.and_then(|i| resolve_against(i, default).ok());
    let mut failed = false;
    let value = r.parse(key, fallback, |s| {
        absolute_or_relative(issuer, s).inspect_err(|_| failed = true)
    });
    if value.is_none() && issuer.is_some() && !failed {
        r.problem(key, "cannot be resolved against the issuer");
    }
    value
}

/// `Ok(None)`: a relative value while the issuer is unusable.
pub(super) fn absolute_or_relative(issuer: Option<&Url>, s: &str) -> Result<Option<Url>, String> {
    let parsed = match Url::parse(s) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => match issuer {
            Some(issuer) => resolve_against(issuer, s)
                .map_err(|e| format!("{s:?} is not a URL or path: {e}"))?,
            None => return Ok(None),
        },
        Err(e) => return Err(format!("{s:?} is not a URL: {e}")),
    };
    if matches!(parsed.scheme(), "http" | "https") {
        Ok(Some(parsed))
    } else {
        Err(format!("{s:?} is not an http(s) URL"))
    }
}
