//! DPoP (RFC 9449) on real listeners: proofs made with `jsonwebtoken` (an independent JOSE
//! implementation, its RFC 7638 thumbprint included) and sent with `reqwest`; tokens bound at
//! the token endpoint, shown bound by introspection and JWT access tokens, and used at
//! `/userinfo` with `Authorization: DPoP`; every error RFC 9449 names.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::{Value, json};

use crate::flow::{
    CB, CHALLENGE, CONSENT, LOGIN, SECRET, accept_consent, accept_login, admin, run_flow,
    start_with, unverified_claims,
};
use crate::oauth2_client::{introspect, register};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A client's DPoP key: an ES256 key pair, its public JWK and its thumbprint.
struct DpopKey {
    signing: EncodingKey,
    jwk: Jwk,
    private_jwk: Value,
}

/// What a proof says; `Default` plus the fields a test sets.
#[derive(Default)]
struct Claims<'a> {
    htm: &'a str,
    htu: String,
    iat: i64,
    jti: Option<&'a str>,
    ath_of: Option<&'a str>,
    nonce: Option<&'a str>,
}

impl DpopKey {
    fn new() -> Self {
        let alg = &ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &SystemRandom::new()).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref();
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let public = json!({
            "kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..]),
        });
        let mut private_jwk = public.clone();
        private_jwk["d"] = json!(b64(&[7; 32]));
        Self {
            signing: EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk: serde_json::from_value(public).unwrap(),
            private_jwk,
        }
    }

    /// RFC 7638, computed by `jsonwebtoken`.
    fn thumbprint(&self) -> String {
        self.jwk.thumbprint(ThumbprintHash::SHA256).unwrap()
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(self.jwk.clone());
        header
    }

    fn sign(&self, header: &Header, claims: &Claims<'_>) -> String {
        let unique = uuid_like();
        let mut body = json!({
            "jti": claims.jti.unwrap_or(&unique),
            "htm": claims.htm,
            "htu": claims.htu,
            "iat": claims.iat,
        });
        if let Some(token) = claims.ath_of {
            body["ath"] = json!(ath(token));
        }
        if let Some(nonce) = claims.nonce {
            body["nonce"] = json!(nonce);
        }
        jsonwebtoken::encode(header, &body, &self.signing).unwrap()
    }

    fn proof(&self, claims: &Claims<'_>) -> String {
        self.sign(&self.header(), claims)
    }
}

fn uuid_like() -> String {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 9449 §4.2 `ath`, computed here rather than by the server's code.
fn ath(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

fn now(server: &TestServer) -> i64 {
    server.state.now().unix_secs()
}

fn token_claims<'a>(server: &TestServer) -> Claims<'a> {
    Claims {
        htm: "POST",
        htu: server.public("/oauth2/token"),
        iat: now(server),
        ..Claims::default()
    }
}

fn userinfo_claims<'a>(server: &TestServer, token: &'a str) -> Claims<'a> {
    Claims {
        htm: "GET",
        htu: server.public("/userinfo"),
        iat: now(server),
        ath_of: Some(token),
        ..Claims::default()
    }
}

/// `POST /oauth2/token` as `id` (Basic, [`SECRET`]) with `proofs` as `DPoP` headers.
async fn token(
    server: &TestServer,
    id: &str,
    form: &[(&str, &str)],
    proofs: &[&str],
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(server.public("/oauth2/token"))
        .basic_auth(id, Some(SECRET))
        .form(form);
    for proof in proofs {
        request = request.header("DPoP", *proof);
    }
    request.send().await.unwrap()
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

async fn userinfo(
    server: &TestServer,
    authorization: &str,
    proof: Option<&str>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(server.public("/userinfo"))
        .header("Authorization", authorization);
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    request.send().await.unwrap()
}

fn challenge(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" | ")
}

const CC: [(&str, &str); 1] = [("grant_type", "client_credentials")];

async fn machine(store: SqlStore, env: &[(&str, &str)]) -> TestServer {
    let server = TestServer::start(store, env).await;
    register(&server, "svc", SECRET, json!({"scope": "read"})).await;
    server
}

