//! Test keys and a JWS signer for the tests of client-signed JWTs (client assertions and
//! request objects): one key of each supported kind, generated once per test binary.

use std::sync::LazyLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair,
    KeyPair as _, RsaEncoding, RsaKeyPair,
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) struct Keys {
    pub(crate) rsa: RsaKeyPair,
    pub(crate) other_rsa: RsaKeyPair,
    pub(crate) p256: EcdsaKeyPair,
    pub(crate) p384: EcdsaKeyPair,
    pub(crate) ed: Ed25519KeyPair,
}

pub(crate) static KEYS: LazyLock<Keys> = LazyLock::new(|| Keys {
    rsa: RsaKeyPair::generate(KeySize::Rsa2048).unwrap(),
    other_rsa: RsaKeyPair::generate(KeySize::Rsa2048).unwrap(),
    p256: EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap(),
    p384: EcdsaKeyPair::generate(&ECDSA_P384_SHA384_FIXED_SIGNING).unwrap(),
    ed: Ed25519KeyPair::generate().unwrap(),
});

pub(crate) fn rsa_jwk(key: &RsaKeyPair, kid: &str) -> Value {
    let public = key.public_key();
    json!({
        "kty": "RSA", "kid": kid, "use": "sig",
        "n": b64(public.modulus().big_endian_without_leading_zero()),
        "e": b64(public.exponent().big_endian_without_leading_zero()),
    })
}

pub(crate) fn ec_jwk(key: &EcdsaKeyPair, crv: &str, kid: &str) -> Value {
    let point = key.public_key().as_ref();
    let half = (point.len() - 1) / 2;
    json!({
        "kty": "EC", "crv": crv, "kid": kid,
        "x": b64(&point[1..=half]), "y": b64(&point[1 + half..]),
    })
}

pub(crate) fn ed_jwk(kid: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(KEYS.ed.public_key().as_ref())})
}

/// The client's registered set: one key of each kind, plus an encryption-only RSA key.
pub(crate) fn jwks() -> Value {
    let mut enc = rsa_jwk(&KEYS.rsa, "enc-1");
    enc["use"] = json!("enc");
    json!({"keys": [
        rsa_jwk(&KEYS.rsa, "rsa-1"),
        ec_jwk(&KEYS.p256, "P-256", "ec-1"),
        ec_jwk(&KEYS.p384, "P-384", "ec-384"),
        ed_jwk("ed-1"),
        enc,
    ]})
}

pub(crate) enum Signer {
    Rsa(&'static RsaKeyPair, &'static dyn RsaEncoding),
    P256,
    P384,
    Ed,
    Hmac(&'static [u8]),
    Unsigned,
}

pub(crate) fn sign(header: &Value, claims: &Value, signer: &Signer) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let msg = input.as_bytes();
    let rng = SystemRandom::new();
    let sig = match signer {
        Signer::Rsa(key, enc) => {
            let mut sig = vec![0; key.public_modulus_len()];
            key.sign(*enc, &rng, msg, &mut sig).unwrap();
            sig
        }
        Signer::P256 => KEYS.p256.sign(&rng, msg).unwrap().as_ref().to_vec(),
        Signer::P384 => KEYS.p384.sign(&rng, msg).unwrap().as_ref().to_vec(),
        Signer::Ed => KEYS.ed.sign(msg).as_ref().to_vec(),
        Signer::Hmac(secret) => {
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
            aws_lc_rs::hmac::sign(&key, msg).as_ref().to_vec()
        }
        Signer::Unsigned => Vec::new(),
    };
    format!("{input}.{}", b64(&sig))
}

/// `claims` with `name` set to `value`, or removed when `None`: one case of a claims table.
pub(crate) fn changed(mut claims: Value, name: &str, value: Option<&Value>) -> Value {
    match value {
        Some(v) => claims[name] = v.clone(),
        None => {
            claims.as_object_mut().unwrap().remove(name);
        }
    }
    claims
}
