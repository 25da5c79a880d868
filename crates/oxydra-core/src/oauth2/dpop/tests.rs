use serde_json::{Value, json};

use super::*;
use crate::oauth2::test_jws::{KEYS, Signer, changed, ec_jwk, ed_jwk, rsa_jwk, sign};

const NOW: i64 = 1_700_000_000;
const TOKEN_URL: &str = "https://auth.example/oauth2/token";

fn url() -> url::Url {
    url::Url::parse(TOKEN_URL).unwrap()
}

fn expected(uri: &url::Url) -> Expected<'_> {
    Expected {
        method: "POST",
        uri,
        access_token: None,
        max_age: Duration::from_secs(60),
    }
}

fn header(alg: &str, jwk: Value) -> Value {
    json!({"typ": "dpop+jwt", "alg": alg, "jwk": jwk})
}

fn p256_header() -> Value {
    header("ES256", ec_jwk(&KEYS.p256, "P-256", "ignored"))
}

fn claims() -> Value {
    json!({"jti": "proof-1", "htm": "POST", "htu": TOKEN_URL, "iat": NOW})
}

fn check(header: &Value, claims: &Value, signer: &Signer) -> Result<Proof, OAuthError> {
    verify(
        &sign(header, claims, signer),
        expected(&url()),
        Now::from_unix_secs(NOW),
    )
}

fn refused(header: &Value, claims: &Value, signer: &Signer) -> String {
    let err = check(header, claims, signer).unwrap_err();
    assert_eq!(err.kind, OAuthErrorKind::InvalidDpopProof, "{err:?}");
    err.hint.unwrap_or_default().into_owned()
}

#[test]
fn proofs_of_every_supported_key_type_verify_and_name_the_key() {
    let rsa = rsa_jwk(&KEYS.rsa, "r");
    let cases = [
        (p256_header(), Signer::P256),
        (
            header("ES384", ec_jwk(&KEYS.p384, "P-384", "e")),
            Signer::P384,
        ),
        (header("EdDSA", ed_jwk("d")), Signer::Ed),
        (
            header("RS256", rsa.clone()),
            Signer::Rsa(&KEYS.rsa, &aws_lc_rs::signature::RSA_PKCS1_SHA256),
        ),
        (
            header("PS256", rsa),
            Signer::Rsa(&KEYS.rsa, &aws_lc_rs::signature::RSA_PSS_SHA256),
        ),
    ];
    for (header, signer) in cases {
        let proof = check(&header, &claims(), &signer).unwrap();
        assert_eq!(proof.jkt, thumbprint(&header["jwk"]).unwrap());
        assert_eq!(proof.jti, "proof-1");
        assert_eq!(proof.issued_at, Now::from_unix_secs(NOW));
        assert_eq!(proof.nonce, None);
    }
}

