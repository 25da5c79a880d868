//! Session management on the admin port (`shared/spec/behaviour.md` §3.8): listing a subject's
//! remembered consents, revoking consent sessions with their tokens, and revoking login
//! sessions.

use axum::http::{Method, StatusCode};
use oxydra_core::flow::{ConsentRequest, LoginSession};
use oxydra_core::store::{FlowStore, TokenStore};
use oxydra_core::token::{RequestId, StoredToken, TokenKind, TokenSession, TokenSignature};
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::json;

use crate::flows_admin::{client, consent_request, put};

/// A consent of `subject` with `client`, accepted (remembered or not) through the admin API.
async fn accepted(app: &TestApp, client: &str, subject: &str, remember: bool) -> ConsentRequest {
    let request = consent_request(app, client, subject, false).await;
    let body = json!({
        "grant_scope": ["openid", "read"],
        "remember": remember,
        "session": {"access_token": {"n": 1}, "id_token": {}},
    });
    let path = format!(
        "/oauth2/auth/requests/consent/{}/accept",
        request.challenge.as_str()
    );
    let res = put(app, &path, body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    app.clock.advance_secs(1);
    request
}

/// An access and a refresh token issued from `consent` (request id = consent challenge).
async fn tokens(app: &TestApp, consent: &ConsentRequest) -> Vec<(TokenKind, TokenSignature)> {
    let now = app.clock_now();
    let mut rows = Vec::new();
    for kind in [TokenKind::AccessToken, TokenKind::RefreshToken] {
        let (_, signature) = app.state.token_keys.generate(kind, now).unwrap();
        rows.push(StoredToken {
            signature,
            kind,
            request_id: RequestId::from_stored(consent.challenge.as_str()),
            client_id: consent.client_id.clone(),
            subject: consent.subject.clone(),
            granted_scope: vec!["openid".into()],
            granted_audience: vec![],
            issued_at: now,
            expires_at: (kind == TokenKind::AccessToken)
                .then(|| now.plus(std::time::Duration::from_secs(3600))),
            active: true,
            session: TokenSession::default(),
        });
    }
    app.state.store.insert_tokens(&rows).await.unwrap();
    rows.into_iter().map(|t| (t.kind, t.signature)).collect()
}

async fn live_tokens(app: &TestApp, tokens: &[(TokenKind, TokenSignature)]) -> usize {
    let mut n = 0;
    for (kind, signature) in tokens {
        if app
            .state
            .store
            .get_token(*kind, signature)
            .await
            .unwrap()
            .is_some()
        {
            n += 1;
        }
    }
    n
}

async fn list(app: &TestApp, path: &str) -> TestResponse {
    let res = app.json(Port::Admin, Method::GET, path, None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res
}

fn challenges(res: &TestResponse) -> Vec<String> {
    res.json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["consent_request"]["challenge"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

async fn delete(app: &TestApp, path: &str) -> TestResponse {
    app.json(Port::Admin, Method::DELETE, path, None).await
}

store_test! {
    async fn consent_sessions_list_remembered_consents_newest_first(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        client(&app, "other").await;
        let first = accepted(&app, "app", "alice", true).await;
        let second = accepted(&app, "other", "alice", true).await;
        accepted(&app, "app", "alice", false).await;
        accepted(&app, "app", "bob", true).await;
        consent_request(&app, "app", "alice", false).await;

        let res = list(&app, "/oauth2/auth/sessions/consent/alice").await;
        assert_eq!(
            challenges(&res),
            [second.challenge.as_str(), first.challenge.as_str()]
        );
        let session = &res.json[0];
        let mut keys: Vec<&str> = session.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["consent_request", "grant_scope", "remember", "remember_for", "session"]);
        assert_eq!(session["grant_scope"], json!(["openid", "read"]));
        assert_eq!(session["remember"], true);
        assert_eq!(session["remember_for"], 0);
        assert_eq!(session["session"], json!({"access_token": {"n": 1}, "id_token": {}}));
        assert_eq!(session["consent_request"]["subject"], "alice");
        assert_eq!(session["consent_request"]["client"]["client_id"], "other");
        assert!(session["consent_request"]["client"].get("client_secret").is_none());

        let page = list(&app, "/oauth2/auth/sessions/consent/alice?limit=1").await;
        assert_eq!(challenges(&page), [second.challenge.as_str()]);
        let link = page.headers["link"].to_str().unwrap();
        assert!(
            link.contains(r#"</oauth2/auth/sessions/consent/alice?limit=1&offset=1>; rel="next""#),
            "{link}"
        );
        let rest = list(&app, "/oauth2/auth/sessions/consent/alice?limit=1&offset=1").await;
        assert_eq!(challenges(&rest), [first.challenge.as_str()]);
        assert!(!rest.headers["link"].to_str().unwrap().contains("next"));

        let nobody = list(&app, "/oauth2/auth/sessions/consent/nobody").await;
        assert_eq!(nobody.json, json!([]));
        let bad = app
            .json(Port::Admin, Method::GET, "/oauth2/auth/sessions/consent/alice?limit=x", None)
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    }

    async fn revoking_consent_sessions_deletes_their_tokens(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        client(&app, "app").await;
        client(&app, "other").await;
        let mine = accepted(&app, "app", "alice", true).await;
        let theirs = accepted(&app, "other", "alice", true).await;
        let bobs = accepted(&app, "app", "bob", true).await;
        let mine_tokens = tokens(&app, &mine).await;
        let theirs_tokens = tokens(&app, &theirs).await;
        let bobs_tokens = tokens(&app, &bobs).await;

        let res = delete(&app, "/oauth2/auth/sessions/consent/alice/app").await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
        assert!(res.text.is_empty());
        assert_eq!(live_tokens(&app, &mine_tokens).await, 0);
        assert_eq!(live_tokens(&app, &theirs_tokens).await, 2);
        let left = list(&app, "/oauth2/auth/sessions/consent/alice").await;
        assert_eq!(challenges(&left), [theirs.challenge.as_str()]);

        let again = delete(&app, "/oauth2/auth/sessions/consent/alice/app").await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.text);
        assert_eq!(again.json["error"], "not_found");

        let all = delete(&app, "/oauth2/auth/sessions/consent/alice").await;
        assert_eq!(all.status, StatusCode::NO_CONTENT, "{}", all.text);
        assert_eq!(live_tokens(&app, &theirs_tokens).await, 0);
        assert_eq!(live_tokens(&app, &bobs_tokens).await, 2);
        assert_eq!(list(&app, "/oauth2/auth/sessions/consent/alice").await.json, json!([]));
        assert_eq!(
            delete(&app, "/oauth2/auth/sessions/consent/alice").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            delete(&app, "/oauth2/auth/sessions/consent/alice/%01").await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(challenges(&list(&app, "/oauth2/auth/sessions/consent/bob").await).len(), 1);
    }

    async fn revoking_login_sessions_forgets_every_session_of_the_subject(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let now = app.clock_now();
        for (id, subject) in [("s1", "alice"), ("s2", "alice"), ("s3", "bob")] {
            let session = LoginSession { id: id.into(), subject: subject.into(), authenticated_at: now, expires_at: now };
            app.state.store.create_login_session(&session).await.unwrap();
        }
        let res = delete(&app, "/oauth2/auth/sessions/login/alice").await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
        assert_eq!(app.state.store.get_login_session("s1").await.unwrap(), None);
        assert_eq!(app.state.store.get_login_session("s2").await.unwrap(), None);
        assert!(app.state.store.get_login_session("s3").await.unwrap().is_some());

        let again = delete(&app, "/oauth2/auth/sessions/login/alice").await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.text);
        assert_eq!(again.json["error"], "not_found");
    }
}
