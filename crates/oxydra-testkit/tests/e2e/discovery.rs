//! The discovery document as real OpenID Connect clients read it: the `openidconnect` crate's
//! `CoreProviderMetadata` and the CLI's typed `PublicClient`.

use openidconnect::core::{
    CoreClientAuthMethod, CoreGrantType, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{IssuerUrl, ResponseTypes, Scope};
use oxydra_api::client::{ClientOptions, PublicClient};
use oxydra_testkit::app::memory_store;
use oxydra_testkit::server::TestServer;
use serde_json::{Value, json};

/// Fetches the document over HTTP and parses it as `openidconnect` does, including the check
/// its discovery makes that the document names the issuer it was fetched from.
/// (`CoreProviderMetadata::discover_async` also fetches `jwks_uri`, which is routed with the
/// ID-token work; switch to it then.)
async fn discover(server: &TestServer) -> CoreProviderMetadata {
    let issuer = IssuerUrl::new(format!("{}/", server.public_url)).unwrap();
    let url = issuer
        .join(".well-known/openid-configuration")
        .unwrap()
        .to_string();
    let body = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    let metadata: CoreProviderMetadata = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("openidconnect cannot parse the document: {e}"));
    assert_eq!(metadata.issuer(), &issuer);
    metadata
}

#[tokio::test]
async fn the_openidconnect_crate_discovers_the_provider() {
    let server = TestServer::start(memory_store().await, &[]).await;
    let metadata = discover(&server).await;
    let base = &server.public_url;
    assert_eq!(metadata.issuer().as_str(), format!("{base}/"));
    assert_eq!(
        metadata.authorization_endpoint().as_str(),
        format!("{base}/oauth2/auth")
    );
    assert_eq!(
        metadata.token_endpoint().unwrap().as_str(),
        format!("{base}/oauth2/token")
    );
    assert_eq!(
        metadata.jwks_uri().as_str(),
        format!("{base}/.well-known/jwks.json")
    );
    assert_eq!(
        metadata.userinfo_endpoint().unwrap().as_str(),
        format!("{base}/userinfo")
    );
    assert_eq!(
        metadata.subject_types_supported(),
        &[CoreSubjectIdentifierType::Public]
    );
    assert!(
        metadata
            .response_types_supported()
            .contains(&ResponseTypes::new(vec![
                CoreResponseType::Token,
                CoreResponseType::IdToken,
                CoreResponseType::Code
            ]))
    );
    assert_eq!(
        metadata.id_token_signing_alg_values_supported(),
        &[
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::EdDsa,
        ]
    );
    let methods = metadata.token_endpoint_auth_methods_supported().unwrap();
    for method in [
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
        CoreClientAuthMethod::PrivateKeyJwt,
        CoreClientAuthMethod::None,
    ] {
        assert!(methods.contains(&method), "{method:?} in {methods:?}");
    }
    let grants = metadata.grant_types_supported().unwrap();
    assert!(grants.contains(&CoreGrantType::RefreshToken), "{grants:?}");
    assert!(
        metadata
            .response_modes_supported()
            .unwrap()
            .contains(&CoreResponseMode::FormPost)
    );
    let scopes = metadata.scopes_supported().unwrap();
    assert!(scopes.contains(&Scope::new("openid".into())), "{scopes:?}");
    assert!(metadata.request_parameter_supported().unwrap_or(false));
    assert!(metadata.request_uri_parameter_supported().unwrap_or(false));
}

#[tokio::test]
async fn pairwise_subjects_are_discovered_when_enabled() {
    let server = TestServer::start(
        memory_store().await,
        &[
            ("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise"),
            ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-long-enough-salt"),
        ],
    )
    .await;
    let metadata = discover(&server).await;
    assert_eq!(
        metadata.subject_types_supported(),
        &[
            CoreSubjectIdentifierType::Public,
            CoreSubjectIdentifierType::Pairwise
        ]
    );
}

#[tokio::test]
async fn the_typed_public_client_reads_the_document() {
    let server = TestServer::start(
        memory_store().await,
        &[("OIDC_DISCOVERY_CLAIMS_SUPPORTED", "email")],
    )
    .await;
    let client = PublicClient::new(&server.public_url, ClientOptions::default()).unwrap();
    let doc = client.discovery().await.unwrap();
    assert_eq!(doc.issuer, format!("{}/", server.public_url));
    assert_eq!(
        doc.claims_supported.first().map(String::as_str),
        Some("sub")
    );
    assert_eq!(
        doc.claims_supported.last().map(String::as_str),
        Some("email")
    );
    assert_eq!(doc.code_challenge_methods_supported, ["S256"]);
    assert_eq!(
        doc.end_session_endpoint,
        Some(server.public("/oauth2/sessions/logout"))
    );
    let raw: serde_json::Value = reqwest::get(server.public("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&doc).unwrap(),
        raw,
        "the model round-trips"
    );
}

/// A configuration touching every input of the document: the issuer (bound), subject types,
/// configured scopes and claims, the default ID-token algorithm, and the demo app's users.
const CONFIGURED: &[(&str, &str)] = &[
    ("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise"),
    ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-long-enough-salt"),
    ("OIDC_DISCOVERY_SCOPES_SUPPORTED", "photos,profile"),
    ("OIDC_DISCOVERY_CLAIMS_SUPPORTED", "team,name"),
    ("OXYDRA_ID_TOKEN_SIGNING_ALG", "ES256"),
    ("OXYDRA_DEMO", "true"),
    (
        "OXYDRA_DEMO_USERS",
        r#"[{"username":"alice","password":"pw","claims":{"name":"Alice","email":"a@example.com","groups":["x"]}},
           {"username":"bob","password":"pw2","claims":{"email":"b@example.com","locale":"de"}}]"#,
    ),
];

