//! `/oauth2/fallbacks/{error,consent,logout}`: the small HTML pages Hydra serves when no
//! operator page is configured. Every value shown is HTML-escaped.

use axum::extract::Query;
use axum::response::Html;
use std::collections::HashMap;

/// The default `OAUTH2_ERROR_URL`: shows the error the authorization endpoint could not send
/// to a client.
pub(crate) async fn error(Query(q): Query<HashMap<String, String>>) -> Html<String> {
    let field = |name: &str| escape(q.get(name).map(String::as_str).unwrap_or(""));
    page(
        "Error",
        &format!(
            "<p><strong>{}</strong></p><p>{}</p><p>{}</p>",
            field("error"),
            field("error_description"),
            field("error_hint"),
        ),
    )
}

/// The default login and consent URL: explains that no login/consent app is configured.
pub(crate) async fn consent() -> Html<String> {
    page(
        "No login or consent app is configured",
        "<p>Set <code>OAUTH2_LOGIN_URL</code> and <code>OAUTH2_CONSENT_URL</code> to the login \
         and consent app that authenticates users and asks for their consent.</p>",
    )
}

/// The default `OAUTH2_LOGOUT_REDIRECT_URL`.
pub(crate) async fn logout() -> Html<String> {
    page("Logged out", "<p>You have been logged out.</p>")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         </head><body><main><h1>{title}</h1>{body}</main></body></html>"
    ))
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
