//! The admin side of the login and consent flow: `/oauth2/auth/requests/{login,consent}` in
//! the 1.0.0-beta path form and the Hydra 1.x query form. Requests are created through the
//! store, as the authorization endpoint would.

use axum::http::{Method, StatusCode};
use oxydra_core::ClientId;
use oxydra_core::flow::{
    ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, OidcContext,
};
use oxydra_core::store::FlowStore;
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

pub const REQUEST_URL: &str = "http://127.0.0.1:4444/oauth2/auth?client_id=app&state=xyz";

/// Registers a confidential client through the admin API.
pub async fn client(app: &TestApp, id: &str) {
    let body = json!({
        "client_id": id,
        "client_secret": "a-long-enough-secret",
        "redirect_uris": ["https://app.example/cb"],
        "scope": "openid offline read",
    });
    let res = app
        .json(Port::Admin, Method::POST, "/clients", Some(body))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

/// Stores a login request of `client`; `skip` makes it a remembered login of `alice`.
pub async fn login_request(app: &TestApp, client: &str, skip: bool) -> LoginRequest {
    let now = app.clock_now();
    let request = LoginRequest {
        challenge: FlowId::generate(),
        verifier: FlowId::generate(),
        csrf: FlowId::generate(),
        client_id: ClientId::parse(client).unwrap(),
        subject: if skip { "alice".into() } else { String::new() },
        skip,
        requested_scope: vec!["openid".into(), "read".into()],
        request_url: REQUEST_URL.into(),
        oidc_context: OidcContext {
            login_hint: "alice@example.com".into(),
            ui_locales: vec!["de".into(), "en".into()],
            ..OidcContext::default()
        },
        login_session_id: skip.then(|| "session-1".into()),
        requested_at: now,
        authenticated_at: skip.then(|| now.minus(std::time::Duration::from_secs(3600))),
        outcome: None,
        verifier_used: false,
    };
    app.state
        .store
        .create_login_request(&request)
        .await
        .unwrap();
    request
}

/// Stores a consent request of `client` for `subject`.
pub async fn consent_request(
    app: &TestApp,
    client: &str,
    subject: &str,
    skip: bool,
) -> ConsentRequest {
    let login = login_request(app, client, false).await;
    let now = app.clock_now();
    let request = ConsentRequest {
        challenge: FlowId::generate(),
        verifier: FlowId::generate(),
        csrf: FlowId::generate(),
        client_id: login.client_id,
        subject: subject.into(),
        skip,
        requested_scope: vec!["openid".into(), "read".into()],
        request_url: REQUEST_URL.into(),
        oidc_context: OidcContext::default(),
        login_challenge: login.challenge,
        login_session_id: None,
        requested_at: now,
        authenticated_at: now,
        acr: String::new(),
        amr: vec![],
        context: None,
        outcome: None,
        handled_at: None,
        verifier_used: false,
    };
    app.state
        .store
        .create_consent_request(&request)
        .await
        .unwrap();
    request
}

/// `PUT <path>` with a JSON body.
pub async fn put(app: &TestApp, path: &str, body: Value) -> TestResponse {
    app.json(Port::Admin, Method::PUT, path, Some(body)).await
}

async fn get(app: &TestApp, path: &str) -> TestResponse {
    app.json(Port::Admin, Method::GET, path, None).await
}

fn login_path(challenge: &FlowId, action: &str) -> String {
    format!("/oauth2/auth/requests/login/{}{action}", challenge.as_str())
}

fn consent_path(challenge: &FlowId, action: &str) -> String {
    format!(
        "/oauth2/auth/requests/consent/{}{action}",
        challenge.as_str()
    )
}

fn assert_error(res: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.json["error"], code, "{}", res.text);
}

fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

async fn stored_login(app: &TestApp, challenge: &FlowId) -> LoginRequest {
    app.state
        .store
        .get_login_request(challenge)
        .await
        .unwrap()
        .unwrap()
}

async fn stored_consent(app: &TestApp, challenge: &FlowId) -> ConsentRequest {
    app.state
        .store
        .get_consent_request(challenge)
        .await
        .unwrap()
        .unwrap()
}

