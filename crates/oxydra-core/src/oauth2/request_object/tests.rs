use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RSA_PSS_SHA256};
use serde_json::{Value, json};

use super::*;
use crate::client::ClientInput;
use crate::config::ClientPolicy;
use crate::oauth2::test_jws::*;

const CLIENT: &str = "jar-client";
const ISSUER: &str = "https://auth.example/";
const NOW: i64 = 1_700_000_000;

fn client_with(alg: &str) -> Client {
    ClientInput {
        client_id: CLIENT.into(),
        request_object_signing_alg: alg.into(),
        request_uris: vec!["https://app.example/req.jwt#v1".into()],
        ..ClientInput::default()
    }
    .validate(None, &ClientPolicy::default(), Now::from_unix_secs(1))
    .unwrap()
    .client
}

fn claims() -> Value {
    json!({
        "iss": CLIENT, "aud": ISSUER, "client_id": CLIENT,
        "exp": NOW + 300, "iat": NOW, "jti": "obj-1",
        "response_type": "code", "scope": "openid", "state": "object-state",
        "max_age": 60, "claims": {"userinfo": {"email": null}},
    })
}

fn rs256(claims: &Value) -> String {
    sign(
        &json!({"alg": "RS256", "kid": "rsa-1"}),
        claims,
        &Signer::Rsa(&KEYS.rsa, &RSA_PKCS1_SHA256),
    )
}

fn unsigned(claims: &Value) -> String {
    sign(&json!({"alg": "none"}), claims, &Signer::Unsigned)
}

fn context() -> ObjectContext<'static> {
    ObjectContext {
        issuer: ISSUER,
        now: Now::from_unix_secs(NOW),
    }
}

fn verify_as(jwt: &str, client: &Client) -> Result<VerifiedRequestObject, OAuthError> {
    verify_request_object(jwt, client, Some(&jwks()), context())
}

fn verify(jwt: &str) -> Result<VerifiedRequestObject, OAuthError> {
    verify_as(jwt, &client_with(""))
}

/// Asserts `invalid_request_object` with a hint containing `want` and not echoing the JWT.
#[track_caller]
fn refused(result: Result<VerifiedRequestObject, OAuthError>, jwt: &str, want: &str) {
    let e = result.expect_err("the request object must be refused");
    assert_eq!(e.kind, OAuthErrorKind::InvalidRequestObject, "{e:?}");
    let hint = e.hint.clone().unwrap_or_default();
    assert!(hint.contains(want), "want {want:?}: {hint}");
    let signature = jwt.rsplit('.').next().unwrap_or_default();
    if signature.len() >= 8 {
        assert!(!hint.contains(signature), "the hint echoes the object");
    }
}

#[test]
fn registration_and_verification_accept_the_same_algorithms() {
    assert_eq!(ACCEPTED_ALGORITHMS[0], "none");
    assert_eq!(&ACCEPTED_ALGORITHMS[1..], SIGNING_ALGORITHMS);
}

#[test]
fn accepts_each_signing_algorithm_and_yields_the_parameters() {
    let c = claims();
    let objects = [
        rs256(&c),
        sign(
            &json!({"alg": "PS256", "kid": "rsa-1"}),
            &c,
            &Signer::Rsa(&KEYS.rsa, &RSA_PSS_SHA256),
        ),
        sign(&json!({"alg": "ES256", "kid": "ec-1"}), &c, &Signer::P256),
        sign(&json!({"alg": "EdDSA"}), &c, &Signer::Ed),
    ];
    for jwt in &objects {
        let ok = verify(jwt).unwrap_or_else(|e| panic!("{jwt}: {e:?}"));
        assert_eq!(
            ok.replay,
            Some(("obj-1".to_owned(), Now::from_unix_secs(NOW + 300)))
        );
        let p = &ok.params;
        assert_eq!(p["scope"], "openid");
        assert_eq!(p["max_age"], "60");
        assert_eq!(p["claims"], r#"{"userinfo":{"email":null}}"#);
        assert_eq!(p["client_id"], CLIENT);
        for jwt_claim in ["iss", "aud", "exp", "iat", "jti"] {
            assert!(!p.contains_key(jwt_claim), "{jwt_claim}");
        }
    }
}

#[test]
fn only_the_registered_algorithm_is_accepted() {
    let c = claims();
    let ps256 = sign(
        &json!({"alg": "PS256", "kid": "rsa-1"}),
        &c,
        &Signer::Rsa(&KEYS.rsa, &RSA_PSS_SHA256),
    );
    // The same RSA key verifies PS256, so only the registration refuses it.
    assert!(verify(&ps256).is_ok());
    refused(
        verify_as(&ps256, &client_with("RS256")),
        &ps256,
        "registered",
    );
    assert!(verify_as(&rs256(&c), &client_with("RS256")).is_ok());
}

#[test]
fn hmac_with_the_public_key_as_secret_is_refused() {
    // The attacker signs HS256 with the client's public RSA key bytes as the HMAC secret.
    let public = KEYS.rsa.public_key();
    let secret: &'static [u8] = Box::leak(
        public
            .modulus()
            .big_endian_without_leading_zero()
            .to_vec()
            .into_boxed_slice(),
    );
    let jwt = sign(
        &json!({"alg": "HS256", "kid": "rsa-1"}),
        &claims(),
        &Signer::Hmac(secret),
    );
    refused(verify(&jwt), &jwt, "alg is not accepted");
    refused(verify_as(&jwt, &client_with("RS256")), &jwt, "registered");
}

