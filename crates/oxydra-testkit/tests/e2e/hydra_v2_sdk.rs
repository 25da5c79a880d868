//! Hydra 2.x's official Rust SDK (`ory-hydra-client` 2.2.0) drives the `/admin` API unchanged
//! (issue 15): it registers the client, plays the login and consent app through the 2.x
//! accept routes, patches the client with RFC 6902, pages through clients by their `Link`
//! headers, and revokes sessions and a client's tokens, on every configured backend.

use ory_hydra_client::apis::configuration::Configuration;
use ory_hydra_client::apis::{Error as SdkError, o_auth2_api as api};
use ory_hydra_client::models::{
    AcceptOAuth2ConsentRequest, AcceptOAuth2LoginRequest, JsonPatch, OAuth2Client,
    OAuth2ClientTokenLifespans,
};
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::json;

use crate::flow::{
    CB, CHALLENGE, CONSENT, LOGIN, SECRET, redeem, token_request, unverified_claims,
};
use crate::logout::{BYE, LOGOUT_APP, backchannel_rp, logout_url, verified};
use crate::oauth2_client::introspect;

async fn start(store: SqlStore) -> (TestServer, Configuration) {
    let server = TestServer::start(
        store,
        &[
            ("OAUTH2_LOGIN_URL", LOGIN),
            ("OAUTH2_CONSENT_URL", CONSENT),
            ("OAUTH2_LOGOUT_URL", LOGOUT_APP),
        ],
    )
    .await;
    let mut sdk = Configuration::new();
    sdk.base_path = server.admin("");
    (server, sdk)
}

/// The first-party client the flow runs with, registered through the SDK.
async fn register(sdk: &Configuration, skip_consent: bool) -> OAuth2Client {
    register_with(sdk, skip_consent, OAuth2Client::new()).await
}

/// [`register`], starting from `client`'s other fields.
async fn register_with(
    sdk: &Configuration,
    skip_consent: bool,
    mut client: OAuth2Client,
) -> OAuth2Client {
    client.client_id = Some("web".into());
    client.client_secret = Some(SECRET.into());
    client.redirect_uris = Some(vec![CB.into()]);
    client.grant_types = Some(vec!["authorization_code".into(), "refresh_token".into()]);
    client.scope = Some("openid offline read".into());
    client.skip_consent = Some(skip_consent);
    client.metadata = Some(json!({"team": "blue"}));
    client.client_credentials_grant_access_token_lifespan = Some("30m".into());
    api::create_o_auth2_client(sdk, &client).await.unwrap()
}

/// One login → consent → code → token flow, the test playing both apps through the SDK;
/// returns the token response and whether the consent app saw `client.skip_consent`.
async fn flow(
    server: &TestServer,
    sdk: &Configuration,
    browser: &mut Browser,
) -> (serde_json::Value, bool) {
    let auth = server.public(&format!(
        "/oauth2/auth?client_id=web&response_type=code&scope=openid+offline+read&state=state-1234&redirect_uri={}&code_challenge={CHALLENGE}&code_challenge_method=S256",
        url::form_urlencoded::byte_serialize(CB.as_bytes()).collect::<String>()
    ));
    let to_login = browser.get(&auth).await.location.unwrap();
    let challenge = param(&to_login, "login_challenge").unwrap();
    let login = api::get_o_auth2_login_request(sdk, &challenge)
        .await
        .unwrap();
    assert_eq!(login.client.client_id.as_deref(), Some("web"));
    let mut accept = AcceptOAuth2LoginRequest::new("alice".into());
    accept.remember = Some(true);
    accept.remember_for = Some(3600);
    // The fields Hydra added after 1.0: carried to the consent app and the ID token.
    accept.amr = Some(vec!["pwd".into(), "otp".into()]);
    accept.context = Some(json!({"tenant": "t-1", "risk": [1, 2]}));
    accept.identity_provider_session_id = Some("idp-session-1".into());
    accept.extend_session_lifespan = Some(false);
    let done = api::accept_o_auth2_login_request(sdk, &challenge, Some(&accept))
        .await
        .unwrap();

    let to_consent = browser.get(&done.redirect_to).await.location.unwrap();
    let challenge = param(&to_consent, "consent_challenge").unwrap();
    let consent = api::get_o_auth2_consent_request(sdk, &challenge)
        .await
        .unwrap();
    assert_eq!(consent.subject.as_deref(), Some("alice"));
    assert_eq!(
        consent.context,
        Some(json!({"tenant": "t-1", "risk": [1, 2]}))
    );
    assert_eq!(consent.amr, Some(vec!["pwd".to_owned(), "otp".to_owned()]));
    let client = consent.client.unwrap();
    let skip_consent = client.skip_consent == Some(true);
    assert_eq!(client.metadata, Some(json!({"team": "blue"})));
    let mut grant = AcceptOAuth2ConsentRequest::new();
    grant.grant_scope = consent.requested_scope;
    grant.remember = Some(true);
    let done = api::accept_o_auth2_consent_request(sdk, &challenge, Some(&grant))
        .await
        .unwrap();

    let to_client = browser.get(&done.redirect_to).await.location.unwrap();
    let code = param(&to_client, "code").unwrap();
    let tokens = redeem(server, &code).await;
    let id_token = unverified_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["amr"], json!(["pwd", "otp"]), "{id_token}");
    (tokens, skip_consent)
}

