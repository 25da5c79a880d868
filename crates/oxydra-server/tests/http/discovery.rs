//! `GET /.well-known/openid-configuration`: every `WellKnown` field, built from the configuration.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use oxydra_testkit::app::{Port, TestApp};
use serde_json::{Value, json};

const PATH: &str = "/.well-known/openid-configuration";

async fn document(extra: &[(&str, &str)]) -> Value {
    let app = TestApp::new(extra).await;
    let res = app.json(Port::Public, Method::GET, PATH, None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.headers["content-type"], "application/json");
    res.json
}

#[tokio::test]
async fn every_field_for_the_default_configuration() {
    let doc = document(&[("OAUTH2_ISSUER_URL", "https://auth.example")]).await;
    assert_eq!(
        doc,
        json!({
            "issuer": "https://auth.example/",
            "authorization_endpoint": "https://auth.example/oauth2/auth",
            "token_endpoint": "https://auth.example/oauth2/token",
            "jwks_uri": "https://auth.example/.well-known/jwks.json",
            "userinfo_endpoint": "https://auth.example/userinfo",
            "revocation_endpoint": "https://auth.example/oauth2/revoke",
            "end_session_endpoint": "https://auth.example/oauth2/sessions/logout",
            "device_authorization_endpoint": "https://auth.example/oauth2/device/auth",
            "pushed_authorization_request_endpoint": "https://auth.example/oauth2/par",
            "require_pushed_authorization_requests": false,
            "dpop_signing_alg_values_supported":
                oxydra_core::oauth2::dpop::SIGNING_ALGS,
            "subject_types_supported": ["public"],
            "response_types_supported": [
                "code", "code id_token", "id_token", "token id_token", "token",
                "code token", "token id_token code"
            ],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": [
                "authorization_code", "implicit", "client_credentials", "refresh_token",
                "urn:ietf:params:oauth:grant-type:token-exchange",
                "urn:ietf:params:oauth:grant-type:device_code",
                "urn:ietf:params:oauth:grant-type:jwt-bearer"
            ],
            "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
            "userinfo_signing_alg_values_supported": ["none", "RS256", "ES256", "EdDSA"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_post", "client_secret_basic", "private_key_jwt", "none"
            ],
            "token_endpoint_auth_signing_alg_values_supported":
                oxydra_core::oauth2::client_assertion::SUPPORTED_ALGORITHMS,
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "at_hash",
                "c_hash", "jti", "rat", "sid"
            ],
            "scopes_supported": ["offline_access", "offline", "openid"],
            "claims_parameter_supported": true,
            "request_parameter_supported": true,
            "request_uri_parameter_supported": true,
            "require_request_uri_registration": true,
            "request_object_signing_alg_values_supported": ["none", "RS256", "PS256", "ES256", "EdDSA"],
            "frontchannel_logout_supported": true,
            "frontchannel_logout_session_supported": true,
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
        })
    );
}

#[tokio::test]
async fn pushed_requests_are_advertised_as_configured() {
    let off = [
        ("OAUTH2_ISSUER_URL", "https://auth.example"),
        ("OXYDRA_PAR", "false"),
    ];
    let doc = document(&off).await;
    assert!(
        doc.get("pushed_authorization_request_endpoint").is_none(),
        "{doc}"
    );
    assert!(
        doc.get("require_pushed_authorization_requests").is_none(),
        "{doc}"
    );
    let required = [
        ("OAUTH2_ISSUER_URL", "https://auth.example"),
        ("OXYDRA_PAR_REQUIRED", "true"),
    ];
    let doc = document(&required).await;
    assert_eq!(
        doc["pushed_authorization_request_endpoint"],
        "https://auth.example/oauth2/par"
    );
    assert_eq!(doc["require_pushed_authorization_requests"], true);
}

#[tokio::test]
async fn the_device_flow_is_advertised_only_while_it_is_on() {
    let off = [
        ("OAUTH2_ISSUER_URL", "https://auth.example"),
        ("OXYDRA_DEVICE_FLOW", "false"),
        ("OXYDRA_JWT_BEARER_GRANT", "false"),
    ];
    let doc = document(&off).await;
    assert!(doc.get("device_authorization_endpoint").is_none(), "{doc}");
    assert_eq!(
        doc["grant_types_supported"],
        json!([
            "authorization_code",
            "implicit",
            "client_credentials",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:token-exchange"
        ])
    );
}

#[tokio::test]
async fn the_issuer_gets_exactly_one_slash_and_keeps_its_path() {
    for issuer in ["https://example.com/auth", "https://example.com/auth/"] {
        let doc = document(&[("OAUTH2_ISSUER_URL", issuer)]).await;
        assert_eq!(doc["issuer"], "https://example.com/auth/");
        assert_eq!(
            doc["authorization_endpoint"],
            "https://example.com/auth/oauth2/auth"
        );
        assert_eq!(
            doc["jwks_uri"],
            "https://example.com/auth/.well-known/jwks.json"
        );
        assert_eq!(
            doc["userinfo_endpoint"],
            "https://example.com/auth/userinfo"
        );
    }
}

#[tokio::test]
async fn configured_userinfo_claims_scopes_and_pairwise_subjects_are_advertised() {
    let doc = document(&[
        ("OAUTH2_ISSUER_URL", "https://auth.example"),
        (
            "OIDC_DISCOVERY_USERINFO_ENDPOINT",
            "https://profile.example/me",
        ),
        ("OIDC_DISCOVERY_CLAIMS_SUPPORTED", "email,email_verified"),
        ("OIDC_DISCOVERY_SCOPES_SUPPORTED", "email,photos.read"),
        ("OIDC_SUBJECT_TYPES_SUPPORTED", "pairwise,public"),
        ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-long-enough-salt"),
    ])
    .await;
    assert_eq!(doc["userinfo_endpoint"], "https://profile.example/me");
    let claims = doc["claims_supported"].as_array().unwrap();
    assert_eq!(claims[0], "sub");
    assert_eq!(
        claims[claims.len() - 2..],
        [json!("email"), json!("email_verified")]
    );
    assert_eq!(
        doc["scopes_supported"],
        json!([
            "offline_access",
            "offline",
            "openid",
            "email",
            "photos.read"
        ])
    );
    assert_eq!(
        doc["subject_types_supported"],
        json!(["pairwise", "public"])
    );

    // A userinfo path is resolved against the issuer.
    let doc = document(&[
        ("OAUTH2_ISSUER_URL", "https://auth.example"),
        ("OIDC_DISCOVERY_USERINFO_ENDPOINT", "/me"),
    ])
    .await;
    assert_eq!(doc["userinfo_endpoint"], "https://auth.example/me");
}

#[tokio::test]
async fn public_port_only_and_cors_as_every_public_endpoint() {
    let app = TestApp::new(&[
        ("CORS_ENABLED", "true"),
        ("CORS_ALLOWED_ORIGINS", "https://spa.example"),
    ])
    .await;
    let admin = app.json(Port::Admin, Method::GET, PATH, None).await;
    assert_eq!(admin.status, StatusCode::NOT_FOUND);
    let request = Request::builder()
        .uri(PATH)
        .header("origin", "https://spa.example")
        .body(Body::empty())
        .unwrap();
    let res = app.send(Port::Public, request).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.headers["access-control-allow-origin"],
        "https://spa.example"
    );
    let post = app.json(Port::Public, Method::POST, PATH, None).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
}
