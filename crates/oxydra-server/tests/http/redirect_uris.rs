//! Redirect URIs through the whole code flow (issue 11): the token request repeats the URI
//! exactly as registered, and plain http needs a real loopback host for every response type.

use axum::http::{Method, StatusCode};
use oxydra_testkit::app::TestApp;
use serde_json::json;

use crate::oidc_flow::{authorize_to, flow_config, param, register, token};

/// Issue 11 item 4: a URI the `url` crate would normalise (no path, upper-case host) is
/// compared as registered, so the code is redeemable with the string the client sent.
#[tokio::test]
async fn the_code_is_redeemed_with_the_redirect_uri_as_registered() {
    let app = TestApp::with_store(oxydra_testkit::app::memory_store().await, flow_config(&[]));
    for (id, registered, normalised) in [
        ("bare", "https://App.Example", "https://app.example/"),
        (
            "dotted",
            "https://app.example/a/../cb",
            "https://app.example/cb",
        ),
    ] {
        register(&app, id, json!({"redirect_uris": [registered]})).await;
        let query = "&response_type=code&scope=openid";
        let to_client = authorize_to(&app, id, registered, query, json!({})).await;
        let code = param(&to_client, "code").unwrap_or_else(|| panic!("no code: {to_client}"));
        let fields = |uri: &'static str| {
            [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", uri),
            ]
        };
        let res = token(&app, id, &fields(normalised)).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{id}: {}", res.text);
        assert_eq!(res.json["error"], "invalid_grant", "{}", res.text);
        // The failed attempt did not spend the code; the registered string redeems it.
        let res = token(&app, id, &fields(registered)).await;
        assert_eq!(res.status, StatusCode::OK, "{id}: {}", res.text);
    }
}

/// Issue 11 item 6: `evillocalhost` is not a loopback host, for codes and tokens alike.
#[tokio::test]
async fn http_redirects_off_loopback_get_no_code_or_token() {
    let app = TestApp::with_store(oxydra_testkit::app::memory_store().await, flow_config(&[]));
    let evil = "http://evillocalhost/cb";
    register(&app, "evil", json!({"redirect_uris": [evil]})).await;
    for (response_type, separator) in [("code", '?'), ("token", '#'), ("id_token", '#')] {
        let path = format!(
            "/oauth2/auth?client_id=evil&redirect_uri={}&response_type={response_type}\
             &scope=openid&state=state-1234&nonce=nonce-1234",
            url::form_urlencoded::byte_serialize(evil.as_bytes()).collect::<String>()
        );
        let res = app
            .json(oxydra_testkit::app::Port::Public, Method::GET, &path, None)
            .await;
        assert_eq!(res.status, StatusCode::FOUND, "{}", res.text);
        let location = res.headers["location"].to_str().unwrap();
        assert!(
            location.starts_with(&format!("{evil}{separator}error=invalid_request")),
            "{response_type}: {location}"
        );
    }
}
