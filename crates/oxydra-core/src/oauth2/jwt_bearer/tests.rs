use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use serde_json::{Value, json};

use super::*;
use crate::oauth2::test_jws::*;

const ISS: &str = "https://idp.example";
const SUB: &str = "alice";
const TOKEN_ENDPOINT: &str = "https://auth.example/oauth2/token";
const NOW: i64 = 1_700_000_000;

fn now() -> Now {
    Now::from_unix_secs(NOW)
}

fn rules() -> AssertionRules {
    AssertionRules {
        token_endpoint: TOKEN_ENDPOINT.into(),
        max_ttl: Duration::from_secs(3600),
        jti_optional: false,
        iat_optional: false,
    }
}

fn trust(subject: &str, any: bool, jwk: Value) -> TrustedIssuer {
    NewTrust {
        issuer: ISS.into(),
        subject: subject.into(),
        allow_any_subject: any,
        scope: vec!["read".into()],
        jwk,
        expires_at: Now::from_unix_secs(NOW + 86_400),
    }
    .validate("id-1".into(), Now::from_unix_secs(1))
    .unwrap()
}

fn alice() -> TrustedIssuer {
    trust(SUB, false, rsa_jwk(&KEYS.rsa, "rsa-1"))
}

fn claims() -> Value {
    json!({
        "iss": ISS, "sub": SUB, "aud": TOKEN_ENDPOINT,
        "exp": NOW + 300, "iat": NOW, "jti": "jti-1",
    })
}

fn rs256(claims: &Value) -> String {
    sign(
        &json!({"alg": "RS256", "kid": "rsa-1"}),
        claims,
        &Signer::Rsa(&KEYS.rsa, &RSA_PKCS1_SHA256),
    )
}

fn check(
    assertion: &str,
    trusts: &[TrustedIssuer],
    rules: &AssertionRules,
) -> Result<Verified, OAuthError> {
    let c = claimed(assertion)?;
    verify(assertion, &c, trusts, rules, now())
}

#[track_caller]
fn refused_with(assertion: &str, trusts: &[TrustedIssuer], rules: &AssertionRules) -> String {
    let e = check(assertion, trusts, rules).unwrap_err();
    assert_eq!(e.kind, OAuthErrorKind::InvalidGrant, "{e:?}");
    let hint = e.hint.clone().unwrap_or_default().to_string();
    assert!(!hint.contains(assertion));
    hint
}

#[test]
fn a_valid_assertion_yields_its_subject_jti_and_expiry() {
    let v = check(&rs256(&claims()), &[alice()], &rules()).unwrap();
    assert_eq!(v.subject, SUB);
    assert_eq!(v.jti.as_deref(), Some("jti-1"));
    assert_eq!(v.expires_at, Now::from_unix_secs(NOW + 300));
    assert_eq!(v.trust.id, "id-1");
}

#[test]
fn every_claim_rule_refuses_with_invalid_grant() {
    let cases: &[(&str, Option<Value>, &str)] = &[
        (
            "iss",
            Some(json!("https://other.example")),
            "not the trusted issuer",
        ),
        ("sub", Some(json!("bob")), "sub claim"),
        ("aud", Some(json!("https://other.example/token")), "aud"),
        ("aud", None, "aud"),
        ("exp", None, "exp"),
        ("exp", Some(json!(NOW)), "expired"),
        ("exp", Some(json!(NOW + 3600 + 60)), "too far"),
        ("nbf", Some(json!(NOW + 60)), "nbf"),
        ("iat", Some(json!(NOW + 60)), "iat"),
        ("iat", None, "iat"),
        ("jti", None, "jti"),
        ("jti", Some(json!("")), "jti"),
        ("jti", Some(json!(7)), "jti"),
    ];
    for (name, value, expected) in cases {
        let claims = changed(claims(), name, value.as_ref());
        // Even when handed a trust that does not cover them (the store filters by subject).
        let hint = refused_with(&rs256(&claims), &[alice()], &rules());
        assert!(hint.contains(expected), "{name}={value:?}: {hint}");
    }
}

#[test]
fn an_issuer_trusted_for_one_subject_cannot_assert_another() {
    let claims = changed(claims(), "sub", Some(&json!("bob")));
    let hint = refused_with(&rs256(&claims), &[alice()], &rules());
    assert!(hint.contains("sub"), "{hint}");
}

#[test]
fn optional_iat_and_jti_are_honoured() {
    let rules = AssertionRules {
        iat_optional: true,
        jti_optional: true,
        ..rules()
    };
    let claims = changed(changed(claims(), "iat", None), "jti", None);
    let v = check(&rs256(&claims), &[alice()], &rules).unwrap();
    assert_eq!(v.jti, None);
}

