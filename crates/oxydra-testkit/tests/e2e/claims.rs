//! The `claims` request parameter (OIDC Core §5.5) end to end: refused when malformed, shown
//! to the consent app, and the granted claims returned where they were asked for — read back
//! with the `openidconnect` crate, which verifies the ID token on its own. Then the demo app
//! as a model consent app: scopes and `claims` mapped to its users' claims, `acr_values`
//! answered, `login_hint` pre-filled.

use openidconnect::core::{CoreAuthenticationFlow, CoreIdTokenClaims, CoreUserInfoClaims};
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse};
use oxydra_store::SqlStore;
use oxydra_testkit::app::memory_store;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{CB, CONSENT, LOGIN, accept_login, admin, auth_url, start};
use crate::oauth2_client::register;
use crate::oidc_client::{Rp, clock, exchange, relying_party_as, userinfo};

const SECRET: &str = "claims-client-secret";

/// `url` with the `claims` parameter set to `claims`.
fn with_claims(url: &str, claims: &Value) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(claims.to_string().as_bytes()).collect();
    format!("{url}&claims={enc}")
}

/// A relying party `rp` allowed the OIDC scopes, configured from discovery.
async fn relying_party(server: &TestServer) -> Rp {
    register(
        server,
        "rp",
        SECRET,
        json!({"scope": "openid offline profile email address phone"}),
    )
    .await;
    relying_party_as(server, "rp", SECRET).await
}

/// An authorization URL of `client` for the code flow with PKCE, the `openid` scope plus
/// `scopes`, and the `extra` parameters; with its nonce and PKCE verifier.
fn code_url(
    client: &Rp,
    scopes: &[&str],
    extra: &[(&str, &str)],
) -> (String, Nonce, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in scopes {
        request = request.add_scope(Scope::new((*scope).to_owned()));
    }
    for (name, value) in extra {
        request = request.add_extra_param(*name, *value);
    }
    let (url, _, nonce) = request.url();
    (url.to_string(), nonce, verifier)
}

/// The ID token's and UserInfo's claims once the client's redirect `back` is redeemed.
async fn redeem(
    server: &TestServer,
    client: &Rp,
    back: &str,
    nonce: &Nonce,
    verifier: PkceCodeVerifier,
) -> (CoreIdTokenClaims, CoreUserInfoClaims) {
    let tokens = exchange(client, back, verifier).await;
    let id_verifier = client.id_token_verifier().set_time_fn(clock(server));
    let id_token = tokens
        .id_token()
        .unwrap()
        .claims(&id_verifier, nonce)
        .unwrap()
        .clone();
    (id_token, userinfo(client, &tokens).await)
}

fn name_of(
    claims: Option<&openidconnect::LocalizedClaim<openidconnect::EndUserName>>,
) -> Option<String> {
    claims.and_then(|n| n.get(None)).map(|n| n.to_string())
}

