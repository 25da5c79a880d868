//! `OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD` at the token endpoint: a rotated refresh
//! token presented again within the window gets the same pair; after it, or once the
//! successor rotated, the grant is revoked; another client is refused.

use axum::http::StatusCode;
use oxydra_testkit::app::{TestApp, TestResponse};
use serde_json::{Value, json};

use crate::tokens::{
    CHALLENGE, SECRET, assert_oauth_error, client, introspect, mint_code, redeem, token,
};

const BASIC: Option<(&str, &str)> = Some(("web", SECRET));

/// An app with a 30 s window and client `web` holding a fresh `openid offline` grant; returns
/// the first refresh token.
async fn granted() -> (TestApp, String) {
    let app = TestApp::new(&[("OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD", "30s")]).await;
    client(&app, "web", json!({})).await;
    client(&app, "other", json!({})).await;
    let code = mint_code(&app, "web", &["openid", "offline"], Some(CHALLENGE)).await;
    let first = redeem(&app, &code, BASIC).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let rt = first.json["refresh_token"].as_str().unwrap().to_owned();
    (app, rt)
}

async fn refresh(app: &TestApp, rt: &str, basic: Option<(&str, &str)>) -> TestResponse {
    token(
        app,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        basic,
    )
    .await
}

fn field<'a>(res: &'a TestResponse, name: &str) -> &'a str {
    res.json[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: {}", res.text))
}

async fn is_active(app: &TestApp, token: &str) -> bool {
    introspect(app, token).await["active"] == Value::Bool(true)
}

#[tokio::test]
async fn within_the_window_the_rotated_token_gets_the_same_pair() {
    let (app, rt1) = granted().await;
    let second = refresh(&app, &rt1, BASIC).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    app.clock.advance_secs(10);
    let again = refresh(&app, &rt1, BASIC).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    for name in ["access_token", "refresh_token", "id_token", "scope"] {
        assert_eq!(field(&again, name), field(&second, name), "{name}");
    }
    assert_eq!(
        again.json["expires_in"],
        second.json["expires_in"].as_i64().unwrap() - 10
    );
    assert!(is_active(&app, field(&second, "access_token")).await);
    // The pair is the grant's current one: its refresh token rotates as usual.
    let third = refresh(&app, field(&second, "refresh_token"), BASIC).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.text);
}

#[tokio::test]
async fn after_the_window_the_rotated_token_revokes_the_grant() {
    let (app, rt1) = granted().await;
    let second = refresh(&app, &rt1, BASIC).await;
    app.clock.advance_secs(30);
    let late = refresh(&app, &rt1, BASIC).await;
    assert_oauth_error(&late, StatusCode::BAD_REQUEST, "invalid_grant");
    assert!(!is_active(&app, field(&second, "access_token")).await);
    assert!(!is_active(&app, field(&second, "refresh_token")).await);
}

#[tokio::test]
async fn another_client_never_gets_the_pair() {
    let (app, rt1) = granted().await;
    let second = refresh(&app, &rt1, BASIC).await;
    let stolen = refresh(&app, &rt1, Some(("other", SECRET))).await;
    assert_oauth_error(&stolen, StatusCode::BAD_REQUEST, "invalid_grant");
    assert!(!stolen.text.contains(field(&second, "access_token")));
    assert!(is_active(&app, field(&second, "refresh_token")).await);
}

#[tokio::test]
async fn a_token_rotated_twice_is_a_replay_even_within_the_window() {
    let (app, rt1) = granted().await;
    let second = refresh(&app, &rt1, BASIC).await;
    let third = refresh(&app, field(&second, "refresh_token"), BASIC).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.text);
    let replay = refresh(&app, &rt1, BASIC).await;
    assert_oauth_error(&replay, StatusCode::BAD_REQUEST, "invalid_grant");
    assert!(!is_active(&app, field(&third, "access_token")).await);
    assert!(!is_active(&app, field(&third, "refresh_token")).await);
}