#[test]
fn unsigned_objects_only_for_clients_registered_with_none() {
    let c = claims();
    let jwt = unsigned(&c);
    refused(verify(&jwt), &jwt, "'none'");
    refused(verify_as(&jwt, &client_with("RS256")), &jwt, "registered");
    let ok = verify_request_object(&jwt, &client_with("none"), None, context()).unwrap();
    assert_eq!(ok.replay, None);
    assert_eq!(ok.params["state"], "object-state");
    // Without iss, jti, aud and exp it is still fine (OIDC Core §6.1 asks them of signed
    // objects only; the OIDF OP-request-Unsigned test sends none); a signature part is not.
    let mut bare = claims();
    for claim in ["iss", "jti", "aud", "exp"] {
        bare.as_object_mut().unwrap().remove(claim);
    }
    assert!(verify_request_object(&unsigned(&bare), &client_with("none"), None, context()).is_ok());
    // A wrong aud or an expired exp, when present, is still refused.
    let mut wrong_aud = bare.clone();
    wrong_aud["aud"] = "https://elsewhere.example".into();
    let jwt_wrong = unsigned(&wrong_aud);
    refused(
        verify_request_object(&jwt_wrong, &client_with("none"), None, context()),
        &jwt_wrong,
        "aud",
    );
    let mut expired = bare.clone();
    expired["exp"] = 1.into();
    let jwt_expired = unsigned(&expired);
    refused(
        verify_request_object(&jwt_expired, &client_with("none"), None, context()),
        &jwt_expired,
        "expired",
    );
    let padded = format!("{jwt}c2ln");
    refused(
        verify_request_object(&padded, &client_with("none"), None, context()),
        &padded,
        "empty signature",
    );
    // A client registered for none cannot send a signed object either.
    let signed = rs256(&c);
    refused(
        verify_as(&signed, &client_with("none")),
        &signed,
        "registered",
    );
}

#[test]
fn refuses_a_bad_signature_and_missing_keys() {
    let forged = sign(
        &json!({"alg": "RS256", "kid": "rsa-1"}),
        &claims(),
        &Signer::Rsa(&KEYS.other_rsa, &RSA_PKCS1_SHA256),
    );
    refused(verify(&forged), &forged, "signature does not verify");
    let jwt = rs256(&claims());
    refused(
        verify_request_object(&jwt, &client_with(""), None, context()),
        &jwt,
        "neither jwks nor jwks_uri",
    );
}

#[test]
fn refuses_malformed_objects() {
    for jwt in ["", "not-a-jwt", "a.b", "a.b.c.d", "e30.e30.", "!!!.e30.sig"] {
        let e = verify(jwt).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidRequestObject, "{jwt}");
    }
    let array = rs256(&json!([1, 2]));
    refused(verify(&array), &array, "");
}

