//! The device flow's verification pages (RFC 8628 §3.3): the user-code form, the confirmation
//! that names the client and the scopes before any login starts (§5.4, against remote
//! phishing), and the result. Every dynamic value is HTML-escaped; the pages are never cached
//! and may not be framed (a framed confirmation button could be clicked by trickery).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use oxydra_core::OAuthError;
use oxydra_core::client::Client;

use crate::html::escape;

/// The user-code form, filled with `prefill` (from `verification_uri_complete`), carrying the
/// anti-CSRF value `csrf`, with `message` above it (a wrong code, say).
pub(crate) fn code_form(prefill: &str, csrf: &str, message: Option<&str>) -> String {
    let note = message
        .map(|m| format!("<p role=\"alert\"><strong>{}</strong></p>", escape(m)))
        .unwrap_or_default();
    page(
        "Connect a device",
        &format!(
            "{note}<p>Enter the code your device shows.</p>\
             <form method=\"post\"><label>Code <input name=\"user_code\" value=\"{}\" \
             autocomplete=\"off\" autocapitalize=\"characters\" autofocus></label>\
             <input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\
             <button type=\"submit\">Continue</button></form>",
            escape(prefill),
            escape(csrf)
        ),
    )
}

/// RFC 8628 §5.4: who asks, for what, and a warning, before the user confirms.
pub(crate) fn confirm(client: &Client, scopes: &[String], user_code: &str, csrf: &str) -> String {
    let name = if client.name.is_empty() {
        client.id.as_str()
    } else {
        client.name.as_str()
    };
    let scopes = if scopes.is_empty() {
        "<li>(no scopes)</li>".to_owned()
    } else {
        scopes
            .iter()
            .map(|s| format!("<li><code>{}</code></li>", escape(s)))
            .collect()
    };
    page(
        "Connect a device",
        &format!(
            "<p>The device showing <strong>{code}</strong> is <strong>{name}</strong> \
             (client <code>{id}</code>) and asks for:</p><ul>{scopes}</ul>\
             <p>Continue only if you started this on your own device and it shows this very \
             code. Never enter a code someone sent you.</p>\
             <form method=\"post\"><input type=\"hidden\" name=\"user_code\" value=\"{code}\">\
             <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"confirm\" value=\"yes\">\
             <button type=\"submit\">Continue and sign in</button></form>\
             <p><a href=\"?\">Cancel</a></p>",
            code = escape(user_code),
            name = escape(name),
            id = escape(client.id.as_str()),
            csrf = escape(csrf),
        ),
    )
}

/// The end of the flow in the browser.
pub(crate) fn finished(approved: bool) -> String {
    if approved {
        page(
            "Device connected",
            "<p>Your device is now connected. You can close this window and go back to it.</p>",
        )
    } else {
        page(
            "Device not connected",
            "<p>The request was denied; your device will not be connected.</p>",
        )
    }
}

/// An error for the user.
pub(crate) fn error(error: &OAuthError) -> String {
    page(
        "The device could not be connected",
        &format!(
            "<p><strong>{}</strong></p><p>{}</p><p>{}</p>",
            escape(error.kind.code()),
            escape(&error.description),
            escape(error.hint.as_deref().unwrap_or("")),
        ),
    )
}

/// `body` as a response with `status`, no caching and no framing.
pub(crate) fn respond(status: StatusCode, body: String, cookies: &[HeaderValue]) -> Response {
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie.clone());
    }
    response
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         </head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )
}