store_test! {
    async fn a_proof_binds_the_access_token_to_the_clients_key(store: SqlStore) {
        let server = machine(store, &[]).await;
        register(&server, "svc-jwt", SECRET, json!({"scope": "read", "access_token_strategy": "jwt"})).await;
        let key = DpopKey::new();

        let body = json_of(token(&server, "svc", &CC, &[&key.proof(&token_claims(&server))]).await, 200).await;
        assert_eq!(body["token_type"], "DPoP");
        let seen = introspect(&server, body["access_token"].as_str().unwrap()).await;
        assert_eq!(seen["active"], true);
        assert_eq!(seen["cnf"]["jkt"], key.thumbprint());

        // A JWT access token carries the binding itself (RFC 9449 §6.1).
        let body = json_of(token(&server, "svc-jwt", &CC, &[&key.proof(&token_claims(&server))]).await, 200).await;
        assert_eq!(body["token_type"], "DPoP");
        let claims = unverified_claims(body["access_token"].as_str().unwrap());
        assert_eq!(claims["cnf"], json!({"jkt": key.thumbprint()}));

        // Without a proof: a bearer token, as before.
        let body = json_of(token(&server, "svc", &CC, &[]).await, 200).await;
        assert_eq!(body["token_type"], "bearer");
        assert!(introspect(&server, body["access_token"].as_str().unwrap()).await.get("cnf").is_none());
    }

    async fn every_bad_proof_is_invalid_dpop_proof(store: SqlStore) {
        let server = machine(store, &[]).await;
        let key = DpopKey::new();
        let other = DpopKey::new();
        let base = || token_claims(&server);
        let replayed = key.proof(&base());
        json_of(token(&server, "svc", &CC, &[&replayed]).await, 200).await;

        let mut wrong_typ = key.header();
        wrong_typ.typ = Some("JWT".into());
        let mut foreign_jwk = key.header();
        foreign_jwk.jwk = Some(other.jwk.clone());
        let mut hs256 = Header::new(Algorithm::HS256);
        hs256.typ = Some("dpop+jwt".into());
        let mut private = serde_json::to_value(key.header()).unwrap();
        private["jwk"] = key.private_jwk.clone();
        let private_header = URL_SAFE_NO_PAD.encode(private.to_string());
        let honest = key.proof(&base());
        let private_key_proof = format!("{private_header}.{}", honest.split_once('.').unwrap().1);
        let cases: Vec<(&str, String)> = vec![
            ("replayed jti", replayed),
            ("typ", key.sign(&wrong_typ, &base())),
            ("jwk of another key", key.sign(&foreign_jwk, &base())),
            ("symmetric alg", jsonwebtoken::encode(&hs256, &json!({"jti": "j", "htm": "POST", "htu": server.public("/oauth2/token"), "iat": now(&server)}), &EncodingKey::from_secret(b"s").unwrap()).unwrap()),
            ("private key in jwk", private_key_proof),
            ("htm", key.proof(&Claims { htm: "GET", ..base() })),
            ("htu", key.proof(&Claims { htu: server.public("/oauth2/revoke"), ..base() })),
            ("stale iat", key.proof(&Claims { iat: now(&server) - 61, ..base() })),
            ("future iat", key.proof(&Claims { iat: now(&server) + 60, ..base() })),
            ("not a JWT", "not-a-jwt".into()),
        ];
        for (what, proof) in cases {
            let body = json_of(token(&server, "svc", &CC, &[&proof]).await, 400).await;
            assert_eq!(body["error"], "invalid_dpop_proof", "{what}: {body}");
        }
        // RFC 9449 §4.3 item 1: exactly one DPoP header.
        let (a, b) = (key.proof(&base()), key.proof(&base()));
        let body = json_of(token(&server, "svc", &CC, &[&a, &b]).await, 400).await;
        assert_eq!(body["error"], "invalid_dpop_proof");
        // A refused proof issued nothing: its jti is still fresh for a good request.
        json_of(token(&server, "svc", &CC, &[&a]).await, 200).await;
    }

    async fn a_bound_token_works_at_userinfo_only_with_a_proof_of_its_key(store: SqlStore) {
        let server = start_with(store, json!({})).await;
        let mut browser = Browser::new();
        let (_, _, code) = run_flow(&server, &mut browser, false).await;
        let key = DpopKey::new();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CB),
            ("code_verifier", VERIFIER),
        ];
        let tokens = json_of(token(&server, "web", &form, &[&key.proof(&token_claims(&server))]).await, 200).await;
        assert_eq!(tokens["token_type"], "DPoP");
        let access = tokens["access_token"].as_str().unwrap();
        let dpop = format!("DPoP {access}");

        let proof = key.proof(&userinfo_claims(&server, access));
        let res = userinfo(&server, &dpop, Some(&proof)).await;
        assert_eq!(json_of(res, 200).await["sub"], "alice");

        // The same proof again is a replay.
        let res = userinfo(&server, &dpop, Some(&proof)).await;
        assert!(challenge(&res).contains("DPoP error=\"invalid_dpop_proof\""), "{}", challenge(&res));
        assert_eq!(json_of(res, 401).await["error"], "invalid_dpop_proof");

        // A stolen token without the key: as a bearer token, with no proof, with a proof of
        // another key, or with a proof that does not hash this token.
        let res = userinfo(&server, &format!("Bearer {access}"), None).await;
        assert!(challenge(&res).contains("error=\"invalid_token\""), "{}", challenge(&res));
        json_of(res, 401).await;
        let res = userinfo(&server, &dpop, None).await;
        assert!(challenge(&res).contains("DPoP error=\"invalid_dpop_proof\""));
        json_of(res, 401).await;
        let thief = DpopKey::new().proof(&userinfo_claims(&server, access));
        let res = userinfo(&server, &dpop, Some(&thief)).await;
        assert!(challenge(&res).contains("DPoP error=\"invalid_token\""), "{}", challenge(&res));
        json_of(res, 401).await;
        let no_ath = key.proof(&Claims { ath_of: None, ..userinfo_claims(&server, access) });
        let res = userinfo(&server, &dpop, Some(&no_ath)).await;
        assert!(challenge(&res).contains("invalid_dpop_proof"));
        json_of(res, 401).await;
        let wrong_method = key.proof(&Claims { htm: "POST", ..userinfo_claims(&server, access) });
        json_of(userinfo(&server, &dpop, Some(&wrong_method)).await, 401).await;

        // The refresh token of this confidential client is not bound; the new access token is
        // bound to the key of the refresh request's proof.
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
        let new_key = DpopKey::new();
        let renewed = json_of(token(&server, "web", &form, &[&new_key.proof(&token_claims(&server))]).await, 200).await;
        assert_eq!(renewed["token_type"], "DPoP");
        assert_eq!(introspect(&server, renewed["access_token"].as_str().unwrap()).await["cnf"]["jkt"], new_key.thumbprint());

        // A bearer token presented under the DPoP scheme is refused too.
        let bearer = json_of(token(&server, "web", &[("grant_type", "refresh_token"), ("refresh_token", renewed["refresh_token"].as_str().unwrap())], &[]).await, 200).await;
        let bearer = bearer["access_token"].as_str().unwrap();
        let proof = key.proof(&userinfo_claims(&server, bearer));
        json_of(userinfo(&server, &format!("DPoP {bearer}"), Some(&proof)).await, 401).await;
        json_of(userinfo(&server, &format!("Bearer {bearer}"), None).await, 200).await;
    }

    async fn a_public_clients_refresh_token_is_bound_to_its_key(store: SqlStore) {
        let server = TestServer::start(store, &[("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)]).await;
        let (status, created) = admin(&server, reqwest::Method::POST, "/clients", Some(json!({
            "client_id": "spa",
            "token_endpoint_auth_method": "none",
            "redirect_uris": [CB],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "openid offline",
        }))).await;
        assert_eq!(status, 201, "{created}");
        let mut browser = Browser::new();
        let nav = browser.get(&server.public(&format!(
            "/oauth2/auth?client_id=spa&response_type=code&scope=openid+offline&state=state-1234&redirect_uri={}&code_challenge={CHALLENGE}&code_challenge_method=S256",
            url::form_urlencoded::byte_serialize(CB.as_bytes()).collect::<String>()
        ))).await;
        let to_login = nav.location.unwrap();
        let (_, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        let to_consent = browser.get(&back).await.location.unwrap();
        let (_, back) = accept_consent(&server, &param(&to_consent, "consent_challenge").unwrap(), false).await;
        let code = param(&browser.get(&back).await.location.unwrap(), "code").unwrap();

        let public_token = |form: Vec<(&'static str, String)>, proof: Option<String>| {
            let server = &server;
            async move {
                let mut form = form;
                form.push(("client_id", "spa".into()));
                let mut request = reqwest::Client::new().post(server.public("/oauth2/token")).form(&form);
                if let Some(proof) = proof {
                    request = request.header("DPoP", proof);
                }
                request.send().await.unwrap()
            }
        };
        let key = DpopKey::new();
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", CB.to_owned()),
            ("code_verifier", VERIFIER.to_owned()),
        ];
        let tokens = json_of(public_token(form, Some(key.proof(&token_claims(&server)))).await, 200).await;
        let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
        let refresh_form = || vec![("grant_type", "refresh_token".to_owned()), ("refresh_token", refresh.clone())];

        // A thief holding the refresh token: without a proof, or with its own key.
        for proof in [None, Some(DpopKey::new().proof(&token_claims(&server)))] {
            let body = json_of(public_token(refresh_form(), proof).await, 400).await;
            assert_eq!(body["error"], "invalid_grant", "{body}");
        }
        // The owner, proving its key: the refused attempts did not spend the token.
        let renewed = json_of(public_token(refresh_form(), Some(key.proof(&token_claims(&server)))).await, 200).await;
        assert_eq!(renewed["token_type"], "DPoP");
        assert_eq!(introspect(&server, renewed["refresh_token"].as_str().unwrap()).await["cnf"]["jkt"], key.thumbprint());
    }

    async fn server_nonces_are_required_when_configured(store: SqlStore) {
        let server = machine(store, &[("OXYDRA_DPOP_NONCE", "true")]).await;
        let key = DpopKey::new();
        let res = token(&server, "svc", &CC, &[&key.proof(&token_claims(&server))]).await;
        let nonce = res.headers().get("dpop-nonce").expect("a nonce to retry with").to_str().unwrap().to_owned();
        assert_eq!(json_of(res, 400).await["error"], "use_dpop_nonce");

        let forged = key.proof(&Claims { nonce: Some("forged"), ..token_claims(&server) });
        assert_eq!(json_of(token(&server, "svc", &CC, &[&forged]).await, 400).await["error"], "use_dpop_nonce");

        let res = token(&server, "svc", &CC, &[&key.proof(&Claims { nonce: Some(&nonce), ..token_claims(&server) })]).await;
        assert!(res.headers().contains_key("dpop-nonce"));
        let body = json_of(res, 200).await;
        assert_eq!(body["token_type"], "DPoP");

        // Ten minutes later (two 5-minute windows) the nonce is stale.
        server.clock.advance_secs(600);
        let stale = key.proof(&Claims { nonce: Some(&nonce), ..token_claims(&server) });
        assert_eq!(json_of(token(&server, "svc", &CC, &[&stale]).await, 400).await["error"], "use_dpop_nonce");
    }

    async fn a_dpop_bound_client_gets_no_token_without_a_proof(store: SqlStore) {
        let server = machine(store.clone(), &[]).await;
        register(&server, "bound", SECRET, json!({"scope": "read", "dpop_bound_access_tokens": true})).await;
        let body = json_of(token(&server, "bound", &CC, &[]).await, 400).await;
        assert_eq!(body["error"], "invalid_request", "{body}");
        let key = DpopKey::new();
        let body = json_of(token(&server, "bound", &CC, &[&key.proof(&token_claims(&server))]).await, 200).await;
        assert_eq!(body["token_type"], "DPoP");
        drop(server);

        // With DPoP off the client cannot get the bound tokens it registered for.
        let off = TestServer::start(store, &[("OXYDRA_DPOP", "false")]).await;
        let proof = key.proof(&token_claims(&off));
        let body = json_of(token(&off, "bound", &CC, &[&proof]).await, 400).await;
        assert!(body["error_hint"].as_str().unwrap_or_default().contains("OXYDRA_DPOP"), "{body}");
    }

    async fn an_exchange_cannot_unbind_a_stolen_token(store: SqlStore) {
        const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
        let server = TestServer::start(store, &[]).await;
        register(&server, "svc", SECRET, json!({
            "scope": "read",
            "grant_types": ["client_credentials", EXCHANGE],
        })).await;
        let key = DpopKey::new();
        let bound = json_of(token(&server, "svc", &CC, &[&key.proof(&token_claims(&server))]).await, 200).await;
        let bound = bound["access_token"].as_str().unwrap();
        let form = [
            ("grant_type", EXCHANGE),
            ("subject_token", bound),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ];
        // Without a proof, or with another key's, the bound token is not exchanged.
        for proofs in [vec![], vec![DpopKey::new().proof(&token_claims(&server))]] {
            let proofs: Vec<&str> = proofs.iter().map(String::as_str).collect();
            let body = json_of(token(&server, "svc", &form, &proofs).await, 400).await;
            assert!(body["error_hint"].as_str().unwrap_or_default().contains("DPoP"), "{body}");
        }
        // With a proof of its key it is, and the new token is bound to that key.
        let body = json_of(token(&server, "svc", &form, &[&key.proof(&token_claims(&server))]).await, 200).await;
        assert_eq!(body["token_type"], "DPoP");
        assert_eq!(introspect(&server, body["access_token"].as_str().unwrap()).await["cnf"]["jkt"], key.thumbprint());
    }

    async fn turned_off_the_header_is_ignored_and_not_advertised(store: SqlStore) {
        let on = machine(store.clone(), &[]).await;
        let doc: Value = reqwest::get(on.public("/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
        assert!(doc["dpop_signing_alg_values_supported"].as_array().unwrap().contains(&json!("ES256")));
        drop(on);

        let off = TestServer::start(store, &[("OXYDRA_DPOP", "false")]).await;
        register(&off, "svc2", SECRET, json!({"scope": "read"})).await;
        let doc: Value = reqwest::get(off.public("/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
        assert!(doc.get("dpop_signing_alg_values_supported").is_none());
        let key = DpopKey::new();
        let body = json_of(token(&off, "svc2", &CC, &[&key.proof(&token_claims(&off))]).await, 200).await;
        assert_eq!(body["token_type"], "bearer");
        assert!(introspect(&off, body["access_token"].as_str().unwrap()).await.get("cnf").is_none());
    }
}
