//! `ADMIN_ACCESS_CONTROL=policies`: the admin API behind bearer tokens, scopes and policies,
//! with the `FORCE_ROOT_CLIENT_CREDENTIALS` bootstrap, on both backends.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

const ROOT: &str = "root";
const ROOT_SECRET: &str = "root-secret-0123";
const SECRET: &str = "client-secret-0123";
const ALL_SCOPES: &str = "hydra.clients hydra.keys.get hydra.keys.create hydra.keys.update \
                          hydra.keys.delete hydra.policies hydra.consent hydra.introspect \
                          hydra.oauth2.flush hydra.health";

fn config(extra: &[(&str, &str)]) -> oxydra_server::config::Config {
    let mut vars = vec![
        ("ADMIN_ACCESS_CONTROL", "policies"),
        ("FORCE_ROOT_CLIENT_CREDENTIALS", "root:root-secret-0123"),
    ];
    vars.extend_from_slice(extra);
    test_config(&vars)
}

/// A guarded app over `store` whose root client was bootstrapped.
async fn guarded(store: SqlStore, extra: &[(&str, &str)]) -> TestApp {
    let app = TestApp::with_store(store, config(extra));
    oxydra_server::bootstrap::ensure_root_client(&app.state)
        .await
        .unwrap();
    app
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> TestResponse {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    };
    app.send(Port::Admin, request.unwrap()).await
}