#[test]
fn the_thumbprint_is_rfc_7638s() {
    // RFC 7638 §3.1's example key and thumbprint; members other than the required ones (and
    // their order) do not change it.
    let jwk = json!({
        "kid": "2011-04-29", "e": "AQAB", "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    });
    assert_eq!(
        thumbprint(&jwk).unwrap(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(thumbprint(&json!({"kty": "oct", "k": "abc"})), None);
    assert_eq!(
        thumbprint(&json!({"kty": "EC", "crv": "P-256", "x": "a"})),
        None
    );
}

#[test]
fn the_header_must_be_a_dpop_jwt_with_a_public_asymmetric_key() {
    let mut wrong_typ = p256_header();
    wrong_typ["typ"] = json!("JWT");
    assert!(refused(&wrong_typ, &claims(), &Signer::P256).contains("typ"));

    let mut no_typ = p256_header();
    no_typ.as_object_mut().unwrap().remove("typ");
    assert!(refused(&no_typ, &claims(), &Signer::P256).contains("typ"));

    // Symmetric and unsigned proofs prove nothing about a key.
    let hmac = header("HS256", json!({"kty": "oct", "k": "c2VjcmV0"}));
    assert!(refused(&hmac, &claims(), &Signer::Hmac(b"secret")).contains("alg"));
    let unsigned = header("none", ec_jwk(&KEYS.p256, "P-256", "k"));
    assert!(refused(&unsigned, &claims(), &Signer::Unsigned).contains("alg"));

    let mut no_jwk = p256_header();
    no_jwk.as_object_mut().unwrap().remove("jwk");
    assert!(refused(&no_jwk, &claims(), &Signer::P256).contains("jwk"));

    let mut private = p256_header();
    private["jwk"]["d"] = json!("c2VjcmV0");
    assert!(refused(&private, &claims(), &Signer::P256).contains("private"));

    // An RSA key cannot verify an ES256 proof, nor P-384 an ES256 one.
    let rsa_for_ec = header("ES256", rsa_jwk(&KEYS.rsa, "r"));
    assert!(refused(&rsa_for_ec, &claims(), &Signer::P256).contains("does not fit"));
    let p384_for_es256 = header("ES256", ec_jwk(&KEYS.p384, "P-384", "e"));
    assert!(refused(&p384_for_es256, &claims(), &Signer::P256).contains("does not fit"));
}

#[test]
fn the_signature_must_verify_with_the_headers_key() {
    // Signed with another RSA key than the one in the header.
    let other = header("RS256", rsa_jwk(&KEYS.other_rsa, "o"));
    let signer = Signer::Rsa(&KEYS.rsa, &aws_lc_rs::signature::RSA_PKCS1_SHA256);
    assert!(refused(&other, &claims(), &signer).contains("signature"));

    let good = sign(&p256_header(), &claims(), &Signer::P256);
    let (head, _) = good.rsplit_once('.').unwrap();
    let tampered = format!("{head}.{}", "A".repeat(86));
    let err = verify(&tampered, expected(&url()), Now::from_unix_secs(NOW)).unwrap_err();
    assert_eq!(err.kind, OAuthErrorKind::InvalidDpopProof);
}

#[test]
fn every_required_claim_is_checked() {
    for name in ["jti", "htm", "htu", "iat"] {
        let hint = refused(
            &p256_header(),
            &changed(claims(), name, None),
            &Signer::P256,
        );
        assert!(hint.contains(name), "{name}: {hint}");
    }
    for (name, value) in [("jti", json!("")), ("htm", json!(7)), ("iat", json!("now"))] {
        let hint = refused(
            &p256_header(),
            &changed(claims(), name, Some(&value)),
            &Signer::P256,
        );
        assert!(hint.contains(name), "{name}: {hint}");
    }
    let long_jti = json!("j".repeat(257));
    assert!(
        refused(
            &p256_header(),
            &changed(claims(), "jti", Some(&long_jti)),
            &Signer::P256
        )
        .contains("jti")
    );
}

#[test]
fn the_proof_must_name_this_request() {
    let get = json!("GET");
    assert!(
        refused(
            &p256_header(),
            &changed(claims(), "htm", Some(&get)),
            &Signer::P256
        )
        .contains("htm")
    );
    let lowercase_method = json!("post");
    assert!(
        refused(
            &p256_header(),
            &changed(claims(), "htm", Some(&lowercase_method)),
            &Signer::P256
        )
        .contains("htm")
    );
    for other in [
        "https://auth.example/oauth2/auth",
        "http://auth.example/oauth2/token",
        "https://evil.example/oauth2/token",
        "https://auth.example:8443/oauth2/token",
        "/oauth2/token",
    ] {
        let htu = json!(other);
        assert!(
            refused(
                &p256_header(),
                &changed(claims(), "htu", Some(&htu)),
                &Signer::P256
            )
            .contains("htu"),
            "{other}"
        );
    }
    // Query and fragment are ignored; case of scheme and host and a default port normalise.
    for same in [
        "https://auth.example/oauth2/token?x=1",
        "https://auth.example/oauth2/token#f",
        "HTTPS://Auth.Example:443/oauth2/token",
        "https://auth.example/oauth2/./token",
    ] {
        let htu = json!(same);
        check(
            &p256_header(),
            &changed(claims(), "htu", Some(&htu)),
            &Signer::P256,
        )
        .unwrap_or_else(|e| panic!("{same}: {e:?}"));
    }
}

#[test]
fn iat_must_be_recent_and_not_in_the_future() {
    for (iat, ok) in [
        (NOW - 60, true),
        (NOW - 61, false),
        (NOW + 5, true),
        (NOW + 6, false),
        (0, false),
    ] {
        let claims = changed(claims(), "iat", Some(&json!(iat)));
        assert_eq!(
            check(&p256_header(), &claims, &Signer::P256).is_ok(),
            ok,
            "{iat}"
        );
    }
}

#[test]
fn ath_binds_the_proof_to_the_presented_access_token() {
    let uri = url();
    let with_token = |claims: &Value| {
        verify(
            &sign(&p256_header(), claims, &Signer::P256),
            Expected {
                access_token: Some("the-token"),
                ..expected(&uri)
            },
            Now::from_unix_secs(NOW),
        )
    };
    let missing = with_token(&claims()).unwrap_err();
    assert!(missing.hint.unwrap().contains("ath"));
    let other = json!(access_token_hash("another-token"));
    let wrong = with_token(&changed(claims(), "ath", Some(&other))).unwrap_err();
    assert!(wrong.hint.unwrap().contains("ath"));
    let right = json!(access_token_hash("the-token"));
    with_token(&changed(claims(), "ath", Some(&right))).unwrap();
    // RFC 9449 §4.2's example: ath is base64url(SHA-256(ASCII token)).
    assert_eq!(
        access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    );
}

#[test]
fn a_nonce_claim_is_returned_for_the_caller_to_check() {
    let nonce = json!("server-nonce");
    let proof = check(
        &p256_header(),
        &changed(claims(), "nonce", Some(&nonce)),
        &Signer::P256,
    )
    .unwrap();
    assert_eq!(proof.nonce.as_deref(), Some("server-nonce"));
    let number = json!(5);
    assert!(
        refused(
            &p256_header(),
            &changed(claims(), "nonce", Some(&number)),
            &Signer::P256
        )
        .contains("nonce")
    );
}

#[test]
fn malformed_and_oversized_proofs_are_refused() {
    let now = Now::from_unix_secs(NOW);
    for junk in [
        "",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        &"a".repeat(MAX_PROOF_BYTES + 1),
    ] {
        let err = verify(junk, expected(&url()), now).unwrap_err();
        assert_eq!(err.kind, OAuthErrorKind::InvalidDpopProof, "{junk:.20}");
    }
}

/// Not a test: prints what one proof verification costs on this machine, and how much of it
/// is the ES256 signature check (docs/benchmarks.md). Run with
/// `cargo test --release -p oxydra-core dpop_verification_cost -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, run by hand"]
fn dpop_verification_cost() {
    let uri = url();
    let proof = sign(&p256_header(), &claims(), &Signer::P256);
    let key = DecodingKey::from_jwk(&serde_json::from_value(p256_header()["jwk"].clone()).unwrap())
        .unwrap();
    let rounds: u32 = 2000;
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        verify(&proof, expected(&uri), Now::from_unix_secs(NOW)).unwrap();
    }
    let whole = started.elapsed() / rounds;
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        PROOF
            .verify_signature(&proof, &key, jsonwebtoken::Algorithm::ES256)
            .unwrap();
    }
    let signature = started.elapsed() / rounds;
    eprintln!(
        "dpop::verify: {whole:?} per proof, of which the ES256 signature check {signature:?}"
    );
}
