use super::*;
use crate::jwk::{GenerateOptions, Jwk, JwkAlgorithm, generate_with};

fn view(alg: JwkAlgorithm) -> KeySetView {
    let keys: Vec<(Now, Jwk)> = generate_with(alg, "k", "sig", GenerateOptions { rsa_bits: 2048 })
        .unwrap()
        .into_iter()
        .map(|k| (Now::from_unix_secs(1), k))
        .collect();
    KeySetView::from_keys("hydra.openid.id-token", alg, &keys).unwrap()
}

fn session() -> TokenSession {
    let mut s = TokenSession {
        auth_time: Some(900),
        requested_at: Some(950),
        nonce: Some("n-0S6_WzA2Mj".into()),
        acr: Some("urn:mfa".into()),
        sid: Some("session-1".into()),
        ..TokenSession::default()
    };
    s.id_token_extra.insert("sid".into(), json!("forged"));
    s.id_token_extra
        .insert("email".into(), json!("alice@example.com"));
    s.id_token_extra.insert("sub".into(), json!("mallory"));
    s.id_token_extra
        .insert("iss".into(), json!("https://evil.example/"));
    s
}

fn input<'a>(session: &'a TokenSession) -> IdTokenInput<'a> {
    IdTokenInput {
        issuer: "https://op.example/",
        subject: "alice",
        client_id: "app",
        session,
        now: Now::from_unix_secs(1_000),
        lifespan: Duration::from_secs(3600),
        with_nonce: true,
        access_token: Some("at"),
        code: Some("code"),
    }
}

