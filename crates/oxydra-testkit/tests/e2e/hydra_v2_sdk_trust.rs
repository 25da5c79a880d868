//! Hydra 2.x's official Rust SDK (`ory-hydra-client` 2.2.0) manages the JWT-bearer grant's
//! trust relationships (`/admin/trust/grants/jwt-bearer/issuers`) unchanged, and an assertion
//! under the trust it created is exchanged at the token endpoint (RFC 7523 §2.1).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ory_hydra_client::apis::configuration::Configuration;
use ory_hydra_client::apis::o_auth2_api as api;
use ory_hydra_client::models::{JsonWebKey, OAuth2Client, TrustOAuth2JwtGrantIssuer};
use oxydra_store::SqlStore;
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::json;

use crate::flow::{SECRET, token_request};
use crate::oauth2_client::introspect;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ISS: &str = "https://idp.example";

store_test! {
    async fn the_sdk_manages_trusts_and_their_assertions_get_tokens(store: SqlStore) {
        let server = TestServer::start(store, &[]).await;
        let mut sdk = Configuration::new();
        sdk.base_path = server.admin("");

        let mut client = OAuth2Client::new();
        client.client_id = Some("svc".into());
        client.client_secret = Some(SECRET.into());
        client.grant_types = Some(vec![GRANT.into()]);
        client.scope = Some("read".into());
        api::create_o_auth2_client(&sdk, &client).await.unwrap();

        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref();
        let mut jwk = JsonWebKey::new("ES256".into(), "idp-1".into(), "EC".into(), "sig".into());
        jwk.crv = Some("P-256".into());
        jwk.x = Some(URL_SAFE_NO_PAD.encode(&point[1..33]));
        jwk.y = Some(URL_SAFE_NO_PAD.encode(&point[33..65]));
        let mut body = TrustOAuth2JwtGrantIssuer::new(
            "2030-01-01T00:00:00Z".into(),
            ISS.into(),
            jwk,
            vec!["read".into()],
        );
        body.subject = Some("alice".into());
        let created = api::trust_o_auth2_jwt_grant_issuer(&sdk, Some(&body)).await.unwrap();
        let id = created.id.clone().unwrap();
        assert_eq!(created.issuer.as_deref(), Some(ISS));
        assert_eq!(created.subject.as_deref(), Some("alice"));
        let key = created.public_key.as_deref().unwrap();
        assert_eq!((key.set.as_deref(), key.kid.as_deref()), (Some(ISS), Some("idp-1")));
        assert_eq!(created.expires_at.as_deref(), Some("2030-01-01T00:00:00Z"));

        let got = api::get_trusted_o_auth2_jwt_grant_issuer(&sdk, &id).await.unwrap();
        assert_eq!(got, created);
        let listed = api::list_trusted_o_auth2_jwt_grant_issuers(&sdk, Some(10), None, Some(ISS))
            .await
            .unwrap();
        assert_eq!(listed, vec![created.clone()]);
        let none = api::list_trusted_o_auth2_jwt_grant_issuers(&sdk, None, None, Some("https://other"))
            .await
            .unwrap();
        assert!(none.is_empty());
        // A second trust with the same issuer, subject and kid is a conflict the SDK reports.
        assert!(api::trust_o_auth2_jwt_grant_issuer(&sdk, Some(&body)).await.is_err());

        // An assertion under the trust, built with jsonwebtoken, gets a token for alice.
        let now = { use oxydra_core::clock::Clock as _; server.clock.now().unix_secs() };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("idp-1".into());
        let claims = json!({
            "iss": ISS, "sub": "alice", "aud": server.public("/oauth2/token"),
            "iat": now, "exp": now + 60, "jti": "sdk-1",
        });
        let assertion = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ec_der(pkcs8.as_ref())).unwrap();
        let res = token_request(&server, "svc", &[("grant_type", GRANT), ("assertion", &assertion), ("scope", "read")]).await;
        assert_eq!(res.status(), 200);
        let tokens: serde_json::Value = res.json().await.unwrap();
        let info = introspect(&server, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(info["sub"], "alice");

        api::delete_trusted_o_auth2_jwt_grant_issuer(&sdk, &id).await.unwrap();
        assert!(api::get_trusted_o_auth2_jwt_grant_issuer(&sdk, &id).await.is_err());
        let again = json!({"iss": ISS, "sub": "alice", "aud": server.public("/oauth2/token"),
            "iat": now, "exp": now + 60, "jti": "sdk-2"});
        let assertion = jsonwebtoken::encode(&header, &again, &EncodingKey::from_ec_der(pkcs8.as_ref())).unwrap();
        let res = token_request(&server, "svc", &[("grant_type", GRANT), ("assertion", &assertion)]).await;
        assert_eq!(res.status(), 400);
    }
}
