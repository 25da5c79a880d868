//! `OAUTH2_ACCESS_TOKEN_STRATEGY=jwt` (RFC 9068; `shared/spec/behaviour.md` §4.2): access tokens
//! from every flow are JWTs a resource server verifies with `/.well-known/jwks.json`, and they
//! still introspect, revoke, rotate and read userinfo like opaque ones; a client's Hydra 2.x
//! `access_token_strategy` overrides the server's.

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::oidc_flow::{
    CB, ISSUER, SECRET, authorize, code_tokens, flow_config, introspect, param, register, token,
    verify_with_jwks,
};

const JWT: (&str, &str) = ("OAUTH2_ACCESS_TOKEN_STRATEGY", "jwt");

fn session() -> Value {
    json!({
        "access_token": {"team": "blue", "sub": "mallory", "scp": ["admin"], "client_id": "evil"},
        "id_token": {"email": "alice@example.com"},
    })
}

fn jwt_app(store: SqlStore) -> TestApp {
    TestApp::with_store(store, flow_config(&[JWT]))
}

/// `at_hash` of `token` for an RS256 ID token (OIDC Core §3.1.3.6), computed here.
fn at_hash(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
}

async fn userinfo_status(app: &TestApp, token: &str) -> StatusCode {
    let request = axum::http::Request::builder()
        .uri("/userinfo")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(Port::Public, request).await.status
}

