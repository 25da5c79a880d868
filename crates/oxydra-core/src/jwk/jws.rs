//! Compact JWS (RFC 7515 §3.1) on top of [`Signer`]: the JWTs this server issues (ID tokens,
//! signed userinfo, JWT access tokens) and verifies (its own `id_token_hint`), for every
//! algorithm [`KeyPair`] supports, ES512 included.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};

use super::{Jwk, JwkAlgorithm, KeyPair, Signer, invalid, server_error};
use crate::Error;

/// `BASE64URL(header) . BASE64URL(claims) . BASE64URL(signature)` signed with `key`; the
/// header names the key's algorithm, `kid` and `typ` (RFC 9068 uses `at+jwt`).
///
/// Every JWT this server issues is signed here, so its span (exported with
/// `TRACING_PROVIDER`) shows the cost of signing; it names the key, never the claims.
#[tracing::instrument(name = "jws.sign", level = "debug", skip_all, fields(alg = key.algorithm().name(), kid = kid, typ = typ))]
pub fn sign_compact(
    key: &KeyPair,
    kid: &str,
    typ: &str,
    claims: &Map<String, Value>,
) -> Result<String, Error> {
    let header = json!({ "alg": key.algorithm().name(), "kid": kid, "typ": typ });
    let encode = |value: &Value| {
        serde_json::to_vec(value)
            .map(|bytes| URL_SAFE_NO_PAD.encode(bytes))
            .map_err(|_| server_error("cannot encode a JWT part"))
    };
    let mut token = encode(&header)?;
    token.push('.');
    token.push_str(&encode(&Value::Object(claims.clone()))?);
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    Ok(token)
}

/// A JWT whose signature verified, split into its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJws {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
}

/// Verifies a compact JWS against the key its header `kid` names among `keys`, requiring the
/// header `alg` to be that key's algorithm (never `none`, never chosen by the token alone).
/// Only the signature is checked here; claims are the caller's business.
pub fn verify_compact(token: &str, keys: &[(String, KeyPair)]) -> Result<VerifiedJws, Error> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("a JWS has three dot-separated parts"));
    };
    let decode = |part: &str| -> Result<Map<String, Value>, Error> {
        let bytes = URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| invalid("a JWS part is not base64url"))?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(invalid("a JWS part is not a JSON object")),
        }
    };
    let header = decode(h)?;
    let kid = header.get("kid").and_then(Value::as_str).unwrap_or("");
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let (_, key) = keys
        .iter()
        .find(|(k, _)| k == kid)
        .ok_or_else(|| invalid("the JWS was not signed by a known key"))?;
    if JwkAlgorithm::parse(alg) != Some(key.algorithm()) {
        return Err(invalid("the JWS alg does not match its key"));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| invalid("the JWS signature is not base64url"))?;
    let signed = &token[..h.len() + 1 + c.len()];
    if !key.verify(signed.as_bytes(), &signature) {
        return Err(invalid("the JWS signature is invalid"));
    }
    Ok(VerifiedJws {
        header,
        claims: decode(c)?,
    })
}

