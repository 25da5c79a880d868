//! The JWT-bearer grant (RFC 7523 §2.1) over HTTP: the Hydra 2.x trust-relationship admin API,
//! the grant's success path, and each error RFC 7523 and RFC 6749 §5.2 name for it. Assertions
//! are built with `jsonwebtoken`, a JOSE implementation other than the server's own checks.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use axum::http::{Method, StatusCode, header};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oxydra_store::SqlStore;
use oxydra_testkit::app::{Port, TestApp, TestResponse, test_config};
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::tokens::introspect;

const TOKEN_ENDPOINT: &str = "http://127.0.0.1:4444/oauth2/token";
const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ISSUERS: &str = "/admin/trust/grants/jwt-bearer/issuers";
const ISS: &str = "https://idp.example";
const SECRET: &str = "client-secret-0123456789";

/// An issuer's P-256 key: the public JWK for the trust, the PKCS#8 document for signing.
struct IssuerKey {
    pkcs8: Vec<u8>,
    public: Value,
}

fn issuer_key(kid: &str) -> IssuerKey {
    let rng = SystemRandom::new();
    let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref()).unwrap();
    let point = pair.public_key().as_ref();
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    IssuerKey {
        pkcs8: doc.as_ref().to_vec(),
        public: json!({
            "kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
            "x": b64(&point[1..33]), "y": b64(&point[33..65]),
        }),
    }
}

fn sign(key: &IssuerKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = key.public["kid"].as_str().map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_der(&key.pkcs8)).unwrap()
}

fn claims(now: i64, sub: &str, jti: &str) -> Value {
    json!({
        "iss": ISS, "sub": sub, "aud": TOKEN_ENDPOINT,
        "exp": now + 300, "iat": now, "jti": jti,
    })
}

async fn register_client(app: &TestApp, id: &str, grant_types: &[&str]) {
    let body = json!({
        "client_id": id, "client_secret": SECRET,
        "grant_types": grant_types, "scope": "read write offline",
    });
    let res = app
        .json(Port::Admin, Method::POST, "/admin/clients", Some(body))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

async fn trust(app: &TestApp, key: &IssuerKey, subject: Value, expires_at: &str) -> TestResponse {
    let mut body = json!({
        "issuer": ISS, "scope": ["read", "offline"], "jwk": key.public, "expires_at": expires_at,
    });
    match subject {
        Value::Bool(any) => body["allow_any_subject"] = json!(any),
        sub => body["subject"] = sub,
    }
    app.json(Port::Admin, Method::POST, ISSUERS, Some(body))
        .await
}

async fn exchange(
    app: &TestApp,
    client: &str,
    assertion: Option<&str>,
    scope: &str,
) -> TestResponse {
    let mut fields = vec![("grant_type", GRANT), ("scope", scope)];
    if let Some(a) = assertion {
        fields.push(("assertion", a));
    }
    app.form(
        Port::Public,
        "/oauth2/token",
        &fields,
        Some((client, SECRET)),
    )
    .await
}

/// An app with a client allowed the grant and a trust of `ISS` for `alice` (until 2030).
async fn setup(store: SqlStore, extra: &[(&str, &str)]) -> (TestApp, IssuerKey, i64) {
    let app = TestApp::with_store(store, test_config(extra));
    register_client(&app, "svc", &[GRANT, "client_credentials"]).await;
    let key = issuer_key("idp-1");
    let res = trust(&app, &key, json!("alice"), "2030-01-01T00:00:00Z").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let now = app.clock_now().unix_secs();
    (app, key, now)
}

#[track_caller]
fn refused(res: &TestResponse, status: StatusCode, error: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.json["error"], error, "{}", res.text);
}

