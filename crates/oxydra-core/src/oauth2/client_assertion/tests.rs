use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RSA_PKCS1_SHA512, RSA_PSS_SHA256};
use serde_json::{Value, json};

use super::*;
use crate::client::ClientInput;
use crate::config::ClientPolicy;
use crate::oauth2::test_jws::*;

const CLIENT: &str = "jwt-client";
const TOKEN_ENDPOINT: &str = "https://auth.example/oauth2/token";
const NOW: i64 = 1_700_000_000;

fn claims() -> Value {
    json!({
        "iss": CLIENT, "sub": CLIENT, "aud": TOKEN_ENDPOINT,
        "exp": NOW + 300, "iat": NOW, "jti": "jti-1",
    })
}

fn sign_rs256(header: &Value, claims: &Value) -> String {
    sign(header, claims, &Signer::Rsa(&KEYS.rsa, &RSA_PKCS1_SHA256))
}

fn rs256(claims: &Value) -> String {
    sign_rs256(&json!({"alg": "RS256", "kid": "rsa-1"}), claims)
}

fn client() -> Client {
    ClientInput {
        client_id: CLIENT.into(),
        token_endpoint_auth_method: "private_key_jwt".into(),
        jwks_uri: "https://app.example/jwks.json".into(),
        ..ClientInput::default()
    }
    .validate(None, &ClientPolicy::default(), Now::from_unix_secs(1))
    .unwrap()
    .client
}

fn verify_full(
    assertion: &str,
    client: &Client,
    jwks: &Value,
    max_lifetime: Duration,
) -> Result<VerifiedAssertion, OAuthError> {
    let now = Now::from_unix_secs(NOW);
    verify_client_assertion(assertion, client, jwks, TOKEN_ENDPOINT, now, max_lifetime)
}

fn verify_with(assertion: &str, jwks: &Value) -> Result<VerifiedAssertion, OAuthError> {
    verify_full(assertion, &client(), jwks, DEFAULT_MAX_LIFETIME)
}

fn verify(assertion: &str) -> Result<VerifiedAssertion, OAuthError> {
    verify_with(assertion, &jwks())
}

/// Asserts `invalid_client` with a hint that does not echo the assertion.
#[track_caller]
fn rejected(assertion: &str, result: Result<VerifiedAssertion, OAuthError>) -> String {
    let e = result.expect_err("assertion must be refused");
    assert_eq!(e.kind, OAuthErrorKind::InvalidClient, "{e:?}");
    let hint = e
        .hint
        .clone()
        .expect("every failure carries a hint")
        .into_owned();
    let signature = assertion.rsplit('.').next().unwrap_or_default();
    let texts = [
        Some(hint.as_str()),
        Some(&*e.description),
        e.debug.as_deref(),
    ];
    for part in [assertion, signature].into_iter().filter(|p| p.len() >= 8) {
        let echoed = texts.iter().flatten().any(|t| t.contains(part));
        assert!(!echoed, "error echoes the assertion");
    }
    hint
}

#[test]
fn accepts_each_supported_algorithm() {
    let c = claims();
    let cases = [
        sign_rs256(&json!({"alg": "RS256", "kid": "rsa-1", "typ": "JWT"}), &c),
        sign(
            &json!({"alg": "RS512", "kid": "rsa-1"}),
            &c,
            &Signer::Rsa(&KEYS.rsa, &RSA_PKCS1_SHA512),
        ),
        sign(
            &json!({"alg": "PS256", "kid": "rsa-1"}),
            &c,
            &Signer::Rsa(&KEYS.rsa, &RSA_PSS_SHA256),
        ),
        sign(&json!({"alg": "ES256", "kid": "ec-1"}), &c, &Signer::P256),
        sign(&json!({"alg": "ES384", "kid": "ec-384"}), &c, &Signer::P384),
        sign(&json!({"alg": "EdDSA", "kid": "ed-1"}), &c, &Signer::Ed),
    ];
    for assertion in cases {
        let verified = verify(&assertion).unwrap();
        assert_eq!(
            verified,
            VerifiedAssertion {
                jti: "jti-1".into(),
                expires_at: Now::from_unix_secs(NOW + 300)
            }
        );
    }
}

