//! Parsing a [`Jwk`] into usable key material, and signing/verifying with it.
//!
//! Every algorithm runs directly on aws-lc-rs: one code path for all seven, including ES512,
//! which jsonwebtoken lacks. A JWT layer can sit on top of [`Signer`].

use aws_lc_rs::{
    hmac,
    rand::SystemRandom,
    rsa::{KeyPairComponents, PublicKeyComponents},
    signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{Jwk, JwkAlgorithm, invalid, server_error};
use crate::Error;

/// Signs and verifies JWS signing input with one key.
pub trait Signer {
    /// The algorithm this key signs with.
    fn algorithm(&self) -> JwkAlgorithm;
    /// Signs `message`; fails for a public-only key.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;
    /// Whether `signature` is valid for `message`.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool;
}

/// Key material parsed from a JWK: private (can sign) or public (verify only).
pub enum KeyPair {
    /// RSA private key (with its public components).
    RsaPrivate(Box<signature::RsaKeyPair>, PublicKeyComponents<Vec<u8>>),
    /// RSA public key.
    RsaPublic(PublicKeyComponents<Vec<u8>>),
    /// ECDSA private key; the algorithm says which curve.
    EcPrivate(JwkAlgorithm, EcdsaKeyPair),
    /// ECDSA public key as an uncompressed point.
    EcPublic(JwkAlgorithm, Vec<u8>),
    /// Ed25519 private key.
    EdPrivate(Ed25519KeyPair),
    /// Ed25519 public key.
    EdPublic(Vec<u8>),
    /// HMAC secret.
    Hmac(JwkAlgorithm, Box<hmac::Key>),
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("alg", &self.algorithm())
            .finish_non_exhaustive()
    }
}

fn b64(field: &'static str, value: Option<&String>) -> Result<Vec<u8>, Error> {
    let value = value.ok_or_else(|| invalid(format!("missing parameter {field}")))?;
    URL_SAFE_NO_PAD.decode(value).map_err(|_| {
        invalid(format!(
            "parameter {field} is not base64url without padding"
        ))
    })
}

/// The curve name, signing and verifying algorithms, and coordinate size of an EC algorithm.
pub(crate) fn ec_params(
    alg: JwkAlgorithm,
) -> Option<(
    &'static str,
    &'static signature::EcdsaSigningAlgorithm,
    &'static signature::EcdsaVerificationAlgorithm,
    usize,
)> {
    match alg {
        JwkAlgorithm::Es256 => Some((
            "P-256",
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &signature::ECDSA_P256_SHA256_FIXED,
            32,
        )),
        JwkAlgorithm::Es384 => Some((
            "P-384",
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            &signature::ECDSA_P384_SHA384_FIXED,
            48,
        )),
        JwkAlgorithm::Es512 => Some((
            "P-521",
            &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
            &signature::ECDSA_P521_SHA512_FIXED,
            66,
        )),
        _ => None,
    }
}

/// The algorithm a JWK is for: its `alg`, else inferred from `kty`/`crv` (Hydra's ES512 keys
/// carry no `alg`). An `oct` key without `alg` is HS256.
fn algorithm_of(jwk: &Jwk) -> Result<JwkAlgorithm, Error> {
    if !jwk.alg.is_empty() {
        return JwkAlgorithm::parse(&jwk.alg)
            .ok_or_else(|| invalid(format!("unsupported alg {}", jwk.alg)));
    }
    match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("RSA", _) => Ok(JwkAlgorithm::Rs256),
        ("EC", Some("P-256")) => Ok(JwkAlgorithm::Es256),
        ("EC", Some("P-384")) => Ok(JwkAlgorithm::Es384),
        ("EC", Some("P-521")) => Ok(JwkAlgorithm::Es512),
        ("OKP", Some("Ed25519")) => Ok(JwkAlgorithm::EdDsa),
        ("oct", _) => Ok(JwkAlgorithm::Hs256),
        _ => Err(invalid("unsupported kty/crv")),
    }
}