fn status<T>(err: SdkError<T>) -> u16 {
    match err {
        SdkError::ResponseError(r) => r.status.as_u16(),
        _ => 0,
    }
}

store_test! {
    async fn the_2x_sdk_registers_a_client_and_runs_a_flow(store: SqlStore) {
        let (server, sdk) = start(store).await;
        let created = register(&sdk, true).await;
        assert_eq!(created.client_secret.as_deref(), Some(SECRET));
        assert_eq!(created.skip_consent, Some(true));
        assert_eq!(
            created.client_credentials_grant_access_token_lifespan.as_deref(),
            Some("30m0s")
        );
        assert!(created.created_at.is_some() && created.updated_at.is_some());

        // A first-party client: the consent app is told through client.skip_consent.
        let mut browser = Browser::new();
        let (tokens, skip_consent) = flow(&server, &sdk, &mut browser).await;
        assert!(skip_consent);
        let access = tokens["access_token"].as_str().unwrap();
        let info = api::introspect_o_auth2_token(&sdk, access, None).await.unwrap();
        assert!(info.active);
        assert_eq!(info.sub.as_deref(), Some("alice"));

        // The consent session is listed, then revoked with its tokens.
        let sessions = api::list_o_auth2_consent_sessions(&sdk, "alice", None, None, None)
            .await
            .unwrap();
        assert_eq!(sessions.len(), 1);
        assert_eq!(
            sessions[0].consent_request.as_ref().unwrap().client.as_ref().unwrap().client_id.as_deref(),
            Some("web")
        );
        api::revoke_o_auth2_consent_sessions(&sdk, "alice", Some("web"), None).await.unwrap();
        assert_eq!(introspect(&server, access).await, json!({"active": false}));
        // Revoking again: nothing is left.
        let again = api::revoke_o_auth2_consent_sessions(&sdk, "alice", Some("web"), None).await;
        assert_eq!(status(again.unwrap_err()), 404);

        // Login sessions by subject.
        api::revoke_o_auth2_login_sessions(&sdk, Some("alice"), None).await.unwrap();
        let missing = api::revoke_o_auth2_login_sessions(&sdk, Some("alice"), None).await;
        assert_eq!(status(missing.unwrap_err()), 404);
    }
}

store_test! {
    async fn the_2x_sdk_revokes_every_token_of_a_client(store: SqlStore) {
        let (server, sdk) = start(store).await;
        register(&sdk, false).await;
        let mut browser = Browser::new();
        let (tokens, skip_consent) = flow(&server, &sdk, &mut browser).await;
        assert!(!skip_consent);
        let access = tokens["access_token"].as_str().unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        assert_eq!(introspect(&server, refresh).await["active"], true);
        api::delete_o_auth2_token(&sdk, "web").await.unwrap();
        assert_eq!(introspect(&server, access).await, json!({"active": false}));
        assert_eq!(introspect(&server, refresh).await, json!({"active": false}));
        let unknown = api::delete_o_auth2_token(&sdk, "nobody").await;
        assert_eq!(status(unknown.unwrap_err()), 404);
    }
}