#[test]
fn without_kid_the_single_usable_key_is_used() {
    // The full set has one P-256 key: ES256 without kid works.
    let es = sign(&json!({"alg": "ES256"}), &claims(), &Signer::P256);
    assert!(verify(&es).is_ok());
    // A set with one RSA signing key (and an enc key that does not count) works for RS256.
    let mut enc = rsa_jwk(&KEYS.other_rsa, "enc");
    enc["use"] = json!("enc");
    let set = json!({"keys": [rsa_jwk(&KEYS.rsa, "rsa-1"), enc]});
    let rs = sign_rs256(&json!({"alg": "RS256"}), &claims());
    assert!(verify_with(&rs, &set).is_ok());
    // Two usable RSA keys and no kid: ambiguous.
    let two = json!({"keys": [rsa_jwk(&KEYS.rsa, "a"), rsa_jwk(&KEYS.other_rsa, "b")]});
    let hint = rejected(&rs, verify_with(&rs, &two));
    assert!(hint.contains("kid"), "{hint}");
}

#[test]
fn accepts_audience_arrays_and_fractional_dates() {
    let mut c = claims();
    c["aud"] = json!(["https://other.example", TOKEN_ENDPOINT]);
    c["exp"] = json!(NOW as f64 + 60.5);
    c["nbf"] = json!(NOW);
    let verified = verify(&rs256(&c)).unwrap();
    assert_eq!(
        verified.expires_at,
        Now::from_unix_micros((NOW + 60) * 1_000_000 + 500_000)
    );
}

#[test]
fn refuses_hmac_none_and_unlisted_algorithms() {
    let c = claims();
    let cases = [
        sign(
            &json!({"alg": "HS256", "kid": "rsa-1"}),
            &c,
            &Signer::Hmac(b"0123456789abcdef0123456789abcdef"),
        ),
        sign(&json!({"alg": "none"}), &c, &Signer::Unsigned),
        sign(
            &json!({"alg": "none", "kid": "rsa-1"}),
            &c,
            &Signer::Unsigned,
        ),
        sign_rs256(&json!({"kid": "rsa-1"}), &c),
        sign_rs256(&json!({"alg": "PS512", "kid": "rsa-1"}), &c),
        sign(&json!({"alg": "ES512", "kid": "ec-1"}), &c, &Signer::P256),
    ];
    for assertion in cases {
        let hint = rejected(&assertion, verify(&assertion));
        assert!(hint.contains("alg"), "{hint}");
    }
}

#[test]
fn refuses_unknown_or_unusable_keys() {
    let c = claims();
    let rsa = |kid: &str| sign_rs256(&json!({"alg": "RS256", "kid": kid}), &c);
    let cases = [
        // kid not in the set.
        (rsa("nope"), "no key"),
        // Encryption key.
        (rsa("enc-1"), "'use'"),
        // RSA alg, EC key.
        (rsa("ec-1"), "key type"),
        // ES384 with the P-256 key: wrong curve.
        (
            sign(&json!({"alg": "ES384", "kid": "ec-1"}), &c, &Signer::P384),
            "curve",
        ),
        // Header rewritten without kid: the single RSA signing key is chosen, and the
        // signature (over the original header) no longer verifies.
        (
            rsa("rsa-1").replacen(
                &b64(json!({"alg": "RS256", "kid": "rsa-1"})
                    .to_string()
                    .as_bytes()),
                &b64(json!({"alg": "RS256"}).to_string().as_bytes()),
                1,
            ),
            "signature",
        ),
    ];
    for (assertion, want) in &cases {
        let hint = rejected(assertion, verify(assertion));
        assert!(hint.contains(want), "{want}: {hint}");
    }
    // No key for ES256 at all.
    let only_rsa = json!({"keys": [rsa_jwk(&KEYS.rsa, "rsa-1")]});
    let es = sign(&json!({"alg": "ES256"}), &c, &Signer::P256);
    assert!(rejected(&es, verify_with(&es, &only_rsa)).contains("no signing key"));

    // key_ops without verify, and a key registered for another alg.
    let mut ops = rsa_jwk(&KEYS.rsa, "rsa-1");
    ops["key_ops"] = json!(["encrypt"]);
    let mut other_alg = rsa_jwk(&KEYS.rsa, "rsa-1");
    other_alg["alg"] = json!("PS256");
    let a = rsa("rsa-1");
    for (key, want) in [(ops, "key_ops"), (other_alg, "different alg")] {
        let hint = rejected(&a, verify_with(&a, &json!({"keys": [key]})));
        assert!(hint.contains(want), "{want}: {hint}");
    }
    // A key whose alg matches is fine.
    let mut same_alg = rsa_jwk(&KEYS.rsa, "rsa-1");
    same_alg["alg"] = json!("RS256");
    assert!(verify_with(&a, &json!({"keys": [same_alg]})).is_ok());
    // Malformed sets.
    for bad in [json!({}), json!({"keys": {}}), json!([]), Value::Null] {
        assert!(rejected(&a, verify_with(&a, &bad)).contains("'keys'"));
    }
    let garbage = json!({"keys": [{"kid": "rsa-1", "kty": "RSA"}]});
    assert!(rejected(&a, verify_with(&a, &garbage)).contains("key type"));
}

