//! The Hydra 2.x `/admin` routes and the 1.x query-form routes refuse bad input in Hydra's
//! error format (`error`, `error_description`, `status_code`), never with a 500.

use axum::http::{Method, StatusCode};
use oxydra_testkit::app::{Port, TestApp};
use serde_json::{Value, json};

async fn app_with_client() -> TestApp {
    let app = TestApp::new(&[]).await;
    let res = app
        .json(
            Port::Admin,
            Method::POST,
            "/admin/clients",
            Some(json!({"client_id": "web", "redirect_uris": ["https://app.example/cb"]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    app
}

async fn expect(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: u16,
    error: &str,
) {
    let res = app.json(Port::Admin, method.clone(), path, body).await;
    assert_eq!(res.status.as_u16(), status, "{method} {path}: {}", res.text);
    assert_eq!(res.json["error"], error, "{method} {path}: {}", res.text);
    assert_eq!(res.json["status_code"], status, "{}", res.text);
    assert!(res.json["error_description"].is_string(), "{}", res.text);
}

#[tokio::test]
async fn bad_client_input_is_400() {
    let app = app_with_client().await;
    for page in [
        "page_size=0",
        "page_size=501",
        "page_size=x",
        "page_token=%25%25",
        "page_size=1&page_size=2",
    ] {
        expect(
            &app,
            Method::GET,
            &format!("/admin/clients?{page}"),
            None,
            400,
            "invalid_request",
        )
        .await;
    }
    let bad_fields = [
        json!({"metadata": "not an object"}),
        json!({"access_token_strategy": "paper"}),
        json!({"authorization_code_grant_access_token_lifespan": "soon"}),
        json!({"client_credentials_grant_access_token_lifespan": "0s"}),
    ];
    for body in bad_fields {
        let res = app
            .json(
                Port::Admin,
                Method::POST,
                "/admin/clients",
                Some(body.clone()),
            )
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {}", res.text);
        assert!(res.json["error"].is_string(), "{}", res.text);
    }
    // A patch must be an array of operations; lifespans must be durations.
    let cases: &[(Method, &str, Value, u16, &str)] = &[
        (
            Method::PATCH,
            "/admin/clients/web",
            json!({"op": "add"}),
            400,
            "invalid_request",
        ),
        (
            Method::PATCH,
            "/admin/clients/web",
            json!([{"op": "add"}]),
            400,
            "invalid_request",
        ),
        (
            Method::PATCH,
            "/admin/clients/nobody",
            json!([]),
            404,
            "not_found",
        ),
        (
            Method::PUT,
            "/admin/clients/web/lifespans",
            json!({"implicit_grant_id_token_lifespan": "-1h"}),
            400,
            "invalid_request",
        ),
    ];
    for (method, path, body, status, error) in cases {
        expect(
            &app,
            method.clone(),
            path,
            Some(body.clone()),
            *status,
            error,
        )
        .await;
    }
}

#[tokio::test]
async fn sessions_and_tokens_need_their_query_parameters() {
    let app = app_with_client().await;
    let cases: &[(Method, &str, u16, &str)] = &[
        (
            Method::GET,
            "/oauth2/auth/sessions/consent",
            400,
            "invalid_request",
        ),
        (
            Method::DELETE,
            "/oauth2/auth/sessions/consent",
            400,
            "invalid_request",
        ),
        (
            Method::DELETE,
            "/oauth2/auth/sessions/consent?subject=alice",
            400,
            "invalid_request",
        ),
        (
            Method::DELETE,
            "/oauth2/auth/sessions/consent?subject=alice&all=true",
            404,
            "not_found",
        ),
        (
            Method::DELETE,
            "/oauth2/auth/sessions/login",
            400,
            "invalid_request",
        ),
        (
            Method::DELETE,
            "/oauth2/auth/sessions/login?subject=a&sid=b",
            400,
            "invalid_request",
        ),
        (
            Method::DELETE,
            "/oauth2/auth/sessions/login?sid=nope",
            404,
            "not_found",
        ),
        (Method::DELETE, "/oauth2/tokens", 400, "invalid_request"),
        (
            Method::DELETE,
            "/oauth2/tokens?client_id=nobody",
            404,
            "not_found",
        ),
    ];
    for prefix in ["/admin", ""] {
        for (method, path, status, error) in cases {
            let path = format!("{prefix}{path}");
            expect(&app, method.clone(), &path, None, *status, error).await;
        }
        let path = format!("{prefix}/oauth2/tokens?client_id=web");
        let res = app.json(Port::Admin, Method::DELETE, &path, None).await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    }
    let flows: &[(&str, u16, &str)] = &[
        ("/admin/oauth2/auth/requests/login", 400, "invalid_request"),
        (
            "/admin/oauth2/auth/requests/consent?consent_challenge=nope",
            404,
            "not_found",
        ),
    ];
    for (path, status, error) in flows {
        expect(&app, Method::GET, path, None, *status, error).await;
    }
}

#[tokio::test]
async fn a_1x_read_and_a_2x_read_of_one_client_agree() {
    let app = app_with_client().await;
    let v1 = app
        .json(Port::Admin, Method::GET, "/clients/web", None)
        .await
        .json;
    let v2 = app
        .json(Port::Admin, Method::GET, "/admin/clients/web", None)
        .await
        .json;
    for (key, value) in v1.as_object().unwrap() {
        assert_eq!(&v2[key], value, "{key}");
    }
    for key in [
        "created_at",
        "updated_at",
        "skip_consent",
        "skip_logout_consent",
    ] {
        assert!(v2.get(key).is_some() && v1.get(key).is_none(), "{key}");
    }
}

#[tokio::test]
async fn the_2x_routes_read_and_write_dpop_bound_access_tokens() {
    let app = app_with_client().await;
    let path = "/admin/clients/web";
    let read = app.json(Port::Admin, Method::GET, path, None).await;
    crate::assert_dpop_bound(&read, false);

    let patch = json!([{"op": "add", "path": "/dpop_bound_access_tokens", "value": true}]);
    let patched = app
        .json(Port::Admin, Method::PATCH, path, Some(patch))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.json["dpop_bound_access_tokens"], true);
    let read = app.json(Port::Admin, Method::GET, path, None).await;
    crate::assert_dpop_bound(&read, true);
    let listed = app
        .json(Port::Admin, Method::GET, "/admin/clients", None)
        .await;
    assert_eq!(
        listed.json[0]["dpop_bound_access_tokens"], true,
        "{}",
        listed.text
    );

    // A 2.x PUT replaces the client: leaving the flag out clears it.
    let put = json!({"redirect_uris": ["https://app.example/cb"]});
    let replaced = app.json(Port::Admin, Method::PUT, path, Some(put)).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    crate::assert_dpop_bound(&replaced, false);

    let created = app
        .json(
            Port::Admin,
            Method::POST,
            "/admin/clients",
            Some(json!({"client_id": "bound", "dpop_bound_access_tokens": true})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["dpop_bound_access_tokens"], true);
}
