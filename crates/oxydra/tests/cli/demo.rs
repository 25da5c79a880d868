//! The README's "try it" path end to end: `oxydra serve all --dev --demo`, a public client
//! created with the CLI, `oxydra token user` waiting on its callback, and a scripted browser
//! logging in and consenting through the demo pages.

use oxydra_testkit::browser::param;

use crate::support::{Background, Server, browser_for, clients};

/// The issuer's host name: the browser resolves it to the server's public listener (as
/// `/etc/hosts` would), so the issuer is known before the server picks its port.
const ISSUER_HOST: &str = "oxydra.test";

#[tokio::test]
async fn token_user_gets_tokens_through_the_demo_login_and_consent_pages() {
    let issuer = format!("http://{ISSUER_HOST}");
    let server = Server::start_args(
        &["--demo"],
        &[
            ("OAUTH2_ISSUER_URL", &issuer),
            ("OXYDRA_DEMO_USERS", "alice:alice-password,bob:bob-password"),
        ],
    );

    let mut cli = Background::start(
        &[
            "token",
            "user",
            "--endpoint",
            &server.public,
            "--client-id",
            "demo-app",
            "--port",
            "0",
            "--scope",
            "openid,offline",
        ],
        &[],
    );
    let callback = cli.wait_for(|l| {
        l.strip_prefix("Callback listening on ")
            .map(|u| u.trim().to_owned())
    });
    assert!(callback.starts_with("http://127.0.0.1:"), "{callback}");
    assert!(!callback.starts_with("http://127.0.0.1:0/"), "{callback}");
    let authorize = cli.wait_for(|l| l.contains("/oauth2/auth?").then(|| l.trim().to_owned()));
    assert_eq!(
        param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(param(&authorize, "state").unwrap().len() >= 8);
    assert_eq!(
        param(&authorize, "redirect_uri").as_deref(),
        Some(callback.as_str())
    );

    // The callback port is the OS's choice, so the client is registered once it is known.
    clients(
        &server,
        &[
            "create",
            "--id",
            "demo-app",
            "--token-endpoint-auth-method",
            "none",
            "-c",
            &callback,
            "-g",
            "authorization_code,refresh_token",
            "-r",
            "code",
            "-a",
            "openid,offline",
        ],
    )
    .ok();

    let mut browser = browser_for(ISSUER_HOST, &server.public);
    let nav = browser.get(&authorize).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let login = nav.location.unwrap();
    assert!(
        login.starts_with(&format!("{issuer}/demo/login?")),
        "{login}"
    );
    assert!(browser.cookies.contains_key("oauth2_authentication_csrf"));
    let page = browser.get(&login).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<label for=\"password\">"));

    let challenge = param(&login, "login_challenge").unwrap();
    let nav = browser
        .post_form(
            &format!("{issuer}/demo/login"),
            &[
                ("challenge", challenge.as_str()),
                ("username", "bob"),
                ("password", "bob-password"),
                ("remember", "1"),
                ("action", "accept"),
            ],
        )
        .await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let nav = browser.get(&nav.location.unwrap()).await;
    assert!(
        browser
            .cookies
            .contains_key("oauth2_authentication_session")
    );
    assert!(browser.cookies.contains_key("oauth2_consent_csrf"));
    let consent = nav.location.unwrap();
    assert!(
        consent.starts_with(&format!("{issuer}/demo/consent?")),
        "{consent}"
    );
    let page = browser.get(&consent).await;
    assert!(
        page.body.contains("value=\"offline\" checked"),
        "{}",
        page.body
    );

    let challenge = param(&consent, "consent_challenge").unwrap();
    let nav = browser
        .post_form(
            &format!("{issuer}/demo/consent"),
            &[
                ("challenge", challenge.as_str()),
                ("grant_scope", "openid"),
                ("grant_scope", "offline"),
                ("action", "allow"),
            ],
        )
        .await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let to_client = browser.get(&nav.location.unwrap()).await.location.unwrap();
    assert!(to_client.starts_with(&callback), "{to_client}");
    let done = browser.get(&to_client).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("You can close this window"),
        "{}",
        done.body
    );

    let status = cli.finish();
    assert!(status.success(), "{:#?}\n{}", cli.stdout, cli.stderr());
    let token = |name: &str| cli.printed(name);
    let access = token("access_token").unwrap_or_else(|| panic!("{:#?}", cli.stdout));
    assert!(!access.is_empty());
    assert!(token("refresh_token").is_some(), "{:#?}", cli.stdout);
    assert_eq!(token("scope").as_deref(), Some("openid offline"));

    // The token is bob's.
    let info = crate::support::oxydra(
        &["token", "introspect", "--endpoint", &server.admin, &access],
        &[],
    )
    .ok();
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(info["sub"], "bob", "{info}");
}

/// `token user` against an endpoint it never reaches; returns it and its callback URL.
fn token_user(extra: &[&str]) -> (Background, String, String) {
    let mut args = vec![
        "token",
        "user",
        "--endpoint",
        "http://127.0.0.1:9",
        "--client-id",
        "app",
        "--port",
        "0",
    ];
    args.extend(extra);
    let mut cli = Background::start(&args, &[]);
    let callback = cli.wait_for(|l| {
        l.strip_prefix("Callback listening on ")
            .map(|u| u.trim().to_owned())
    });
    let authorize = cli.wait_for(|l| l.contains("/oauth2/auth?").then(|| l.trim().to_owned()));
    let state = param(&authorize, "state").unwrap();
    (cli, callback, state)
}

#[tokio::test]
async fn token_user_shows_an_error_that_comes_back_and_fails() {
    let (mut cli, callback, state) = token_user(&[]);
    let res = reqwest::get(format!(
        "{callback}?error=access_denied&error_description=%3Cb%3ENo%3C%2Fb%3E&state={state}"
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("access_denied") && body.contains("&lt;b&gt;No"),
        "{body}"
    );
    assert!(!cli.finish().success());
    assert!(cli.stderr().contains("access_denied"), "{}", cli.stderr());
}

#[tokio::test]
async fn token_user_refuses_a_foreign_state() {
    let (mut cli, callback, _) = token_user(&[]);
    let res = reqwest::get(format!("{callback}?code=abc&state=someone-elses"))
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(!cli.finish().success());
    assert!(cli.stderr().contains("state"), "{}", cli.stderr());
}

#[test]
fn token_user_gives_up_after_its_timeout() {
    let (mut cli, _, _) = token_user(&["--timeout", "20ms"]);
    assert!(!cli.finish().success());
    assert!(cli.stderr().contains("--timeout"), "{}", cli.stderr());
}
