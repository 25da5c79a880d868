//! Requests shaped exactly as the 0.10 SDKs send them (seed 000, the JavaScript SDK; seed 004,
//! the Rust SDK), in `COMPAT_API_VERSION=0.10` mode, against the one base URL 0.x Hydra had.
//! The JS SDK sends `Content-Type: application/json` and `Accept: application/json` on every
//! call, with the example bodies (`new OAuth2Client()` is `{}`); the Rust SDK sends a bearer
//! token (its `ctx`) on every admin call and no `Content-Type` without a body. Discovery and
//! `/userinfo` are not covered here: they belong to other work.

use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use crate::legacy::{client_post, start};

/// How one SDK dresses its requests.
#[derive(Clone, Copy, Debug)]
enum Sdk {
    /// Seed 000: `superagent` with the documented content types on every request.
    Js,
    /// Seed 004: `hyper`, `Authorization: Bearer` from the context on admin calls.
    Rust,
}

impl Sdk {
    fn request(self, server: &TestServer, method: Method, path: &str) -> RequestBuilder {
        let req = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .request(method, server.public(path))
            .header("accept", "application/json");
        match self {
            Sdk::Js => req.header("content-type", "application/json"),
            Sdk::Rust => req.bearer_auth("an-access-token-of-the-consent-app"),
        }
    }

    /// An admin JSON call; returns the status and the parsed body (`Null` when empty).
    async fn json(
        self,
        server: &TestServer,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.request(server, method, path);
        if let Some(body) = body {
            if let Sdk::Rust = self {
                req = req.header("content-type", "application/json");
            }
            req = req.body(body.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A form call with HTTP Basic client credentials (token, introspect, revoke): both SDKs
    /// send these alike.
    async fn form(self, server: &TestServer, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        client_post(server, path, form).await
    }
}

/// Every documented call of the two seeds' `OAuth2Api` except discovery and userinfo.
async fn every_call(server: &TestServer, sdk: Sdk) {
    // createOAuth2Client(new OAuth2Client()) → an empty body is a valid client.
    let (status, created) = sdk
        .json(server, Method::POST, "/clients", Some(json!({})))
        .await;
    assert_eq!(status, 201, "{sdk:?} {created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["client_id"], id.as_str());
    assert_eq!(created["public"], false);
    // getOAuth2Client, listOAuth2Clients({limit: 789, offset: 789}), updateOAuth2Client.
    let (status, fetched) = sdk
        .json(server, Method::GET, &format!("/clients/{id}"), None)
        .await;
    assert_eq!((status, &fetched["id"]), (200, &json!(id)), "{sdk:?}");
    let (status, page) = sdk
        .json(server, Method::GET, "/clients?limit=789&offset=789", None)
        .await;
    assert_eq!((status, page), (200, json!([])), "{sdk:?}");
    let (status, listed) = sdk.json(server, Method::GET, "/clients", None).await;
    assert_eq!(status, 200);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"].is_string())
    );
    let (status, updated) = sdk
        .json(
            server,
            Method::PUT,
            &format!("/clients/{id}"),
            Some(json!({"id": id, "client_name": "renamed", "public": true})),
        )
        .await;
    assert_eq!(status, 200, "{sdk:?} {updated}");
    assert_eq!(updated["public"], true);

    // oauthAuth + getOAuth2ConsentRequest + acceptOAuth2ConsentRequest + oauthToken.
    let mut browser = Browser::new();
    let nav = browser
        .get(&server.public(
            "/oauth2/auth?client_id=web&response_type=code&scope=openid+offline&state=state-1234",
        ))
        .await;
    let consent = param(&nav.location.unwrap(), "consent").unwrap();
    let (status, request) = sdk
        .json(
            server,
            Method::GET,
            &format!("/oauth2/consent/requests/{consent}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{sdk:?} {request}");
    let (status, _) = sdk
        .json(
            server,
            Method::PATCH,
            &format!("/oauth2/consent/requests/{consent}/accept"),
            Some(json!({
                "subject": "alice", "grantScopes": ["openid", "offline"],
                "accessTokenExtra": {"k": "v"}, "idTokenExtra": {"name": "Alice"},
            })),
        )
        .await;
    assert_eq!(status, 204, "{sdk:?}");
    let back = browser
        .get(request["redirectUrl"].as_str().unwrap())
        .await
        .location
        .unwrap();
    let code = param(&back, "code").unwrap_or_else(|| panic!("{sdk:?} {back}"));
    let (status, tokens) = sdk
        .form(
            server,
            "/oauth2/token",
            &[("grant_type", "authorization_code"), ("code", &code)],
        )
        .await;
    assert_eq!(status, 200, "{sdk:?} {tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();

    // rejectOAuth2ConsentRequest on a second request; the example bodies are empty models.
    let nav =
        browser
            .get(&server.public(
                "/oauth2/auth?client_id=web&response_type=code&scope=openid&state=state-5678",
            ))
            .await;
    let second = param(&nav.location.unwrap(), "consent").unwrap();
    for (what, body) in [
        ("accept", json!({})),
        ("reject", json!({})),
        ("reject", json!({"reason": "no"})),
    ] {
        let (status, _) = sdk
            .json(
                server,
                Method::PATCH,
                &format!("/oauth2/consent/requests/{second}/{what}"),
                Some(body),
            )
            .await;
        assert_eq!(status, 204, "{sdk:?} {what}");
    }

    // introspectOAuth2Token(token, {scope}), revokeOAuth2Token(token).
    let (status, info) = sdk
        .form(
            server,
            "/oauth2/introspect",
            &[("token", &access), ("scope", "openid")],
        )
        .await;
    assert_eq!(status, 200, "{sdk:?} {info}");
    assert_eq!(info["active"], true);
    assert_eq!(info["ext"], json!({"k": "v"}));
    let (status, _) = sdk
        .form(server, "/oauth2/revoke", &[("token", &access)])
        .await;
    assert_eq!(status, 200, "{sdk:?}");
    let (_, info) = sdk
        .form(server, "/oauth2/introspect", &[("token", &access)])
        .await;
    assert_eq!(info, json!({"active": false}));

    // flushInactiveOAuth2Tokens({body: new FlushInactiveOAuth2TokensRequest()}) (JS), or with
    // no body at all (Rust, the optional parameter unset).
    let body = match sdk {
        Sdk::Js => Some(json!({})),
        Sdk::Rust => None,
    };
    let (status, _) = sdk.json(server, Method::POST, "/oauth2/flush", body).await;
    assert_eq!(status, 204, "{sdk:?}");

    // wellKnown() → the ID-token keys.
    let (status, jwks) = sdk
        .json(server, Method::GET, "/.well-known/jwks.json", None)
        .await;
    assert_eq!(status, 200);
    assert!(!jwks["keys"].as_array().unwrap().is_empty());

    // deleteOAuth2Client(id).
    let (status, _) = sdk
        .json(server, Method::DELETE, &format!("/clients/{id}"), None)
        .await;
    assert_eq!(status, 204, "{sdk:?}");
    let (status, _) = sdk
        .json(server, Method::GET, &format!("/clients/{id}"), None)
        .await;
    assert_eq!(status, 404);
}

store_test! {
    async fn the_0_10_sdks_calls_work_against_one_base_url(store: SqlStore) {
        let server = start(store).await;
        every_call(&server, Sdk::Js).await;
        every_call(&server, Sdk::Rust).await;
    }
}
