use super::*;
use crate::Secret;

fn fast() -> GenerateOptions {
    GenerateOptions { rsa_bits: 2048 }
}

fn roundtrip(alg: JwkAlgorithm, options: GenerateOptions) {
    let keys = generate_with(alg, "k1", "", options).unwrap();
    let json = serde_json::to_string(&JwkSet { keys: keys.clone() }).unwrap();
    assert!(!json.contains('='), "{alg:?}: base64url without padding");
    let back: JwkSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back.keys, keys);
    let private = KeyPair::from_jwk(&back.keys[0]).unwrap();
    let sig = private.sign(b"signing input").unwrap();
    assert!(private.verify(b"signing input", &sig), "{alg:?}");
    assert!(!private.verify(b"other input", &sig), "{alg:?}");
    if alg.is_symmetric() {
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid, "k1");
        assert_eq!(keys[0].kty, "oct");
        return;
    }
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].kid, "private:k1");
    assert_eq!(keys[1].kid, "public:k1");
    assert_eq!(keys[1].key_use, "sig");
    assert!(keys[0].is_private() && !keys[1].is_private());
    let public = KeyPair::from_jwk(&back.keys[1]).unwrap();
    assert!(public.verify(b"signing input", &sig), "{alg:?}");
    assert!(public.sign(b"x").is_err());
}

#[test]
fn every_algorithm_generates_serializes_reimports_signs_and_verifies() {
    for alg in JwkAlgorithm::ALL {
        roundtrip(alg, fast());
    }
}

#[test]
fn rs256_defaults_to_4096_bits() {
    let keys = generate(JwkAlgorithm::Rs256, "", "sig").unwrap();
    let n = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        keys[1].n.as_deref().unwrap(),
    )
    .unwrap();
    assert_eq!(n.len(), 512);
    let kid = keys[1].kid.strip_prefix("public:").unwrap();
    assert!(
        uuid::Uuid::parse_str(kid).is_ok(),
        "generated kid is a UUID"
    );
    for field in [
        &keys[0].p,
        &keys[0].q,
        &keys[0].dp,
        &keys[0].dq,
        &keys[0].qi,
    ] {
        assert!(field.is_some());
    }
}

#[test]
fn import_rejects_mismatched_private_keys() {
    for alg in [
        JwkAlgorithm::Rs256,
        JwkAlgorithm::Es256,
        JwkAlgorithm::Es512,
        JwkAlgorithm::EdDsa,
    ] {
        let a = generate_with(alg, "a", "sig", fast()).unwrap();
        let b = generate_with(alg, "b", "sig", fast()).unwrap();
        let mut mixed = a[0].clone();
        mixed.d = b[0].d.clone();
        assert!(mixed.validate().is_err(), "{alg:?}");
        assert!(a[0].validate().is_ok());
    }
}

#[test]
fn import_rejects_malformed_keys() {
    let good = generate_with(JwkAlgorithm::Es256, "a", "sig", fast()).unwrap();
    let cases = [
        Jwk {
            kty: "EC".into(),
            ..Jwk::default()
        },
        Jwk {
            x: Some("not base64!".into()),
            ..good[1].clone()
        },
        Jwk {
            crv: Some("P-384".into()),
            ..good[1].clone()
        },
        Jwk {
            alg: "RS256".into(),
            ..good[1].clone()
        },
        Jwk {
            alg: "none".into(),
            ..good[1].clone()
        },
        Jwk {
            kty: "oct".into(),
            k: Some("c2hvcnQ".into()),
            ..Jwk::default()
        },
        Jwk {
            kty: "RSA".into(),
            n: Some("AQAB".into()),
            e: Some("AQAB".into()),
            ..Jwk::default()
        },
    ];
    for (i, jwk) in cases.iter().enumerate() {
        assert!(jwk.validate().is_err(), "case {i}");
    }
    // Hydra's ES512 keys carry no alg: inferred from crv.
    let es512 = generate_with(JwkAlgorithm::Es512, "a", "sig", fast()).unwrap();
    let no_alg = Jwk {
        alg: String::new(),
        ..es512[1].clone()
    };
    assert_eq!(
        KeyPair::from_jwk(&no_alg).unwrap().algorithm(),
        JwkAlgorithm::Es512
    );
}

