//! JSON Web Key models (`shared/spec/api.md` §6.1): JSONWebKey, JSONWebKeySet and the
//! generator request of `POST /keys/{set}`. Byte values are base64url without padding.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::serde_util::null_as_default;

/// One JSON Web Key (RFC 7517 names; Hydra's `jsonWebKey`). Every field is omitted when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JSONWebKey {
    /// Key type: `RSA`, `EC`, `OKP` or `oct`.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub kty: String,
    /// Key id.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub kid: String,
    /// Public key use: `sig` or `enc`.
    #[serde(
        rename = "use",
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub key_use: String,
    /// Algorithm.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub alg: String,
    /// Curve (EC, OKP).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub crv: String,
    /// EC/OKP x coordinate.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub x: String,
    /// EC y coordinate.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub y: String,
    /// RSA modulus.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub n: String,
    /// RSA public exponent.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub e: String,
    /// Private exponent (RSA) or private key (EC, OKP).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub d: String,
    /// RSA first prime factor.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub p: String,
    /// RSA second prime factor.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub q: String,
    /// RSA first CRT exponent.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub dp: String,
    /// RSA second CRT exponent.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub dq: String,
    /// RSA CRT coefficient.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub qi: String,
    /// Symmetric key value.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub k: String,
    /// X.509 certificate chain (base64 DER); accepted, not used.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub x5c: Vec<String>,
}

/// A JSON Web Key Set (Hydra's `jsonWebKeySet`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JSONWebKeySet {
    /// The keys.
    #[serde(default, deserialize_with = "null_as_default")]
    pub keys: Vec<JSONWebKey>,
}

/// Body of `POST /keys/{set}` (Hydra's `jsonWebKeySetGeneratorRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JsonWebKeySetGeneratorRequest {
    /// `RS256`, `ES256`, `ES384`, `ES512`, `EdDSA`, `HS256` or `HS512`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub alg: String,
    /// Key id; empty → a UUID v4.
    #[serde(default, deserialize_with = "null_as_default")]
    pub kid: String,
    /// `sig` or `enc`.
    #[serde(rename = "use", default, deserialize_with = "null_as_default")]
    pub key_use: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_and_omission() {
        let key: JSONWebKey = serde_json::from_str(
            r#"{"kty":"oct","kid":"a","use":"sig","alg":"HS256","k":"AA","x5c":null}"#,
        )
        .unwrap();
        assert_eq!(key.key_use, "sig");
        assert_eq!(
            serde_json::to_string(&key).unwrap(),
            r#"{"kty":"oct","kid":"a","use":"sig","alg":"HS256","k":"AA"}"#
        );
        let req: JsonWebKeySetGeneratorRequest =
            serde_json::from_str(r#"{"alg":"RS256","kid":"k","use":"sig"}"#).unwrap();
        assert_eq!(req.key_use, "sig");
    }
}
