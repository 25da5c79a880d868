//! Request objects at `/oauth2/auth` (OIDC Core §6, RFC 9101): by value and by reference (a
//! loopback document server), each signing algorithm, and every refusal delivered as the
//! authorization endpoint delivers errors — to the registered redirect URI with the query's
//! `state`, or to the error page when the redirect URI cannot be trusted.

use std::sync::LazyLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RSA_PKCS1_SHA256,
    RSA_PSS_SHA256, RsaKeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::documents::DocumentServer;
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{CB, CHALLENGE, CONSENT, LOGIN, SECRET, accept_consent, accept_login, redeem};
use crate::oauth2_client::register;

/// The test server's clock (`TestServer::start`).
const NOW: i64 = 1_700_000_000;
const JWT_TYPE: &str = "application/oauth-authz-req+jwt";

/// The client's key pairs, one per key type, made once per test binary.
struct ClientKeys {
    rsa: RsaKeyPair,
    other_rsa: RsaKeyPair,
    ec: EcdsaKeyPair,
    ed: Ed25519KeyPair,
}

static KEYS: LazyLock<ClientKeys> = LazyLock::new(|| ClientKeys {
    rsa: RsaKeyPair::generate(KeySize::Rsa2048).unwrap(),
    other_rsa: RsaKeyPair::generate(KeySize::Rsa2048).unwrap(),
    ec: EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap(),
    ed: Ed25519KeyPair::generate().unwrap(),
});

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The public keys the clients register: RSA (for RS256 and PS256, so no `alg`), P-256 and
/// Ed25519.
fn client_jwks() -> Value {
    let rsa = KEYS.rsa.public_key();
    let point = KEYS.ec.public_key().as_ref();
    json!({"keys": [
        {"kty": "RSA", "kid": "rsa", "use": "sig",
         "n": b64(rsa.modulus().big_endian_without_leading_zero()),
         "e": b64(rsa.exponent().big_endian_without_leading_zero())},
        {"kty": "EC", "crv": "P-256", "kid": "ec", "use": "sig",
         "x": b64(&point[1..33]), "y": b64(&point[33..65])},
        {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "use": "sig",
         "x": b64(KEYS.ed.public_key().as_ref())},
    ]})
}

