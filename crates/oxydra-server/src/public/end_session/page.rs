//! The front-channel logout page (Front-Channel Logout 1.0 §3–4): one hidden iframe per
//! client page, then on to the target once they have loaded — or after a few seconds, so a
//! client whose page never loads cannot keep the user here. Every URL is HTML-escaped; the page
//! is never cached or framed itself, and loads nothing but the clients' pages.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::html::escape;

/// How long the page waits for the clients' pages at most, in milliseconds.
const WAIT_MS: u32 = 3000;

/// The page framing `pages`, then going to `next`, with `cookies` set.
pub(super) fn frontchannel(pages: &[String], next: &str, cookies: &[HeaderValue]) -> Response {
    let frames: String = pages
        .iter()
        .map(|url| {
            format!(
                "<iframe src=\"{}\" style=\"display:none\" width=\"0\" height=\"0\"></iframe>",
                escape(url)
            )
        })
        .collect();
    let next = escape(next);
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Logging out</title>\
         <noscript><meta http-equiv=\"refresh\" content=\"3;url={next}\"></noscript></head>\
         <body data-next=\"{next}\"><p>Logging out…</p>{frames}\
         <p><a href=\"{next}\">Continue</a></p>\
         <script>(function(){{var f=document.getElementsByTagName('iframe'),n=f.length,\
         go=function(){{window.location.replace(document.body.getAttribute('data-next'));}};\
         for(var i=0;i<f.length;i++){{f[i].onload=f[i].onerror=function(){{if(--n<=0)go();}};}}\
         setTimeout(go,{WAIT_MS});}})();</script></body></html>"
    );
    let mut response = Html(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; frame-src *; frame-ancestors 'none'",
        ),
    );
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie.clone());
    }
    response
}