async fn revoke(app: &TestApp, client: &str, token: &str) {
    let res = app
        .form(
            Port::Public,
            "/oauth2/revoke",
            &[("token", token)],
            Some((client, SECRET)),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}

async fn published_kids(app: &TestApp) -> Vec<String> {
    let jwks = app
        .json(Port::Public, Method::GET, "/.well-known/jwks.json", None)
        .await;
    crate::keys::kids(&jwks)
}

store_test! {
    async fn the_token_endpoint_issues_rfc_9068_jwts(store: SqlStore) {
        let app = jwt_app(store);
        app.state.ensure_signing_keys().await.unwrap();
        register(&app, "web", json!({})).await;
        let now = app.clock_now().unix_secs();
        let tokens = code_tokens(&app, "web", "openid offline", session()).await;
        let at = tokens["access_token"].as_str().unwrap();
        assert!(tokens["refresh_token"].as_str().unwrap().starts_with("oxy_rt_"));

        let (header, claims) = verify_with_jwks(&app, at).await;
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
        let jti = claims["jti"].as_str().unwrap().to_owned();
        assert_eq!(uuid::Uuid::parse_str(&jti).unwrap().get_version_num(), 4);
        assert_eq!(
            claims,
            json!({
                "iss": ISSUER, "sub": "alice", "aud": [], "client_id": "web",
                "iat": now, "nbf": now, "exp": now + 3600, "jti": jti,
                "scp": ["openid", "offline"], "scope": "openid offline", "team": "blue",
            })
        );
        // A separate set from the ID token's (one key per ID-token algorithm); all published.
        let (id_header, id_claims) = verify_with_jwks(&app, tokens["id_token"].as_str().unwrap()).await;
        assert_ne!(id_header.kid, header.kid);
        assert_eq!(published_kids(&app).await.len(), 4);
        assert_eq!(id_claims["at_hash"], at_hash(at));

        let info = introspect(&app, at).await;
        assert_eq!(info["active"], true, "{info}");
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["client_id"], "web");
        assert_eq!(info["scope"], "openid offline");
        assert_eq!(info["token_type"], "access_token");
        assert_eq!(info["iat"], now);
        assert_eq!(info["exp"], now + 3600);
        assert_eq!(info["iss"], ISSUER);
        assert_eq!(info["ext"], session()["access_token"]);
        assert_eq!(userinfo_status(&app, at).await, StatusCode::OK);

        // A forged copy (same claims, other signature) and the ID token are not access tokens.
        let mut forged: Vec<&str> = at.split('.').collect();
        let other = tokens["id_token"].as_str().unwrap().split('.').nth(2).unwrap();
        forged[2] = other;
        assert_eq!(introspect(&app, &forged.join(".")).await, json!({"active": false}));
        assert_eq!(introspect(&app, tokens["id_token"].as_str().unwrap()).await, json!({"active": false}));

        revoke(&app, "web", at).await;
        assert_eq!(introspect(&app, at).await, json!({"active": false}));
        assert_eq!(introspect(&app, tokens["refresh_token"].as_str().unwrap()).await, json!({"active": false}));
        assert_eq!(userinfo_status(&app, at).await, StatusCode::UNAUTHORIZED);
    }

    async fn refresh_rotation_replaces_the_jwt(store: SqlStore) {
        let app = jwt_app(store);
        register(&app, "web", json!({})).await;
        let first = code_tokens(&app, "web", "openid offline", session()).await;
        app.clock.advance_secs(10);
        let res = token(&app, "web", &[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let at = res.json["access_token"].as_str().unwrap();
        assert_ne!(at, first["access_token"].as_str().unwrap());
        let (_, claims) = verify_with_jwks(&app, at).await;
        assert_eq!(claims["iat"], app.clock_now().unix_secs());
        assert_eq!(claims["team"], "blue");
        let (_, id_claims) = verify_with_jwks(&app, res.json["id_token"].as_str().unwrap()).await;
        assert_eq!(id_claims["at_hash"], at_hash(at));

        assert_eq!(introspect(&app, first["access_token"].as_str().unwrap()).await, json!({"active": false}));
        assert_eq!(introspect(&app, at).await["active"], true);
        // The rotated refresh token is dead; reusing it revokes the grant.
        let reuse = token(&app, "web", &[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ]).await;
        assert_eq!(reuse.status, StatusCode::BAD_REQUEST, "{}", reuse.text);
        assert_eq!(introspect(&app, at).await, json!({"active": false}));
    }

    async fn client_credentials_and_implicit_tokens_are_jwts(store: SqlStore) {
        let app = jwt_app(store);
        register(&app, "svc", json!({})).await;
        let res = token(&app, "svc", &[("grant_type", "client_credentials"), ("scope", "read")]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let at = res.json["access_token"].as_str().unwrap();
        let (header, claims) = verify_with_jwks(&app, at).await;
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(claims["sub"], "svc");
        assert_eq!(claims["client_id"], "svc");
        assert_eq!(claims["scp"], json!(["read"]));
        assert_eq!(claims["aud"], json!([]));
        assert_eq!(res.json["expires_in"], 3600);
        assert_eq!(introspect(&app, at).await["sub"], "svc");

        // Implicit/hybrid: the fragment's access token is a JWT and at_hash covers it.
        let to_client = authorize(&app, "svc", "&response_type=id_token+token&scope=openid", session()).await;
        assert!(to_client.starts_with(CB));
        let at = param(&to_client, "access_token").unwrap();
        let (header, claims) = verify_with_jwks(&app, &at).await;
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["team"], "blue");
        let (_, id_claims) = verify_with_jwks(&app, &param(&to_client, "id_token").unwrap()).await;
        assert_eq!(id_claims["at_hash"], at_hash(&at));
        assert_eq!(introspect(&app, &at).await["active"], true);
        assert_eq!(userinfo_status(&app, &at).await, StatusCode::OK);
    }

    async fn opaque_tokens_issued_before_the_switch_keep_working(store: SqlStore) {
        let before = TestApp::with_store(store.clone(), flow_config(&[]));
        before.state.ensure_signing_keys().await.unwrap();
        // Opaque mode neither creates nor publishes the access-token set.
        let missing = before.json(Port::Admin, Method::GET, "/keys/hydra.jwt.access-token", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.text);
        assert_eq!(published_kids(&before).await.len(), 3, "RS256, ES256 and EdDSA ID-token keys");
        register(&before, "web", json!({})).await;
        let opaque = code_tokens(&before, "web", "openid offline", session()).await;
        let at = opaque["access_token"].as_str().unwrap();
        assert!(at.starts_with("oxy_at_"));

        let after = jwt_app(store);
        after.state.ensure_signing_keys().await.unwrap();
        let created = after.json(Port::Admin, Method::GET, "/keys/hydra.jwt.access-token", None).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.text);
        assert_eq!(introspect(&after, at).await["active"], true);
        assert_eq!(userinfo_status(&after, at).await, StatusCode::OK);
        // The old refresh token now yields a JWT.
        let res = token(&after, "web", &[
            ("grant_type", "refresh_token"),
            ("refresh_token", opaque["refresh_token"].as_str().unwrap()),
        ]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let jwt = res.json["access_token"].as_str().unwrap();
        assert_eq!(verify_with_jwks(&after, jwt).await.0.typ.as_deref(), Some("at+jwt"));
        assert_eq!(introspect(&after, jwt).await["active"], true);
        // Back in opaque mode, the access-token set exists now: its JWTs keep verifying (once
        // the cached "no such set" of `before` is older than the key-cache refresh).
        before.clock.advance_secs(60);
        assert_eq!(introspect(&before, jwt).await["active"], true);
    }

    /// Hydra 2.x per-client `access_token_strategy`: under the opaque server strategy a `jwt`
    /// client gets RFC 9068 JWTs that verify with the JWKS and introspect; others stay opaque.
    /// A presented JWT never creates the access-token set: before a JWT client used it, the
    /// set does not exist and JWT-shaped tokens are simply unknown.
    async fn a_clients_access_token_strategy_overrides_the_servers(store: SqlStore) {
        let app = TestApp::with_store(store.clone(), flow_config(&[]));
        app.state.ensure_signing_keys().await.unwrap();
        let forged = "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ4In0.c2ln";
        assert_eq!(introspect(&app, forged).await, json!({"active": false}));
        let missing = app.json(Port::Admin, Method::GET, "/keys/hydra.jwt.access-token", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "a presented JWT created the set");
        assert_eq!(published_kids(&app).await.len(), 3);

        register(&app, "jwt-svc", json!({})).await;
        register(&app, "plain-svc", json!({})).await;
        let patch = json!([{"op": "add", "path": "/access_token_strategy", "value": "jwt"}]);
        let res = app.json(Port::Admin, Method::PATCH, "/admin/clients/jwt-svc", Some(patch)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let cc = [("grant_type", "client_credentials"), ("scope", "read")];
        let res = token(&app, "jwt-svc", &cc).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let at = res.json["access_token"].as_str().unwrap();
        let (header, claims) = verify_with_jwks(&app, at).await;
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(claims["client_id"], "jwt-svc");
        assert_eq!(introspect(&app, at).await["active"], true);
        assert_eq!(published_kids(&app).await.len(), 4, "the access-token key is published");
        let plain = token(&app, "plain-svc", &cc).await;
        assert!(plain.json["access_token"].as_str().unwrap().starts_with("oxy_at_"), "{}", plain.text);

        // Under the JWT server strategy, an `opaque` client gets opaque tokens.
        let jwt_server = jwt_app(store);
        let patch = json!([{"op": "add", "path": "/access_token_strategy", "value": "opaque"}]);
        let res = jwt_server.json(Port::Admin, Method::PATCH, "/admin/clients/plain-svc", Some(patch)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let opaque = token(&jwt_server, "plain-svc", &cc).await;
        let at = opaque.json["access_token"].as_str().unwrap();
        assert!(at.starts_with("oxy_at_"), "{}", opaque.text);
        assert_eq!(introspect(&jwt_server, at).await["active"], true);
        let jwt = token(&jwt_server, "jwt-svc", &cc).await;
        assert_eq!(verify_with_jwks(&jwt_server, jwt.json["access_token"].as_str().unwrap()).await.0.typ.as_deref(), Some("at+jwt"));
    }

    async fn a_rotated_access_token_key_signs_and_the_old_one_still_verifies(store: SqlStore) {
        let app = jwt_app(store);
        register(&app, "svc", json!({})).await;
        let cc = [("grant_type", "client_credentials"), ("scope", "read")];
        let old = token(&app, "svc", &cc).await.json["access_token"].as_str().unwrap().to_owned();
        let (old_header, _) = verify_with_jwks(&app, &old).await;
        app.clock.advance_secs(1);
        let res = app
            .json(Port::Admin, Method::POST, "/keys/hydra.jwt.access-token", Some(json!({"alg": "RS256", "kid": "rotated", "use": "sig"})))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let new = token(&app, "svc", &cc).await.json["access_token"].as_str().unwrap().to_owned();
        let (header, _) = verify_with_jwks(&app, &new).await;
        assert_eq!(header.kid.as_deref(), Some("public:rotated"));
        assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
        assert_ne!(old_header.kid, header.kid);
        assert_eq!(introspect(&app, &old).await["active"], true);
        assert_eq!(introspect(&app, &new).await["active"], true);
    }
}