#[test]
fn refuses_a_signature_by_another_key() {
    let forged = sign(
        &json!({"alg": "RS256", "kid": "rsa-1"}),
        &claims(),
        &Signer::Rsa(&KEYS.other_rsa, &RSA_PKCS1_SHA256),
    );
    assert!(rejected(&forged, verify(&forged)).contains("signature does not verify"));
    // A tampered payload under a valid signature.
    let good = rs256(&claims());
    let mut parts: Vec<&str> = good.split('.').collect();
    let mut c = claims();
    c["jti"] = json!("other");
    let payload = b64(c.to_string().as_bytes());
    parts[1] = &payload;
    let tampered = parts.join(".");
    assert!(rejected(&tampered, verify(&tampered)).contains("signature"));
}

#[test]
fn refuses_malformed_assertions() {
    let good = rs256(&claims());
    let two_parts = good.rsplit_once('.').unwrap().0.to_owned();
    for bad in [
        String::new(),
        "abc".to_owned(),
        two_parts,
        format!("{good}.extra"),
        format!("!!.{}", good.split_once('.').unwrap().1),
        format!("{}.{}", b64(b"[1]"), good.split_once('.').unwrap().1),
    ] {
        rejected(&bad, verify(&bad));
    }
    let kid_number = sign_rs256(&json!({"alg": "RS256", "kid": 7}), &claims());
    assert!(rejected(&kid_number, verify(&kid_number)).contains("kid"));
    let not_object = sign_rs256(&json!({"alg": "RS256", "kid": "rsa-1"}), &json!("x"));
    rejected(&not_object, verify(&not_object));
}

/// Each case sets (`Some`) or removes (`None`) one claim of `claims()`, signs RS256, and
/// expects a refusal whose hint mentions the third element.
#[track_caller]
fn refused_claims(cases: &[(&str, Option<Value>, &str)]) {
    for (name, value, want) in cases {
        let c = changed(claims(), name, value.as_ref());
        let assertion = rs256(&c);
        let hint = rejected(&assertion, verify(&assertion));
        assert!(hint.contains(want), "{name}={value:?}: want {want}: {hint}");
    }
}

#[test]
fn refuses_issuer_and_subject_mismatches() {
    refused_claims(&[
        ("iss", Some(json!("other")), "iss"),
        ("iss", None, "iss"),
        ("iss", Some(json!([CLIENT])), "iss"),
        ("sub", Some(json!("other")), "sub"),
        ("sub", None, "sub"),
    ]);
}

#[test]
fn refuses_wrong_or_missing_audience() {
    refused_claims(&[
        ("aud", None, TOKEN_ENDPOINT),
        ("aud", Some(json!("https://auth.example/")), "aud"),
        ("aud", Some(json!(["https://auth.example/"])), "aud"),
        ("aud", Some(json!([])), "aud"),
        ("aud", Some(json!(7)), "aud"),
    ]);
}