fn cipher(secrets: &[&[u8]]) -> KeyCipher {
    let secrets: Vec<_> = secrets.iter().map(|s| Secret::new(s.to_vec())).collect();
    KeyCipher::new(&secrets).unwrap()
}

const ROW: KeyRow<'static> = KeyRow {
    set: "hydra.openid.id-token",
    kid: "private:k1",
};

#[test]
fn aead_roundtrips_with_fresh_nonces() {
    let c = cipher(&[b"a secret of thirty-two bytes...."]);
    let one = c.encrypt(b"{\"d\":\"x\"}", ROW).unwrap();
    let two = c.encrypt(b"{\"d\":\"x\"}", ROW).unwrap();
    assert_ne!(one, two);
    assert_eq!(c.decrypt(&one, ROW).unwrap(), b"{\"d\":\"x\"}");
}

#[test]
fn aead_rejects_tampering_and_wrong_secret() {
    let c = cipher(&[b"secret-one-secret-one-secret-one"]);
    let sealed = c.encrypt(b"private material", ROW).unwrap();
    let mut raw =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &sealed).unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 1;
    let tampered = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &raw);
    assert!(c.decrypt(&tampered, ROW).is_err());
    assert!(c.decrypt("AAAA", ROW).is_err());
    assert!(c.decrypt("not base64", ROW).is_err());
    assert!(
        cipher(&[b"another-secret-another-secret-xx"])
            .decrypt(&sealed, ROW)
            .is_err()
    );
}

#[test]
fn aead_binds_each_ciphertext_to_its_row() {
    let c = cipher(&[b"secret-one-secret-one-secret-one"]);
    let sealed = c.encrypt(b"private material", ROW).unwrap();
    let elsewhere = [
        KeyRow {
            set: "other-set",
            ..ROW
        },
        KeyRow {
            kid: "private:k2",
            ..ROW
        },
        // Length prefixes: moving bytes between set and kid is another row too.
        KeyRow {
            set: "hydra.openid.id-tokenp",
            kid: "rivate:k1",
        },
    ];
    for row in elsewhere {
        assert!(c.decrypt(&sealed, row).is_err(), "{row:?}");
    }
    assert_eq!(c.decrypt(&sealed, ROW).unwrap(), b"private material");
}

#[test]
fn aead_still_reads_rows_written_before_binding() {
    let c = cipher(&[
        b"new-secret-new-secret-new-secret",
        b"old-secret-old-secret-old-secret",
    ]);
    let old = cipher(&[b"old-secret-old-secret-old-secret"]);
    let legacy = old.encrypt_unbound(b"material").unwrap();
    assert_eq!(c.decrypt(&legacy, ROW).unwrap(), b"material");
    // Re-sealing (what `oxydra migrate secret` does) binds it: the copy no longer moves.
    let bound = c.encrypt(&c.decrypt(&legacy, ROW).unwrap(), ROW).unwrap();
    let other = KeyRow { kid: "x", ..ROW };
    assert!(c.decrypt(&bound, other).is_err());
}

#[test]
fn aead_rotation_decrypts_with_the_old_secret() {
    let old = cipher(&[b"old-secret-old-secret-old-secret"]);
    let sealed = old.encrypt(b"material", ROW).unwrap();
    let rotated = cipher(&[
        b"new-secret-new-secret-new-secret",
        b"old-secret-old-secret-old-secret",
    ]);
    assert_eq!(rotated.decrypt(&sealed, ROW).unwrap(), b"material");
    let fresh = rotated.encrypt(b"material", ROW).unwrap();
    assert!(
        old.decrypt(&fresh, ROW).is_err(),
        "the first secret encrypts"
    );
    assert!(KeyCipher::new(&[]).is_err());
}
