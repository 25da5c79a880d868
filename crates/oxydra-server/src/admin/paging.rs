//! Paged list responses of the admin API (`/clients`, `/oauth2/auth/sessions/consent/{user}`):
//! a JSON array plus an RFC 8288 `Link` header to the first, previous and next pages.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::extract::Page;

/// How many rows to ask the store for: one more than the page, to learn whether a next page
/// exists; 0 for an empty page (no query needed).
pub fn probe_limit(page: Page) -> u32 {
    if page.limit == 0 {
        0
    } else {
        page.limit.saturating_add(1)
    }
}

/// The page's rows (at most `page.limit` of `rows`, fetched with [`probe_limit`]) as a JSON
/// array with a `Link` header relative to `base` (an already-encoded path).
pub fn respond<T: Serialize>(base: &str, page: Page, mut rows: Vec<T>) -> Response {
    let has_next = rows.len() > page.limit as usize;
    rows.truncate(page.limit as usize);
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&link_header(base, page, has_next)) {
        headers.insert(header::LINK, value);
    }
    (headers, axum::Json(rows)).into_response()
}

/// RFC 8288 links to the first, previous and next pages.
fn link_header(base: &str, page: Page, has_next: bool) -> String {
    let link = |offset: u32, rel: &str| {
        format!(
            "<{base}?limit={}&offset={offset}>; rel=\"{rel}\"",
            page.limit
        )
    };
    let mut links = vec![link(0, "first")];
    if page.offset > 0 {
        links.push(link(page.offset.saturating_sub(page.limit), "prev"));
    }
    if has_next {
        links.push(link(page.offset.saturating_add(page.limit), "next"));
    }
    links.join(",")
}

/// `201 Created` with `body` and a `Location` header (`location` already encoded).
pub fn created<T: Serialize>(location: &str, body: T) -> Response {
    let mut response = (axum::http::StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `prefix` (a fixed, already-encoded path such as `/clients`) followed by each of `segments`
/// percent-encoded as one path segment.
pub fn encoded_path(prefix: &str, segments: &[&str]) -> String {
    let Ok(mut url) = url::Url::parse("http://oxydra.invalid/") else {
        return prefix.to_owned();
    };
    url.set_path(prefix);
    if let Ok(mut path) = url.path_segments_mut() {
        path.extend(segments);
    }
    url.path().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_one_by_one() {
        assert_eq!(encoded_path("/clients", &["a b/c"]), "/clients/a%20b%2Fc");
        assert_eq!(
            encoded_path("/oauth2/auth/sessions/consent", &["alice"]),
            "/oauth2/auth/sessions/consent/alice"
        );
    }

    #[test]
    fn links_name_first_prev_and_next() {
        let page = Page {
            limit: 2,
            offset: 3,
        };
        assert_eq!(
            link_header("/x", page, true),
            r#"</x?limit=2&offset=0>; rel="first",</x?limit=2&offset=1>; rel="prev",</x?limit=2&offset=5>; rel="next""#
        );
        assert_eq!(probe_limit(page), 3);
        assert_eq!(
            probe_limit(Page {
                limit: 0,
                offset: 0
            }),
            0
        );
    }
}