store_test! {
    async fn login_request_is_shown_with_hydra_field_names(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let request = login_request(&app, "app", true).await;

        let res = get(&app, &login_path(&request.challenge, "")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(
            keys(&res.json),
            ["challenge", "client", "oidc_context", "request_url", "requested_scope",
             "session_id", "skip", "subject"]
        );
        assert_eq!(res.json["challenge"], request.challenge.as_str());
        assert_eq!(res.json["requested_scope"], json!(["openid", "read"]));
        assert_eq!(res.json["skip"], true);
        assert_eq!(res.json["subject"], "alice");
        assert_eq!(res.json["request_url"], REQUEST_URL);
        assert_eq!(res.json["session_id"], "session-1");
        assert_eq!(
            res.json["oidc_context"],
            json!({"login_hint": "alice@example.com", "ui_locales": ["de", "en"]})
        );
        assert_eq!(res.json["client"]["client_id"], "app");
        assert!(res.json["client"].get("client_secret").is_none(), "{}", res.text);

        let fresh = login_request(&app, "app", false).await;
        let res = get(&app, &login_path(&fresh.challenge, "")).await;
        assert_eq!((res.json["skip"].clone(), res.json["subject"].clone()), (json!(false), json!("")));
        assert!(res.json.get("session_id").is_none(), "{}", res.text);

        let unknown = get(&app, &login_path(&FlowId::generate(), "")).await;
        assert_error(&unknown, StatusCode::NOT_FOUND, "not_found");
        // Admin only: the public port does not route it.
        let public = app.json(Port::Public, Method::GET, &login_path(&request.challenge, ""), None).await;
        assert_eq!(public.status, StatusCode::NOT_FOUND, "{}", public.text);
    }

    async fn login_accept_returns_the_verifier_once(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let request = login_request(&app, "app", false).await;
        let path = login_path(&request.challenge, "/accept");

        let res = put(&app, &path, json!({"subject": "bob", "remember": true, "remember_for": 3600, "acr": "pwd"})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(keys(&res.json), ["redirect_to"]);
        assert_eq!(
            res.json["redirect_to"],
            format!("{REQUEST_URL}&login_verifier={}", request.verifier.as_str())
        );
        let Some(LoginOutcome::Accepted { subject, remember, remember_for, acr, authenticated_at, .. }) =
            stored_login(&app, &request.challenge).await.outcome
        else {
            panic!("not accepted")
        };
        assert_eq!((subject.as_str(), remember, remember_for, acr.as_str()), ("bob", true, 3600, "pwd"));
        assert_eq!(authenticated_at, app.clock_now().unix_micros());

        let again = put(&app, &path, json!({"subject": "bob"})).await;
        assert_error(&again, StatusCode::CONFLICT, "conflict");
        let reject = put(&app, &login_path(&request.challenge, "/reject"), json!({})).await;
        assert_error(&reject, StatusCode::CONFLICT, "conflict");
        // An answered request can still be read.
        assert_eq!(get(&app, &login_path(&request.challenge, "")).await.status, StatusCode::OK);
    }

    async fn skipped_login_keeps_subject_and_session_time(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let request = login_request(&app, "app", true).await;
        let path = login_path(&request.challenge, "/accept");

        let other = put(&app, &path, json!({"subject": "mallory"})).await;
        assert_error(&other, StatusCode::BAD_REQUEST, "invalid_request");
        let remember = put(&app, &path, json!({"subject": "alice", "remember": true})).await;
        assert_error(&remember, StatusCode::BAD_REQUEST, "invalid_request");
        assert_eq!(stored_login(&app, &request.challenge).await.outcome, None);

        let ok = put(&app, &path, json!({"subject": "alice"})).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        let Some(LoginOutcome::Accepted { authenticated_at, .. }) =
            stored_login(&app, &request.challenge).await.outcome
        else {
            panic!("not accepted")
        };
        assert_eq!(Some(authenticated_at), request.authenticated_at.map(|t| t.unix_micros()));
    }

    async fn bad_login_answers_are_400_or_404(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let request = login_request(&app, "app", false).await;
        let path = login_path(&request.challenge, "/accept");

        for body in [
            json!({}),
            json!({"subject": ""}),
            json!({"subject": "bob", "remember_for": -1}),
            json!({"subject": "bob", "remeber": true}),
            json!({"subject": 7}),
        ] {
            let res = put(&app, &path, body.clone()).await;
            assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
            assert!(res.json["error_hint"].is_string(), "{body}: {}", res.text);
        }
        let malformed = app
            .raw(Port::Admin, Method::PUT, &path, "application/json", "{\"subject\":")
            .await;
        assert_error(&malformed, StatusCode::BAD_REQUEST, "invalid_request");
        let unknown = put(&app, &login_path(&FlowId::generate(), "/accept"), json!({"subject": "bob"})).await;
        assert_error(&unknown, StatusCode::NOT_FOUND, "not_found");
        let unknown = put(&app, &login_path(&FlowId::generate(), "/reject"), json!({})).await;
        assert_error(&unknown, StatusCode::NOT_FOUND, "not_found");
        let bad_status = put(&app, &login_path(&request.challenge, "/reject"), json!({"status_code": 200})).await;
        assert_error(&bad_status, StatusCode::BAD_REQUEST, "invalid_request");
        assert_eq!(stored_login(&app, &request.challenge).await.outcome, None);
    }

    async fn login_reject_stores_the_error_with_defaults(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let empty = login_request(&app, "app", false).await;
        let res = put(&app, &login_path(&empty.challenge, "/reject"), json!({})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(
            res.json["redirect_to"],
            format!("{REQUEST_URL}&login_verifier={}", empty.verifier.as_str())
        );
        let Some(LoginOutcome::Rejected(r)) = stored_login(&app, &empty.challenge).await.outcome else {
            panic!("not rejected")
        };
        assert_eq!((r.error.as_str(), r.status_code), ("invalid_request", 400));
        assert!(!r.error_description.is_empty());

        let denied = login_request(&app, "app", false).await;
        let body = json!({"error": "access_denied", "error_description": "The user said no.", "error_hint": "Ask nicely."});
        let res = put(&app, &login_path(&denied.challenge, "/reject"), body).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let Some(LoginOutcome::Rejected(r)) = stored_login(&app, &denied.challenge).await.outcome else {
            panic!("not rejected")
        };
        assert_eq!(
            (r.error.as_str(), r.error_description.as_str(), r.error_hint.as_str(), r.status_code),
            ("access_denied", "The user said no.", "Ask nicely.", 403)
        );
    }

    async fn consent_request_is_shown_and_accepted_once(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let request = consent_request(&app, "app", "alice", false).await;

        let res = get(&app, &consent_path(&request.challenge, "")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(
            keys(&res.json),
            ["challenge", "client", "login_challenge", "oidc_context", "request_url",
             "requested_scope", "skip", "subject"]
        );
        assert_eq!(res.json["subject"], "alice");
        assert_eq!(res.json["login_challenge"], request.login_challenge.as_str());
        assert_eq!(res.json["oidc_context"], json!({}));
        assert!(res.json["client"].get("client_secret").is_none());

        let body = json!({
            "grant_scope": ["openid", "write"],
            "remember": true,
            "remember_for": 60,
            "session": {"access_token": {"dept": "r&d"}, "id_token": {"email": "a@x"}},
        });
        let path = consent_path(&request.challenge, "/accept");
        let res = put(&app, &path, body.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(
            res.json["redirect_to"],
            format!("{REQUEST_URL}&consent_verifier={}", request.verifier.as_str())
        );
        let stored = stored_consent(&app, &request.challenge).await;
        let Some(ConsentOutcome::Accepted { grant_scope, remember, remember_for, access_extra, id_token_extra }) =
            stored.outcome
        else {
            panic!("not accepted")
        };
        // Stored as given: the authorization endpoint intersects with the client's scopes.
        assert_eq!(grant_scope, ["openid", "write"]);
        assert_eq!((remember, remember_for), (true, 60));
        assert_eq!(access_extra["dept"], "r&d");
        assert_eq!(id_token_extra["email"], "a@x");
        assert_eq!(stored.handled_at, Some(app.clock_now()));

        assert_error(&put(&app, &path, body).await, StatusCode::CONFLICT, "conflict");
        let reject = put(&app, &consent_path(&request.challenge, "/reject"), json!({})).await;
        assert_error(&reject, StatusCode::CONFLICT, "conflict");
    }

    async fn bad_consent_answers_store_nothing(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let skipped = consent_request(&app, "app", "alice", true).await;
        let path = consent_path(&skipped.challenge, "/accept");
        for body in [
            json!({"grant_scope": ["openid"], "remember": true}),
            json!({"grant_scope": ["open id"]}),
            json!({"remember_for": -1}),
            json!({"grant_scope": "openid"}),
        ] {
            let res = put(&app, &path, body.clone()).await;
            assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        }
        assert_eq!(stored_consent(&app, &skipped.challenge).await.outcome, None);
        let ok = put(&app, &path, json!({"grant_scope": ["openid"]})).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);

        let unknown = put(&app, &consent_path(&FlowId::generate(), "/accept"), json!({})).await;
        assert_error(&unknown, StatusCode::NOT_FOUND, "not_found");
        assert_error(
            &get(&app, &consent_path(&FlowId::generate(), "")).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }

    async fn consent_reject_stores_the_error(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let request = consent_request(&app, "app", "alice", false).await;
        let res = put(
            &app,
            &consent_path(&request.challenge, "/reject"),
            json!({"error": "access_denied", "error_debug": "clicked deny"}),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(
            res.json["redirect_to"],
            format!("{REQUEST_URL}&consent_verifier={}", request.verifier.as_str())
        );
        let Some(ConsentOutcome::Rejected(r)) = stored_consent(&app, &request.challenge).await.outcome else {
            panic!("not rejected")
        };
        assert_eq!((r.error.as_str(), r.error_debug.as_str(), r.status_code), ("access_denied", "clicked deny", 403));
    }

    async fn query_form_routes_reach_the_same_handlers(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let login = login_request(&app, "app", false).await;
        let q = format!("?login_challenge={}", login.challenge.as_str());
        let res = get(&app, &format!("/oauth2/auth/requests/login{q}")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json["challenge"], login.challenge.as_str());
        let res = put(&app, &format!("/oauth2/auth/requests/login/accept{q}"), json!({"subject": "bob"})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(res.json["redirect_to"].as_str().unwrap().ends_with(login.verifier.as_str()));
        let res = put(&app, &format!("/oauth2/auth/requests/login/reject{q}"), json!({})).await;
        assert_error(&res, StatusCode::CONFLICT, "conflict");

        let consent = consent_request(&app, "app", "bob", false).await;
        let q = format!("?consent_challenge={}", consent.challenge.as_str());
        let res = get(&app, &format!("/oauth2/auth/requests/consent{q}")).await;
        assert_eq!(res.json["challenge"], consent.challenge.as_str(), "{}", res.text);
        let res = put(&app, &format!("/oauth2/auth/requests/consent/reject{q}"), json!({})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let res = put(&app, &format!("/oauth2/auth/requests/consent/accept{q}"), json!({})).await;
        assert_error(&res, StatusCode::CONFLICT, "conflict");

        // The query names the kind: a consent challenge under login_challenge is unknown.
        let res = get(&app, &format!("/oauth2/auth/requests/login?login_challenge={}", consent.challenge.as_str())).await;
        assert_error(&res, StatusCode::NOT_FOUND, "not_found");
        for path in [
            "/oauth2/auth/requests/login",
            "/oauth2/auth/requests/login?login_challenge=",
            "/oauth2/auth/requests/consent?login_challenge=abc",
            "/oauth2/auth/requests/consent?consent_challenge=a&consent_challenge=b",
        ] {
            assert_error(&get(&app, path).await, StatusCode::BAD_REQUEST, "invalid_request");
        }
    }

    /// The fields Hydra added to the login acceptance after 1.0 (`amr`, `context`,
    /// `extend_session_lifespan`, `identity_provider_session_id`) are taken on the 1.x query
    /// form and the 2.x route and stored; the 1.0.0-beta path form still refuses them as
    /// unknown fields, and a misspelt field is refused everywhere.
    async fn post_1_0_login_fields_are_taken_on_the_1x_and_2x_routes(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        let body = json!({
            "subject": "bob",
            "amr": ["pwd", "otp"],
            "context": {"tenant": "t-1"},
            "extend_session_lifespan": false,
            "identity_provider_session_id": "idp-1",
        });
        let request = login_request(&app, "app", false).await;
        let res = put(&app, &login_path(&request.challenge, "/accept"), body.clone()).await;
        assert_error(&res, StatusCode::BAD_REQUEST, "invalid_request");
        assert_eq!(stored_login(&app, &request.challenge).await.outcome, None);

        for route in ["/oauth2/auth/requests/login/accept", "/admin/oauth2/auth/requests/login/accept"] {
            let request = login_request(&app, "app", false).await;
            let path = format!("{route}?login_challenge={}", request.challenge.as_str());
            let misspelt = put(&app, &path, json!({"subject": "bob", "amrr": ["pwd"]})).await;
            assert_error(&misspelt, StatusCode::BAD_REQUEST, "invalid_request");
            let res = put(&app, &path, body.clone()).await;
            assert_eq!(res.status, StatusCode::OK, "{route}: {}", res.text);
            let Some(LoginOutcome::Accepted { amr, context, identity_provider_session_id, .. }) =
                stored_login(&app, &request.challenge).await.outcome
            else {
                panic!("{route}: not accepted");
            };
            assert_eq!(amr, ["pwd", "otp"], "{route}");
            assert_eq!(context, Some(json!({"tenant": "t-1"})), "{route}");
            assert_eq!(identity_provider_session_id, "idp-1", "{route}");
        }
    }
}
