//! `OAUTH2_TOKEN_HOOK_URL` against a real hook on a loopback port: the claims it adds reach
//! introspection and the ID token; 403, an error status and a timeout fail the request in
//! the OAuth 2.0 error format; the hook never sees a credential.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use oxydra_testkit::app::{TestApp, TestResponse};
use serde_json::{Value, json};

use crate::oidc_flow::verify_with_jwks;
use crate::tokens::{
    CHALLENGE, SECRET, assert_oauth_error, client, introspect, mint_code, redeem, token,
};

/// How the fake hook answers.
#[derive(Clone, Copy)]
enum Mode {
    Claims,
    NoContent,
    Forbidden,
    Broken,
    Silent,
}

/// What the fake hook was sent, and how it answers.
#[derive(Clone)]
struct Hook {
    mode: Mode,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn answer(State(hook): State<Hook>, body: String) -> Response {
    let request: Value = serde_json::from_str(&body).unwrap();
    hook.seen.lock().unwrap().push(body);
    match hook.mode {
        Mode::Claims => {
            // Keeps what it was sent and adds one claim to each token.
            let mut access = request["session"]["extra"].clone();
            access["hooked"] = json!("at");
            let mut id = request["session"]["id_token"]["id_token_claims"]["ext"].clone();
            id["hooked"] = json!("id");
            Json(json!({"session": {"access_token": access, "id_token": id}})).into_response()
        }
        Mode::NoContent => StatusCode::NO_CONTENT.into_response(),
        Mode::Forbidden => StatusCode::FORBIDDEN.into_response(),
        Mode::Broken => (StatusCode::INTERNAL_SERVER_ERROR, "secret internals").into_response(),
        Mode::Silent => std::future::pending().await,
    }
}

/// Starts the hook on `127.0.0.1:0` (bound before it is spawned) and an app calling it.
async fn app_with_hook(mode: Mode) -> (TestApp, Hook) {
    let hook = Hook {
        mode,
        seen: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(answer))
        .with_state(hook.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let app = TestApp::new(&[
        ("OAUTH2_TOKEN_HOOK_URL", &url),
        ("OXYDRA_TOKEN_HOOK_TIMEOUT", "300ms"),
    ])
    .await;
    client(&app, "web", json!({})).await;
    (app, hook)
}

async fn client_credentials(app: &TestApp) -> TestResponse {
    token(
        app,
        &[("grant_type", "client_credentials"), ("scope", "read")],
        Some(("web", SECRET)),
    )
    .await
}

fn seen(hook: &Hook) -> Vec<String> {
    hook.seen.lock().unwrap().clone()
}

#[tokio::test]
async fn claims_the_hook_adds_reach_introspection() {
    let (app, hook) = app_with_hook(Mode::Claims).await;
    let res = client_credentials(&app).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let at = res.json["access_token"].as_str().unwrap();
    assert_eq!(introspect(&app, at).await["ext"], json!({"hooked": "at"}));
    let sent: Value = serde_json::from_str(&seen(&hook)[0]).unwrap();
    assert_eq!(sent["request"]["client_id"], "web");
    assert_eq!(
        sent["request"]["grant_types"],
        json!(["client_credentials"])
    );
    assert_eq!(sent["request"]["granted_scopes"], json!(["read"]));
    assert!(
        !seen(&hook)[0].contains(SECRET),
        "the hook saw the client secret"
    );
}

#[tokio::test]
async fn claims_reach_the_id_token_and_refreshes_ask_again() {
    let (app, hook) = app_with_hook(Mode::Claims).await;
    let code = mint_code(&app, "web", &["openid", "offline"], Some(CHALLENGE)).await;
    let res = redeem(&app, &code, Some(("web", SECRET))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let (_, claims) = verify_with_jwks(&app, res.json["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["hooked"], "id");
    let at = res.json["access_token"].as_str().unwrap();
    // The code's consent extras are kept, the hook's claim added.
    assert_eq!(
        introspect(&app, at).await["ext"],
        json!({"department": "r&d", "hooked": "at"})
    );
    let rt = res.json["refresh_token"].as_str().unwrap();
    let refreshed = token(
        &app,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        Some(("web", SECRET)),
    )
    .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text);
    let sent: Vec<Value> = seen(&hook)
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(
        sent[0]["request"]["grant_types"],
        json!(["authorization_code"])
    );
    assert_eq!(sent[1]["request"]["grant_types"], json!(["refresh_token"]));
    assert_eq!(
        sent[1]["session"]["extra"]["hooked"], "at",
        "stored with the grant"
    );
    for body in seen(&hook) {
        assert!(!body.contains(SECRET) && !body.contains(rt) && !body.contains(&code));
    }
}

#[tokio::test]
async fn no_content_issues_unchanged() {
    let (app, _) = app_with_hook(Mode::NoContent).await;
    let res = client_credentials(&app).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let at = res.json["access_token"].as_str().unwrap();
    assert!(introspect(&app, at).await.get("ext").is_none());
}

#[tokio::test]
async fn a_forbidding_hook_is_access_denied() {
    let (app, _) = app_with_hook(Mode::Forbidden).await;
    let res = client_credentials(&app).await;
    assert_oauth_error(&res, StatusCode::FORBIDDEN, "access_denied");
}

#[tokio::test]
async fn a_failing_or_silent_hook_is_a_server_error_without_its_details() {
    for mode in [Mode::Broken, Mode::Silent] {
        let (app, _) = app_with_hook(mode).await;
        let res = client_credentials(&app).await;
        assert_oauth_error(&res, StatusCode::INTERNAL_SERVER_ERROR, "server_error");
        assert!(!res.text.contains("secret internals"), "{}", res.text);
        assert!(res.json.get("access_token").is_none());
    }
}