store_test! {
    async fn malformed_claims_are_an_invalid_request_sent_to_the_client(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        for bad in ["{not json", "[\"email\"]", r#"{"userinfo":{"email":"yes"}}"#] {
            let enc: String = url::form_urlencoded::byte_serialize(bad.as_bytes()).collect();
            let nav = browser.get(&auth_url(&server, &format!("&claims={enc}"))).await;
            assert_eq!(nav.status, 302, "{bad}: {}", nav.body);
            let back = nav.location.unwrap();
            assert!(back.starts_with(CB), "{bad}: {back}");
            assert_eq!(param(&back, "error").as_deref(), Some("invalid_request"), "{back}");
            assert_eq!(param(&back, "state").as_deref(), Some("state-1234"));
            assert!(param(&back, "code").is_none());
        }
    }

    async fn granted_claims_come_back_where_they_were_asked_for(store: SqlStore) {
        let server = TestServer::start(
            store,
            &[("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)],
        )
        .await;
        let client = relying_party(&server).await;
        let asked = json!({
            "userinfo": {"email": {"essential": true}, "nickname": null},
            "id_token": {"name": null, "locale": {"values": ["en-GB", "en"]}},
            "x-ignored": true,
        });
        let (url, nonce, verifier) = code_url(&client, &[], &[]);
        let mut browser = Browser::new();
        let to_login = browser.get(&with_claims(&url, &asked)).await.location.unwrap();
        assert!(to_login.starts_with(LOGIN), "{to_login}");
        let (login, back) =
            accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        assert_eq!(login["oidc_context"]["claims"]["userinfo"]["email"], json!({"essential": true}));
        let to_consent = browser.get(&back).await.location.unwrap();
        let challenge = param(&to_consent, "consent_challenge").unwrap();
        let path = format!("/oauth2/auth/requests/consent/{challenge}");
        let (status, request) = admin(&server, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{request}");
        assert_eq!(
            request["oidc_context"]["claims"],
            json!({
                "userinfo": {"email": {"essential": true}, "nickname": null},
                "id_token": {"locale": {"values": ["en-GB", "en"]}, "name": null},
            }),
            "the consent app sees what was asked for, essential flags and values included"
        );
        // The consent app grants what it has; placement is the server's job.
        let body = json!({
            "grant_scope": ["openid"],
            "session": {"id_token": {
                "email": "alice@example.com", "name": "Alice Liddell", "locale": "en-GB",
                "website": "https://alice.example",
            }},
        });
        let (status, done) =
            admin(&server, reqwest::Method::PUT, &format!("{path}/accept"), Some(body)).await;
        assert_eq!(status, 200, "{done}");
        let back = browser.get(done["redirect_to"].as_str().unwrap()).await.location.unwrap();
        let (id_token, info) = redeem(&server, &client, &back, &nonce, verifier).await;

        assert_eq!(name_of(id_token.name()).as_deref(), Some("Alice Liddell"));
        assert!(id_token.email().is_none(), "email was asked for at userinfo only");
        assert_eq!(id_token.locale().map(|l| l.as_str()), Some("en-GB"));
        assert_eq!(id_token.website().and_then(|w| w.get(None)).map(|w| w.as_str()), Some("https://alice.example"));

        assert_eq!(info.email().map(|e| e.as_str()), Some("alice@example.com"));
        assert_eq!(name_of(info.name()), None, "name was asked for in the ID token only");
        assert_eq!(info.locale().map(|l| l.as_str()), None);
        assert_eq!(info.website().and_then(|w| w.get(None)).map(|w| w.as_str()), Some("https://alice.example"));
    }
}

/// The demo app as the consent app, with one account of chosen claims.
async fn start_demo() -> TestServer {
    let users = json!([{
        "username": "alice",
        "password": "alice-password",
        "claims": {
            "name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell",
            "email": "alice@wonderland.example", "email_verified": true,
            "phone_number": "+44 20 7946 0000", "phone_number_verified": false,
            "address": {"country": "Wonderland"}, "locale": "en-GB",
        },
    }]);
    TestServer::start(
        memory_store().await,
        &[
            ("OXYDRA_DEMO", "true"),
            ("OXYDRA_DEMO_USERS", &users.to_string()),
        ],
    )
    .await
}

/// Fetches the page at `url` and checks that it contains `text`.
async fn shows(browser: &mut Browser, url: &str, text: &str) {
    let page = browser.get(url).await;
    assert!(page.body.contains(text), "{text} in {}", page.body);
}

/// Logs in on the demo page (the user name pre-filled from `login_hint`), then allows every
/// requested scope on the consent page; returns the redirect to the client.
async fn through_the_demo(server: &TestServer, browser: &mut Browser, url: &str) -> String {
    let to_login = browser.get(url).await.location.unwrap();
    shows(browser, &to_login, "name=\"username\" value=\"alice\"").await;
    let challenge = param(&to_login, "login_challenge").unwrap();
    let fields = [
        ("challenge", challenge.as_str()),
        ("username", "alice"),
        ("password", "alice-password"),
        ("action", "accept"),
    ];
    let nav = browser
        .post_form(&server.public("/demo/login"), &fields)
        .await;
    let to_consent = browser.get(&nav.location.unwrap()).await.location.unwrap();
    shows(browser, &to_consent, "phone_number (essential)").await;
    let challenge = param(&to_consent, "consent_challenge").unwrap();
    let mut fields = vec![("challenge", challenge.as_str()), ("action", "allow")];
    for scope in ["openid", "profile", "email"] {
        fields.push(("grant_scope", scope));
    }
    let nav = browser
        .post_form(&server.public("/demo/consent"), &fields)
        .await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    browser.get(&nav.location.unwrap()).await.location.unwrap()
}

/// The ID token's and UserInfo's claims of alice, logged in and consenting on the demo pages
/// to an authorization request for `scopes` with `extra` parameters and `claims`.
async fn through_the_demo_to_claims(
    scopes: &[&str],
    extra: &[(&str, &str)],
    claims: Value,
) -> (CoreIdTokenClaims, CoreUserInfoClaims) {
    let server = start_demo().await;
    let client = relying_party(&server).await;
    let mut extra = extra.to_vec();
    extra.push(("login_hint", "alice"));
    let (url, nonce, verifier) = code_url(&client, scopes, &extra);
    let url = with_claims(&url, &claims);
    let back = through_the_demo(&server, &mut Browser::new(), &url).await;
    assert!(back.starts_with(CB), "{back}");
    redeem(&server, &client, &back, &nonce, verifier).await
}

#[tokio::test]
async fn the_demo_consent_maps_scopes_and_the_claims_parameter_to_its_users_claims() {
    let asked = json!({"id_token": {
        "phone_number": {"essential": true},
        "address": {"value": {"country": "Oz"}},
    }});
    let (id_token, info) =
        through_the_demo_to_claims(&["profile", "email"], &[("acr_values", "2 1")], asked).await;

    // profile and email (§5.4), granted on the consent page.
    for claims in [
        (
            name_of(id_token.name()),
            id_token.email().map(|e| e.to_string()),
        ),
        (name_of(info.name()), info.email().map(|e| e.to_string())),
    ] {
        assert_eq!(
            claims,
            (
                Some("Alice Liddell".into()),
                Some("alice@wonderland.example".into())
            )
        );
    }
    assert_eq!(id_token.email_verified(), Some(true));
    let family = id_token
        .family_name()
        .and_then(|n| n.get(None))
        .map(|n| n.to_string());
    assert_eq!(family.as_deref(), Some("Liddell"));
    // phone_number through the claims parameter, in the ID token only (no phone scope).
    assert_eq!(
        id_token.phone_number().map(|p| p.as_str()),
        Some("+44 20 7946 0000")
    );
    assert!(info.phone_number().is_none());
    // address was asked for with a value alice's address does not have.
    assert!(id_token.address().is_none() && info.address().is_none());
    // "2" is beyond a password; "1" is what a typed password honestly meets.
    assert_eq!(id_token.auth_context_ref().map(|a| a.as_str()), Some("1"));
}

#[tokio::test]
async fn the_demo_without_scopes_grants_no_profile_claims() {
    let asked = json!({"userinfo": {"phone_number": {"essential": true}}});
    let (id_token, info) = through_the_demo_to_claims(&[], &[], asked).await;
    assert!(id_token.name().is_none() && id_token.email().is_none());
    assert!(
        id_token.phone_number().is_none(),
        "asked for at userinfo only"
    );
    assert_eq!(
        info.phone_number().map(|p| p.as_str()),
        Some("+44 20 7946 0000")
    );
    assert!(info.name().is_none() && info.email().is_none());
    assert!(
        id_token.auth_context_ref().is_none(),
        "no acr asked for, none claimed"
    );
}
