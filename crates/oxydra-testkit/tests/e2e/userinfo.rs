//! `/userinfo` over real HTTP through the typed [`PublicClient`], with tokens from the real
//! login and consent flow: JSON claims, a signed answer once the client asks for one, and the
//! errors a Hydra SDK sees.

use base64::Engine as _;
use oxydra_api::client::{ClientError, ClientOptions, PublicClient, Userinfo};
use oxydra_store::SqlStore;
use oxydra_testkit::browser::Browser;
use oxydra_testkit::store_test;
use serde_json::Value;

use crate::flow::{admin, redeem, run_flow, start};

fn unauthorized(result: Result<Userinfo, ClientError>) -> String {
    match result {
        Err(ClientError::Api { status: 401, body }) => body.error,
        other => panic!("expected a 401, got {other:?}"),
    }
}

store_test! {
    async fn the_public_client_reads_userinfo(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let (_, _, code) = run_flow(&server, &mut browser, false).await;
        let tokens = redeem(&server, &code).await;
        let at = tokens["access_token"].as_str().unwrap();
        let client = PublicClient::new(&server.public_url, ClientOptions::default()).unwrap();

        let Userinfo::Claims(info) = client.userinfo(at).await.unwrap() else {
            panic!("expected JSON claims")
        };
        assert_eq!(info.sub, "alice");
        assert_eq!(info.email.as_deref(), Some("alice@example.com"));

        assert_eq!(unauthorized(client.userinfo("not-a-token").await), "request_unauthorized");
        let refresh = tokens["refresh_token"].as_str().unwrap();
        assert_eq!(unauthorized(client.userinfo(refresh).await), "request_unauthorized");

        // The client now asks for signed answers: the same token gets a JWT.
        let (status, mut web) = admin(&server, reqwest::Method::GET, "/clients/web", None).await;
        assert_eq!(status, 200, "{web}");
        web["userinfo_signed_response_alg"] = "RS256".into();
        let (status, web) = admin(&server, reqwest::Method::PUT, "/clients/web", Some(web)).await;
        assert_eq!(status, 200, "{web}");
        let Userinfo::Signed(jwt) = client.userinfo(at).await.unwrap() else {
            panic!("expected a signed answer")
        };
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "{jwt}");
        let claims: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap(),
        )
        .unwrap();
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["aud"], serde_json::json!(["web"]));
        assert_eq!(claims["iss"], format!("{}/", server.public_url));

        server.clock.advance_secs(3600);
        assert_eq!(unauthorized(client.userinfo(at).await), "token_expired");
    }
}