#[test]
fn claims_carry_the_session_and_reserved_claims_win() {
    let v = view(JwkAlgorithm::Rs256);
    let s = session();
    let c = claims(&input(&s), &v.signer);
    assert_eq!(c["iss"], "https://op.example/");
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["aud"], json!(["app"]));
    assert_eq!(c["iat"], 1_000);
    assert_eq!(c["exp"], 4_600);
    assert_eq!(c["auth_time"], 900);
    assert_eq!(c["rat"], 950);
    assert_eq!(c["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(c["acr"], "urn:mfa");
    assert_eq!(
        c["sid"], "session-1",
        "the login session, never the consent's extra"
    );
    assert_eq!(c["email"], "alice@example.com");
    assert_eq!(c["at_hash"], half_hash(JwkAlgorithm::Rs256, "at"));
    assert_eq!(c["c_hash"], half_hash(JwkAlgorithm::Rs256, "code"));
    assert_eq!(c["jti"].as_str().unwrap().len(), 36);
}

#[test]
fn refresh_tokens_drop_the_nonce_and_extras_cannot_smuggle_one() {
    let v = view(JwkAlgorithm::Es256);
    let mut s = session();
    s.id_token_extra.insert("nonce".into(), json!("forged"));
    let mut i = input(&s);
    i.with_nonce = false;
    i.access_token = None;
    i.code = None;
    let c = claims(&i, &v.signer);
    assert!(!c.contains_key("nonce"));
    assert!(!c.contains_key("at_hash"));
    assert!(!c.contains_key("c_hash"));
}

#[test]
fn signed_tokens_verify_as_hints_of_this_issuer_only() {
    let v = view(JwkAlgorithm::Rs256);
    let s = session();
    let token = sign(&input(&s), &v.signer).unwrap();
    let hint = verify_hint(&token, "https://op.example/", &v).unwrap();
    assert_eq!(hint_subject(&hint), "alice");
    assert!(verify_hint(&token, "https://other.example/", &v).is_err());
    let other = view(JwkAlgorithm::Rs256);
    assert!(verify_hint(&token, "https://op.example/", &other).is_err());
    assert!(verify_hint("not-a-jwt", "https://op.example/", &v).is_err());
    assert!(check_hint_subject("alice", "alice").is_ok());
    assert_eq!(
        check_hint_subject("alice", "bob").unwrap_err().kind,
        OAuthErrorKind::LoginRequired
    );
}

/// Issue 11 item 13: a signed userinfo response (same key, same `iss`, a `sub`) or any other
/// JWT of the ID-token set that is not shaped like an ID token is not an `id_token_hint`.
#[test]
fn hints_must_be_shaped_like_id_tokens() {
    let v = view(JwkAlgorithm::Rs256);
    let s = session();
    let userinfo = crate::oidc::userinfo::sign(
        crate::oidc::userinfo::claims("alice", &s),
        "https://op.example/",
        "app",
        &v.signer,
    )
    .unwrap();
    assert!(verify_hint(&userinfo, "https://op.example/", &v).is_err());

    let good = claims(&input(&s), &v.signer);
    let resign = |claims: &Map<String, Value>, typ: &str| {
        sign_compact(&v.signer.key, &v.signer.kid, typ, claims).unwrap()
    };
    assert!(verify_hint(&resign(&good, "JWT"), "https://op.example/", &v).is_ok());
    assert!(verify_hint(&resign(&good, "at+jwt"), "https://op.example/", &v).is_err());
    for (name, bad) in [
        ("exp", Value::Null),
        ("iat", json!("1000")),
        ("auth_time", json!(1.5)),
        ("jti", json!(7)),
        ("aud", json!([])),
        ("aud", json!("app")),
        ("sub", json!("")),
    ] {
        let mut claims = good.clone();
        claims.insert(name.to_owned(), bad);
        assert!(!is_id_token_shaped(&claims), "{name}");
        let token = resign(&claims, "JWT");
        assert!(
            verify_hint(&token, "https://op.example/", &v).is_err(),
            "{name}"
        );
        claims.remove(name);
        assert!(!is_id_token_shaped(&claims), "{name} missing");
    }
}

#[test]
fn the_newest_private_key_signs_and_every_public_key_verifies() {
    let old = generate_with(
        JwkAlgorithm::Rs256,
        "old",
        "sig",
        GenerateOptions { rsa_bits: 2048 },
    )
    .unwrap();
    let new = generate_with(
        JwkAlgorithm::Es256,
        "new",
        "sig",
        GenerateOptions::default(),
    )
    .unwrap();
    let mut keys: Vec<(Now, Jwk)> = Vec::new();
    keys.extend(new.iter().cloned().map(|k| (Now::from_unix_secs(2), k)));
    keys.extend(old.iter().cloned().map(|k| (Now::from_unix_secs(1), k)));
    let v = KeySetView::from_keys("s", JwkAlgorithm::Es256, &keys).unwrap();
    assert_eq!(v.signer.kid, "public:new");
    let kids: Vec<&str> = v.public.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(kids, ["public:new", "public:old"]);
    // Only keys of the set's algorithm sign: the older RS256 pair does for an RS256 set.
    let v = KeySetView::from_keys("s", JwkAlgorithm::Rs256, &keys).unwrap();
    assert_eq!(v.signer.kid, "public:old");
    assert_eq!(v.public.len(), 2);
    assert!(v.public.iter().all(|k| !k.is_private()));
    // An HMAC-only set cannot sign ID tokens.
    let hmac = generate_with(JwkAlgorithm::Hs256, "h", "sig", GenerateOptions::default()).unwrap();
    let only: Vec<(Now, Jwk)> = hmac
        .into_iter()
        .map(|k| (Now::from_unix_secs(1), k))
        .collect();
    assert!(KeySetView::from_keys("s", JwkAlgorithm::Hs256, &only).is_err());
}

/// A set holding a pair per ID-token algorithm, as the server keeps it.
fn every_algorithm() -> KeySetView {
    let mut keys: Vec<(Now, Jwk)> = Vec::new();
    for (i, alg) in crate::jwk::OIDC_SIGNING_ALGS.into_iter().enumerate() {
        let pair = generate_with(
            alg,
            &format!("k{i}"),
            "sig",
            GenerateOptions { rsa_bits: 2048 },
        )
        .unwrap();
        keys.extend(pair.into_iter().map(|k| (Now::from_unix_secs(1), k)));
    }
    KeySetView::from_keys("hydra.openid.id-token", JwkAlgorithm::Rs256, &keys).unwrap()
}

/// The left half of `digest(value)`, base64url, computed here rather than by `half_hash`.
fn left_half(algorithm: &'static aws_lc_rs::digest::Algorithm, value: &str) -> String {
    use base64::Engine as _;
    let hash = aws_lc_rs::digest::digest(algorithm, value.as_bytes());
    let bytes = hash.as_ref();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
}

#[test]
fn each_algorithm_signs_an_id_token_that_jsonwebtoken_verifies() {
    use aws_lc_rs::digest::{SHA256, SHA512};
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let v = every_algorithm();
    assert_eq!(v.signers.len(), 3);
    assert_eq!(v.public.len(), 3);
    let s = session();
    let cases = [
        (JwkAlgorithm::Rs256, Algorithm::RS256, &SHA256),
        (JwkAlgorithm::Es256, Algorithm::ES256, &SHA256),
        // OIDC Core §3.1.3.6 with RFC 8037: Ed25519 hashes with SHA-512.
        (JwkAlgorithm::EdDsa, Algorithm::EdDSA, &SHA512),
    ];
    for (alg, jose, digest) in cases {
        let signer = v.signer_for(alg).unwrap();
        let token = sign(&input(&s), signer).unwrap();
        let header = decode_header(&token).unwrap();
        assert_eq!(header.alg, jose);
        assert_eq!(header.kid.as_deref(), Some(signer.kid.as_str()));
        let published = v.public.iter().find(|k| k.kid == signer.kid).unwrap();
        assert_eq!(published.alg, alg.name());
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(serde_json::to_value(published).unwrap()).unwrap();
        let mut validation = Validation::new(jose);
        validation.set_audience(&["app"]);
        validation.validate_exp = false;
        let claims = decode::<Value>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
            .unwrap_or_else(|e| panic!("{alg:?}: {e}"))
            .claims;
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["at_hash"], left_half(digest, "at"), "{alg:?}");
        assert_eq!(claims["c_hash"], left_half(digest, "code"), "{alg:?}");
        // The hint check accepts a token of any of the set's algorithms.
        assert!(verify_hint(&token, "https://op.example/", &v).is_ok());
    }
    assert!(v.signer_for(JwkAlgorithm::Es384).is_none());
    assert_eq!(
        crate::jwk::Signer::algorithm(&v.signer.key),
        JwkAlgorithm::Rs256
    );
}

#[test]
fn claims_asked_for_at_userinfo_only_stay_out_of_the_id_token() {
    let v = view(JwkAlgorithm::Rs256);
    let mut s = session();
    s.id_token_extra.insert("name".into(), json!("Alice"));
    s.id_token_withheld = vec!["email".into()];
    s.userinfo_withheld = vec!["name".into()];
    let c = claims(&input(&s), &v.signer);
    assert!(c.get("email").is_none());
    assert_eq!(c["name"], "Alice");
}