store_test! {
    async fn trust_relationships_are_managed_as_hydra_2_does(store: SqlStore) {
        let app = TestApp::with_store(store, test_config(&[]));
        let key = issuer_key("idp-1");
        let res = trust(&app, &key, json!("alice"), "2030-01-01T00:00:00Z").await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let id = res.json["id"].as_str().unwrap().to_owned();
        assert_eq!(
            res.headers[header::LOCATION].to_str().unwrap(),
            format!("{ISSUERS}/{id}")
        );
        assert_eq!(res.json["issuer"], ISS);
        assert_eq!(res.json["subject"], "alice");
        assert_eq!(res.json["allow_any_subject"], false);
        assert_eq!(res.json["scope"], json!(["read", "offline"]));
        assert_eq!(res.json["public_key"], json!({"set": ISS, "kid": "idp-1"}));
        assert_eq!(res.json["expires_at"], "2030-01-01T00:00:00Z");
        assert!(res.json["created_at"].as_str().unwrap().starts_with("2023-11-14T"));

        let got = app.json(Port::Admin, Method::GET, &format!("{ISSUERS}/{id}"), None).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.json, res.json);

        // Same issuer, subject and kid: 409.
        let dup = trust(&app, &key, json!("alice"), "2031-01-01T00:00:00Z").await;
        assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.text);
        // Another subject, and any subject, of the same issuer.
        assert_eq!(trust(&app, &key, json!("bob"), "2030-01-01T00:00:00Z").await.status, StatusCode::CREATED);
        assert_eq!(trust(&app, &key, json!(true), "2030-01-01T00:00:00Z").await.status, StatusCode::CREATED);
        let other = json!({"issuer": "https://other.example", "subject": "x", "scope": [],
            "jwk": issuer_key("o-1").public, "expires_at": "2030-01-01T00:00:00Z"});
        assert_eq!(app.json(Port::Admin, Method::POST, ISSUERS, Some(other)).await.status, StatusCode::CREATED);

        let all = app.json(Port::Admin, Method::GET, ISSUERS, None).await;
        assert_eq!(all.json.as_array().unwrap().len(), 4);
        let page = app.json(Port::Admin, Method::GET, &format!("{ISSUERS}?issuer={}&page_size=2", "https%3A%2F%2Fidp.example"), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let first: Vec<Value> = page.json.as_array().unwrap().clone();
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|t| t["issuer"] == ISS));
        let link = page.headers[header::LINK].to_str().unwrap().to_owned();
        let next = link.split(',').find(|l| l.contains("rel=\"next\"")).unwrap();
        let next = next.trim().trim_start_matches('<').split('>').next().unwrap();
        assert!(next.contains("issuer=https%3A%2F%2Fidp.example&"), "{next}");
        let rest = app.json(Port::Admin, Method::GET, next, None).await;
        assert_eq!(rest.json.as_array().unwrap().len(), 1, "{}", rest.text);

        // Validation: 400 in Hydra's error format.
        for bad in [
            json!({"subject": "a", "scope": [], "jwk": key.public, "expires_at": "2030-01-01T00:00:00Z"}),
            json!({"issuer": ISS, "subject": "a", "allow_any_subject": true, "scope": [], "jwk": key.public, "expires_at": "2030-01-01T00:00:00Z"}),
            json!({"issuer": ISS, "scope": [], "jwk": key.public, "expires_at": "2030-01-01T00:00:00Z"}),
            json!({"issuer": ISS, "subject": "a", "scope": [], "jwk": {"kty": "EC"}, "expires_at": "2030-01-01T00:00:00Z"}),
            json!({"issuer": ISS, "subject": "a", "scope": [], "jwk": {"kty": "oct", "kid": "h", "k": "c2VjcmV0"}, "expires_at": "2030-01-01T00:00:00Z"}),
            json!({"issuer": ISS, "subject": "a", "scope": [], "jwk": key.public}),
            json!({"issuer": ISS, "subject": "a", "scope": [], "jwk": key.public, "expires_at": "tomorrow"}),
        ] {
            let res = app.json(Port::Admin, Method::POST, ISSUERS, Some(bad.clone())).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}: {}", res.text);
            assert!(res.json["error"].is_string(), "{}", res.text);
        }

        let del = app.json(Port::Admin, Method::DELETE, &format!("{ISSUERS}/{id}"), None).await;
        assert_eq!(del.status, StatusCode::NO_CONTENT);
        let gone = app.json(Port::Admin, Method::GET, &format!("{ISSUERS}/{id}"), None).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        let again = app.json(Port::Admin, Method::DELETE, &format!("{ISSUERS}/{id}"), None).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }

    async fn a_trusted_assertion_gets_an_access_token_for_its_subject(store: SqlStore) {
        let (app, key, now) = setup(store, &[]).await;
        let res = exchange(&app, "svc", Some(&sign(&key, &claims(now, "alice", "j1"))), "read offline").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json["token_type"], "bearer");
        assert_eq!(res.json["scope"], "read offline");
        // No refresh token and no ID token: the grant has no user session (as Hydra).
        assert!(res.json.get("refresh_token").is_none(), "{}", res.text);
        assert!(res.json.get("id_token").is_none());
        let info = introspect(&app, res.json["access_token"].as_str().unwrap()).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["client_id"], "svc");

        // An any-subject trust lets the issuer speak for anyone (with its own key).
        let any_key = issuer_key("idp-any");
        assert_eq!(trust(&app, &any_key, json!(true), "2030-01-01T00:00:00Z").await.status, StatusCode::CREATED);
        let res = exchange(&app, "svc", Some(&sign(&any_key, &claims(now, "carol", "j2"))), "read").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let info = introspect(&app, res.json["access_token"].as_str().unwrap()).await;
        assert_eq!(info["sub"], "carol");
    }

    async fn every_bad_assertion_is_invalid_grant(store: SqlStore) {
        let (app, key, now) = setup(store, &[("OAUTH2_GRANT_JWT_MAX_TTL", "1h")]).await;
        let base = || claims(now, "alice", "fresh");
        let with = |name: &str, value: Option<Value>| {
            let mut c = base();
            match value {
                Some(v) => c[name] = v,
                None => {
                    c.as_object_mut().unwrap().remove(name);
                }
            }
            c
        };
        let stranger = issuer_key("idp-1");
        let cases: Vec<(&str, String)> = vec![
            ("bad signature", sign(&stranger, &base())),
            ("untrusted issuer", sign(&key, &with("iss", Some(json!("https://evil.example"))))),
            ("missing iss", sign(&key, &with("iss", None))),
            ("subject not trusted", sign(&key, &with("sub", Some(json!("bob"))))),
            ("missing sub", sign(&key, &with("sub", None))),
            ("other audience", sign(&key, &with("aud", Some(json!("https://other.example/token"))))),
            ("missing aud", sign(&key, &with("aud", None))),
            ("expired", sign(&key, &with("exp", Some(json!(now - 1))))),
            ("missing exp", sign(&key, &with("exp", None))),
            ("exp beyond max ttl", sign(&key, &with("exp", Some(json!(now + 7200))))),
            ("nbf in the future", sign(&key, &with("nbf", Some(json!(now + 600))))),
            ("iat in the future", sign(&key, &with("iat", Some(json!(now + 600))))),
            ("missing iat", sign(&key, &with("iat", None))),
            ("missing jti", sign(&key, &with("jti", None))),
            ("garbage", "not-a-jwt".to_owned()),
            ("oversized", "a".repeat(20_000)),
        ];
        for (what, assertion) in cases {
            let res = exchange(&app, "svc", Some(&assertion), "read").await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{what}: {}", res.text);
            assert_eq!(res.json["error"], "invalid_grant", "{what}: {}", res.text);
        }

        // Algorithm confusion: `none`, and HS256 keyed with the public key's coordinates.
        let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!("{}.{}.", b64(&json!({"alg": "none", "kid": "idp-1"})), b64(&base()));
        let mut hs = Header::new(Algorithm::HS256);
        hs.kid = Some("idp-1".into());
        let x = key.public["x"].as_str().unwrap();
        let hmac = jsonwebtoken::encode(&hs, &base(), &EncodingKey::from_secret(x.as_bytes()).unwrap()).unwrap();
        for (what, assertion) in [("alg none", none), ("HS256 with the public key", hmac)] {
            let res = exchange(&app, "svc", Some(&assertion), "read").await;
            refused(&res, StatusCode::BAD_REQUEST, "invalid_grant");
            assert!(res.json["error_description"].as_str().unwrap_or_default().contains("alg")
                || res.json["error_hint"].as_str().unwrap_or_default().contains("alg"), "{what}: {}", res.text);
        }

        // Replay: the first use wins, the second is refused.
        let once = sign(&key, &claims(now, "alice", "once"));
        assert_eq!(exchange(&app, "svc", Some(&once), "read").await.status, StatusCode::OK);
        refused(&exchange(&app, "svc", Some(&once), "read").await, StatusCode::BAD_REQUEST, "invalid_grant");
    }

    async fn scopes_clients_trust_expiry_and_configuration_are_enforced(store: SqlStore) {
        let (app, key, now) = setup(store, &[]).await;
        // Missing assertion.
        refused(&exchange(&app, "svc", None, "read").await, StatusCode::BAD_REQUEST, "invalid_request");
        // A scope the trust does not allow, and one the client does not have.
        refused(&exchange(&app, "svc", Some(&sign(&key, &claims(now, "alice", "s1"))), "write").await, StatusCode::BAD_REQUEST, "invalid_scope");
        let trust_all = json!({"issuer": ISS, "subject": "dave", "scope": ["read", "admin"],
            "jwk": key.public, "expires_at": "2030-01-01T00:00:00Z"});
        assert_eq!(app.json(Port::Admin, Method::POST, ISSUERS, Some(trust_all)).await.status, StatusCode::CREATED);
        refused(&exchange(&app, "svc", Some(&sign(&key, &claims(now, "dave", "s2"))), "admin").await, StatusCode::BAD_REQUEST, "invalid_scope");
        // A client not registered for the grant (RFC 6749 §5.2, as Hydra).
        register_client(&app, "cc-only", &["client_credentials"]).await;
        refused(&exchange(&app, "cc-only", Some(&sign(&key, &claims(now, "alice", "s3"))), "read").await, StatusCode::BAD_REQUEST, "unauthorized_client");
        // A client that does not authenticate.
        let res = app.form(Port::Public, "/oauth2/token",
            &[("grant_type", GRANT), ("assertion", &sign(&key, &claims(now, "alice", "s4"))), ("client_id", "svc")], None).await;
        refused(&res, StatusCode::UNAUTHORIZED, "invalid_client");
        // A public client cannot use the grant: it proves nothing about who presents the JWT.
        let public = json!({"client_id": "spa", "token_endpoint_auth_method": "none",
            "grant_types": [GRANT], "scope": "read"});
        let res = app.json(Port::Admin, Method::POST, "/admin/clients", Some(public)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let res = app.form(Port::Public, "/oauth2/token",
            &[("grant_type", GRANT), ("assertion", &sign(&key, &claims(now, "alice", "s5"))), ("client_id", "spa")], None).await;
        refused(&res, StatusCode::BAD_REQUEST, "unauthorized_client");

        // Expired trust: a short one, then time passes.
        let soon = issuer_key("idp-soon");
        let body = json!({"issuer": ISS, "subject": "erin", "scope": ["read"], "jwk": soon.public,
            "expires_at": "2023-11-14T22:20:00Z"});
        assert_eq!(app.json(Port::Admin, Method::POST, ISSUERS, Some(body)).await.status, StatusCode::CREATED);
        let fresh = sign(&soon, &claims(now, "erin", "t1"));
        assert_eq!(exchange(&app, "svc", Some(&fresh), "read").await.status, StatusCode::OK);
        app.clock.advance_secs(600);
        let later = app.clock_now().unix_secs();
        let res = exchange(&app, "svc", Some(&sign(&soon, &claims(later, "erin", "t2"))), "read").await;
        refused(&res, StatusCode::BAD_REQUEST, "invalid_grant");
        assert!(res.text.contains("expired"), "{}", res.text);

        // A deleted trust no longer verifies anything.
        let list = app.json(Port::Admin, Method::GET, &format!("{ISSUERS}?issuer=https%3A%2F%2Fidp.example"), None).await;
        for t in list.json.as_array().unwrap() {
            let id = t["id"].as_str().unwrap();
            assert_eq!(app.json(Port::Admin, Method::DELETE, &format!("{ISSUERS}/{id}"), None).await.status, StatusCode::NO_CONTENT);
        }
        refused(&exchange(&app, "svc", Some(&sign(&key, &claims(later, "alice", "t3"))), "read").await, StatusCode::BAD_REQUEST, "invalid_grant");
    }

    async fn the_grant_can_be_turned_off_and_claims_made_optional(store: SqlStore) {
        let off = TestApp::with_store(store.clone(), test_config(&[("OXYDRA_JWT_BEARER_GRANT", "false")]));
        let res = off.form(Port::Public, "/oauth2/token", &[("grant_type", GRANT), ("assertion", "x")], None).await;
        refused(&res, StatusCode::BAD_REQUEST, "unsupported_grant_type");
        let doc = off.json(Port::Public, Method::GET, "/.well-known/openid-configuration", None).await;
        assert!(!doc.json["grant_types_supported"].as_array().unwrap().contains(&json!(GRANT)));

        let (app, key, now) = setup(store, &[("OAUTH2_GRANT_JWT_JTI_OPTIONAL", "true"), ("OAUTH2_GRANT_JWT_IAT_OPTIONAL", "true")]).await;
        let doc = app.json(Port::Public, Method::GET, "/.well-known/openid-configuration", None).await;
        assert!(doc.json["grant_types_supported"].as_array().unwrap().contains(&json!(GRANT)));
        let mut c = claims(now, "alice", "");
        c.as_object_mut().unwrap().remove("jti");
        c.as_object_mut().unwrap().remove("iat");
        let res = exchange(&app, "svc", Some(&sign(&key, &c)), "read").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
}

store_test! {
    async fn a_trusted_jwt_is_a_token_exchange_subject_token(store: SqlStore) {
        const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
        const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
        let (app, key, now) = setup(store, &[]).await;
        let body = json!({
            "client_id": "api", "client_secret": SECRET, "grant_types": [EXCHANGE],
            "scope": "read write", "audience": ["billing"],
        });
        let res = app
            .json(Port::Admin, Method::POST, "/admin/clients", Some(body))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let swap = |subject: String, scope: &'static str| {
            let app = &app;
            async move {
                let fields = [
                    ("grant_type", EXCHANGE),
                    ("subject_token", subject.as_str()),
                    ("subject_token_type", JWT),
                    ("scope", scope),
                    ("audience", "billing"),
                ];
                app.form(Port::Public, "/oauth2/token", &fields, Some(("api", SECRET)))
                    .await
            }
        };
        let jwt = sign(&key, &claims(now, "alice", "te-1"));
        let res = swap(jwt.clone(), "read").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let info = introspect(&app, res.json["access_token"].as_str().unwrap()).await;
        assert_eq!(info["sub"], "alice");
        assert_eq!(info["client_id"], "api");
        assert_eq!(info["aud"], json!(["billing"]));
        // A subject token is not spent: it may be exchanged again until it expires.
        assert_eq!(swap(jwt.clone(), "read").await.status, StatusCode::OK);
        // The trust's scopes bound the new token's (`write` is the client's, not the trust's).
        refused(&swap(jwt, "write").await, StatusCode::BAD_REQUEST, "invalid_scope");
        // Not a subject the issuer is trusted for; another key; another audience.
        let bob = sign(&key, &claims(now, "bob", "te-2"));
        refused(&swap(bob, "read").await, StatusCode::BAD_REQUEST, "invalid_request");
        let forged = sign(&issuer_key("idp-1"), &claims(now, "alice", "te-3"));
        refused(&swap(forged, "read").await, StatusCode::BAD_REQUEST, "invalid_request");
        let mut elsewhere = claims(now, "alice", "te-4");
        elsewhere["aud"] = json!("https://other.example/token");
        let elsewhere = sign(&key, &elsewhere);
        refused(&swap(elsewhere, "read").await, StatusCode::BAD_REQUEST, "invalid_request");
    }
}