async fn token(app: &TestApp, id: &str, secret: &str, scope: &str) -> String {
    let res = app
        .form(
            Port::Public,
            "/oauth2/token",
            &[("grant_type", "client_credentials"), ("scope", scope)],
            Some((id, secret)),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.json["access_token"].as_str().unwrap().to_owned()
}

/// Registers a client_credentials client through the admin API as root.
async fn client(app: &TestApp, root: &str, id: &str, owner: &str, scope: &str) {
    let body = json!({"client_id": id, "client_secret": SECRET, "owner": owner, "scope": scope,
                      "grant_types": ["client_credentials"]});
    let res = call(app, Method::POST, "/clients", Some(root), Some(body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

async fn policy(app: &TestApp, root: &str, body: Value) {
    let res = call(app, Method::POST, "/policies", Some(root), Some(body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

fn assert_refused(res: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.json["error"], code, "{}", res.text);
    let challenge = res
        .headers
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    if status == StatusCode::UNAUTHORIZED {
        assert!(
            challenge.unwrap().starts_with("Bearer "),
            "{:?}",
            res.headers
        );
    }
}

store_test! {
    async fn no_or_bad_token_is_401_and_probes_stay_open(store: SqlStore) {
        let app = guarded(store, &[]).await;
        for (method, path) in [(Method::GET, "/clients"), (Method::POST, "/oauth2/flush"), (Method::GET, "/policies"),
                               (Method::GET, "/keys/any"), (Method::GET, "/oauth2/auth/requests/login/x")] {
            let missing = call(&app, method.clone(), path, None, None).await;
            assert_refused(&missing, StatusCode::UNAUTHORIZED, "request_unauthorized");
            assert_eq!(missing.headers["www-authenticate"], "Bearer realm=\"oxydra-admin\"");
            let forged = call(&app, method, path, Some("ory_at_forged.sig"), None).await;
            assert_refused(&forged, StatusCode::UNAUTHORIZED, "request_unauthorized");
            assert!(forged.headers["www-authenticate"].to_str().unwrap().contains("error=\"invalid_token\""));
        }
        let basic = app.form(Port::Admin, "/oauth2/introspect", &[("token", "x")], Some((ROOT, ROOT_SECRET))).await;
        assert_refused(&basic, StatusCode::UNAUTHORIZED, "request_unauthorized");
        for path in ["/health/alive", "/health/ready", "/version"] {
            assert_eq!(call(&app, Method::GET, path, None, None).await.status, StatusCode::OK, "{path}");
        }
        // An expired token is refused.
        let root = token(&app, ROOT, ROOT_SECRET, "hydra.clients").await;
        assert_eq!(call(&app, Method::GET, "/clients", Some(&root), None).await.status, StatusCode::OK);
        app.clock.advance_secs(3601);
        assert_refused(&call(&app, Method::GET, "/clients", Some(&root), None).await, StatusCode::UNAUTHORIZED, "request_unauthorized");
    }

    async fn in_0_10_mode_the_admin_api_on_the_public_port_is_guarded_too(store: SqlStore) {
        let app = guarded(store, &[("COMPAT_API_VERSION", "0.10"), ("CONSENT_URL", "https://consent.example/")]).await;
        let public = |token: Option<String>| {
            let mut builder = Request::builder().method(Method::GET).uri("/clients");
            if let Some(token) = token {
                builder = builder.header("authorization", format!("Bearer {token}"));
            }
            builder.body(Body::empty()).unwrap()
        };
        let refused = app.send(Port::Public, public(None)).await;
        assert_refused(&refused, StatusCode::UNAUTHORIZED, "request_unauthorized");
        // No anonymous key material on the port browsers reach.
        let keys = Request::get("/keys/hydra.openid.id-token").body(Body::empty()).unwrap();
        assert_refused(&app.send(Port::Public, keys).await, StatusCode::UNAUTHORIZED, "request_unauthorized");
        let root = token(&app, ROOT, ROOT_SECRET, "hydra.clients").await;
        assert_eq!(app.send(Port::Public, public(Some(root))).await.status, StatusCode::OK);
        // The OAuth 2.0 endpoints of the public port stay open.
        assert_eq!(app.send(Port::Public, Request::get("/.well-known/jwks.json").body(Body::empty()).unwrap()).await.status, StatusCode::OK);
    }

    async fn the_root_client_bootstraps_once_and_may_do_everything(store: SqlStore) {
        let app = guarded(store, &[]).await;
        // Idempotent: a second start (or a second instance) changes nothing.
        oxydra_server::bootstrap::ensure_root_client(&app.state).await.unwrap();
        let root = token(&app, ROOT, ROOT_SECRET, ALL_SCOPES).await;
        let policies = call(&app, Method::GET, "/policies", Some(&root), None).await;
        assert_eq!(policies.status, StatusCode::OK, "{}", policies.text);
        assert_eq!(policies.json.as_array().unwrap().len(), 1);
        assert_eq!(policies.json[0]["subjects"], json!([ROOT]));
        assert_eq!(policies.json[0]["resources"], json!(["<.*>"]));

        client(&app, &root, "app", "", "read").await;
        let ok = |res: TestResponse, status: StatusCode| assert_eq!(res.status, status, "{}", res.text);
        ok(call(&app, Method::GET, "/clients", Some(&root), None).await, StatusCode::OK);
        ok(call(&app, Method::GET, "/clients/app", Some(&root), None).await, StatusCode::OK);
        ok(call(&app, Method::PUT, "/clients/app", Some(&root), Some(json!({"scope": "write"}))).await, StatusCode::OK);
        ok(call(&app, Method::POST, "/keys/s", Some(&root), Some(json!({"alg": "HS256", "kid": "k", "use": "sig"}))).await, StatusCode::CREATED);
        ok(call(&app, Method::GET, "/keys/s", Some(&root), None).await, StatusCode::OK);
        ok(call(&app, Method::GET, "/keys/s/k", Some(&root), None).await, StatusCode::OK);
        ok(call(&app, Method::DELETE, "/keys/s/k", Some(&root), None).await, StatusCode::NO_CONTENT);
        ok(call(&app, Method::POST, "/oauth2/flush", Some(&root), Some(json!({}))).await, StatusCode::NO_CONTENT);
        let introspect = Request::post("/oauth2/introspect")
            .header("authorization", format!("Bearer {root}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={root}")))
            .unwrap();
        let res = app.send(Port::Admin, introspect).await;
        assert_eq!(res.json["active"], true, "{}", res.text);
        assert_eq!(res.json["sub"], ROOT);
        // Guard passed, the handler answers: an unknown challenge is 404, not 403.
        ok(call(&app, Method::GET, "/oauth2/auth/requests/login?login_challenge=nope", Some(&root), None).await, StatusCode::NOT_FOUND);
        ok(call(&app, Method::DELETE, "/clients/app", Some(&root), None).await, StatusCode::NO_CONTENT);
    }

    async fn a_token_without_the_scope_is_403(store: SqlStore) {
        let app = guarded(store, &[]).await;
        let keys_only = token(&app, ROOT, ROOT_SECRET, "hydra.keys.get").await;
        let res = call(&app, Method::GET, "/clients", Some(&keys_only), None).await;
        assert_refused(&res, StatusCode::FORBIDDEN, "request_forbidden");
        let challenge = res.headers["www-authenticate"].to_str().unwrap();
        assert!(challenge.contains("insufficient_scope") && challenge.contains("hydra.clients"), "{challenge}");
        assert_refused(&call(&app, Method::POST, "/keys/s", Some(&keys_only), Some(json!({"alg": "HS256", "kid": "k", "use": "sig"}))).await,
            StatusCode::FORBIDDEN, "request_forbidden");
        // The scope it has works (the set is absent: the handler's 404).
        assert_eq!(call(&app, Method::GET, "/keys/none", Some(&keys_only), None).await.status, StatusCode::NOT_FOUND);
    }

    async fn a_narrow_policy_confines_a_client_to_its_own_resources(store: SqlStore) {
        let app = guarded(store, &[]).await;
        let root = token(&app, ROOT, ROOT_SECRET, ALL_SCOPES).await;
        client(&app, &root, "alice", "", "hydra.clients").await;
        client(&app, &root, "alice-app", "alice", "").await;
        client(&app, &root, "carol-app", "carol", "").await;
        // Owners may read, change and delete their clients, and create clients they own.
        policy(&app, &root, json!({"id": "owners", "subjects": ["alice"], "effect": "allow",
            "resources": ["rn:hydra:clients", "rn:hydra:clients:<.*>"], "actions": ["<get|create|update|delete>"],
            "conditions": {"owner": {"type": "EqualsSubjectCondition"}}})).await;
        // And alice may read her own registration, by id.
        policy(&app, &root, json!({"id": "self", "subjects": ["alice"], "effect": "allow",
            "resources": ["rn:hydra:clients:alice"], "actions": ["get"]})).await;
        let alice = token(&app, "alice", SECRET, "hydra.clients").await;
        let status = |res: TestResponse| res.status;
        assert_eq!(status(call(&app, Method::GET, "/clients/alice-app", Some(&alice), None).await), StatusCode::OK);
        assert_eq!(status(call(&app, Method::GET, "/clients/alice", Some(&alice), None).await), StatusCode::OK);
        assert_refused(&call(&app, Method::GET, "/clients/carol-app", Some(&alice), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        assert_refused(&call(&app, Method::DELETE, "/clients/carol-app", Some(&alice), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        // No owner to match: refused before anyone learns whether it exists.
        assert_refused(&call(&app, Method::GET, "/clients/ghost", Some(&alice), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        // Listing every client is not hers to do.
        assert_refused(&call(&app, Method::GET, "/clients", Some(&alice), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        // Create: only clients she owns.
        let mine = json!({"client_id": "alice-2", "owner": "alice", "grant_types": ["client_credentials"]});
        assert_eq!(status(call(&app, Method::POST, "/clients", Some(&alice), Some(mine)).await), StatusCode::CREATED);
        let theirs = json!({"client_id": "carol-2", "owner": "carol"});
        assert_refused(&call(&app, Method::POST, "/clients", Some(&alice), Some(theirs)).await, StatusCode::FORBIDDEN, "request_forbidden");
        // Update: neither someone else's client, nor give hers away.
        assert_refused(&call(&app, Method::PUT, "/clients/carol-app", Some(&alice), Some(json!({"owner": "alice"}))).await, StatusCode::FORBIDDEN, "request_forbidden");
        assert_refused(&call(&app, Method::PUT, "/clients/alice-2", Some(&alice), Some(json!({"owner": "carol"}))).await, StatusCode::FORBIDDEN, "request_forbidden");
        let res = call(&app, Method::PUT, "/clients/alice-2", Some(&alice), Some(json!({"owner": "alice", "client_name": "mine"}))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(status(call(&app, Method::DELETE, "/clients/alice-2", Some(&alice), None).await), StatusCode::NO_CONTENT);
        // Nothing outside clients.
        assert_refused(&call(&app, Method::GET, "/policies", Some(&alice), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        assert_eq!(status(call(&app, Method::GET, "/clients/carol-app", Some(&root), None).await), StatusCode::OK);
    }

    async fn an_explicit_deny_beats_an_allow(store: SqlStore) {
        let app = guarded(store, &[]).await;
        let root = token(&app, ROOT, ROOT_SECRET, ALL_SCOPES).await;
        client(&app, &root, "ops", "", "hydra.clients hydra.keys.get").await;
        client(&app, &root, "victim", "", "").await;
        policy(&app, &root, json!({"id": "ops-all", "subjects": ["ops"], "effect": "allow", "resources": ["<.*>"], "actions": ["<.*>"]})).await;
        policy(&app, &root, json!({"id": "ops-no-delete", "subjects": ["<o.s>"], "effect": "deny",
            "resources": ["rn:hydra:clients:<.*>"], "actions": ["delete"]})).await;
        let ops = token(&app, "ops", SECRET, "hydra.clients").await;
        assert_eq!(call(&app, Method::GET, "/clients/victim", Some(&ops), None).await.status, StatusCode::OK);
        assert_refused(&call(&app, Method::DELETE, "/clients/victim", Some(&ops), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        // The deny names ops only: root still deletes.
        assert_eq!(call(&app, Method::DELETE, "/clients/victim", Some(&root), None).await.status, StatusCode::NO_CONTENT);
    }

    async fn key_sets_need_every_key_allowed(store: SqlStore) {
        let app = guarded(store, &[("RESOURCE_NAME_PREFIX", "rn:acme:")]).await;
        let root = token(&app, ROOT, ROOT_SECRET, ALL_SCOPES).await;
        call(&app, Method::POST, "/keys/s", Some(&root), Some(json!({"alg": "ES256", "kid": "a", "use": "sig"}))).await;
        client(&app, &root, "reader", "", "hydra.keys.get").await;
        policy(&app, &root, json!({"id": "public-only", "subjects": ["reader"], "effect": "allow",
            "resources": ["rn:acme:keys:s:public:<.*>", "rn:hydra:keys:<.*>"], "actions": ["get"]})).await;
        let reader = token(&app, "reader", SECRET, "hydra.keys.get").await;
        assert_eq!(call(&app, Method::GET, "/keys/s/public:a", Some(&reader), None).await.status, StatusCode::OK);
        assert_refused(&call(&app, Method::GET, "/keys/s/private:a", Some(&reader), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        assert_refused(&call(&app, Method::GET, "/keys/s", Some(&reader), None).await, StatusCode::FORBIDDEN, "request_forbidden");
    }

    async fn another_instance_sees_policy_writes_within_the_ttl(store: SqlStore) {
        let a = guarded(store.clone(), &[]).await;
        let b = TestApp::with_store(store, config(&[("OXYDRA_POLICY_CACHE_TTL", "5s")]));
        let root = token(&a, ROOT, ROOT_SECRET, ALL_SCOPES).await;
        client(&a, &root, "late", "", "hydra.policies").await;
        let late = token(&a, "late", SECRET, "hydra.policies").await;
        assert_refused(&call(&b, Method::GET, "/policies", Some(&late), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        policy(&a, &root, json!({"id": "late", "subjects": ["late"], "effect": "allow", "resources": ["rn:hydra:policies"], "actions": ["list"]})).await;
        // A sees its own write at once; B within its TTL.
        assert_eq!(call(&a, Method::GET, "/policies", Some(&late), None).await.status, StatusCode::OK);
        assert_refused(&call(&b, Method::GET, "/policies", Some(&late), None).await, StatusCode::FORBIDDEN, "request_forbidden");
        b.clock.advance_secs(5);
        assert_eq!(call(&b, Method::GET, "/policies", Some(&late), None).await.status, StatusCode::OK);
    }

    async fn an_end_user_whose_subject_is_the_root_client_id_is_not_root(store: SqlStore) {
        let app = guarded(store, &[]).await;
        let root = token(&app, ROOT, ROOT_SECRET, ALL_SCOPES).await;
        client(&app, &root, "app", "", "hydra.clients").await;
        // What the authorization-code flow stores when a user whose subject is "root" consents
        // to "app" asking for hydra.clients.
        let scope = ["hydra.clients"];
        let user_token = crate::tokens::store_user_token(&app, "app", ROOT, &scope, &[]).await;
        let res = call(&app, Method::GET, "/clients", Some(&user_token), None).await;
        assert_refused(&res, StatusCode::FORBIDDEN, "request_forbidden");
        assert!(res.text.contains("client_credentials"), "{}", res.text);
        // The root client's own token still passes.
        assert_eq!(call(&app, Method::GET, "/clients", Some(&root), None).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn the_guard_rejects_the_demo_and_warns_without_a_root_client() {
    let mut env = oxydra_testkit::app::test_env();
    env.insert("OXYDRA_DANGEROUS_FORCE_HTTP".into(), "true".into());
    env.insert("ADMIN_ACCESS_CONTROL".into(), "policies".into());
    let config = oxydra_server::config::Config::load(&env, &[]).unwrap();
    assert!(
        config
            .warnings
            .iter()
            .any(|w| w.contains("FORCE_ROOT_CLIENT_CREDENTIALS")),
        "{:?}",
        config.warnings
    );
    env.insert("OXYDRA_DEMO".into(), "true".into());
    let err = oxydra_server::config::Config::load(&env, &[]).unwrap_err();
    assert!(err.to_string().contains("ADMIN_ACCESS_CONTROL"), "{err}");
    env.insert("ADMIN_ACCESS_CONTROL".into(), "sometimes".into());
    assert!(oxydra_server::config::Config::load(&env, &[]).is_err());
    env.remove("OXYDRA_DEMO");
    env.insert("ADMIN_ACCESS_CONTROL".into(), "off".into());
    env.insert("FORCE_ROOT_CLIENT_CREDENTIALS".into(), "root:short".into());
    let err = oxydra_server::config::Config::load(&env, &[]).unwrap_err();
    assert!(
        err.to_string().contains("FORCE_ROOT_CLIENT_CREDENTIALS")
            && !err.to_string().contains("short"),
        "{err}"
    );
}
