//! The device flow as the README shows it: `oxydra serve all --dev --demo`, a public device
//! client created with the CLI, `oxydra token device` printing the code and polling, and a
//! scripted browser entering the code, logging in and consenting through the demo pages.

use oxydra_testkit::browser::param;

use crate::support::{Background, Server, browser_for, clients};

/// The issuer's host name, resolved by the browser to the server's public listener.
const ISSUER_HOST: &str = "oxydra.test";

/// The hidden anti-CSRF value of a verification page.
fn csrf_of(body: &str) -> String {
    let start = body.find("name=\"csrf_token\" value=\"").unwrap() + 25;
    body[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn token_device_gets_tokens_once_the_code_is_approved_through_the_demo_pages() {
    let issuer = format!("http://{ISSUER_HOST}");
    let server = Server::start_args(
        &["--demo"],
        &[
            ("OAUTH2_ISSUER_URL", &issuer),
            ("OXYDRA_DEMO_USERS", "alice:alice-password"),
            // The CLI waits the announced interval between polls: keep the test short.
            ("OXYDRA_DEVICE_POLLING_INTERVAL", "1s"),
        ],
    );
    clients(
        &server,
        &[
            "create",
            "--id",
            "tv",
            "-n",
            "Living-room TV",
            "--token-endpoint-auth-method",
            "none",
            "-g",
            "urn:ietf:params:oauth:grant-type:device_code,refresh_token",
            "-a",
            "openid,offline",
        ],
    )
    .ok();

    let mut cli = Background::start(
        &[
            "token",
            "device",
            "--endpoint",
            &server.public,
            "--client-id",
            "tv",
        ],
        &[],
    );
    let verify = cli.wait_for(|l| {
        l.strip_prefix("Open ")
            .and_then(|rest| rest.strip_suffix(" in a browser and enter the code"))
            .map(str::to_owned)
    });
    assert_eq!(verify, format!("{issuer}/oauth2/device/verify"));
    let code = cli.wait_for(|l| {
        let l = l.trim();
        (l.len() == 9 && l.as_bytes()[4] == b'-').then(|| l.to_owned())
    });
    let complete = cli.wait_for(|l| {
        l.strip_prefix("(or open ")
            .and_then(|rest| rest.strip_suffix(')'))
            .map(str::to_owned)
    });

    let mut browser = browser_for(ISSUER_HOST, &server.public);
    // The link with the code filled in: the form comes prefilled.
    let form = browser.get(&complete).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains(&format!("value=\"{code}\"")),
        "{}",
        form.body
    );
    let csrf = csrf_of(&form.body);
    let fields = [("user_code", code.as_str()), ("csrf_token", csrf.as_str())];
    let confirm = browser.post_form(&verify, &fields).await;
    assert!(confirm.body.contains("Living-room TV"), "{}", confirm.body);
    let fields = [
        ("user_code", code.as_str()),
        ("csrf_token", csrf.as_str()),
        ("confirm", "yes"),
    ];
    let login = browser.post_form(&verify, &fields).await.location.unwrap();
    assert!(
        login.starts_with(&format!("{issuer}/demo/login?")),
        "{login}"
    );

    let challenge = param(&login, "login_challenge").unwrap();
    let login_form = [
        ("challenge", challenge.as_str()),
        ("username", "alice"),
        ("password", "alice-password"),
        ("action", "accept"),
    ];
    let nav = browser
        .post_form(&format!("{issuer}/demo/login"), &login_form)
        .await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let back = nav.location.unwrap();
    assert!(
        back.starts_with(&format!("{verify}?device_challenge=")),
        "{back}"
    );
    let consent = browser.get(&back).await.location.unwrap();
    assert!(
        consent.starts_with(&format!("{issuer}/demo/consent?")),
        "{consent}"
    );
    let challenge = param(&consent, "consent_challenge").unwrap();
    let consent_form = [
        ("challenge", challenge.as_str()),
        ("grant_scope", "openid"),
        ("grant_scope", "offline"),
        ("action", "allow"),
    ];
    let nav = browser
        .post_form(&format!("{issuer}/demo/consent"), &consent_form)
        .await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let done = browser.get(&nav.location.unwrap()).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Device connected"), "{}", done.body);

    let status = cli.finish();
    assert!(status.success(), "{:#?}\n{}", cli.stdout, cli.stderr());
    let token = |name: &str| cli.printed(name);
    let access = token("access_token").unwrap_or_else(|| panic!("{:#?}", cli.stdout));
    assert!(token("refresh_token").is_some(), "{:#?}", cli.stdout);
    assert!(token("id_token").is_some(), "{:#?}", cli.stdout);
    let info = crate::support::oxydra(
        &["token", "introspect", "--endpoint", &server.admin, &access],
        &[],
    )
    .ok();
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["sub"], "alice", "{info}");
    assert_eq!(info["client_id"], "tv", "{info}");
}
