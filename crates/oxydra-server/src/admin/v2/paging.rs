//! Hydra 2.x keyset paging (`page_size`, `page_token`): a page of rows after an opaque token,
//! with an RFC 8288 `Link` header to the first and the next page.

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;

/// Hydra 2.x's default page size.
pub const DEFAULT_PAGE_SIZE: u32 = 250;

/// A requested page: its size (1–500) and the key the previous page ended at (`""` first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysetPage {
    /// Rows per page.
    pub size: u32,
    /// The last key of the previous page, decoded from `page_token`.
    pub after: String,
}

impl KeysetPage {
    /// Reads `page_size` and `page_token`; a size that is no integer in 1–500 or a token this
    /// server did not write is 400 `invalid_request`.
    pub fn from_query(page_size: Option<&str>, page_token: Option<&str>) -> Result<Self, ApiError> {
        let size = match page_size.filter(|s| !s.is_empty()) {
            None => DEFAULT_PAGE_SIZE,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=oxydra_api::paths::MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid_request(format!(
                        "Query parameter page_size must be an integer from 1 to {}, got {raw:?}.",
                        oxydra_api::paths::MAX_PAGE_SIZE
                    ))
                })?,
        };
        let after = match page_token.filter(|s| !s.is_empty()) {
            None => String::new(),
            Some(token) => URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    ApiError::invalid_request("Query parameter page_token is malformed.")
                })?,
        };
        Ok(Self { size, after })
    }

    /// How many rows to ask the store for: one more than the page, to see whether a next
    /// page exists.
    pub fn probe(&self) -> u32 {
        self.size.saturating_add(1)
    }

    /// Cuts `rows` (fetched with [`Self::probe`]) to the page and writes the `Link` header
    /// (`base` an encoded path, `query` extra encoded parameters such as `subject=alice&`).
    pub fn finish<T>(
        &self,
        base: &str,
        query: &str,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> String,
    ) -> (HeaderMap, Vec<T>) {
        let has_next = rows.len() > self.size as usize;
        rows.truncate(self.size as usize);
        let link = |token: &str, rel: &str| {
            let size = self.size;
            format!("<{base}?{query}page_size={size}&page_token={token}>; rel=\"{rel}\"")
        };
        let mut links = vec![link("", "first")];
        if has_next && let Some(last) = rows.last() {
            links.push(link(&URL_SAFE_NO_PAD.encode(key(last)), "next"));
        }
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&links.join(",")) {
            headers.insert(header::LINK, value);
        }
        (headers, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_bad_input_is_refused() {
        let page = KeysetPage::from_query(Some("2"), None).unwrap();
        let (headers, rows) = page.finish("/admin/clients", "", vec!["a", "b", "c"], |s| {
            (*s).to_owned()
        });
        assert_eq!(rows, ["a", "b"]);
        let link = headers[header::LINK].to_str().unwrap();
        let token = URL_SAFE_NO_PAD.encode("b");
        assert_eq!(
            link,
            format!(
                "</admin/clients?page_size=2&page_token=>; rel=\"first\",</admin/clients?page_size=2&page_token={token}>; rel=\"next\""
            )
        );
        let next = KeysetPage::from_query(Some("2"), Some(&token)).unwrap();
        assert_eq!(next.after, "b");
        for size in ["0", "501", "x", "-1"] {
            assert!(KeysetPage::from_query(Some(size), None).is_err(), "{size}");
        }
        assert!(KeysetPage::from_query(None, Some("%%%")).is_err());
        assert_eq!(
            KeysetPage::from_query(None, None).unwrap().size,
            DEFAULT_PAGE_SIZE
        );
    }
}
