//! RFC 8693 token exchange on real listeners: after a real login and consent, the web app
//! trades the user's ID token for an access token meant for the API, and the API trades that
//! one, acting itself, for a token meant for the ledger; introspection shows the chain.

use oxydra_store::SqlStore;
use oxydra_testkit::browser::Browser;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{SECRET, redeem, run_flow, start_with, token_request};
use crate::oauth2_client::{introspect, register};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID: &str = "urn:ietf:params:oauth:token-type:id_token";

async fn ok(res: reqwest::Response) -> Value {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

store_test! {
    async fn a_user_token_travels_down_a_chain_of_services(store: SqlStore) {
        let server = start_with(
            store,
            json!({
                "grant_types": ["authorization_code", "refresh_token", GRANT],
                "audience": ["api"],
            }),
        )
        .await;
        register(
            &server,
            "api",
            SECRET,
            json!({
                "grant_types": ["client_credentials", GRANT],
                "scope": "read",
                "audience": ["https://ledger.example"],
            }),
        )
        .await;
        let mut browser = Browser::new();
        let (_, _, code) = run_flow(&server, &mut browser, false).await;
        let tokens = redeem(&server, &code).await;
        let id_token = tokens["id_token"].as_str().unwrap();

        // The web app: the user's ID token for a token the API accepts.
        let for_api = ok(token_request(
            &server,
            "web",
            &[
                ("grant_type", GRANT),
                ("subject_token", id_token),
                ("subject_token_type", ID),
                ("audience", "api"),
                ("scope", "read"),
            ],
        )
        .await)
        .await;
        assert_eq!(for_api["issued_token_type"], ACCESS);
        let for_api = for_api["access_token"].as_str().unwrap();

        // The API, acting itself, for a token the ledger accepts.
        let api_self = ok(token_request(&server, "api", &[("grant_type", "client_credentials")]).await).await;
        let for_ledger = ok(token_request(
            &server,
            "api",
            &[
                ("grant_type", GRANT),
                ("subject_token", for_api),
                ("subject_token_type", ACCESS),
                ("actor_token", api_self["access_token"].as_str().unwrap()),
                ("actor_token_type", ACCESS),
                ("resource", "https://ledger.example"),
            ],
        )
        .await)
        .await;
        let info = introspect(&server, for_ledger["access_token"].as_str().unwrap()).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["client_id"], "api");
        assert_eq!(info["scope"], "read");
        assert_eq!(info["aud"], json!(["https://ledger.example"]));
        assert_eq!(info["act"], json!({"sub": "api"}));

        // The ledger's token cannot go back to the web app's audience.
        let res = token_request(
            &server,
            "api",
            &[
                ("grant_type", GRANT),
                ("subject_token", for_api),
                ("subject_token_type", ACCESS),
                ("audience", "api"),
            ],
        )
        .await;
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_target");
    }
}
