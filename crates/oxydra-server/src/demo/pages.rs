//! The demo app's HTML: a login page, a consent page and an error page. Semantic HTML5 with a
//! `<label>` for every input and a little inline CSS; no JavaScript. Every dynamic value is
//! HTML-escaped.

use crate::html::escape;

/// What the login page shows.
#[derive(Debug, Clone, Copy)]
pub(super) struct LoginView<'a> {
    /// The login challenge, carried in a hidden field.
    pub challenge: &'a str,
    /// The client's name (or id).
    pub client: &'a str,
    /// Pre-filled user name: the `login_hint`, or what was typed before an error.
    pub username: &'a str,
    /// Why the last attempt failed.
    pub error: Option<&'a str>,
}

/// What the consent page shows.
#[derive(Debug, Clone, Copy)]
pub(super) struct ConsentView<'a> {
    /// The consent challenge, carried in a hidden field.
    pub challenge: &'a str,
    /// The client's name (or id).
    pub client: &'a str,
    /// The logged-in user.
    pub subject: &'a str,
    /// The requested scopes, one checkbox each.
    pub scopes: &'a [String],
    /// The individual claims the `claims` parameter asks for, granted with Allow.
    pub claims: &'a [String],
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1d21}\
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.5rem;\
box-shadow:0 1px 4px rgba(0,0,0,.15)}h1{font-size:1.4rem;margin-top:0}\
label{display:block;margin:.8rem 0 .3rem;font-weight:600}\
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;\
font-size:1rem;border:1px solid #8a8f98;border-radius:.25rem}\
.check{display:flex;gap:.5rem;align-items:center;margin:.5rem 0}.check label{margin:0;font-weight:400}\
fieldset{border:1px solid #d0d3d9;border-radius:.25rem;margin:1rem 0}\
.actions{display:flex;gap:.75rem;margin-top:1.5rem}button{padding:.55rem 1.2rem;font-size:1rem;\
border-radius:.25rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}\
button.secondary{background:#fff;color:#1d4ed8}button:focus-visible,input:focus-visible{\
outline:3px solid #f59e0b;outline-offset:2px}\
.error{background:#fde8e8;border:1px solid #b91c1c;color:#7f1d1d;padding:.6rem;border-radius:.25rem}\
.note{color:#4b5059;font-size:.9rem}";

/// A whole page around `body`.
fn layout(title: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Oxydra demo</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>\n"
    )
}

/// The login form: user name, password, "remember me", Log in / Deny.
pub(super) fn login(view: &LoginView<'_>) -> String {
    let error = view.error.map_or_else(String::new, |e| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e))
    });
    let body = format!(
        "<p><strong>{client}</strong> wants you to log in.</p>{error}\
         <form method=\"post\" action=\"login\">\
         <input type=\"hidden\" name=\"challenge\" value=\"{challenge}\">\
         <label for=\"username\">User name</label>\
         <input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" \
         autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required autofocus>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" \
         autocomplete=\"current-password\" required>\
         <div class=\"check\"><input type=\"checkbox\" id=\"remember\" name=\"remember\" value=\"1\">\
         <label for=\"remember\">Remember me</label></div>\
         <div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"accept\">Log in</button>\
         <button type=\"submit\" name=\"action\" value=\"deny\" class=\"secondary\" formnovalidate>\
         Deny</button></div></form>\
         <p class=\"note\">Oxydra demo login: the accounts come from <code>OXYDRA_DEMO_USERS</code> \
         (by default <code>alice</code> / <code>alice-password</code>). Never use it in production.</p>",
        client = escape(view.client),
        challenge = escape(view.challenge),
        username = escape(view.username),
    );
    layout("Log in", &body)
}

/// The consent form: one checked checkbox per requested scope, "remember me", Allow / Deny.
pub(super) fn consent(view: &ConsentView<'_>) -> String {
    let mut scopes = String::new();
    for (index, scope) in view.scopes.iter().enumerate() {
        let scope = escape(scope);
        scopes.push_str(&format!(
            "<div class=\"check\"><input type=\"checkbox\" id=\"scope-{index}\" name=\"grant_scope\" \
             value=\"{scope}\" checked><label for=\"scope-{index}\"><code>{scope}</code></label></div>"
        ));
    }
    let scopes = if scopes.is_empty() {
        "<p>No scopes were requested.</p>".to_owned()
    } else {
        format!("<fieldset><legend>Permissions</legend>{scopes}</fieldset>")
    };
    let claims = if view.claims.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = view.claims.iter().map(|c| escape(c).to_string()).collect();
        format!(
            "<p>It also asks for: <strong>{}</strong>.</p>",
            names.join(", ")
        )
    };
    let body = format!(
        "<p><strong>{client}</strong> asks for access to your account \
         (<strong>{subject}</strong>).</p>\
         <form method=\"post\" action=\"consent\">\
         <input type=\"hidden\" name=\"challenge\" value=\"{challenge}\">{scopes}{claims}\
         <div class=\"check\"><input type=\"checkbox\" id=\"remember\" name=\"remember\" value=\"1\">\
         <label for=\"remember\">Remember me (do not ask again for these permissions)</label></div>\
         <div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"action\" value=\"deny\" class=\"secondary\">Deny</button>\
         </div></form>",
        client = escape(view.client),
        subject = escape(view.subject),
        challenge = escape(view.challenge),
    );
    layout("Allow access?", &body)
}