#[test]
fn signatures_and_algorithms_are_checked() {
    // Another key, same kid.
    let forged = sign(
        &json!({"alg": "RS256", "kid": "rsa-1"}),
        &claims(),
        &Signer::Rsa(&KEYS.other_rsa, &RSA_PKCS1_SHA256),
    );
    assert!(refused_with(&forged, &[alice()], &rules()).contains("signature"));
    // alg none and HMAC keyed with the public key's bytes never reach a key.
    let none = sign(
        &json!({"alg": "none", "kid": "rsa-1"}),
        &claims(),
        &Signer::Unsigned,
    );
    assert!(refused_with(&none, &[alice()], &rules()).contains("alg"));
    let n = alice().public_key["n"].as_str().unwrap().to_owned();
    let secret: &'static [u8] = Box::leak(n.into_bytes().into_boxed_slice());
    let hmac = sign(
        &json!({"alg": "HS256", "kid": "rsa-1"}),
        &claims(),
        &Signer::Hmac(secret),
    );
    assert!(refused_with(&hmac, &[alice()], &rules()).contains("alg"));
    // An EC alg against the RSA key: the key does not fit.
    let es = sign(
        &json!({"alg": "ES256", "kid": "rsa-1"}),
        &claims(),
        &Signer::P256,
    );
    assert!(refused_with(&es, &[alice()], &rules()).contains("fit"));
    // A kid no trust has.
    let other_kid = sign(
        &json!({"alg": "RS256", "kid": "rsa-2"}),
        &claims(),
        &Signer::Rsa(&KEYS.rsa, &RSA_PKCS1_SHA256),
    );
    assert!(refused_with(&other_kid, &[alice()], &rules()).contains("kid"));
    // No kid: the trusts' keys are tried.
    let no_kid = sign(
        &json!({"alg": "RS256"}),
        &claims(),
        &Signer::Rsa(&KEYS.rsa, &RSA_PKCS1_SHA256),
    );
    let ec = trust(SUB, false, ec_jwk(&KEYS.p256, "P-256", "ec-1"));
    assert!(check(&no_kid, &[ec, alice()], &rules()).is_ok());
}

#[test]
fn an_unexpired_trust_is_preferred_over_an_expired_one_with_the_same_key() {
    let mut expired = alice();
    expired.id = "id-0".into();
    expired.expires_at = now();
    let mut any = trust("", true, rsa_jwk(&KEYS.rsa, "rsa-1"));
    any.id = "id-2".into();
    let v = check(
        &rs256(&claims()),
        &[expired.clone(), any, alice()],
        &rules(),
    )
    .unwrap();
    assert_eq!(v.trust.id, "id-1", "the unexpired, subject-specific trust");
    assert!(refused_with(&rs256(&claims()), &[expired], &rules()).contains("expired"));
}

#[test]
fn untrusted_expired_and_oversized_assertions_are_refused() {
    assert!(refused_with(&rs256(&claims()), &[], &rules()).contains("No trusted key"));
    let mut expired = alice();
    expired.expires_at = now();
    assert!(refused_with(&rs256(&claims()), &[expired], &rules()).contains("expired"));
    let big = "a".repeat(MAX_ASSERTION_LEN + 1);
    assert!(refused_with(&big, &[alice()], &rules()).contains("larger"));
    assert!(refused_with("not.a.jwt", &[alice()], &rules()).contains("header"));
    let no_iss = changed(claims(), "iss", None);
    assert!(refused_with(&rs256(&no_iss), &[alice()], &rules()).contains("iss"));
}

#[test]
fn new_trusts_are_validated_and_keep_only_public_key_members() {
    let base = || NewTrust {
        issuer: ISS.into(),
        subject: SUB.into(),
        allow_any_subject: false,
        scope: vec!["read".into()],
        jwk: rsa_jwk(&KEYS.rsa, "rsa-1"),
        expires_at: now(),
    };
    let ok = |t: NewTrust| t.validate("x".into(), now());
    assert!(ok(base()).is_ok());
    let mut private = rsa_jwk(&KEYS.rsa, "rsa-1");
    private["d"] = json!("c2VjcmV0");
    let stored = ok(NewTrust {
        jwk: private,
        ..base()
    })
    .unwrap();
    assert!(stored.public_key.get("d").is_none());
    for bad in [
        NewTrust {
            issuer: String::new(),
            ..base()
        },
        NewTrust {
            allow_any_subject: true,
            ..base()
        },
        NewTrust {
            subject: String::new(),
            ..base()
        },
        NewTrust {
            issuer: "i".repeat(256),
            ..base()
        },
        NewTrust {
            scope: vec!["a b".into()],
            ..base()
        },
        NewTrust {
            jwk: json!({"kty": "oct", "kid": "k", "k": "c2VjcmV0"}),
            ..base()
        },
        NewTrust {
            jwk: changed(rsa_jwk(&KEYS.rsa, "x"), "kid", None),
            ..base()
        },
        NewTrust {
            jwk: changed(rsa_jwk(&KEYS.rsa, "x"), "alg", Some(&json!("HS256"))),
            ..base()
        },
        NewTrust {
            jwk: changed(rsa_jwk(&KEYS.rsa, "x"), "n", None),
            ..base()
        },
        NewTrust {
            jwk: json!("key"),
            ..base()
        },
        NewTrust {
            jwk: changed(rsa_jwk(&KEYS.rsa, "x"), "use", Some(&json!("enc"))),
            ..base()
        },
    ] {
        assert!(
            matches!(ok(bad.clone()), Err(crate::error::Error::Invalid { .. })),
            "{bad:?}"
        );
    }
}
