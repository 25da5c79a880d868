//! The token service over HTTP: `/oauth2/token`, `/oauth2/introspect`, `/oauth2/revoke`,
//! `/oauth2/flush`. Authorization codes are minted through the store (the authorization
//! endpoint comes with the login/consent flow).

use axum::http::{Method, StatusCode};
use oxydra_core::ClientId;
use oxydra_core::store::TokenStore;
use oxydra_core::token::{RequestId, StoredToken, TokenKind, TokenSession};
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

pub const SECRET: &str = "a-long-enough-secret";
pub const CB: &str = "https://app.example/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Registers a confidential client `id` (code, refresh and client-credentials grants), with
/// `extra` metadata overriding the defaults.
pub async fn client(app: &TestApp, id: &str, extra: Value) -> Value {
    let mut body = json!({
        "client_id": id,
        "client_secret": SECRET,
        "redirect_uris": [CB],
        "grant_types": ["client_credentials", "authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "read write offline openid",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app
        .json(Port::Admin, Method::POST, "/clients", Some(body))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.json
}

pub async fn token(
    app: &TestApp,
    fields: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> TestResponse {
    app.form(Port::Public, "/oauth2/token", fields, basic).await
}

pub async fn introspect(app: &TestApp, token: &str) -> Value {
    let res = app
        .form(Port::Admin, "/oauth2/introspect", &[("token", token)], None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.json
}

pub fn assert_oauth_error(res: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "body: {}", res.text);
    assert_eq!(res.json["error"], code, "body: {}", res.text);
    assert!(res.json.get("error_debug").is_none(), "{}", res.text);
}

fn assert_no_store(res: &TestResponse) {
    assert_eq!(res.headers["cache-control"], "no-store");
    assert_eq!(res.headers["pragma"], "no-cache");
}

/// Stores an authorization code for `client` as the authorization endpoint would.
pub async fn mint_code(
    app: &TestApp,
    client: &str,
    scope: &[&str],
    challenge: Option<&str>,
) -> String {
    let session = TokenSession {
        redirect_uri: Some(CB.into()),
        code_challenge: challenge.map(str::to_owned),
        access_extra: json!({"department": "r&d"}).as_object().unwrap().clone(),
        ..TokenSession::default()
    };
    let grant = (client, "alice", scope, &[][..]);
    store_token(app, TokenKind::AuthorizeCode, grant, session).await
}

/// Stores an active access token of an end-user grant for `client`, as the authorization-code
/// flow would (`subject` logged in and consented to `scope` and `audience`).
pub async fn store_user_token(
    app: &TestApp,
    client: &str,
    subject: &str,
    scope: &[&str],
    audience: &[&str],
) -> String {
    let session = TokenSession {
        auth_time: Some(app.clock_now().unix_secs()),
        ..TokenSession::default()
    };
    let grant = (client, subject, scope, audience);
    store_token(app, TokenKind::AccessToken, grant, session).await
}

/// Stores an active token of `kind` for `(client, subject, scope, audience)`, valid 10 minutes.
async fn store_token(
    app: &TestApp,
    kind: TokenKind,
    (client, subject, scope, audience): (&str, &str, &[&str], &[&str]),
    session: TokenSession,
) -> String {
    let owned = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let now = app.clock_now();
    let (token, signature) = app.state.token_keys.generate(kind, now).unwrap();
    let row = StoredToken {
        signature,
        kind,
        request_id: RequestId::generate(),
        client_id: ClientId::parse(client).unwrap(),
        subject: subject.to_owned(),
        granted_scope: owned(scope),
        granted_audience: owned(audience),
        issued_at: now,
        expires_at: Some(now.plus(std::time::Duration::from_secs(600))),
        active: true,
        session,
    };
    app.state.store.insert_tokens(&[row]).await.unwrap();
    token
}

pub async fn redeem(app: &TestApp, code: &str, basic: Option<(&str, &str)>) -> TestResponse {
    token(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CB),
            ("code_verifier", VERIFIER),
        ],
        basic,
    )
    .await
}

store_test! {
    async fn client_credentials_issues_an_introspectable_token(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "svc", json!({})).await;
        let res = token(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("scope", "read write"),
            ],
            Some(("svc", SECRET)),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_no_store(&res);
        assert_eq!(res.json["token_type"], "bearer");
        assert_eq!(res.json["expires_in"], 3600);
        assert_eq!(res.json["scope"], "read write");
        assert!(res.json.get("refresh_token").is_none());
        let at = res.json["access_token"].as_str().unwrap();
        let info = introspect(&app, at).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["sub"], "svc");
        assert_eq!(info["client_id"], "svc");
        assert_eq!(info["scope"], "read write");
        assert_eq!(info["token_type"], "access_token");
        assert_eq!(info["iss"], "http://127.0.0.1:4444/");
        let iat = info["iat"].as_i64().unwrap();
        assert_eq!(info["exp"].as_i64().unwrap(), iat + 3600);
        assert!(info.get("ext").is_none());
    }
}