/// What the logout page shows.
#[derive(Debug, Clone, Copy)]
pub(super) struct LogoutView<'a> {
    /// The logout challenge, carried in a hidden field.
    pub challenge: &'a str,
    /// The user being logged out.
    pub subject: &'a str,
    /// The client that asked for the logout, when one did.
    pub client: Option<&'a str>,
}

/// The logout confirmation: Log out / Stay logged in.
pub(super) fn logout(view: &LogoutView<'_>) -> String {
    let asked_by = view.client.map_or_else(String::new, |client| {
        format!(
            " <strong>{}</strong> asked to end your session.",
            escape(client)
        )
    });
    let body = format!(
        "<p>Log out <strong>{subject}</strong>?{asked_by} Every application you signed in to \
         through this provider is told.</p>\
         <form method=\"post\" action=\"logout\">\
         <input type=\"hidden\" name=\"challenge\" value=\"{challenge}\">\
         <div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"accept\">Log out</button>\
         <button type=\"submit\" name=\"action\" value=\"reject\" class=\"secondary\">\
         Stay logged in</button></div></form>",
        subject = escape(view.subject),
        challenge = escape(view.challenge),
    );
    layout("Log out?", &body)
}

/// The page after "Stay logged in".
pub(super) fn still_logged_in() -> String {
    layout(
        "You are still logged in",
        "<p>Nothing was changed. You can close this page.</p>",
    )
}

/// An error the user can only restart from.
pub(super) fn error(message: &str) -> String {
    layout(
        "Something went wrong",
        &format!("<p role=\"alert\">{}</p>", escape(message)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_has_a_label_and_values_are_escaped() {
        let page = login(&LoginView {
            challenge: "c\"h",
            client: "<b>x</b>",
            username: "'a'",
            error: Some("<i>bad</i>"),
        });
        assert!(page.contains("lang=\"en\""));
        assert!(page.contains("<label for=\"username\">") && page.contains("id=\"username\""));
        assert!(page.contains("<label for=\"password\">") && page.contains("id=\"password\""));
        assert!(page.contains("<label for=\"remember\">") && page.contains("id=\"remember\""));
        assert!(page.contains("value=\"c&quot;h\""));
        assert!(page.contains("&lt;b&gt;x&lt;/b&gt;") && !page.contains("<b>x"));
        assert!(page.contains("&lt;i&gt;bad") && page.contains("value=\"&#39;a&#39;\""));
        assert!(!page.contains("<script"));
    }

    #[test]
    fn consent_has_one_checked_box_per_scope() {
        let scopes = ["openid".to_owned(), "a\"b".to_owned()];
        let page = consent(&ConsentView {
            challenge: "c",
            client: "app",
            subject: "alice",
            scopes: &scopes,
            claims: &["email (essential)".to_owned(), "<x>".to_owned()],
        });
        assert_eq!(page.matches("name=\"grant_scope\"").count(), 2);
        assert_eq!(page.matches(" checked>").count(), 2);
        assert!(page.contains("<label for=\"scope-1\"><code>a&quot;b</code></label>"));
        assert!(page.contains("asks for: <strong>email (essential), &lt;x&gt;</strong>"));
    }

    #[test]
    fn logout_escapes_and_carries_the_challenge() {
        let page = logout(&LogoutView {
            challenge: "c\"h",
            subject: "<alice>",
            client: Some("<b>app</b>"),
        });
        assert!(page.contains("value=\"c&quot;h\""));
        assert!(page.contains("&lt;alice&gt;") && !page.contains("<alice>"));
        assert!(page.contains("&lt;b&gt;app") && !page.contains("<b>app"));
        assert!(page.contains("value=\"accept\"") && page.contains("value=\"reject\""));
        assert!(
            !logout(&LogoutView {
                challenge: "c",
                subject: "a",
                client: None
            })
            .contains("asked")
        );
    }
}