/// The claims of `extra` (a consent's session claims) whose names are not in `reserved`:
/// what a JWT may carry beside the claims the server sets itself.
pub fn claims_except(extra: &Map<String, Value>, reserved: &[&str]) -> Map<String, Value> {
    extra
        .iter()
        .filter(|(k, _)| !reserved.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The public half of an asymmetric key (private parameters removed); `None` for an HMAC
/// key, which has no public half and must never be published.
pub fn public_part(jwk: &Jwk) -> Option<Jwk> {
    (jwk.kty != "oct").then(|| super::generate::to_public(jwk))
}

/// The OIDC Core §3.1.3.6 / §3.3.2.11 hash of a token for `at_hash` and `c_hash`: the left half
/// of the hash the signing algorithm uses, base64url. Ed25519 uses SHA-512 (OIDC errata).
pub fn half_hash(alg: JwkAlgorithm, token: &str) -> String {
    use aws_lc_rs::digest;
    let algorithm = match alg {
        JwkAlgorithm::Rs256 | JwkAlgorithm::Es256 | JwkAlgorithm::Hs256 => &digest::SHA256,
        JwkAlgorithm::Es384 => &digest::SHA384,
        JwkAlgorithm::Es512 | JwkAlgorithm::EdDsa | JwkAlgorithm::Hs512 => &digest::SHA512,
    };
    let hash = digest::digest(algorithm, token.as_bytes());
    let bytes = hash.as_ref();
    URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwk::{GenerateOptions, generate_with};

    fn pair(alg: JwkAlgorithm) -> (Jwk, Jwk) {
        let keys = generate_with(alg, "k1", "sig", GenerateOptions { rsa_bits: 2048 }).unwrap();
        let private = keys[0].clone();
        let public = keys.get(1).cloned().unwrap_or_else(|| private.clone());
        (private, public)
    }

    #[test]
    fn every_algorithm_signs_and_verifies_a_jwt() {
        let claims: Map<String, Value> = serde_json::from_str(r#"{"sub":"alice","n":1}"#).unwrap();
        for alg in JwkAlgorithm::ALL {
            let (private, public) = pair(alg);
            let signer = KeyPair::from_jwk(&private).unwrap();
            let token = sign_compact(&signer, &public.kid, "JWT", &claims).unwrap();
            let verifier = KeyPair::from_jwk(&public).unwrap();
            let keys = vec![(public.kid.clone(), verifier)];
            let verified = verify_compact(&token, &keys).unwrap();
            assert_eq!(verified.claims, claims, "{alg:?}");
            assert_eq!(verified.header["alg"], alg.name());
            assert_eq!(verified.header["kid"], public.kid.as_str());
            let mut tampered = token.clone();
            tampered.insert(token.find('.').unwrap() + 2, 'A');
            assert!(verify_compact(&tampered, &keys).is_err(), "{alg:?}");
        }
    }

    #[test]
    fn unknown_kids_alg_confusion_and_garbage_are_refused() {
        let (private, public) = pair(JwkAlgorithm::Es256);
        let signer = KeyPair::from_jwk(&private).unwrap();
        let token = sign_compact(&signer, "other", "JWT", &Map::new()).unwrap();
        let keys = vec![(public.kid.clone(), KeyPair::from_jwk(&public).unwrap())];
        assert!(verify_compact(&token, &keys).is_err());
        // A header claiming HS256 over the ES256 key is refused before any signature check.
        let forged = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"HS256","kid":"{}"}}"#, public.kid)),
            URL_SAFE_NO_PAD.encode("{}")
        );
        assert!(verify_compact(&forged, &keys).is_err());
        for junk in ["", "a.b", "a.b.c.d", "!!.!!.!!"] {
            assert!(verify_compact(junk, &keys).is_err());
        }
    }

    #[test]
    fn public_parts_drop_private_material_and_hmac_keys() {
        let (private, _) = pair(JwkAlgorithm::Rs256);
        let public = public_part(&private).unwrap();
        assert!(!public.is_private());
        assert_eq!(public.n, private.n);
        let (hmac, _) = pair(JwkAlgorithm::Hs256);
        assert!(public_part(&hmac).is_none());
    }

    #[test]
    fn half_hash_is_the_left_half_of_the_algorithms_digest() {
        // Expected values computed independently with Python's hashlib.
        assert_eq!(
            half_hash(JwkAlgorithm::Rs256, "jHkWEdUXMU1BwAsC4vtUsZwnNZOEqx5A"),
            "C23fI7RgD13PQhbfaQ25fw"
        );
        assert_eq!(half_hash(JwkAlgorithm::Es512, "abc").len(), 43);
        assert_eq!(half_hash(JwkAlgorithm::Es384, "abc").len(), 32);
    }
}
