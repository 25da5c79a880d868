//! ID tokens signed with the algorithm a client registered (`id_token_signed_response_alg`)
//! or the server's default (`OXYDRA_ID_TOKEN_SIGNING_ALG`), checked from outside twice: by
//! `openidconnect` (signature from `/.well-known/jwks.json`, `iss`, `aud`, `nonce`,
//! `at_hash`, `c_hash`) and, independently, by `jsonwebtoken` with the published JWK.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreIdToken, CoreJwsSigningAlgorithm, CoreResponseType,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, AuthorizationCodeHash, CsrfToken, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, Scope, TokenResponse,
};
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{CONSENT, LOGIN};
use crate::oauth2_client::{register, send};
use crate::oidc_client::{Rp, authorize, clock, relying_party_as};

const SECRET: &str = "alg-client-secret";

async fn start(store: SqlStore, default_alg: &str) -> TestServer {
    TestServer::start(
        store,
        &[
            ("OAUTH2_LOGIN_URL", LOGIN),
            ("OAUTH2_CONSENT_URL", CONSENT),
            ("OXYDRA_ID_TOKEN_SIGNING_ALG", default_alg),
        ],
    )
    .await
}

/// Registers `id` asking for `alg` (nothing when empty) and returns its relying party.
async fn client(server: &TestServer, id: &str, alg: &str) -> Rp {
    let mut body = json!({
        "scope": "openid offline",
        "grant_types": ["authorization_code", "refresh_token", "implicit"],
        "response_types": ["code", "code id_token"],
    });
    if !alg.is_empty() {
        body["id_token_signed_response_alg"] = alg.into();
    }
    register(server, id, SECRET, body).await;
    relying_party_as(server, id, SECRET).await
}

/// The `jose`-style independent check: the header's `alg` and `kid` name a published key of
/// that algorithm, and `jsonwebtoken` verifies the signature with it. Returns the claims.
async fn verify_independently(server: &TestServer, id_token: &str, alg: Algorithm) -> Value {
    let header = decode_header(id_token).unwrap();
    assert_eq!(header.alg, alg);
    let kid = header.kid.expect("ID tokens name their key");
    let jwks: JwkSet = reqwest::get(server.public("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = jwks.find(&kid).expect("the signing key is published");
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[server.public("/")]);
    validation.validate_aud = false;
    // The test clock is fixed: `exp` is checked by `openidconnect` against it.
    validation.validate_exp = false;
    decode::<Value>(id_token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap_or_else(|e| panic!("the {alg:?} ID token does not verify: {e}"))
        .claims
}

/// A code flow with PKCE, a refresh and a hybrid `code id_token` flow for `rp`, each ID token
/// verified by `openidconnect` allowing `expected` only, and by `jsonwebtoken`.
async fn flows_sign_with(server: &TestServer, rp: &Rp, expected: CoreJwsSigningAlgorithm) {
    let independent = match expected {
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256 => Algorithm::RS256,
        CoreJwsSigningAlgorithm::EcdsaP256Sha256 => Algorithm::ES256,
        CoreJwsSigningAlgorithm::EdDsa => Algorithm::EdDSA,
        other => panic!("not an ID-token algorithm here: {other:?}"),
    };
    let verifier = rp
        .id_token_verifier()
        .set_allowed_algs(vec![expected.clone()])
        .set_time_fn(clock(server));
    let (challenge, pkce) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("offline".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = authorize(server, &mut Browser::new(), url.as_str()).await;
    let code = AuthorizationCode::new(param(&back, "code").unwrap());
    let tokens = rp
        .exchange_code(code)
        .unwrap()
        .set_pkce_verifier(pkce)
        .request_async(&send)
        .await
        .unwrap();
    let id_token = tokens.id_token().expect("an ID token for the openid scope");
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert_eq!(claims.subject().as_str(), "alice");
    assert_eq!(id_token.signing_alg().unwrap(), &expected);
    let key = id_token.signing_key(&verifier).unwrap();
    let at_hash = AccessTokenHash::from_token(tokens.access_token(), &expected, key).unwrap();
    assert_eq!(claims.access_token_hash(), Some(&at_hash));
    let raw = id_token.to_string();
    let independent_claims = verify_independently(server, &raw, independent).await;
    assert_eq!(independent_claims["sub"], "alice");
    assert_eq!(independent_claims["at_hash"], at_hash.to_string());

    // A refresh signs the new ID token with the same algorithm.
    let refreshed = rp
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&send)
        .await
        .unwrap();
    let again = refreshed.id_token().unwrap();
    again
        .claims(&verifier, |_: Option<&Nonce>| Ok::<(), String>(()))
        .unwrap();
    verify_independently(server, &again.to_string(), independent).await;

    // Hybrid `code id_token`: c_hash with the algorithm's hash (SHA-512 for Ed25519).
    let flow =
        CoreAuthenticationFlow::Hybrid(vec![CoreResponseType::Code, CoreResponseType::IdToken]);
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = rp
        .authorize_url(flow, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let back = authorize(server, &mut Browser::new(), url.as_str()).await;
    let front: CoreIdToken = param(&back, "id_token").unwrap().parse().unwrap();
    let claims = front.claims(&verifier, &nonce).unwrap();
    let code = AuthorizationCode::new(param(&back, "code").unwrap());
    let key = front.signing_key(&verifier).unwrap();
    let c_hash = AuthorizationCodeHash::from_code(&code, &expected, key).unwrap();
    assert_eq!(claims.code_hash(), Some(&c_hash));
    verify_independently(server, &front.to_string(), independent).await;
}

store_test! {
    async fn es256_id_tokens_verify_with_the_published_key(store: SqlStore) {
        let server = start(store, "RS256").await;
        let rp = client(&server, "rp-es256", "ES256").await;
        flows_sign_with(&server, &rp, CoreJwsSigningAlgorithm::EcdsaP256Sha256).await;
    }

    async fn eddsa_id_tokens_verify_with_the_published_key(store: SqlStore) {
        let server = start(store, "RS256").await;
        let rp = client(&server, "rp-eddsa", "EdDSA").await;
        flows_sign_with(&server, &rp, CoreJwsSigningAlgorithm::EdDsa).await;
    }

    async fn clients_without_an_algorithm_get_the_configured_default(store: SqlStore) {
        let server = start(store, "EdDSA").await;
        let rp = client(&server, "rp-default", "").await;
        flows_sign_with(&server, &rp, CoreJwsSigningAlgorithm::EdDsa).await;
        // A client's own choice wins over the default.
        let rsa = client(&server, "rp-rs256", "RS256").await;
        flows_sign_with(&server, &rsa, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256).await;
    }
}