store_test! {
    async fn client_secret_post_works_and_methods_must_match_registration(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(
            &app,
            "post",
            json!({"token_endpoint_auth_method": "client_secret_post"}),
        )
        .await;
        client(&app, "basic", json!({})).await;
        let ok = token(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "post"),
                ("client_secret", SECRET),
            ],
            None,
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        let wrong_method = token(
            &app,
            &[("grant_type", "client_credentials")],
            Some(("post", SECRET)),
        )
        .await;
        assert_oauth_error(&wrong_method, StatusCode::UNAUTHORIZED, "invalid_client");
        assert!(wrong_method.headers.contains_key("www-authenticate"));
        assert_no_store(&wrong_method);
        let wrong_method = token(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "basic"),
                ("client_secret", SECRET),
            ],
            None,
        )
        .await;
        assert_oauth_error(&wrong_method, StatusCode::UNAUTHORIZED, "invalid_client");
    }
}

store_test! {
    async fn bad_credentials_are_401_invalid_client(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "svc", json!({})).await;
        for basic in [("svc", "wrong-secret"), ("nobody", SECRET)] {
            let res = token(&app, &[("grant_type", "client_credentials")], Some(basic)).await;
            assert_oauth_error(&res, StatusCode::UNAUTHORIZED, "invalid_client");
        }
        let none = token(&app, &[("grant_type", "client_credentials")], None).await;
        assert_oauth_error(&none, StatusCode::UNAUTHORIZED, "invalid_client");
        // A client id and secret with reserved characters are URL-decoded after base64.
        client(&app, "a:b c", json!({"client_secret": "p@ss:w rd+%"})).await;
        let res = token(
            &app,
            &[("grant_type", "client_credentials")],
            Some(("a:b c", "p@ss:w rd+%")),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
}

store_test! {
    async fn malformed_requests_get_rfc_6749_errors(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "svc", json!({"grant_types": ["authorization_code"]})).await;
        let basic = Some(("svc", SECRET));
        let res = token(
            &app,
            &[("grant_type", "password"), ("username", "u")],
            basic,
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "unsupported_grant_type");
        let res = token(&app, &[("scope", "read")], basic).await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        let res = token(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
            ],
            basic,
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        let res = token(&app, &[("grant_type", "client_credentials")], basic).await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "unauthorized_client");
        let res = app
            .raw(
                Port::Public,
                Method::POST,
                "/oauth2/token",
                "application/json",
                "{}",
            )
            .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        assert_no_store(&res);
    }
}

store_test! {
    async fn scopes_are_checked_against_the_client(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "svc", json!({"scope": "read files.*"})).await;
        let basic = Some(("svc", SECRET));
        let res = token(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("scope", "read admin"),
            ],
            basic,
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_scope");
        let res = token(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("scope", "files.photos"),
            ],
            basic,
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
}

store_test! {
    async fn authorization_code_is_single_use_and_reuse_revokes_the_grant(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        let code = mint_code(&app, "web", &["read", "offline"], Some(CHALLENGE)).await;
        let first = redeem(&app, &code, Some(("web", SECRET))).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text);
        assert_no_store(&first);
        assert_eq!(first.json["scope"], "read offline");
        let at = first.json["access_token"].as_str().unwrap().to_owned();
        let rt = first.json["refresh_token"].as_str().unwrap().to_owned();
        let info = introspect(&app, &at).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["ext"], json!({"department": "r&d"}));
        assert_eq!(introspect(&app, &rt).await["token_type"], "refresh_token");

        let second = redeem(&app, &code, Some(("web", SECRET))).await;
        assert_oauth_error(&second, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_eq!(introspect(&app, &at).await, json!({"active": false}));
        assert_eq!(introspect(&app, &rt).await, json!({"active": false}));
    }
}

