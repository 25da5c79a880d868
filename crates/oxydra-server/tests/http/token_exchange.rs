//! RFC 8693 token exchange over HTTP: a resource server trades the token it received for one
//! to call the next service, with and without an actor; ID tokens as subject tokens; the
//! client audience whitelist (also for client credentials); and every error the RFC names.

use axum::http::StatusCode;
use base64::Engine as _;
use oxydra_store::SqlStore;
use oxydra_testkit::app::{TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::tokens::{
    CHALLENGE, SECRET, assert_oauth_error, client, introspect, mint_code, redeem, store_user_token,
    token,
};

/// A refused request: the client, its fields, the expected `error`.
type Refusal<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID: &str = "urn:ietf:params:oauth:token-type:id_token";

/// The resource server `api`: may exchange, may ask for `billing` (a client) and
/// `https://ledger.example`, holds `read write`.
async fn api_client(app: &TestApp, extra: Value) {
    let mut body = json!({
        "grant_types": ["client_credentials", GRANT],
        "scope": "read write",
        "audience": ["billing", "https://ledger.example"],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    client(app, "api", body).await;
}

async fn exchange(app: &TestApp, as_client: &str, fields: &[(&str, &str)]) -> TestResponse {
    let mut all = vec![("grant_type", GRANT)];
    all.extend_from_slice(fields);
    token(app, &all, Some((as_client, SECRET))).await
}

/// An access token `web` received for alice, meant for `api`.
async fn alice_token_for_api(app: &TestApp) -> String {
    store_user_token(app, "web", "alice", &["read", "offline"], &["api"]).await
}

store_test! {
    async fn a_resource_server_exchanges_the_token_it_received(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        api_client(&app, json!({})).await;
        let subject = alice_token_for_api(&app).await;
        let res = exchange(
            &app,
            "api",
            &[
                ("subject_token", &subject),
                ("subject_token_type", ACCESS),
                ("audience", "billing"),
                ("resource", "https://ledger.example"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json["issued_token_type"], ACCESS);
        assert_eq!(res.json["token_type"], "bearer");
        // The subject's scopes the client may hold; never a refresh token.
        assert_eq!(res.json["scope"], "read");
        assert!(res.json.get("refresh_token").is_none());
        assert!(res.json.get("id_token").is_none());
        let info = introspect(&app, res.json["access_token"].as_str().unwrap()).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["client_id"], "api");
        assert_eq!(info["aud"], json!(["billing", "https://ledger.example"]));
        assert!(info.get("act").is_none(), "{info}");
        // The subject token is untouched.
        assert_eq!(introspect(&app, &subject).await["active"], true);
    }
}

store_test! {
    async fn an_actor_is_named_in_act_and_earlier_actors_nest(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        api_client(&app, json!({})).await;
        client(
            &app,
            "billing",
            json!({"grant_types": ["client_credentials", GRANT], "scope": "read"}),
        )
        .await;
        let own = |id: &'static str| {
            let app = &app;
            async move {
                let res = token(
                    app,
                    &[("grant_type", "client_credentials")],
                    Some((id, SECRET)),
                )
                .await;
                res.json["access_token"].as_str().unwrap().to_owned()
            }
        };
        let subject = alice_token_for_api(&app).await;
        let api_self = own("api").await;
        let first = exchange(
            &app,
            "api",
            &[
                ("subject_token", &subject),
                ("subject_token_type", ACCESS),
                ("actor_token", &api_self),
                ("actor_token_type", ACCESS),
                ("audience", "billing"),
            ],
        )
        .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text);
        let delegated = first.json["access_token"].as_str().unwrap().to_owned();
        assert_eq!(
            introspect(&app, &delegated).await["act"],
            json!({"sub": "api"})
        );

        // billing received it (its audience) and passes it on, acting itself.
        let billing_self = own("billing").await;
        let second = exchange(
            &app,
            "billing",
            &[
                ("subject_token", &delegated),
                ("subject_token_type", ACCESS),
                ("actor_token", &billing_self),
                ("actor_token_type", ACCESS),
            ],
        )
        .await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.text);
        let info = introspect(&app, second.json["access_token"].as_str().unwrap()).await;
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["act"], json!({"sub": "billing", "act": {"sub": "api"}}));
    }
}