/// Each case changes one claim of `claims()` (`None` removes it), signs RS256 and expects a
/// refusal mentioning `want`.
#[test]
fn enforces_the_claims() {
    let cases: &[(&str, Option<Value>, &str)] = &[
        ("iss", None, "iss"),
        ("iss", Some(json!("someone-else")), "iss"),
        ("client_id", Some(json!("someone-else")), "client_id"),
        ("aud", None, "aud"),
        ("aud", Some(json!("https://other.example/")), "aud"),
        ("aud", Some(json!(["https://other.example/"])), "aud"),
        ("exp", None, "exp"),
        ("exp", Some(json!(NOW)), "expired"),
        ("exp", Some(json!(NOW - 10)), "expired"),
        ("exp", Some(json!(NOW + 3600 + 60)), "too far"),
        ("exp", Some(json!("soon")), "NumericDate"),
        ("nbf", Some(json!(NOW + 60)), "nbf"),
        ("iat", Some(json!(NOW + 60)), "iat"),
        ("jti", None, "jti"),
        ("jti", Some(json!("")), "jti"),
        ("request", Some(json!("x.y.z")), "'request'"),
        (
            "request_uri",
            Some(json!("https://app.example/r")),
            "'request_uri'",
        ),
        ("login_verifier", Some(json!("v")), "'login_verifier'"),
    ];
    for (name, value, want) in cases {
        let c = changed(claims(), name, value.as_ref());
        let jwt = rs256(&c);
        refused(verify(&jwt), &jwt, want);
    }
}

#[test]
fn accepts_the_issuer_in_either_spelling_and_in_an_array() {
    for aud in [
        json!("https://auth.example"),
        json!("https://auth.example/"),
        json!(["https://rp.example", "https://auth.example/"]),
    ] {
        let mut c = claims();
        c["aud"] = aud.clone();
        assert!(verify(&rs256(&c)).is_ok(), "{aud}");
    }
    let mut c = claims();
    c.as_object_mut().unwrap().remove("client_id");
    c["nbf"] = json!(NOW);
    assert!(verify(&rs256(&c)).is_ok());
}

fn params(pairs: &[(&str, &str)]) -> AuthorizeParams {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn request_and_request_uri_exclude_each_other() {
    let both = params(&[("request", "a.b.c"), ("request_uri", "https://x")]);
    assert_eq!(
        source(&both).unwrap_err().kind,
        OAuthErrorKind::InvalidRequest
    );
    assert_eq!(
        source(&params(&[("request", "a.b.c")])).unwrap(),
        Some(RequestObjectSource::Value("a.b.c"))
    );
    assert_eq!(
        source(&params(&[("request_uri", "https://x"), ("request", "")])).unwrap(),
        Some(RequestObjectSource::Reference("https://x"))
    );
    assert_eq!(source(&params(&[("scope", "openid")])).unwrap(), None);
}

#[test]
fn a_request_uri_must_be_registered_and_short() {
    let client = client_with("");
    assert!(check_request_uri("https://app.example/req.jwt", &client).is_ok());
    assert!(check_request_uri("https://app.example/req.jwt#v2", &client).is_ok());
    let long = format!("https://app.example/req.jwt#{}", "a".repeat(500));
    for uri in [
        "https://app.example/other.jwt",
        "https://evil.example/req.jwt",
        &long,
    ] {
        let e = check_request_uri(uri, &client).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidRequestUri, "{uri}");
    }
    let mut none_registered = client;
    none_registered.request_uris.clear();
    assert!(check_request_uri("https://app.example/req.jwt", &none_registered).is_err());
}

#[test]
fn the_objects_parameters_win_and_the_object_is_consumed() {
    let query = params(&[
        ("client_id", CLIENT),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("nonce", "query-nonce"),
        ("request", "a.b.c"),
    ]);
    let object = params(&[
        ("scope", "openid"),
        ("state", "object-state"),
        ("response_type", "code"),
    ]);
    let merged = merge(query.clone(), object).unwrap();
    assert_eq!(merged["scope"], "openid");
    assert_eq!(merged["state"], "object-state");
    assert_eq!(merged["nonce"], "query-nonce");
    assert!(!merged.contains_key("request"));
    let e = merge(query, params(&[("response_type", "code id_token")])).unwrap_err();
    assert_eq!(e.kind, OAuthErrorKind::InvalidRequestObject);
}

#[test]
fn is_signed_reads_the_header() {
    assert!(is_signed(&rs256(&claims())));
    assert!(!is_signed(&unsigned(&claims())));
    assert!(!is_signed("garbage"));
    assert!(!is_signed(&sign(
        &json!({"typ": "JWT"}),
        &claims(),
        &Signer::Unsigned
    )));
}