store_test! {
    async fn pkce_and_redirect_uri_are_enforced(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        client(
            &app,
            "spa",
            json!({"token_endpoint_auth_method": "none", "client_secret": null}),
        )
        .await;
        let basic = Some(("web", SECRET));
        let code = mint_code(&app, "web", &["read"], Some(CHALLENGE)).await;
        let wrong = "x".repeat(43);
        let res = token(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CB),
                ("code_verifier", &wrong),
            ],
            basic,
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_grant");
        let res = token(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://evil.example/cb"),
                ("code_verifier", VERIFIER),
            ],
            basic,
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_grant");
        // Another client cannot redeem it, and its attempt does not burn the code.
        client(&app, "other", json!({})).await;
        let res = redeem(&app, &code, Some(("other", SECRET))).await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_eq!(redeem(&app, &code, basic).await.status, StatusCode::OK);

        // A public client without PKCE is refused; with PKCE and only its client_id it succeeds.
        let no_pkce = mint_code(&app, "spa", &["read"], None).await;
        let res = token(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &no_pkce),
                ("redirect_uri", CB),
                ("client_id", "spa"),
            ],
            None,
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_grant");
        let with_pkce = mint_code(&app, "spa", &["read"], Some(CHALLENGE)).await;
        let res = token(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &with_pkce),
                ("redirect_uri", CB),
                ("client_id", "spa"),
                ("code_verifier", VERIFIER),
            ],
            None,
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
}

store_test! {
    async fn expired_and_forged_codes_are_invalid_grant(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        let code = mint_code(&app, "web", &["read"], Some(CHALLENGE)).await;
        app.clock.advance_secs(601);
        let res = redeem(&app, &code, Some(("web", SECRET))).await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_grant");
        let mut forged = code.clone();
        forged.pop();
        forged.push(if code.ends_with('A') { 'B' } else { 'A' });
        let res = redeem(&app, &forged, Some(("web", SECRET))).await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_grant");
    }
}

store_test! {
    async fn refresh_rotates_and_reuse_revokes_the_whole_grant(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        let basic = Some(("web", SECRET));
        let code = mint_code(&app, "web", &["read", "offline"], Some(CHALLENGE)).await;
        let first = redeem(&app, &code, basic).await;
        let at1 = first.json["access_token"].as_str().unwrap().to_owned();
        let rt1 = first.json["refresh_token"].as_str().unwrap().to_owned();

        app.clock.advance_secs(10);
        let second = token(
            &app,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt1)],
            basic,
        )
        .await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.text);
        assert_no_store(&second);
        assert_eq!(second.json["scope"], "read offline");
        let at2 = second.json["access_token"].as_str().unwrap().to_owned();
        let rt2 = second.json["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(rt1, rt2);
        assert_eq!(introspect(&app, &at1).await, json!({"active": false}));
        assert_eq!(introspect(&app, &rt1).await, json!({"active": false}));
        assert_eq!(introspect(&app, &at2).await["active"], true);

        // Narrowing the scope gives a narrower access token; widening is refused.
        let res = token(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt2),
                ("scope", "admin"),
            ],
            basic,
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_scope");

        // Reusing the rotated token kills every token of the grant.
        let reuse = token(
            &app,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt1)],
            basic,
        )
        .await;
        assert_oauth_error(&reuse, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_eq!(introspect(&app, &at2).await, json!({"active": false}));
        assert_eq!(introspect(&app, &rt2).await, json!({"active": false}));
        let res = token(
            &app,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt2)],
            basic,
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_grant");
    }
}

store_test! {
    async fn refresh_tokens_of_another_client_are_refused_and_kept(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        client(&app, "other", json!({})).await;
        let code = mint_code(&app, "web", &["offline"], Some(CHALLENGE)).await;
        let rt = redeem(&app, &code, Some(("web", SECRET))).await.json["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = token(
            &app,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
            Some(("other", SECRET)),
        )
        .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_eq!(introspect(&app, &rt).await["active"], true);
    }
}