/// What the document must say for `server`'s configuration: the default document (every
/// field checked against the specifications in the HTTP tests), with the fields that depend
/// on the configuration written out from its values.
fn expected(server: &TestServer, default: &Value) -> Value {
    let config = &server.state.config;
    let base = &server.public_url;
    let mut algs = vec![config.id_token_signing_alg.name().to_owned()];
    for alg in ["RS256", "ES256", "EdDSA"] {
        if !algs.iter().any(|a| a == alg) {
            algs.push(alg.to_owned());
        }
    }
    let mut userinfo_algs = vec!["none".to_owned()];
    userinfo_algs.extend(algs.iter().cloned());
    let mut scopes = strings(&default["scopes_supported"]);
    let mut claims = strings(&default["claims_supported"]);
    if config.demo.enabled {
        scopes.extend(["profile", "email", "address", "phone"].map(String::from));
        claims.extend(
            config
                .demo
                .users
                .iter()
                .flat_map(|u| u.claims.keys().cloned()),
        );
    }
    scopes.extend(config.oidc.scopes_supported.iter().cloned());
    claims.extend(config.oidc.claims_supported.iter().cloned());
    let subject_types: Vec<&str> = config
        .oidc
        .subject_types
        .iter()
        .map(|t| t.as_str())
        .collect();
    let mut doc = default.clone();
    for (field, value) in [
        ("issuer", json!(format!("{base}/"))),
        (
            "authorization_endpoint",
            json!(format!("{base}/oauth2/auth")),
        ),
        ("token_endpoint", json!(format!("{base}/oauth2/token"))),
        ("jwks_uri", json!(format!("{base}/.well-known/jwks.json"))),
        ("userinfo_endpoint", json!(format!("{base}/userinfo"))),
        (
            "revocation_endpoint",
            json!(format!("{base}/oauth2/revoke")),
        ),
        (
            "end_session_endpoint",
            json!(format!("{base}/oauth2/sessions/logout")),
        ),
        (
            "device_authorization_endpoint",
            json!(format!("{base}/oauth2/device/auth")),
        ),
        (
            "pushed_authorization_request_endpoint",
            json!(format!("{base}/oauth2/par")),
        ),
        ("subject_types_supported", json!(subject_types)),
        ("id_token_signing_alg_values_supported", json!(algs)),
        (
            "userinfo_signing_alg_values_supported",
            json!(userinfo_algs),
        ),
        ("claims_supported", json!(first_each(claims))),
        ("scopes_supported", json!(first_each(scopes))),
    ] {
        doc[field] = value;
    }
    doc
}

/// A JSON array of strings.
fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// `items` without repeats, each where it first appears.
fn first_each(items: Vec<String>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for item in items {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    kept
}

async fn raw_document(server: &TestServer) -> Value {
    reqwest::get(server.public("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_document_is_what_the_configuration_says() {
    let default = raw_document(&TestServer::start(memory_store().await, &[]).await).await;
    let server = TestServer::start(memory_store().await, CONFIGURED).await;
    let doc = raw_document(&server).await;
    assert_eq!(doc, expected(&server, &default));
    // Spelled out where the derivation could hide a mistake.
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["ES256", "RS256", "EdDSA"])
    );
    assert_eq!(
        strings(&doc["scopes_supported"])[3..],
        ["profile", "email", "address", "phone", "photos"]
    );
    let claims = doc["claims_supported"].as_array().unwrap();
    // Each user's claims in name order, then the configured ones not already there.
    assert_eq!(
        claims[13..],
        [
            json!("email"),
            json!("groups"),
            json!("name"),
            json!("locale"),
            json!("team")
        ]
    );
}

/// Every URL the document advertises is served on the public port: a client following it
/// never meets a 404 (an unauthenticated or bodyless call may well be refused otherwise).
#[tokio::test]
async fn every_advertised_endpoint_answers() {
    let server = TestServer::start(memory_store().await, CONFIGURED).await;
    let doc = raw_document(&server).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut checked = 0;
    for (field, value) in doc.as_object().unwrap() {
        if !(field.ends_with("_endpoint") || field.ends_with("_uri")) {
            continue;
        }
        let url = value
            .as_str()
            .unwrap_or_else(|| panic!("{field} is not a URL"));
        assert!(url.starts_with(&server.public_url), "{field}: {url}");
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let res = http.request(method.clone(), url).send().await.unwrap();
            assert_ne!(res.status(), 404, "{method} {field} = {url}");
            if method == reqwest::Method::GET && field == "jwks_uri" {
                assert_eq!(res.status(), 200);
            }
        }
        checked += 1;
    }
    assert_eq!(
        checked, 8,
        "authorization, token, jwks, userinfo, revocation, end session, device authorization, \
         pushed authorization requests"
    );
    assert!(
        doc.get("registration_endpoint").is_none(),
        "clients register on the admin port"
    );
}
