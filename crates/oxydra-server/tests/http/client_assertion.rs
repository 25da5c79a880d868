//! `private_key_jwt` (RFC 7523) at the token endpoint: keys inline or from a `jwks_uri` served
//! on loopback, and `jti` replay refused.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use axum::http::{Method, StatusCode};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use oxydra_core::OAuthErrorKind;
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::documents::DocumentServer;

use crate::client_metadata_checks::{loopback_variants, production_app};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

const TOKEN_ENDPOINT: &str = "http://127.0.0.1:4444/oauth2/token";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn jwk(key: &EcdsaKeyPair, kid: &str) -> Value {
    let point = key.public_key().as_ref();
    json!({
        "kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
        "x": b64(&point[1..33]), "y": b64(&point[33..65]),
    })
}

fn assertion(key: &EcdsaKeyPair, kid: &str, client: &str, jti: &str, now: i64) -> String {
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": kid});
    let claims = json!({
        "iss": client, "sub": client, "aud": TOKEN_ENDPOINT,
        "jti": jti, "iat": now, "exp": now + 120,
    });
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = key.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
    format!("{input}.{}", b64(sig.as_ref()))
}

async fn register(app: &TestApp, id: &str, keys: Value) {
    let mut body = json!({
        "client_id": id,
        "grant_types": ["client_credentials"],
        "scope": "read",
        "token_endpoint_auth_method": "private_key_jwt",
    });
    for (k, v) in keys.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app
        .json(Port::Admin, Method::POST, "/clients", Some(body))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert!(res.json.get("client_secret").is_none());
}

async fn token_with(app: &TestApp, jwt: &str, client_id: Option<&str>) -> TestResponse {
    let mut fields = vec![
        ("grant_type", "client_credentials"),
        ("scope", "read"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", jwt),
    ];
    if let Some(id) = client_id {
        fields.push(("client_id", id));
    }
    app.form(Port::Public, "/oauth2/token", &fields, None).await
}

store_test! {
    async fn inline_keys_authenticate_and_a_jti_is_accepted_once(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        register(
            &app,
            "jwt-app",
            json!({"jwks": {"keys": [jwk(&key, "k1")]}}),
        )
        .await;
        let now = app.clock_now().unix_secs();

        let jwt = assertion(&key, "k1", "jwt-app", "jti-1", now);
        let res = token_with(&app, &jwt, None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json["scope"], "read");

        let replay = token_with(&app, &jwt, Some("jwt-app")).await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.text);
        assert_eq!(replay.json["error"], "invalid_client");

        let fresh = assertion(&key, "k1", "jwt-app", "jti-2", now);
        assert_eq!(
            token_with(&app, &fresh, Some("jwt-app")).await.status,
            StatusCode::OK
        );

        // Signed by a key the client did not register.
        let stranger = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let forged = assertion(&stranger, "k1", "jwt-app", "jti-3", now);
        let res = token_with(&app, &forged, None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);

        // A secret is not accepted from a private_key_jwt client.
        let res = app
            .form(
                Port::Public,
                "/oauth2/token",
                &[("grant_type", "client_credentials")],
                Some(("jwt-app", "whatever-secret")),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    }
}

#[tokio::test]
async fn keys_are_fetched_from_the_jwks_uri() {
    let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let set = json!({"keys": [jwk(&key, "remote-1")]});
    let keys = DocumentServer::json("/jwks.json", set).await;

    let app = TestApp::new(&[]).await;
    register(
        &app,
        "remote-app",
        json!({"jwks_uri": keys.url("/jwks.json")}),
    )
    .await;
    let now = app.clock_now().unix_secs();
    let jwt = assertion(&key, "remote-1", "remote-app", "jti-r1", now);
    let res = token_with(&app, &jwt, Some("remote-app")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}

/// Issue 11 item 10: outside development mode the server's key fetcher never reaches this
/// host — by plain http, by an IP literal or by a name resolving to loopback — and the refusal
/// names no remote detail.
#[tokio::test]
async fn production_mode_never_fetches_keys_from_loopback() {
    let keys = DocumentServer::json("/jwks.json", json!({"keys": []})).await;
    let app = production_app().await;
    for (uri, hint) in loopback_variants(&keys, "/jwks.json") {
        let e = app.state.jwks.get(&uri, None).await.unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidClient, "{uri}");
        assert!(
            e.hint.as_deref().unwrap_or("").contains(hint),
            "{uri}: {e:?}"
        );
        assert!(e.debug.is_none(), "{e:?}");
    }
    assert_eq!(keys.hits(), 0, "nothing was fetched from loopback");
}
