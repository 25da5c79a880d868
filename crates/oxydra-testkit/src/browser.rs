//! A scripted browser for end-to-end flow tests: follows nothing by itself (each redirect is a
//! step the test inspects) and keeps cookies per name, as a browser would for one host.

use std::collections::BTreeMap;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// One browser: a cookie jar and a client that never follows redirects.
pub struct Browser {
    http: reqwest::Client,
    /// Cookie name → value.
    pub cookies: BTreeMap<String, String>,
}

/// What one navigation returned.
#[derive(Debug)]
pub struct Navigation {
    /// The status code.
    pub status: u16,
    /// The `Location` header, when redirected.
    pub location: Option<String>,
    /// The body.
    pub body: String,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with an empty cookie jar.
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_else(|e| panic!("cannot build the browser's HTTP client: {e}")),
            cookies: BTreeMap::new(),
        }
    }

    /// A browser over `http`, which must not follow redirects (e.g. one that resolves a test
    /// issuer's host name with `reqwest::ClientBuilder::resolve`).
    pub fn with_client(http: reqwest::Client) -> Self {
        Self {
            http,
            cookies: BTreeMap::new(),
        }
    }

    /// `GET url` with the jar's cookies; stores the cookies the response sets.
    pub async fn get(&mut self, url: &str) -> Navigation {
        let request = self.http.get(url);
        self.navigate(request, "GET", url).await
    }

    /// Submits a form: `POST url` with `fields` form-encoded (keys may repeat) and the jar's
    /// cookies; stores the cookies the response sets.
    pub async fn post_form(&mut self, url: &str, fields: &[(&str, &str)]) -> Navigation {
        let request = self.http.post(url).form(fields);
        self.navigate(request, "POST", url).await
    }

    async fn navigate(
        &mut self,
        mut request: reqwest::RequestBuilder,
        method: &str,
        url: &str,
    ) -> Navigation {
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(COOKIE, header.join("; "));
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url} failed: {e}"));
        for set in response.headers().get_all(SET_COOKIE) {
            let Ok(text) = set.to_str() else { continue };
            let first = text.split(';').next().unwrap_or("");
            let Some((name, value)) = first.split_once('=') else {
                continue;
            };
            let expired = text
                .split(';')
                .any(|attr| attr.trim().eq_ignore_ascii_case("Max-Age=0"));
            if expired || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await.unwrap_or_default();
        Navigation {
            status,
            location,
            body,
        }
    }
}

/// The value of query parameter `name` in `url` (or in its fragment when `fragment`).
pub fn param(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .chain(url::form_urlencoded::parse(
            parsed.fragment().unwrap_or("").as_bytes(),
        ))
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
