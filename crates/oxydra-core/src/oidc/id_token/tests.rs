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
        ..TokenSession::default()
    };
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