store_test! {
    async fn an_id_token_of_the_client_is_a_subject_token(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(
            &app,
            "web",
            json!({"grant_types": ["authorization_code", GRANT]}),
        )
        .await;
        let code = mint_code(&app, "web", &["openid"], Some(CHALLENGE)).await;
        let tokens = redeem(&app, &code, Some(("web", SECRET))).await;
        let id_token = tokens.json["id_token"].as_str().unwrap().to_owned();
        let res = exchange(
            &app,
            "web",
            &[
                ("subject_token", &id_token),
                ("subject_token_type", ID),
                ("scope", "read"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let info = introspect(&app, res.json["access_token"].as_str().unwrap()).await;
        assert_eq!((info["sub"].as_str(), info["scope"].as_str()), (Some("alice"), Some("read")));

        // Another client cannot present it; nor is it an access token.
        api_client(&app, json!({})).await;
        let res = exchange(
            &app,
            "api",
            &[("subject_token", &id_token), ("subject_token_type", ID)],
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        let res = exchange(
            &app,
            "web",
            &[("subject_token", &id_token), ("subject_token_type", ACCESS)],
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    }
}

store_test! {
    async fn a_jwt_client_gets_act_and_aud_in_its_access_token(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        api_client(&app, json!({"access_token_strategy": "jwt"})).await;
        let subject = alice_token_for_api(&app).await;
        let actor = store_user_token(&app, "api", "api", &[], &[]).await;
        let res = exchange(
            &app,
            "api",
            &[
                ("subject_token", &subject),
                ("subject_token_type", ACCESS),
                ("actor_token", &actor),
                ("actor_token_type", ACCESS),
                ("audience", "billing"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let jwt = res.json["access_token"].as_str().unwrap();
        let payload = jwt.split('.').nth(1).unwrap();
        let claims: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["aud"], json!(["billing"]));
        assert_eq!(claims["act"], json!({"sub": "api"}));
        assert_eq!(introspect(&app, jwt).await["act"], json!({"sub": "api"}));
    }
}

store_test! {
    async fn every_refusal_rfc_8693_names(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        api_client(&app, json!({})).await;
        client(
            &app,
            "stranger",
            json!({"grant_types": [GRANT], "scope": "read"}),
        )
        .await;
        let subject = alice_token_for_api(&app).await;
        let s = subject.as_str();
        let cases: Vec<Refusal> = vec![
            ("api", vec![("subject_token_type", ACCESS)], "invalid_request"),
            ("api", vec![("subject_token", s)], "invalid_request"),
            (
                "api",
                vec![("subject_token", s), ("subject_token_type", "urn:x:saml")],
                "invalid_request",
            ),
            (
                "api",
                vec![
                    ("subject_token", s),
                    ("subject_token_type", ACCESS),
                    ("requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token"),
                ],
                "invalid_request",
            ),
            (
                "api",
                vec![
                    ("subject_token", s),
                    ("subject_token_type", ACCESS),
                    ("actor_token_type", ACCESS),
                ],
                "invalid_request",
            ),
            (
                "api",
                vec![
                    ("subject_token", s),
                    ("subject_token_type", ACCESS),
                    ("actor_token", "not-a-token"),
                ],
                "invalid_request",
            ),
            (
                "api",
                vec![("subject_token", "ory_at_forged.x"), ("subject_token_type", ACCESS)],
                "invalid_request",
            ),
            // Not issued to it and not naming it in its audience.
            (
                "stranger",
                vec![("subject_token", s), ("subject_token_type", ACCESS)],
                "invalid_request",
            ),
            (
                "api",
                vec![
                    ("subject_token", s),
                    ("subject_token_type", ACCESS),
                    ("audience", "https://elsewhere.example"),
                ],
                "invalid_target",
            ),
            (
                "api",
                vec![
                    ("subject_token", s),
                    ("subject_token_type", ACCESS),
                    ("resource", "https://elsewhere.example"),
                ],
                "invalid_target",
            ),
            // The client may hold `write`, but alice never granted it.
            (
                "api",
                vec![("subject_token", s), ("subject_token_type", ACCESS), ("scope", "write")],
                "invalid_scope",
            ),
            (
                "api",
                vec![("subject_token", s), ("subject_token_type", ACCESS), ("scope", "offline")],
                "invalid_scope",
            ),
            // `web` is not registered for the grant.
            (
                "web",
                vec![("subject_token", s), ("subject_token_type", ACCESS)],
                "unauthorized_client",
            ),
        ];
        for (who, fields, error) in cases {
            let res = exchange(&app, who, &fields).await;
            assert_oauth_error(&res, StatusCode::BAD_REQUEST, error);
            assert!(res.json.get("access_token").is_none());
        }
        // A revoked subject token is not accepted.
        let revoked = app
            .form(
                oxydra_testkit::app::Port::Public,
                "/oauth2/revoke",
                &[("token", s)],
                Some(("web", SECRET)),
            )
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
        let res = exchange(
            &app,
            "api",
            &[("subject_token", s), ("subject_token_type", ACCESS)],
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    }
}

store_test! {
    async fn pairwise_clients_cannot_exchange(store: SqlStore) {
        let app = TestApp::with_store(
            store,
            test_config(&[
                ("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise"),
                ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-pairwise-salt"),
            ]),
        );
        client(&app, "web", json!({})).await;
        api_client(&app, json!({"subject_type": "pairwise"})).await;
        let subject = alice_token_for_api(&app).await;
        // The new token would carry alice's real subject to a client that must not see it.
        let res = exchange(
            &app,
            "api",
            &[("subject_token", &subject), ("subject_token_type", ACCESS)],
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "unauthorized_client");
    }
}

store_test! {
    async fn client_credentials_audiences_come_from_the_whitelist(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        api_client(&app, json!({})).await;
        let res = token(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("audience", "billing https://ledger.example"),
            ],
            Some(("api", SECRET)),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let info = introspect(&app, res.json["access_token"].as_str().unwrap()).await;
        assert_eq!(info["aud"], json!(["billing", "https://ledger.example"]));
        let res = token(
            &app,
            &[("grant_type", "client_credentials"), ("audience", "nope")],
            Some(("api", SECRET)),
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    }
}

store_test! {
    async fn the_audience_whitelist_is_client_metadata(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        // Accepted on the 1.x routes, answered (like every 2.x field) on the 2.x ones only.
        let created = client(&app, "c1", json!({"audience": ["a", "https://b.example", "a"]})).await;
        assert!(created.get("audience").is_none(), "{created}");
        let v2 = app
            .json(
                oxydra_testkit::app::Port::Admin,
                axum::http::Method::GET,
                "/admin/clients/c1",
                None,
            )
            .await;
        assert_eq!(v2.json["audience"], json!(["a", "https://b.example"]), "{}", v2.text);
        // A 1.x PUT that leaves it out keeps it.
        let put = app
            .json(
                oxydra_testkit::app::Port::Admin,
                axum::http::Method::PUT,
                "/clients/c1",
                Some(json!({"client_id": "c1", "client_secret": SECRET, "scope": "read"})),
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text);
        let v2 = app
            .json(
                oxydra_testkit::app::Port::Admin,
                axum::http::Method::GET,
                "/admin/clients/c1",
                None,
            )
            .await;
        assert_eq!(v2.json["audience"], json!(["a", "https://b.example"]), "{}", v2.text);
        let res = app
            .json(
                oxydra_testkit::app::Port::Admin,
                axum::http::Method::POST,
                "/clients",
                Some(json!({"client_id": "c3", "audience": ["has space"]})),
            )
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    }
}
