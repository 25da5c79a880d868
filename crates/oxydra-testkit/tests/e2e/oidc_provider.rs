//! The OpenID Provider's own guarantees, checked from outside with `openidconnect`'s verifier
//! and plain HTTP: only public keys are published, rotation by one instance reaches another,
//! `form_post`, pairwise subjects, `id_token_hint`, and the nonce rules.

use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet};
use openidconnect::{ClientId, ClientSecret, IssuerUrl, JsonWebKeySetUrl, Nonce};
use oxydra_core::clock::Clock as _;
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::documents::DocumentServer;
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{CB, CONSENT, LOGIN, accept_consent, accept_login};
use crate::oauth2_client::{introspect, register, send};

const SECRET: &str = "op-client-secret";
const NONCE: &str = "nonce-0123456789";

async fn start(store: SqlStore, extra: &[(&str, &str)]) -> TestServer {
    let mut env = vec![("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)];
    env.extend_from_slice(extra);
    TestServer::start(store, &env).await
}

async fn client(server: &TestServer, id: &str, extra: Value) {
    let mut body = json!({
        "scope": "openid offline read",
        "grant_types": ["authorization_code", "refresh_token", "implicit"],
        "response_types": ["code", "id_token", "id_token token", "code id_token"],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    register(server, id, SECRET, body).await;
}

fn auth_url(server: &TestServer, client: &str, response_type: &str, extra: &str) -> String {
    let rt: String = url::form_urlencoded::byte_serialize(response_type.as_bytes()).collect();
    let cb: String = url::form_urlencoded::byte_serialize(CB.as_bytes()).collect();
    server.public(&format!(
        "/oauth2/auth?client_id={client}&response_type={rt}&scope=openid+read&state=state-1234&nonce={NONCE}&redirect_uri={cb}{extra}"
    ))
}

/// Login (as `subject`) and consent; returns the final navigation to the client.
async fn run(
    server: &TestServer,
    browser: &mut Browser,
    url: &str,
    subject: &str,
) -> oxydra_testkit::browser::Navigation {
    let to_login = browser.get(url).await.location.unwrap();
    let challenge = param(&to_login, "login_challenge").unwrap();
    let (_, back) = accept_login(server, &challenge, subject, false).await;
    let to_consent = browser.get(&back).await.location.unwrap();
    let (_, back) = accept_consent(
        server,
        &param(&to_consent, "consent_challenge").unwrap(),
        false,
    )
    .await;
    browser.get(&back).await
}

async fn jwks(server: &TestServer) -> Value {
    let res = reqwest::get(server.public("/.well-known/jwks.json"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Verifies an ID token as a relying party would: keys from `jwks.json`, issuer, audience,
/// nonce, expiry at the server's clock.
async fn verify(server: &TestServer, client: &str, id_token: &str) -> Value {
    let url = JsonWebKeySetUrl::new(server.public("/.well-known/jwks.json")).unwrap();
    let keys = CoreJsonWebKeySet::fetch_async(&url, &send).await.unwrap();
    let now = server.clock.now().unix_secs();
    let verifier = CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(client.into()),
        ClientSecret::new(SECRET.into()),
        IssuerUrl::new(server.public("/")).unwrap(),
        keys,
    )
    .set_time_fn(move || chrono::DateTime::from_timestamp(now, 0).unwrap());
    let token: CoreIdToken = id_token.parse().unwrap();
    let claims = token.claims(&verifier, &Nonce::new(NONCE.into())).unwrap();
    serde_json::to_value(claims).unwrap()
}

store_test! {
    async fn jwks_publishes_public_keys_only_and_follows_rotation_across_instances(store: SqlStore) {
        let a = start(store.clone(), &[]).await;
        a.state.ensure_signing_keys().await.unwrap();
        let b = start(store, &[]).await;
        b.state.ensure_signing_keys().await.unwrap();
        let first = jwks(&a).await;
        let published = first["keys"].as_array().unwrap();
        assert_eq!(published.len(), 3, "one per algorithm, created once: {first}");
        assert_eq!(jwks(&b).await, first);
        let mut algs: Vec<(&str, &str)> = published
            .iter()
            .map(|k| (k["kty"].as_str().unwrap(), k["alg"].as_str().unwrap()))
            .collect();
        algs.sort();
        assert_eq!(algs, [("EC", "ES256"), ("OKP", "EdDSA"), ("RSA", "RS256")]);
        for key in published {
            assert_eq!(key["use"], "sig");
            assert!(key["kid"].as_str().unwrap().starts_with("public:"));
            for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
                assert!(key.get(private).is_none(), "{private} published: {key}");
            }
        }

        // Instance A rotates: a new pair in the set.
        let res = reqwest::Client::new()
            .post(a.admin("/keys/hydra.openid.id-token"))
            .json(&json!({"alg": "RS256", "kid": "rotated", "use": "sig"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let kids = |set: &Value| -> Vec<String> {
            set["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(kids(&jwks(&a).await).len(), 4, "A publishes at once");
        // B notices once its cache is older than the refresh interval.
        assert_eq!(kids(&jwks(&b).await).len(), 3);
        b.clock.advance_secs(6);
        let both = kids(&jwks(&b).await);
        assert_eq!(both.len(), 4);
        assert!(both.contains(&"public:rotated".to_owned()));

        // B signs with the newest key, and tokens verify against the published set.
        client(&b, "rp", json!({})).await;
        let nav = run(&b, &mut Browser::new(), &auth_url(&b, "rp", "id_token", ""), "alice").await;
        let id_token = param(nav.location.as_deref().unwrap(), "id_token").unwrap();
        let header: Value = serde_json::from_slice(&base64_url(id_token.split('.').next().unwrap())).unwrap();
        assert_eq!(header["kid"], "public:rotated");
        assert_eq!(header["alg"], "RS256");
        let claims = verify(&b, "rp", &id_token).await;
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["email"], "alice@example.com");
    }

    async fn a_restarted_instance_signs_with_the_stored_key_even_under_a_new_secret(store: SqlStore) {
        let first = start(store.clone(), &[]).await;
        first.state.ensure_signing_keys().await.unwrap();
        let published = jwks(&first).await;
        drop(first);
        // A restart with a new system secret, the old one kept as ROTATED_SYSTEM_SECRET: the
        // stored key still decrypts, no new key is generated, and it signs.
        let again = start(store, &[
            ("SYSTEM_SECRET", "a-new-system-secret-0123456789abcdef"),
            ("ROTATED_SYSTEM_SECRET", oxydra_testkit::app::TEST_SYSTEM_SECRET),
        ]).await;
        again.state.ensure_signing_keys().await.unwrap();
        assert_eq!(jwks(&again).await, published);
        client(&again, "rp", json!({})).await;
        let nav = run(&again, &mut Browser::new(), &auth_url(&again, "rp", "id_token", ""), "alice").await;
        let id_token = param(nav.location.as_deref().unwrap(), "id_token").unwrap();
        assert_eq!(verify(&again, "rp", &id_token).await["sub"], "alice");
    }

    async fn form_post_answers_with_an_auto_submitting_form(store: SqlStore) {
        let server = start(store, &[]).await;
        client(&server, "rp", json!({})).await;
        let nav = run(&server, &mut Browser::new(), &auth_url(&server, "rp", "id_token", "&response_mode=form_post"), "alice").await;
        assert_eq!(nav.status, 200, "{nav:?}");
        assert!(nav.location.is_none());
        assert!(nav.body.contains(&format!("action=\"{CB}\"")), "{}", nav.body);
        assert!(nav.body.contains("document.forms[0].submit()"));
        let id_token = hidden(&nav.body, "id_token");
        assert_eq!(hidden(&nav.body, "state"), "state-1234");
        assert_eq!(verify(&server, "rp", &id_token).await["sub"], "alice");
        // Errors after the redirect URI is trusted are posted too.
        let mut browser = Browser::new();
        let url = auth_url(&server, "rp", "id_token", "&response_mode=form_post&prompt=none");
        let nav = browser.get(&url).await;
        assert_eq!(nav.status, 200);
        assert_eq!(hidden(&nav.body, "error"), "login_required");
    }

    async fn pairwise_clients_see_per_sector_subjects(store: SqlStore) {
        let server = start(store, &[
            ("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise"),
            ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-pairwise-salt"),
        ]).await;
        client(&server, "one", json!({"subject_type": "pairwise"})).await;
        // OIDC Core §8.1: the sector document is fetched and must list the redirect URI.
        let sector = DocumentServer::json("/ids.json", json!([CB])).await;
        client(&server, "two", json!({"subject_type": "pairwise", "redirect_uris": [CB], "sector_identifier_uri": sector.url("/ids.json")})).await;
        client(&server, "pub", json!({})).await;
        let mut subs = Vec::new();
        for id in ["one", "two", "pub"] {
            let nav = run(&server, &mut Browser::new(), &auth_url(&server, id, "id_token token", ""), "alice").await;
            let location = nav.location.unwrap();
            let claims = verify(&server, id, &param(&location, "id_token").unwrap()).await;
            let info = introspect(&server, &param(&location, "access_token").unwrap()).await;
            assert_eq!(info["sub"], "alice", "introspection keeps the real subject");
            if id == "pub" {
                assert!(info.get("obfuscated_subject").is_none());
            } else {
                assert_eq!(info["obfuscated_subject"], claims["sub"]);
            }
            subs.push(claims["sub"].as_str().unwrap().to_owned());
        }
        assert_eq!(subs[2], "alice");
        assert_eq!(subs[0].len(), 64);
        assert_ne!(subs[0], subs[1], "different sectors, different ids");
        assert_ne!(subs[0], "alice");
    }

    async fn pairwise_clients_are_refused_when_pairwise_is_off(store: SqlStore) {
        let on = start(store.clone(), &[
            ("OIDC_SUBJECT_TYPES_SUPPORTED", "public,pairwise"),
            ("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", "a-pairwise-salt"),
        ]).await;
        client(&on, "one", json!({"subject_type": "pairwise"})).await;
        let off = start(store, &[]).await;
        let nav = Browser::new().get(&auth_url(&off, "one", "id_token", "")).await;
        let location = nav.location.unwrap();
        assert!(location.starts_with(CB), "{location}");
        assert_eq!(param(&location, "error").as_deref(), Some("invalid_request"));
    }

    async fn id_token_hints_are_verified_and_must_name_the_user(store: SqlStore) {
        let server = start(store, &[]).await;
        client(&server, "rp", json!({})).await;
        let nav = run(&server, &mut Browser::new(), &auth_url(&server, "rp", "id_token", ""), "alice").await;
        let hint = param(nav.location.as_deref().unwrap(), "id_token").unwrap();

        // A valid hint reaches the login app, and the same user passes.
        let url = auth_url(&server, "rp", "id_token", &format!("&id_token_hint={hint}"));
        let mut browser = Browser::new();
        let to_login = browser.get(&url).await.location.unwrap();
        let challenge = param(&to_login, "login_challenge").unwrap();
        let (login, back) = accept_login(&server, &challenge, "alice", false).await;
        assert_eq!(login["oidc_context"]["id_token_hint_claims"]["sub"], "alice");
        let to_consent = browser.get(&back).await.location.unwrap();
        let (_, back) = accept_consent(&server, &param(&to_consent, "consent_challenge").unwrap(), false).await;
        let done = browser.get(&back).await.location.unwrap();
        assert!(param(&done, "id_token").is_some(), "{done}");

        // Another user logging in under alice's hint: login_required.
        let done = run(&server, &mut Browser::new(), &url, "bob").await.location.unwrap();
        assert_eq!(param(&done, "error").as_deref(), Some("login_required"), "{done}");

        // A forged or foreign hint: invalid_request before any login.
        let mut parts: Vec<&str> = hint.split('.').collect();
        let forged_claims = base64_url_encode(br#"{"iss":"x","sub":"mallory"}"#);
        parts[1] = &forged_claims;
        let forged = parts.join(".");
        let nav = Browser::new().get(&auth_url(&server, "rp", "id_token", &format!("&id_token_hint={forged}"))).await;
        let location = nav.location.unwrap();
        assert!(location.starts_with(CB), "{location}");
        assert_eq!(param(&location, "error").as_deref(), Some("invalid_request"));
    }

    async fn front_channel_oidc_requests_need_a_nonce(store: SqlStore) {
        let server = start(store, &[]).await;
        client(&server, "rp", json!({})).await;
        let url = auth_url(&server, "rp", "id_token", "").replace(&format!("&nonce={NONCE}"), "");
        let location = Browser::new().get(&url).await.location.unwrap();
        assert_eq!(param(&location, "error").as_deref(), Some("invalid_request"));
        assert!(url::Url::parse(&location).unwrap().fragment().is_some(), "errors of implicit requests use the fragment");
    }
}

/// The value of a hidden form input in a `form_post` page.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + marker.len();
    let end = start + body[start..].find('"').unwrap();
    body[start..end]
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
}

fn base64_url(part: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap()
}

fn base64_url_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
