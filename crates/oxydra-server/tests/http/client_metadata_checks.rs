//! Registration-time security checks of client metadata (issue 11): the
//! `sector_identifier_uri` document is fetched and must list every redirect URI, script and
//! local-content schemes are refused, and secrets bcrypt would truncate are refused.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_testkit::app::{Port, TestApp, TestResponse};
use oxydra_testkit::documents::DocumentServer;
use serde_json::{Value, json};

const CB: &str = "https://app.example/cb";

fn assert_invalid(res: &TestResponse, hint_part: &str) {
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    assert_eq!(res.json["error"], "invalid_request", "{}", res.text);
    let hint = res.json["error_hint"].as_str().unwrap_or_default();
    assert!(hint.contains(hint_part), "{hint_part:?} in {}", res.text);
}

async fn write_client(app: &TestApp, method: Method, path: &str, body: Value) -> TestResponse {
    app.json(Port::Admin, method, path, Some(body)).await
}

/// Issue 11 item 3 (OIDC Core §8.1), development mode (the document is served on loopback).
#[tokio::test]
async fn the_sector_document_must_list_every_redirect_uri() {
    let sector =
        DocumentServer::json("/sector.json", json!([CB, "https://app.example/other"])).await;
    let app = TestApp::new(&[
        ("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise"),
        ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-pairwise-salt"),
    ])
    .await;
    let client = |redirects: Value, sector_uri: String| {
        json!({
            "client_id": "paired",
            "subject_type": "pairwise",
            "redirect_uris": redirects,
            "sector_identifier_uri": sector_uri,
        })
    };
    let listed = sector.url("/sector.json");

    let unlisted = json!([CB, "https://evil.example/cb"]);
    let res = write_client(
        &app,
        Method::POST,
        "/clients",
        client(unlisted.clone(), listed.clone()),
    )
    .await;
    assert_invalid(&res, "https://evil.example/cb");
    let missing = sector.url("/missing.json");
    let res = write_client(&app, Method::POST, "/clients", client(json!([CB]), missing)).await;
    assert_invalid(&res, "did not answer with a success status");
    // The message names the URL, whose random port may itself contain "404".
    let without_url = res.text.replace(sector.port(), "");
    assert!(
        !without_url.contains("404"),
        "the remote status is not echoed: {}",
        res.text
    );

    let res = write_client(&app, Method::POST, "/clients", client(json!([CB]), listed)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // An update is checked again: it cannot add a redirect URI the sector does not list.
    let mut full = res.json.clone();
    full["redirect_uris"] = unlisted;
    let res = write_client(&app, Method::PUT, "/clients/paired", full.clone()).await;
    assert_invalid(&res, "https://evil.example/cb");
    let stored = app
        .json(Port::Admin, Method::GET, "/clients/paired", None)
        .await;
    assert_eq!(
        stored.json["redirect_uris"],
        json!([CB]),
        "the refused update changed nothing"
    );
    full["redirect_uris"] = json!([CB, "https://app.example/other"]);
    let res = write_client(&app, Method::PUT, "/clients/paired", full).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        sector.hits(),
        4,
        "every accepted or refused write fetched the document"
    );
}

#[tokio::test]
async fn sector_uris_must_be_https_off_loopback_even_in_development_mode() {
    let app = TestApp::new(&[]).await;
    let body = json!({
        "redirect_uris": [CB],
        "sector_identifier_uri": "http://sector.example/sector.json",
    });
    let res = write_client(&app, Method::POST, "/clients", body).await;
    assert_invalid(&res, "https");
}

/// `POST /clients` on a production-mode app behind a trusted TLS-terminating proxy.
async fn create_over_https(app: &TestApp, body: Value) -> TestResponse {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/clients")
        .header("content-type", "application/json")
        .header("x-forwarded-proto", "https")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(Port::Admin, request).await
}

/// An app in production mode (no `--dangerous-force-http`) behind a trusted TLS-terminating
/// proxy on loopback.
pub async fn production_app() -> TestApp {
    TestApp::new(&[
        ("OXYDRA_DANGEROUS_FORCE_HTTP", "false"),
        ("OAUTH2_ISSUER_URL", "https://auth.example.com"),
        ("HTTPS_ALLOW_TERMINATION_FROM", "127.0.0.0/8"),
    ])
    .await
}

