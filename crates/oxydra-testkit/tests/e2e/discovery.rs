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
    assert_eq!(doc.claims_supported, ["sub", "email"]);
    assert_eq!(doc.code_challenge_methods_supported, ["S256"]);
    assert_eq!(doc.end_session_endpoint, None);
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