impl KeyPair {
    /// Parses and validates a JWK; a private key must match its public part.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, Error> {
        let alg = algorithm_of(jwk)?;
        let expect_kty = match alg {
            JwkAlgorithm::Rs256 => "RSA",
            JwkAlgorithm::Es256 | JwkAlgorithm::Es384 | JwkAlgorithm::Es512 => "EC",
            JwkAlgorithm::EdDsa => "OKP",
            JwkAlgorithm::Hs256 | JwkAlgorithm::Hs512 => "oct",
        };
        if jwk.kty != expect_kty {
            return Err(invalid(format!(
                "alg {} needs kty {expect_kty}",
                alg.name()
            )));
        }
        match alg {
            JwkAlgorithm::Rs256 => Self::rsa(jwk),
            JwkAlgorithm::Es256 | JwkAlgorithm::Es384 | JwkAlgorithm::Es512 => Self::ec(alg, jwk),
            JwkAlgorithm::EdDsa => Self::ed(jwk),
            JwkAlgorithm::Hs256 | JwkAlgorithm::Hs512 => {
                let k = b64("k", jwk.k.as_ref())?;
                if k.len() < 16 {
                    return Err(invalid("an HMAC key needs at least 16 bytes"));
                }
                let hmac_alg = if alg == JwkAlgorithm::Hs256 {
                    hmac::HMAC_SHA256
                } else {
                    hmac::HMAC_SHA512
                };
                Ok(Self::Hmac(alg, Box::new(hmac::Key::new(hmac_alg, &k))))
            }
        }
    }

    fn rsa(jwk: &Jwk) -> Result<Self, Error> {
        let public = PublicKeyComponents {
            n: b64("n", jwk.n.as_ref())?,
            e: b64("e", jwk.e.as_ref())?,
        };
        if public.n.len() < 256 {
            return Err(invalid("an RSA key needs at least 2048 bits"));
        }
        if jwk.d.is_none() {
            return Ok(Self::RsaPublic(public));
        }
        let components = KeyPairComponents {
            public_key: PublicKeyComponents {
                n: public.n.clone(),
                e: public.e.clone(),
            },
            d: b64("d", jwk.d.as_ref())?,
            p: b64("p", jwk.p.as_ref())?,
            q: b64("q", jwk.q.as_ref())?,
            dP: b64("dp", jwk.dp.as_ref())?,
            dQ: b64("dq", jwk.dq.as_ref())?,
            qInv: b64("qi", jwk.qi.as_ref())?,
        };
        let pair = signature::RsaKeyPair::from_components(&components)
            .map_err(|e| invalid(format!("inconsistent RSA private key: {e}")))?;
        Ok(Self::RsaPrivate(Box::new(pair), public))
    }

    fn ec(alg: JwkAlgorithm, jwk: &Jwk) -> Result<Self, Error> {
        let (crv, signing, verifying, size) =
            ec_params(alg).ok_or_else(|| server_error("not an EC algorithm"))?;
        if jwk.crv.as_deref() != Some(crv) {
            return Err(invalid(format!("alg {} needs crv {crv}", alg.name())));
        }
        let (x, y) = (b64("x", jwk.x.as_ref())?, b64("y", jwk.y.as_ref())?);
        if x.len() != size || y.len() != size {
            return Err(invalid("EC coordinates have the wrong length"));
        }
        let mut point = Vec::with_capacity(1 + 2 * size);
        point.push(4);
        point.extend_from_slice(&x);
        point.extend_from_slice(&y);
        if jwk.d.is_none() {
            // Reject points not on the curve now rather than at first verification.
            if aws_lc_rs::signature::ParsedPublicKey::new(verifying, &point).is_err() {
                return Err(invalid("EC public key is not a point on the curve"));
            }
            return Ok(Self::EcPublic(alg, point));
        }
        let d = b64("d", jwk.d.as_ref())?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(signing, &d, &point)
            .map_err(|e| invalid(format!("EC private key does not match its public key: {e}")))?;
        Ok(Self::EcPrivate(alg, pair))
    }

    fn ed(jwk: &Jwk) -> Result<Self, Error> {
        if jwk.crv.as_deref() != Some("Ed25519") {
            return Err(invalid("EdDSA needs crv Ed25519"));
        }
        let x = b64("x", jwk.x.as_ref())?;
        if x.len() != 32 {
            return Err(invalid("an Ed25519 public key has 32 bytes"));
        }
        if jwk.d.is_none() {
            return Ok(Self::EdPublic(x));
        }
        let d = b64("d", jwk.d.as_ref())?;
        let pair = Ed25519KeyPair::from_seed_and_public_key(&d, &x)
            .map_err(|e| invalid(format!("Ed25519 private key does not match: {e}")))?;
        Ok(Self::EdPrivate(pair))
    }
}

impl Signer for KeyPair {
    fn algorithm(&self) -> JwkAlgorithm {
        match self {
            Self::RsaPrivate(..) | Self::RsaPublic(_) => JwkAlgorithm::Rs256,
            Self::EcPrivate(alg, _) | Self::EcPublic(alg, _) | Self::Hmac(alg, _) => *alg,
            Self::EdPrivate(_) | Self::EdPublic(_) => JwkAlgorithm::EdDsa,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = || server_error("signing failed");
        match self {
            Self::RsaPrivate(pair, _) => {
                let mut sig = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut sig,
                )
                .map_err(|_| failed())?;
                Ok(sig)
            }
            Self::EcPrivate(_, pair) => pair
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| failed()),
            Self::EdPrivate(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Self::Hmac(_, key) => Ok(hmac::sign(key, message).as_ref().to_vec()),
            Self::RsaPublic(_) | Self::EcPublic(..) | Self::EdPublic(_) => {
                Err(invalid("a public key cannot sign"))
            }
        }
    }

    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            Self::RsaPrivate(_, public) | Self::RsaPublic(public) => public
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                .is_ok(),
            Self::EcPrivate(alg, pair) => ec_verify(*alg, pair.public_key().as_ref(), message, sig),
            Self::EcPublic(alg, point) => ec_verify(*alg, point, message, sig),
            Self::EdPrivate(pair) => UnparsedPublicKey::new(&signature::ED25519, pair.public_key())
                .verify(message, sig)
                .is_ok(),
            Self::EdPublic(x) => UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(message, sig)
                .is_ok(),
            Self::Hmac(_, key) => hmac::verify(key, message, sig).is_ok(),
        }
    }
}

fn ec_verify(alg: JwkAlgorithm, point: &[u8], message: &[u8], sig: &[u8]) -> bool {
    ec_params(alg).is_some_and(|(_, _, verifying, _)| {
        UnparsedPublicKey::new(verifying, point)
            .verify(message, sig)
            .is_ok()
    })
}