#[test]
fn enforces_the_time_window() {
    let max = i64::try_from(DEFAULT_MAX_LIFETIME.as_secs()).unwrap();
    let skew = i64::try_from(CLOCK_SKEW.as_secs()).unwrap();
    refused_claims(&[
        ("exp", None, "exp"),
        ("exp", Some(json!("soon")), "NumericDate"),
        ("exp", Some(json!(NOW)), "expired"),
        ("exp", Some(json!(NOW - 1)), "expired"),
        ("exp", Some(json!(NOW + max + skew + 1)), "too far"),
        ("nbf", Some(json!(NOW + skew + 1)), "nbf"),
        ("nbf", Some(json!(null)), "NumericDate"),
        ("iat", Some(json!(NOW + skew + 1)), "iat"),
    ]);

    // The boundaries themselves are accepted.
    let mut c = claims();
    c["exp"] = json!(NOW + max + skew);
    c["nbf"] = json!(NOW + skew);
    c["iat"] = json!(NOW + skew);
    assert!(verify(&rs256(&c)).is_ok());
    c["exp"] = json!(NOW + 1);
    assert!(verify(&rs256(&c)).is_ok());
    // The caller's lifetime bound is honoured.
    let a = rs256(&claims());
    let short = verify_full(&a, &client(), &jwks(), Duration::from_secs(60));
    assert!(rejected(&a, short).contains("at most 60 seconds"));
}

#[test]
fn requires_a_jti() {
    refused_claims(&[
        ("jti", None, "jti"),
        ("jti", Some(json!("")), "jti"),
        ("jti", Some(json!(42)), "jti"),
    ]);
}

#[test]
fn requires_the_private_key_jwt_method() {
    let mut c = client();
    c.token_endpoint_auth_method = AuthMethod::ClientSecretBasic;
    let a = rs256(&claims());
    let r = verify_full(&a, &c, &jwks(), DEFAULT_MAX_LIFETIME);
    assert!(rejected(&a, r).contains("private_key_jwt"));
}

#[test]
fn peeks_without_verifying() {
    let a = rs256(&claims());
    assert_eq!(assertion_subject(&a).as_deref(), Some(CLIENT));
    assert_eq!(assertion_key_id(&a).as_deref(), Some("rsa-1"));
    let iss_only = rs256(&json!({"iss": "by-iss"}));
    assert_eq!(assertion_subject(&iss_only).as_deref(), Some("by-iss"));
    let unsigned = sign(
        &json!({"alg": "none"}),
        &json!({"sub": "s"}),
        &Signer::Unsigned,
    );
    assert_eq!(assertion_subject(&unsigned).as_deref(), Some("s"));
    assert_eq!(assertion_key_id(&unsigned), None);
    for junk in ["", "a.b.c", "e30", "e30.e30"] {
        assert_eq!(assertion_subject(junk), None, "{junk}");
        assert_eq!(assertion_key_id(junk), None, "{junk}");
    }
    assert_eq!(assertion_subject(&rs256(&json!({"sub": ""}))), None);

    let set = jwks();
    assert!(jwk_set_has_key_id(&set, "ec-1"));
    assert!(!jwk_set_has_key_id(&set, "missing"));
    assert!(!jwk_set_has_key_id(&json!({"keys": "x"}), "ec-1"));
}

#[test]
fn key_source_prefers_inline_keys() {
    let mut c = client();
    assert_eq!(
        KeySource::of(&c),
        KeySource::Uri("https://app.example/jwks.json")
    );
    let set = jwks();
    c.jwks = Some(set.clone());
    assert_eq!(KeySource::of(&c), KeySource::Inline(&set));
    c.jwks_uri.clear();
    assert_eq!(KeySource::of(&c), KeySource::Inline(&set));
    c.jwks = Some(Value::Null);
    assert_eq!(KeySource::of(&c), KeySource::None);
    c.jwks = None;
    assert_eq!(KeySource::of(&c), KeySource::None);
}
