//! Dynamic client registration (RFC 7591/7592) end to end over loopback: discovery names the
//! endpoint, a relying party registers itself, runs the OpenID code flow with the
//! `openidconnect` crate using the generated credentials, and manages (reads, updates,
//! deletes) its registration with the registration access token; every refusal the RFCs name
//! is checked over HTTP.

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, TokenResponse};
use oxydra_store::SqlStore;
use oxydra_testkit::browser::Browser;
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{CB, CONSENT, LOGIN};
use crate::oidc_client::{authorize, clock, exchange, relying_party_as};

async fn start(store: SqlStore) -> TestServer {
    TestServer::start(
        store,
        &[
            ("OAUTH2_LOGIN_URL", LOGIN),
            ("OAUTH2_CONSENT_URL", CONSENT),
            ("OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED", "true"),
        ],
    )
    .await
}

/// `method url` with an optional bearer token and JSON body: status, headers' `Cache-Control`
/// and `WWW-Authenticate`, body.
async fn call(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, res.json().await.unwrap_or(Value::Null))
}

fn metadata() -> Value {
    json!({
        "client_name": "Registered RP",
        "redirect_uris": [CB],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "openid offline",
    })
}

store_test! {
    async fn a_self_registered_client_runs_the_code_flow_and_manages_itself(store: SqlStore) {
        let server = start(store).await;
        let (_, _, discovery) = call(reqwest::Method::GET, &server.public("/.well-known/openid-configuration"), None, None).await;
        let endpoint = discovery["registration_endpoint"].as_str().unwrap().to_owned();
        assert_eq!(endpoint, server.public("/oauth2/register"));

        let (status, _, registered) = call(reqwest::Method::POST, &endpoint, None, Some(metadata())).await;
        assert_eq!(status, 201, "{registered}");
        let id = registered["client_id"].as_str().unwrap().to_owned();
        let secret = registered["client_secret"].as_str().unwrap().to_owned();
        let token = registered["registration_access_token"].as_str().unwrap().to_owned();
        let uri = registered["registration_client_uri"].as_str().unwrap().to_owned();
        assert_eq!(uri, format!("{endpoint}/{id}"));

        // The openidconnect crate runs the code flow with the generated credentials.
        let client = relying_party_as(&server, &id, &secret).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let mut browser = Browser::new();
        let back = authorize(&server, &mut browser, url.as_str()).await;
        let tokens = exchange(&client, &back, verifier).await;
        let id_verifier = client.id_token_verifier().set_time_fn(clock(&server));
        let claims = tokens.id_token().unwrap().claims(&id_verifier, &nonce).unwrap();
        assert_eq!(claims.subject().as_str(), "alice");

        // Read, update (the token rotates), delete.
        let (status, _, read) = call(reqwest::Method::GET, &uri, Some(&token), None).await;
        assert_eq!(status, 200, "{read}");
        assert!(read.get("client_secret").is_none());
        let mut changed = read.clone();
        changed["client_name"] = json!("Renamed RP");
        let (status, _, updated) = call(reqwest::Method::PUT, &uri, Some(&token), Some(changed)).await;
        assert_eq!(status, 200, "{updated}");
        assert_eq!(updated["client_name"], "Renamed RP");
        let new_token = updated["registration_access_token"].as_str().unwrap().to_owned();
        let (status, challenge, body) = call(reqwest::Method::GET, &uri, Some(&token), None).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")), "{body}");
        assert!(challenge.starts_with("Bearer"), "{challenge}");

        let (status, _, _) = call(reqwest::Method::DELETE, &uri, Some(&new_token), None).await;
        assert_eq!(status, 204);
        let (status, _, body) = call(reqwest::Method::GET, &uri, Some(&new_token), None).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")), "{body}");
        // The deleted client's credentials no longer work at the token endpoint.
        let res = reqwest::Client::new()
            .post(server.public("/oauth2/token"))
            .basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401);
    }

    async fn every_refusal_the_rfcs_name(store: SqlStore) {
        let server = start(store).await;
        let endpoint = server.public("/oauth2/register");
        let mut bad_redirect = metadata();
        bad_redirect["redirect_uris"] = json!(["https://app.example/cb#fragment"]);
        let (status, _, body) = call(reqwest::Method::POST, &endpoint, None, Some(bad_redirect)).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_redirect_uri")), "{body}");
        for (field, value) in [
            ("grant_types", json!(["made_up"])),
            ("client_secret", json!("chosen-secret-chosen-secret")),
            ("client_id", json!("chosen")),
            ("skip_consent", json!(true)),
            ("metadata", json!({"a": 1})),
        ] {
            let mut body = metadata();
            body[field] = value;
            let (status, _, body) = call(reqwest::Method::POST, &endpoint, None, Some(body)).await;
            assert_eq!((status, body["error"].as_str()), (400, Some("invalid_client_metadata")), "{field}: {body}");
        }

        let (_, _, a) = call(reqwest::Method::POST, &endpoint, None, Some(metadata())).await;
        let (_, _, b) = call(reqwest::Method::POST, &endpoint, None, Some(metadata())).await;
        let b_uri = b["registration_client_uri"].as_str().unwrap();
        let a_token = a["registration_access_token"].as_str().unwrap();
        for (token, uri) in [
            (None, b_uri.to_owned()),
            (Some(a_token), b_uri.to_owned()),
            (Some(a_token), format!("{endpoint}/unknown-client")),
        ] {
            let (status, challenge, body) = call(reqwest::Method::GET, &uri, token, None).await;
            assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")), "{body}");
            assert!(challenge.starts_with("Bearer"), "{challenge}");
        }
    }
}

#[tokio::test]
async fn off_by_default() {
    let server = TestServer::start(oxydra_testkit::app::memory_store().await, &[]).await;
    let (status, _, _) = call(
        reqwest::Method::POST,
        &server.public("/oauth2/register"),
        None,
        Some(metadata()),
    )
    .await;
    assert_eq!(status, 404);
}