/// Ways to name `server`'s `path` on this host, each with the reason a production-mode fetch
/// gives for refusing it: plain http, IP literals, and a name that resolves to loopback.
pub fn loopback_variants(server: &DocumentServer, path: &str) -> Vec<(String, &'static str)> {
    let port = server.port();
    let private = "does not resolve to a public address";
    vec![
        (server.url(path), "must be an https URL"),
        (format!("https://127.0.0.1:{port}{path}"), private),
        (format!("https://[::ffff:127.0.0.1]:{port}{path}"), private),
        (format!("https://localhost:{port}{path}"), private),
    ]
}

/// Issue 11 items 3 and 10: outside development mode the sector document must be https on a
/// public address; nothing on this host is fetched.
#[tokio::test]
async fn production_mode_fetches_sector_documents_only_from_public_https() {
    let sector = DocumentServer::json("/sector.json", json!([CB])).await;
    let app = production_app().await;
    for (uri, hint) in loopback_variants(&sector, "/sector.json") {
        let body = json!({"redirect_uris": [CB], "sector_identifier_uri": uri});
        let res = create_over_https(&app, body).await;
        assert_invalid(&res, hint);
    }
    assert_eq!(sector.hits(), 0, "nothing was fetched from loopback");
}

/// Issue 11 item 5.
#[tokio::test]
async fn script_and_local_schemes_are_refused() {
    let app = TestApp::new(&[]).await;
    for uri in [
        "javascript:alert(document.domain)//",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "blob:https://app.example/9f3c",
    ] {
        let res = write_client(
            &app,
            Method::POST,
            "/clients",
            json!({"redirect_uris": [uri]}),
        )
        .await;
        assert_invalid(&res, "never allowed");
        let res = write_client(&app, Method::POST, "/clients", json!({"client_uri": uri})).await;
        assert_invalid(&res, "never allowed");
    }
    let list = app.json(Port::Admin, Method::GET, "/clients", None).await;
    assert_eq!(list.json, json!([]));
}

/// Issue 11 item 9: bcrypt ignores every byte after the 72nd, so such a secret would accept
/// any suffix; it is refused on create and on update.
#[tokio::test]
async fn secrets_bcrypt_would_truncate_are_refused() {
    let app = TestApp::new(&[]).await;
    let create = |secret: String| {
        let body = json!({"client_id": "c", "client_secret": secret});
        write_client(&app, Method::POST, "/clients", body)
    };
    let long = "s".repeat(100);
    assert_invalid(&create(long.clone()).await, "at most 72 bytes");
    let res = create("s".repeat(72)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let mut full = res.json.clone();
    full["client_secret"] = json!(long);
    let res = write_client(&app, Method::PUT, "/clients/c", full).await;
    assert_invalid(&res, "at most 72 bytes");
}

/// `client_secret_jwt` needs the raw secret to verify an HMAC, and secrets are stored hashed:
/// refused at create and update, saying why.
#[tokio::test]
async fn client_secret_jwt_is_refused_with_the_reason() {
    let app = TestApp::new(&[]).await;
    let body = json!({
        "client_id": "hmac",
        "client_secret": "a-long-enough-secret",
        "redirect_uris": [CB],
        "token_endpoint_auth_method": "client_secret_jwt",
    });
    let res = write_client(&app, Method::POST, "/clients", body.clone()).await;
    assert_invalid(&res, "client secrets are stored hashed");
    let mut basic = body.clone();
    basic["token_endpoint_auth_method"] = json!("client_secret_basic");
    let res = write_client(&app, Method::POST, "/clients", basic).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = write_client(&app, Method::PUT, "/clients/hmac", body).await;
    assert_invalid(&res, "use private_key_jwt");
}

/// A pairwise client cannot choose JWT access tokens (Hydra 2.x `access_token_strategy`): a
/// JWT carries the real subject for any resource server to read, which is why the server-wide
/// JWT strategy is refused with pairwise subjects too.
#[tokio::test]
async fn a_pairwise_client_cannot_choose_jwt_access_tokens() {
    let app = TestApp::new(&[
        ("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise"),
        ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-pairwise-salt"),
    ])
    .await;
    let body = |strategy: &str| {
        json!({
            "client_id": format!("paired-{strategy}"),
            "subject_type": "pairwise",
            "redirect_uris": [CB],
            "access_token_strategy": strategy,
        })
    };
    let res = write_client(&app, Method::POST, "/admin/clients", body("jwt")).await;
    assert_invalid(&res, "pairwise");
    let res = write_client(&app, Method::POST, "/admin/clients", body("opaque")).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}