store_test! {
    async fn introspection_reports_inactive_for_expired_unknown_and_unscoped_tokens(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "svc", json!({})).await;
        let res = token(
            &app,
            &[("grant_type", "client_credentials"), ("scope", "read")],
            Some(("svc", SECRET)),
        )
        .await;
        let at = res.json["access_token"].as_str().unwrap().to_owned();
        let scoped = |scope: &'static str| {
            let at = at.clone();
            let app = &app;
            async move {
                app.form(
                    Port::Admin,
                    "/oauth2/introspect",
                    &[("token", &at), ("scope", scope)],
                    None,
                )
                .await
                .json
            }
        };
        assert_eq!(scoped("read").await["active"], true);
        assert_eq!(scoped("read write").await, json!({"active": false}));
        for garbage in ["", "nonsense", "oxy_at_abc.def"] {
            let res = app
                .form(
                    Port::Admin,
                    "/oauth2/introspect",
                    &[("token", garbage)],
                    None,
                )
                .await;
            if garbage.is_empty() {
                assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
            } else {
                assert_eq!(res.text, r#"{"active":false}"#);
            }
        }
        app.clock.advance_secs(3600);
        assert_eq!(introspect(&app, &at).await, json!({"active": false}));
    }
}

store_test! {
    async fn revocation_kills_the_grant_but_only_for_its_own_client(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "web", json!({})).await;
        client(&app, "other", json!({})).await;
        let code = mint_code(&app, "web", &["offline"], Some(CHALLENGE)).await;
        let first = redeem(&app, &code, Some(("web", SECRET))).await;
        let at = first.json["access_token"].as_str().unwrap().to_owned();
        let rt = first.json["refresh_token"].as_str().unwrap().to_owned();
        let revoke = |token: String, basic: Option<(&'static str, &'static str)>| {
            let app = &app;
            async move {
                app.form(Port::Public, "/oauth2/revoke", &[("token", &token)], basic)
                    .await
            }
        };
        let res = revoke(at.clone(), Some(("other", SECRET))).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(introspect(&app, &at).await["active"], true);
        let res = revoke("oxy_at_unknown".into(), Some(("web", SECRET))).await;
        assert_eq!(res.status, StatusCode::OK);
        let res = revoke(at.clone(), None).await;
        assert_oauth_error(&res, StatusCode::UNAUTHORIZED, "invalid_client");
        let res = revoke(at.clone(), Some(("web", SECRET))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.text, "");
        assert_eq!(introspect(&app, &at).await, json!({"active": false}));
        assert_eq!(introspect(&app, &rt).await, json!({"active": false}));
    }
}

store_test! {
    async fn flush_deletes_expired_tokens_in_batches(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "svc", json!({})).await;
        let mut signatures = Vec::new();
        for _ in 0..3 {
            let res = token(
                &app,
                &[("grant_type", "client_credentials")],
                Some(("svc", SECRET)),
            )
            .await;
            let at = res.json["access_token"].as_str().unwrap().to_owned();
            signatures.push(
                app.state
                    .token_keys
                    .verify(TokenKind::AccessToken, &at)
                    .unwrap(),
            );
        }
        let res = app
            .json(Port::Admin, Method::POST, "/oauth2/flush", Some(json!({})))
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
        let stored = app
            .state
            .store
            .get_token(TokenKind::AccessToken, &signatures[0])
            .await
            .unwrap();
        assert!(stored.is_some(), "unexpired tokens survive a flush");
        app.clock.advance_secs(3601);
        let res = app
            .json(
                Port::Admin,
                Method::POST,
                "/oauth2/flush",
                Some(json!({"notAfter": "2000-01-01T00:00:00Z"})),
            )
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
        assert!(
            app.state
                .store
                .get_token(TokenKind::AccessToken, &signatures[0])
                .await
                .unwrap()
                .is_some()
        );
        let res = app
            .json(Port::Admin, Method::POST, "/oauth2/flush", Some(json!({})))
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
        for sig in &signatures {
            assert!(
                app.state
                    .store
                    .get_token(TokenKind::AccessToken, sig)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        let res = app
            .json(
                Port::Admin,
                Method::POST,
                "/oauth2/flush",
                Some(json!({"notAfter": "yesterday"})),
            )
            .await;
        assert_oauth_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
    }
}

store_test! {
    async fn secret_verification_is_cached_and_rotation_invalidates_it(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "svc", json!({})).await;
        let cc = [("grant_type", "client_credentials")];
        assert_eq!(
            token(&app, &cc, Some(("svc", SECRET))).await.status,
            StatusCode::OK
        );
        assert_eq!(app.state.hasher.cache().len(), 1);
        assert_eq!(
            token(&app, &cc, Some(("svc", SECRET))).await.status,
            StatusCode::OK
        );
        assert_eq!(app.state.hasher.cache().len(), 1);
        let res = app
            .json(
                Port::Admin,
                Method::PUT,
                "/clients/svc",
                Some(json!({
                    "client_secret": "the-rotated-secret",
                    "grant_types": ["client_credentials"],
                    "scope": "read",
                })),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let old = token(&app, &cc, Some(("svc", SECRET))).await;
        assert_oauth_error(&old, StatusCode::UNAUTHORIZED, "invalid_client");
        assert_eq!(
            token(&app, &cc, Some(("svc", "the-rotated-secret")))
                .await
                .status,
            StatusCode::OK
        );
    }
}

store_test! {
    async fn deleting_a_client_kills_its_tokens(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "svc", json!({})).await;
        let res = token(
            &app,
            &[("grant_type", "client_credentials")],
            Some(("svc", SECRET)),
        )
        .await;
        let at = res.json["access_token"].as_str().unwrap().to_owned();
        let res = app
            .json(Port::Admin, Method::DELETE, "/clients/svc", None)
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
        assert_eq!(introspect(&app, &at).await, json!({"active": false}));
    }
}

