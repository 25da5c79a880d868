//! `/oauth2/fallbacks/{error,consent,logout}`: the small HTML pages Hydra serves when no
//! operator page is configured. Every value shown is HTML-escaped.

use axum::extract::Query;
use axum::response::Html;
use std::collections::HashMap;

use crate::html::escape;

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

/// The default login, consent and logout URL: explains that no such app is configured.
pub(crate) async fn consent() -> Html<String> {
    page(
        "No login, consent or logout app is configured",
        "<p>Set <code>OAUTH2_LOGIN_URL</code>, <code>OAUTH2_CONSENT_URL</code> and \
         <code>OAUTH2_LOGOUT_URL</code> to the app that authenticates users, asks for their \
         consent and confirms their logout.</p>",
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