/// Signs `claims` as a compact JWS with header `alg` (and the matching `kid`); `none` leaves
/// the signature empty, `HS256` uses the RSA public key's modulus as the HMAC secret (the
/// algorithm-confusion attack), `forged` signs RS256 with a key the client never registered.
fn jws(alg: &str, claims: &Value) -> String {
    let kid = match alg {
        "ES256" => "ec",
        "EdDSA" => "ed",
        _ => "rsa",
    };
    let header = match alg {
        "forged" => json!({"alg": "RS256", "kid": kid}),
        _ => json!({"alg": alg, "kid": kid}),
    };
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let rng = SystemRandom::new();
    let rsa = |key: &RsaKeyPair, padding| {
        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(padding, &rng, input.as_bytes(), &mut sig).unwrap();
        sig
    };
    let signature = match alg {
        "RS256" => rsa(&KEYS.rsa, &RSA_PKCS1_SHA256),
        "PS256" => rsa(&KEYS.rsa, &RSA_PSS_SHA256),
        "forged" => rsa(&KEYS.other_rsa, &RSA_PKCS1_SHA256),
        "ES256" => KEYS
            .ec
            .sign(&rng, input.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec(),
        "EdDSA" => KEYS.ed.sign(input.as_bytes()).as_ref().to_vec(),
        "HS256" => {
            let secret = KEYS.rsa.public_key();
            let secret = secret.modulus().big_endian_without_leading_zero();
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
            aws_lc_rs::hmac::sign(&key, input.as_bytes())
                .as_ref()
                .to_vec()
        }
        _ => Vec::new(),
    };
    format!("{input}.{}", b64(&signature))
}

/// A valid object for client `web` at `server`, with `jti`; `changes` set (or, as `null`,
/// remove) claims.
fn object(server: &TestServer, jti: &str, changes: Value) -> Value {
    let mut claims = json!({
        "iss": "web", "aud": format!("{}/", server.public_url), "client_id": "web",
        "exp": NOW + 300, "iat": NOW, "jti": jti,
        "response_type": "code", "scope": "openid offline", "state": "object-state",
        "redirect_uri": CB, "code_challenge": CHALLENGE, "code_challenge_method": "S256",
    });
    for (name, value) in changes.as_object().unwrap() {
        match value {
            Value::Null => drop(claims.as_object_mut().unwrap().remove(name)),
            v => claims[name] = v.clone(),
        }
    }
    claims
}

/// Starts a server and registers `web` (the flow tests' client) with the request-object
/// metadata `extra`.
async fn start(store: SqlStore, extra: Value) -> TestServer {
    let server = TestServer::start(
        store,
        &[("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)],
    )
    .await;
    register_web(&server, "web", extra).await;
    server
}

async fn register_web(server: &TestServer, id: &str, extra: Value) {
    let mut metadata = json!({"scope": "openid offline read", "jwks": client_jwks()});
    for (k, v) in extra.as_object().unwrap() {
        metadata[k] = v.clone();
    }
    register(server, id, SECRET, metadata).await;
}

/// `/oauth2/auth?client_id=<client>&state=query-state&<query>`: where the browser is sent.
async fn authorize(server: &TestServer, client: &str, query: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&server.public("/oauth2/auth")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", client)
        .append_pair("state", "query-state")
        .extend_pairs(query);
    let nav = Browser::new().get(url.as_str()).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    nav.location.unwrap()
}

/// Asserts the answer is `error` at the client's redirect URI, with the query's `state`.
#[track_caller]
fn refused_to_client(location: &str, error: &str) {
    assert!(location.starts_with(CB), "{location}");
    assert_eq!(
        param(location, "error").as_deref(),
        Some(error),
        "{location}"
    );
    assert_eq!(param(location, "state").as_deref(), Some("query-state"));
}

store_test! {
    async fn a_request_object_by_value_drives_the_whole_flow(store: SqlStore) {
        let server = start(store, json!({})).await;
        let jwt = jws("RS256", &object(&server, "flow-1", json!({})));
        let mut browser = Browser::new();
        let url = format!("{}?client_id=web&response_type=code&request={jwt}", server.public("/oauth2/auth"));
        let to_login = browser.get(&url).await.location.unwrap();
        assert!(to_login.starts_with(LOGIN), "{to_login}");
        let (login, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        // The login app sees the merged request, not the object.
        assert_eq!(login["requested_scope"], json!(["openid", "offline"]));
        let request_url = login["request_url"].as_str().unwrap();
        assert_eq!(param(request_url, "state").as_deref(), Some("object-state"));
        assert_eq!(param(request_url, "request"), None);
        let to_consent = browser.get(&back).await.location.unwrap();
        assert!(to_consent.starts_with(CONSENT), "{to_consent}");
        let (_, back) = accept_consent(&server, &param(&to_consent, "consent_challenge").unwrap(), false).await;
        let to_client = browser.get(&back).await.location.unwrap();
        assert!(to_client.starts_with(CB), "{to_client}");
        assert_eq!(param(&to_client, "state").as_deref(), Some("object-state"));
        let tokens = redeem(&server, &param(&to_client, "code").unwrap()).await;
        assert_eq!(tokens["scope"], "openid offline");
    }

    async fn each_algorithm_by_value_and_by_reference_and_a_jti_only_once(store: SqlStore) {
        let server = TestServer::start(store, &[("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)]).await;
        let algs = ["RS256", "PS256", "ES256", "EdDSA"];
        let documents = algs
            .iter()
            .map(|alg| {
                let jwt = jws(alg, &object(&server, &format!("ref-{alg}"), json!({})));
                (format!("/{alg}.jwt"), JWT_TYPE, jwt)
            })
            .collect();
        let docs = DocumentServer::text(documents).await;
        let uris: Vec<String> = algs.iter().map(|alg| docs.url(&format!("/{alg}.jwt"))).collect();
        register_web(&server, "web", json!({"request_uris": uris})).await;

        for (alg, uri) in algs.iter().zip(&uris) {
            let jwt = jws(alg, &object(&server, &format!("val-{alg}"), json!({})));
            let by_value = authorize(&server, "web", &[("request", &jwt)]).await;
            assert!(by_value.starts_with(LOGIN), "{alg}: {by_value}");
            // Replay of the same object: refused.
            let replayed = authorize(&server, "web", &[("request", &jwt)]).await;
            refused_to_client(&replayed, "invalid_request_object");

            let by_reference = authorize(&server, "web", &[("request_uri", uri)]).await;
            assert!(by_reference.starts_with(LOGIN), "{alg}: {by_reference}");
            // The document still holds the same object: its jti was used.
            let again = authorize(&server, "web", &[("request_uri", uri)]).await;
            refused_to_client(&again, "invalid_request_object");
        }
        assert_eq!(docs.hits(), 8);
    }

    async fn a_signed_request_object_can_be_pushed_once(store: SqlStore) {
        let server = start(store, json!({})).await;
        let jwt = jws("ES256", &object(&server, "pushed-1", json!({})));
        let push = |jwt: String| {
            let url = server.public("/oauth2/par");
            async move {
                let res = reqwest::Client::new().post(url).basic_auth("web", Some(SECRET))
                    .form(&[("client_id", "web"), ("request", jwt.as_str())]).send().await.unwrap();
                (res.status().as_u16(), res.json::<Value>().await.unwrap())
            }
        };
        let (status, body) = push(jwt.clone()).await;
        assert_eq!(status, 201, "{body}");
        // Verified at the push: its jti is spent there, and a forged one never gets a reference.
        let (status, body) = push(jwt).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request_object")), "{body}");
        let (status, body) = push(jws("forged", &object(&server, "pushed-2", json!({})))).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request_object")), "{body}");

        let mut browser = Browser::new();
        let request_uri = body_uri(&push(jws("EdDSA", &object(&server, "pushed-3", json!({})))).await);
        let url = format!("{}?client_id=web&request_uri={}", server.public("/oauth2/auth"),
            url::form_urlencoded::byte_serialize(request_uri.as_bytes()).collect::<String>());
        let to_login = browser.get(&url).await.location.unwrap();
        assert!(to_login.starts_with(LOGIN), "{to_login}");
        let (login, _) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        let request_url = login["request_url"].as_str().unwrap();
        assert_eq!(param(request_url, "state").as_deref(), Some("object-state"));
        assert_eq!(param(request_url, "request"), None);
        assert_eq!(param(request_url, "request_uri"), None);
    }
}

/// The `request_uri` of a successful push.
fn body_uri((status, body): &(u16, Value)) -> String {
    assert_eq!(*status, 201, "{body}");
    body["request_uri"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn signatures_and_algorithms_are_enforced() {
    let server = start(oxydra_testkit::app::memory_store().await, json!({})).await;
    register_web(
        &server,
        "web-rs256",
        json!({"request_object_signing_alg": "RS256"}),
    )
    .await;
    register_web(
        &server,
        "web-none",
        json!({"request_object_signing_alg": "none"}),
    )
    .await;
    let ok = |jti: &str, client: &str| {
        let mut claims = object(&server, jti, json!({}));
        claims["iss"] = json!(client);
        claims["client_id"] = json!(client);
        claims
    };
    let cases = [
        ("web", "forged", "bad signature"),
        ("web", "HS256", "HMAC with the public key as secret"),
        ("web", "none", "unsigned without registering none"),
        ("web-rs256", "PS256", "an alg other than the registered one"),
        (
            "web-rs256",
            "HS256",
            "HMAC for a client registered for RS256",
        ),
        (
            "web-none",
            "RS256",
            "signed for a client registered for none",
        ),
    ];
    for (i, (client, alg, case)) in cases.iter().enumerate() {
        let jwt = jws(alg, &ok(&format!("alg-{i}"), client));
        let location = authorize(&server, client, &[("request", &jwt)]).await;
        assert!(location.starts_with(CB), "{case}: {location}");
        assert_eq!(
            param(&location, "error").as_deref(),
            Some("invalid_request_object"),
            "{case}"
        );
    }
    for (client, alg) in [("web-rs256", "RS256"), ("web-none", "none")] {
        let jwt = jws(alg, &ok(&format!("accepted-{client}"), client));
        let location = authorize(&server, client, &[("request", &jwt)]).await;
        assert!(location.starts_with(LOGIN), "{client}: {location}");
    }
}

#[tokio::test]
async fn the_claims_are_enforced() {
    let server = start(oxydra_testkit::app::memory_store().await, json!({})).await;
    let cases = [
        (json!({"exp": NOW - 1}), "expired"),
        (json!({"exp": null}), "missing exp"),
        (json!({"nbf": NOW + 600}), "nbf in the future"),
        (json!({"client_id": "someone-else"}), "client_id mismatch"),
        (json!({"iss": "someone-else"}), "iss mismatch"),
        (json!({"aud": "https://other.example/"}), "wrong aud"),
        (json!({"jti": null}), "signed without jti"),
    ];
    for (i, (changes, case)) in cases.iter().enumerate() {
        let jwt = jws(
            "ES256",
            &object(&server, &format!("claims-{i}"), changes.clone()),
        );
        let location = authorize(&server, "web", &[("request", &jwt)]).await;
        assert!(location.starts_with(CB), "{case}: {location}");
        assert_eq!(
            param(&location, "error").as_deref(),
            Some("invalid_request_object"),
            "{case}"
        );
    }
    // Malformed objects, and both parameters at once.
    for garbage in ["not-a-jwt", "a.b.c", "e30.e30.e30.e30"] {
        let location = authorize(&server, "web", &[("request", garbage)]).await;
        refused_to_client(&location, "invalid_request_object");
    }
    let jwt = jws("ES256", &object(&server, "both", json!({})));
    let both = authorize(
        &server,
        "web",
        &[
            ("request", &jwt),
            ("request_uri", "https://app.example/r.jwt"),
        ],
    )
    .await;
    refused_to_client(&both, "invalid_request");
    // A redirect URI the client never registered is not trusted with the error.
    let untrusted = authorize(
        &server,
        "web",
        &[
            ("request", "a.b.c"),
            ("redirect_uri", "https://evil.example/cb"),
        ],
    )
    .await;
    assert!(
        !untrusted.starts_with("https://evil.example"),
        "{untrusted}"
    );
    assert_eq!(
        param(&untrusted, "error").as_deref(),
        Some("invalid_request_object"),
        "{untrusted}"
    );
}

#[tokio::test]
async fn request_uris_are_registered_bounded_and_reachable() {
    let store = oxydra_testkit::app::memory_store().await;
    let server = TestServer::start(
        store,
        &[("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)],
    )
    .await;
    let big = "a".repeat(300 * 1024);
    let docs = DocumentServer::text(vec![
        ("/big.jwt".into(), JWT_TYPE, big),
        (
            "/ok.jwt".into(),
            JWT_TYPE,
            jws("RS256", &object(&server, "uri-ok", json!({}))),
        ),
    ])
    .await;
    // A closed loopback port: nothing listens on the document server's port once it is dropped.
    let closed = {
        let gone = DocumentServer::text(vec![]).await;
        gone.url("/gone.jwt")
    };
    let registered = json!({"request_uris": [docs.url("/big.jwt"), docs.url("/ok.jwt"), closed]});
    register_web(&server, "web", registered).await;

    let oversized = authorize(&server, "web", &[("request_uri", &docs.url("/big.jwt"))]).await;
    refused_to_client(&oversized, "invalid_request_uri");
    let unreachable = authorize(&server, "web", &[("request_uri", &closed)]).await;
    refused_to_client(&unreachable, "invalid_request_uri");
    let hits = docs.hits();
    let unregistered = authorize(
        &server,
        "web",
        &[("request_uri", &docs.url("/unlisted.jwt"))],
    )
    .await;
    refused_to_client(&unregistered, "invalid_request_uri");
    assert_eq!(
        docs.hits(),
        hits,
        "an unregistered request_uri is never fetched"
    );
    let ok = authorize(&server, "web", &[("request_uri", &docs.url("/ok.jwt"))]).await;
    assert!(ok.starts_with(LOGIN), "{ok}");
}

#[tokio::test]
async fn registration_refuses_unknown_request_object_algorithms() {
    let server = TestServer::start(oxydra_testkit::app::memory_store().await, &[]).await;
    for alg in ["HS256", "RS384", "nonsense"] {
        let res = reqwest::Client::new()
            .post(server.admin("/clients"))
            .json(&json!({"client_id": format!("c-{alg}"), "request_object_signing_alg": alg}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{alg}");
        let body: Value = res.json().await.unwrap();
        // Hydra's error body for invalid client metadata.
        assert_eq!(body["error"], "invalid_request", "{alg}: {body}");
        assert!(body["error_description"].as_str().is_some(), "{body}");
        let hint = body["error_hint"].as_str().unwrap_or_default();
        assert!(hint.contains("request_object_signing_alg"), "{alg}: {body}");
    }
}
