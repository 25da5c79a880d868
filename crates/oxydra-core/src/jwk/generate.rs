//! Key generation: one private/public JWK pair per asymmetric algorithm, one `oct` key for HMAC.

use aws_lc_rs::{
    encoding::{AsBigEndian, AsDer},
    rand::{SecureRandom, SystemRandom},
    rsa::KeySize,
    signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{Jwk, JwkAlgorithm, der, server_error, signer::ec_params};
use crate::Error;

/// Knobs that are not part of Hydra's generator request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateOptions {
    /// RSA modulus size in bits: 4096 (Hydra's, the default) or 2048 (tests, for speed).
    pub rsa_bits: usize,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self { rsa_bits: 4096 }
    }
}

/// Generates keys for `alg` with Hydra's defaults (RSA 4096); see [`generate_with`].
pub fn generate(alg: JwkAlgorithm, kid: &str, key_use: &str) -> Result<Vec<Jwk>, Error> {
    generate_with(alg, kid, key_use, GenerateOptions::default())
}

/// Generates keys for `alg`. Asymmetric algorithms give `[private:<kid>, public:<kid>]`, HMAC
/// gives `[<kid>]`. An empty `kid` becomes a random UUID v4; an empty `key_use` becomes `sig`.
pub fn generate_with(
    alg: JwkAlgorithm,
    kid: &str,
    key_use: &str,
    options: GenerateOptions,
) -> Result<Vec<Jwk>, Error> {
    let kid = if kid.is_empty() {
        uuid::Uuid::new_v4().to_string()
    } else {
        kid.to_owned()
    };
    let base = Jwk {
        alg: alg.name().to_owned(),
        key_use: if key_use.is_empty() { "sig" } else { key_use }.to_owned(),
        ..Jwk::default()
    };
    let private = match alg {
        JwkAlgorithm::Rs256 => rsa(base, options.rsa_bits)?,
        JwkAlgorithm::Es256 | JwkAlgorithm::Es384 | JwkAlgorithm::Es512 => ec(base, alg)?,
        JwkAlgorithm::EdDsa => ed(base)?,
        JwkAlgorithm::Hs256 | JwkAlgorithm::Hs512 => {
            let mut k = vec![0u8; if alg == JwkAlgorithm::Hs256 { 32 } else { 64 }];
            SystemRandom::new()
                .fill(&mut k)
                .map_err(|_| server_error("the system random number generator failed"))?;
            return Ok(vec![Jwk {
                kty: "oct".to_owned(),
                kid,
                k: Some(enc(&k)),
                ..base
            }]);
        }
    };
    let public = to_public(&private);
    Ok(vec![
        Jwk {
            kid: format!("private:{kid}"),
            ..private
        },
        Jwk {
            kid: format!("public:{kid}"),
            ..public
        },
    ])
}

/// The public half of a key: every private parameter removed.
pub(crate) fn to_public(jwk: &Jwk) -> Jwk {
    Jwk {
        d: None,
        p: None,
        q: None,
        dp: None,
        dq: None,
        qi: None,
        k: None,
        ..jwk.clone()
    }
}

fn enc(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn rsa(base: Jwk, bits: usize) -> Result<Jwk, Error> {
    let size = match bits {
        2048 => KeySize::Rsa2048,
        4096 => KeySize::Rsa4096,
        _ => return Err(super::invalid("RSA keys are 2048 or 4096 bits")),
    };
    let failed = || server_error("RSA key generation failed");
    let pair = signature::RsaKeyPair::generate(size).map_err(|_| failed())?;
    let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).map_err(|_| failed())?;
    let [n, e, d, p, q, dp, dq, qi] = der::rsa_components(pkcs8.as_ref())?.values;
    Ok(Jwk {
        kty: "RSA".to_owned(),
        n: Some(enc(&n)),
        e: Some(enc(&e)),
        d: Some(enc(&d)),
        p: Some(enc(&p)),
        q: Some(enc(&q)),
        dp: Some(enc(&dp)),
        dq: Some(enc(&dq)),
        qi: Some(enc(&qi)),
        ..base
    })
}

fn ec(base: Jwk, alg: JwkAlgorithm) -> Result<Jwk, Error> {
    let (crv, signing, _, size) = ec_params(alg).ok_or_else(|| server_error("not EC"))?;
    let failed = || server_error("EC key generation failed");
    let pair = EcdsaKeyPair::generate(signing).map_err(|_| failed())?;
    let d = pair.private_key().as_be_bytes().map_err(|_| failed())?;
    let point = pair.public_key().as_ref();
    if point.len() != 1 + 2 * size {
        return Err(failed());
    }
    let (x, y) = point[1..].split_at(size);
    Ok(Jwk {
        kty: "EC".to_owned(),
        crv: Some(crv.to_owned()),
        x: Some(enc(x)),
        y: Some(enc(y)),
        d: Some(enc(d.as_ref())),
        ..base
    })
}

fn ed(base: Jwk) -> Result<Jwk, Error> {
    let failed = || server_error("Ed25519 key generation failed");
    let pair = Ed25519KeyPair::generate().map_err(|_| failed())?;
    let seed = pair
        .seed()
        .and_then(|s| s.as_be_bytes())
        .map_err(|_| failed())?;
    Ok(Jwk {
        kty: "OKP".to_owned(),
        crv: Some("Ed25519".to_owned()),
        x: Some(enc(pair.public_key().as_ref())),
        d: Some(enc(seed.as_ref())),
        ..base
    })
}