store_test! {
    async fn the_2x_sdk_patches_sets_lifespans_and_pages(store: SqlStore) {
        let (server, sdk) = start(store).await;
        register(&sdk, false).await;

        let ops = vec![
            JsonPatch { op: "replace".into(), path: "/client_name".into(), value: Some(json!("Web")), from: None },
            JsonPatch { op: "add".into(), path: "/redirect_uris/-".into(), value: Some(json!("https://app.example/cb2")), from: None },
            JsonPatch { op: "replace".into(), path: "/skip_consent".into(), value: Some(json!(true)), from: None },
        ];
        let patched = api::patch_o_auth2_client(&sdk, "web", ops).await.unwrap();
        assert_eq!(patched.client_name.as_deref(), Some("Web"));
        assert_eq!(patched.redirect_uris.as_ref().unwrap().len(), 2);
        assert_eq!(patched.skip_consent, Some(true));
        assert_eq!(patched.client_secret, None, "the secret is kept, not echoed");
        assert_eq!(patched.metadata, Some(json!({"team": "blue"})));
        let refused = api::patch_o_auth2_client(
            &sdk,
            "web",
            vec![JsonPatch { op: "replace".into(), path: "/client_id".into(), value: Some(json!("other")), from: None }],
        )
        .await;
        assert_eq!(status(refused.unwrap_err()), 400);

        let mut lifespans = OAuth2ClientTokenLifespans::new();
        lifespans.authorization_code_grant_access_token_lifespan = Some("5m".into());
        let set = api::set_o_auth2_client_lifespans(&sdk, "web", Some(&lifespans)).await.unwrap();
        assert_eq!(set.authorization_code_grant_access_token_lifespan.as_deref(), Some("5m0s"));
        assert_eq!(set.client_credentials_grant_access_token_lifespan, None);
        assert_eq!(set.client_name.as_deref(), Some("Web"));

        // The 1.x route keeps its shape and, on PUT, the 2.x fields it does not send.
        let v1 = reqwest::Client::new().get(server.admin("/clients/web")).send().await.unwrap();
        let mut v1: serde_json::Value = v1.json().await.unwrap();
        assert!(v1.get("skip_consent").is_none() && v1.get("created_at").is_none(), "{v1}");
        v1["client_name"] = json!("Web v1");
        let put = reqwest::Client::new().put(server.admin("/clients/web")).json(&v1).send().await.unwrap();
        assert_eq!(put.status(), 200);
        let read = api::get_o_auth2_client(&sdk, "web").await.unwrap();
        assert_eq!(read.client_name.as_deref(), Some("Web v1"));
        assert_eq!(read.skip_consent, Some(true));
        assert_eq!(read.authorization_code_grant_access_token_lifespan.as_deref(), Some("5m0s"));

        // Keyset pages: five clients, two per page, followed through the Link header.
        for id in ["a1", "a2", "a3", "a4"] {
            let mut c = OAuth2Client::new();
            c.client_id = Some(id.into());
            c.owner = Some("paging".into());
            api::create_o_auth2_client(&sdk, &c).await.unwrap();
        }
        let mut seen = Vec::new();
        let mut next = Some(server.admin("/admin/clients?page_size=2"));
        while let Some(url) = next.take() {
            let res = reqwest::Client::new().get(&url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            let link = res.headers()["link"].to_str().unwrap().to_owned();
            assert!(link.contains("rel=\"first\""), "{link}");
            let page: Vec<serde_json::Value> = res.json().await.unwrap();
            assert!(page.len() <= 2);
            seen.extend(page.iter().map(|c| c["client_id"].as_str().unwrap().to_owned()));
            next = link
                .split(',')
                .find(|l| l.ends_with("rel=\"next\""))
                .map(|l| server.admin(l.split('>').next().unwrap().trim_start_matches('<')));
            if let Some(next) = &next {
                let token = param(next, "page_token").unwrap();
                let sdk_page = api::list_o_auth2_clients(&sdk, Some(2), Some(&token), None, None)
                    .await
                    .unwrap();
                assert!(!sdk_page.is_empty());
            }
        }
        assert_eq!(seen, ["a1", "a2", "a3", "a4", "web"]);
        let owned = api::list_o_auth2_clients(&sdk, None, None, None, Some("paging")).await.unwrap();
        assert_eq!(owned.len(), 4);
        let bad = api::list_o_auth2_clients(&sdk, Some(0), None, None, None).await;
        assert_eq!(status(bad.unwrap_err()), 400);

        api::delete_o_auth2_client(&sdk, "a1").await.unwrap();
        assert_eq!(status(api::get_o_auth2_client(&sdk, "a1").await.unwrap_err()), 404);
    }
}

/// `grant_type=client_credentials` for `id`; the token response.
async fn client_credentials(server: &TestServer, id: &str) -> serde_json::Value {
    let res = token_request(server, id, &[("grant_type", "client_credentials")]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

store_test! {
    async fn per_client_lifespans_apply_and_fall_back_to_the_server(store: SqlStore) {
        let (server, sdk) = start(store).await;
        for (id, lifespan) in [("short", Some("30m")), ("default", None)] {
            let mut c = OAuth2Client::new();
            c.client_id = Some(id.into());
            c.client_secret = Some(SECRET.into());
            c.grant_types = Some(vec!["client_credentials".into()]);
            c.client_credentials_grant_access_token_lifespan = lifespan.map(Into::into);
            api::create_o_auth2_client(&sdk, &c).await.unwrap();
        }
        assert_eq!(client_credentials(&server, "short").await["expires_in"], 1800);
        assert_eq!(client_credentials(&server, "default").await["expires_in"], 3600);

        // A refresh token of the code grant that lives one minute.
        register(&sdk, false).await;
        let mut lifespans = OAuth2ClientTokenLifespans::new();
        lifespans.authorization_code_grant_refresh_token_lifespan = Some("1m".into());
        lifespans.authorization_code_grant_access_token_lifespan = Some("2m".into());
        api::set_o_auth2_client_lifespans(&sdk, "web", Some(&lifespans)).await.unwrap();
        let mut browser = Browser::new();
        let (tokens, _) = flow(&server, &sdk, &mut browser).await;
        assert_eq!(tokens["expires_in"], 120);
        server.clock.advance_secs(61);
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
        let res = token_request(&server, "web", &form).await;
        assert_eq!(res.status(), 400);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant", "{body}");
    }

    /// Issue 15 "done when": logout through the 2.x SDK, with front- and back-channel
    /// delivery: the logout app reads and accepts the request with the SDK, the browser's
    /// page frames the client's front-channel URI, and a loopback RP receives a logout token
    /// that verifies against the JWKS.
    async fn the_2x_sdk_drives_a_logout_with_front_and_back_channel_delivery(store: SqlStore) {
        let (bc_url, mut received) = backchannel_rp().await;
        let (server, sdk) = start(store).await;
        let mut client = OAuth2Client::new();
        client.post_logout_redirect_uris = Some(vec![BYE.into()]);
        client.frontchannel_logout_uri = Some("https://web.example/fc".into());
        client.frontchannel_logout_session_required = Some(true);
        client.backchannel_logout_uri = Some(bc_url);
        client.backchannel_logout_session_required = Some(true);
        let created = register_with(&sdk, false, client).await;
        assert_eq!(created.backchannel_logout_session_required, Some(true));
        let mut browser = Browser::new();
        let (tokens, _) = flow(&server, &sdk, &mut browser).await;
        let hint = tokens["id_token"].as_str().unwrap();
        let sid = verified(&server, hint, "web").await["sid"].as_str().unwrap().to_owned();

        // Rejected through the SDK: the session stays.
        let to_app = browser.get(&logout_url(&server, hint, BYE, "st-1")).await.location.unwrap();
        let challenge = param(&to_app, "logout_challenge").unwrap();
        api::reject_o_auth2_logout_request(&sdk, &challenge).await.unwrap();

        let to_app = browser.get(&logout_url(&server, hint, BYE, "st-2")).await.location.unwrap();
        assert!(to_app.starts_with(LOGOUT_APP), "{to_app}");
        let challenge = param(&to_app, "logout_challenge").unwrap();
        let request = api::get_o_auth2_logout_request(&sdk, &challenge).await.unwrap();
        assert_eq!(request.subject.as_deref(), Some("alice"));
        assert_eq!(request.sid.as_deref(), Some(sid.as_str()));
        assert_eq!(request.rp_initiated, Some(true));
        assert_eq!(request.client.unwrap().client_id.as_deref(), Some("web"));
        let done = api::accept_o_auth2_logout_request(&sdk, &challenge).await.unwrap();
        let page = browser.get(&done.redirect_to).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("https://web.example/fc?iss="), "{}", page.body);
        assert!(page.body.contains(&format!("sid={sid}")), "{}", page.body);
        assert!(page.body.contains(&format!("{BYE}?state=st-2")), "{}", page.body);

        let body = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
            .await.unwrap().unwrap();
        let token = param(&format!("x:?{body}"), "logout_token").unwrap();
        let claims = verified(&server, &token, "web").await;
        assert_eq!(claims["sid"], sid.as_str());
        assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
        assert!(claims.get("nonce").is_none());
        // An answered challenge cannot be answered again.
        let again = status(api::accept_o_auth2_logout_request(&sdk, &challenge).await.unwrap_err());
        assert!(again == 404 || again == 409, "{again}");
    }
}