#[tokio::test]
async fn tokens_survive_a_system_secret_rotation() {
    let store = oxydra_testkit::app::memory_store().await;
    let old = "the-old-system-secret-0123456789";
    let new = "the-new-system-secret-9876543210";
    let before = TestApp::with_store(
        store.clone(),
        oxydra_testkit::app::test_config(&[("SYSTEM_SECRET", old)]),
    );
    client(&before, "svc", json!({})).await;
    let res = token(
        &before,
        &[("grant_type", "client_credentials")],
        Some(("svc", SECRET)),
    )
    .await;
    let at = res.json["access_token"].as_str().unwrap().to_owned();

    let rotated = TestApp::with_store(
        store.clone(),
        oxydra_testkit::app::test_config(&[("SYSTEM_SECRET", new), ("ROTATED_SYSTEM_SECRET", old)]),
    );
    assert_eq!(introspect(&rotated, &at).await["active"], true);
    let res = token(
        &rotated,
        &[("grant_type", "client_credentials")],
        Some(("svc", SECRET)),
    )
    .await;
    let fresh = res.json["access_token"].as_str().unwrap().to_owned();
    // New tokens are signed with the new secret only: the old configuration rejects them.
    assert_eq!(introspect(&before, &fresh).await, json!({"active": false}));

    let dropped = TestApp::with_store(
        store,
        oxydra_testkit::app::test_config(&[("SYSTEM_SECRET", new)]),
    );
    assert_eq!(introspect(&dropped, &at).await, json!({"active": false}));
}

#[tokio::test]
async fn the_janitor_flushes_expired_tokens_on_each_tick() {
    let app = TestApp::new(&[("OXYDRA_JANITOR_INTERVAL", "1m")]).await;
    client(&app, "svc", json!({})).await;
    let res = token(
        &app,
        &[("grant_type", "client_credentials")],
        Some(("svc", SECRET)),
    )
    .await;
    let at = res.json["access_token"].as_str().unwrap().to_owned();
    let sig = app
        .state
        .token_keys
        .verify(TokenKind::AccessToken, &at)
        .unwrap();
    let (tick, ticks) = tokio::sync::mpsc::channel(1);
    let janitor = oxydra_server::tasks::spawn_janitor_on(app.state.clone(), ticks);
    tick.send(()).await.unwrap();
    app.clock.advance_secs(3601);
    tick.send(()).await.unwrap();
    drop(tick);
    janitor.await.unwrap();
    assert!(
        app.state
            .store
            .get_token(TokenKind::AccessToken, &sig)
            .await
            .unwrap()
            .is_none()
    );
    // Configured: a timer-driven janitor runs; not configured: none.
    let timed = oxydra_server::tasks::spawn_janitor(&app.state).expect("janitor configured");
    timed.abort();
    assert!(oxydra_server::tasks::spawn_janitor(&TestApp::new(&[]).await.state).is_none());
}
