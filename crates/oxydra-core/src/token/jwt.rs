//! JWT access tokens (RFC 9068; `shared/spec/behaviour.md` §4.2), issued instead of opaque ones
//! when `OAUTH2_ACCESS_TOKEN_STRATEGY=jwt`.
//!
//! A resource server can verify such a token on its own with `/.well-known/jwks.json`; the
//! server still stores a row for it, so revocation, introspection, userinfo and refresh
//! rotation work exactly as for opaque tokens. The row key ([`storage_key`]) is the lowercase
//! hex SHA-256 of the **whole** compact token: it binds the row to every byte the client holds
//! (header, claims and signature), it cannot be turned back into the token (a database dump
//! yields no usable token), and at 64 characters it can never equal the 43-character signature
//! of an opaque token sharing the table. Hydra keys the row by SHA-384 of the signature part;
//! the tables are not shared with Hydra, so nothing depends on that choice.
//!
//! Nothing here performs I/O: the caller passes the signing key (the newest key of the
//! `hydra.jwt.access-token` set) and, for verification, the set's public keys.

use serde_json::{Map, Value, json};

use crate::jwk::{KeyPair, claims_except, sign_compact, verify_compact};
use crate::model::Now;
use crate::token::TokenSignature;
use crate::{Error, OAuthError, OAuthErrorKind};

/// The JOSE header `typ` of an access token (RFC 9068 §2.1).
pub const TYP: &str = "at+jwt";

/// Claims the server sets itself; a consent's `session.access_token` cannot override them.
pub const STANDARD_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "client_id",
    // RFC 8693 §4.1: only a token exchange says who acts for the subject.
    "act",
    // RFC 9449 §6.1: only the server binds a token to a DPoP key.
    "cnf",
    "scp",
    "scope",
];

/// The key an access token is signed with and the issuer it names.
#[derive(Debug, Clone, Copy)]
pub struct JwtSigner<'a> {
    /// The newest private key of the access-token set.
    pub key: &'a KeyPair,
    /// Its published key id (`public:<uuid>`), the header `kid`.
    pub kid: &'a str,
    /// The issuer identifier with its trailing `/` (Hydra's form).
    pub issuer: &'a str,
}

/// What one access token says about its grant.
#[derive(Debug, Clone, Copy)]
pub struct AccessTokenClaims<'a> {
    /// The real subject (pairwise subjects cannot be combined with JWT access tokens).
    pub subject: &'a str,
    /// The client the token was issued to.
    pub client_id: &'a str,
    /// Granted audiences (`[]` when none, as Hydra).
    pub audience: &'a [String],
    /// Granted scopes of this access token.
    pub scope: &'a [String],
    /// The consent's `session.access_token` claims.
    pub extra: &'a Map<String, Value>,
    /// RFC 8693 §4.1 `act`, for a token exchanged with an actor token.
    pub act: Option<&'a Value>,
    /// RFC 9449 §6.1: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`).
    pub dpop_jkt: Option<&'a str>,
    /// Issue time (`iat`, `nbf`).
    pub issued_at: Now,
    /// Expiry (`exp`), the same instant the stored row expires.
    pub expires_at: Now,
}

/// The claims of an access token with id `jti`: the consent's extras at top level, then the
/// standard claims, which always win (RFC 9068 §2.2).
pub fn claims(issuer: &str, input: &AccessTokenClaims<'_>, jti: &str) -> Map<String, Value> {
    let mut claims = claims_except(input.extra, STANDARD_CLAIMS);
    let iat = input.issued_at.unix_secs();
    let standard = [
        ("iss", json!(issuer)),
        ("sub", json!(input.subject)),
        ("aud", json!(input.audience)),
        ("client_id", json!(input.client_id)),
        ("iat", json!(iat)),
        ("nbf", json!(iat)),
        ("exp", json!(input.expires_at.unix_secs())),
        ("jti", json!(jti)),
        ("scp", json!(input.scope)),
        ("scope", json!(input.scope.join(" "))),
    ];
    for (name, value) in standard {
        claims.insert(name.to_owned(), value);
    }
    if let Some(act) = input.act {
        claims.insert("act".to_owned(), act.clone());
    }
    if let Some(jkt) = input.dpop_jkt {
        claims.insert("cnf".to_owned(), json!({ "jkt": jkt }));
    }
    claims
}

/// Signs a new access token (fresh UUID v4 `jti`); returns the token (a credential: never log
/// it) and the key its row is stored under.
pub fn mint(
    signer: &JwtSigner<'_>,
    input: &AccessTokenClaims<'_>,
) -> Result<(String, TokenSignature), Error> {
    let jti = uuid::Uuid::new_v4().to_string();
    let token = sign_compact(
        signer.key,
        signer.kid,
        TYP,
        &claims(signer.issuer, input, &jti),
    )?;
    let key = storage_key(&token);
    Ok((token, key))
}

/// The row key of a JWT access token: lowercase hex SHA-256 of the whole compact token.
pub fn storage_key(token: &str) -> TokenSignature {
    use aws_lc_rs::digest;
    let hash = digest::digest(&digest::SHA256, token.as_bytes());
    TokenSignature::from_stored(
        hash.as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    )
}

/// Whether a presented token has the shape of a compact JWS (three dot-separated parts), as
/// opposed to an opaque token (one dot, a kind prefix).
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

/// Checks a presented JWT access token's signature against the access-token set's public keys
/// (`kid` must name one of them, `alg` must be that key's) and its `typ`, and returns its row
/// key. Expiry and revocation are the stored row's business, as for opaque tokens.
pub fn verify(token: &str, verifiers: &[(String, KeyPair)]) -> Result<TokenSignature, OAuthError> {
    let invalid = || {
        OAuthError::new(OAuthErrorKind::InvalidToken)
            .hint("The access token is not a JWT signed by this server's access-token keys.")
    };
    let verified = verify_compact(token, verifiers).map_err(|_| invalid())?;
    let typ = verified.header.get("typ").and_then(Value::as_str);
    if !typ.is_some_and(|t| {
        t.eq_ignore_ascii_case(TYP) || t.eq_ignore_ascii_case("application/at+jwt")
    }) {
        return Err(invalid());
    }
    Ok(storage_key(token))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::jwk::{GenerateOptions, JwkAlgorithm, generate_with};

    /// An ES256 signer and its verifier, published as `public:k` (shared with other tests).
    pub(crate) fn keys() -> (KeyPair, Vec<(String, KeyPair)>) {
        let pair = generate_with(
            JwkAlgorithm::Es256,
            "k",
            "sig",
            GenerateOptions { rsa_bits: 2048 },
        )
        .unwrap();
        let signer = KeyPair::from_jwk(&pair[0]).unwrap();
        let verifier = KeyPair::from_jwk(&pair[1]).unwrap();
        (signer, vec![("public:k".to_owned(), verifier)])
    }

    fn input<'a>(extra: &'a Map<String, Value>, scope: &'a [String]) -> AccessTokenClaims<'a> {
        AccessTokenClaims {
            subject: "alice",
            client_id: "app",
            audience: &[],
            act: None,
            dpop_jkt: None,
            scope,
            extra,
            issued_at: Now::from_unix_secs(1_000),
            expires_at: Now::from_unix_secs(4_600),
        }
    }

    #[test]
    fn claims_follow_rfc_9068_and_the_standard_ones_win() {
        let extra: Map<String, Value> =
            serde_json::from_str(r#"{"team":"blue","sub":"mallory","scope":"admin","exp":1}"#)
                .unwrap();
        let scope = vec!["openid".to_owned(), "read".to_owned()];
        let c = claims("https://issuer.example/", &input(&extra, &scope), "the-jti");
        assert_eq!(
            Value::Object(c),
            json!({
                "iss": "https://issuer.example/",
                "sub": "alice",
                "aud": [],
                "client_id": "app",
                "iat": 1_000,
                "nbf": 1_000,
                "exp": 4_600,
                "jti": "the-jti",
                "scp": ["openid", "read"],
                "scope": "openid read",
                "team": "blue",
            })
        );
    }

    #[test]
    fn minted_tokens_verify_to_their_row_key_with_at_jwt_header() {
        let (signer, verifiers) = keys();
        let extra = Map::new();
        let scope = vec!["read".to_owned()];
        let jwt = JwtSigner {
            key: &signer,
            kid: "public:k",
            issuer: "https://issuer.example/",
        };
        let (token, key) = mint(&jwt, &input(&extra, &scope)).unwrap();
        assert!(looks_like_jwt(&token));
        assert_eq!(key, storage_key(&token));
        assert_eq!(key.as_str().len(), 64);
        assert_eq!(verify(&token, &verifiers).unwrap(), key);
        let verified = verify_compact(&token, &verifiers).unwrap();
        assert_eq!(verified.header["typ"], "at+jwt");
        assert_eq!(verified.header["kid"], "public:k");
        let jti = verified.claims["jti"].as_str().unwrap();
        assert_eq!(uuid::Uuid::parse_str(jti).unwrap().get_version_num(), 4);
        let (other, other_key) = mint(&jwt, &input(&extra, &scope)).unwrap();
        assert_ne!(other, token, "every token has its own jti");
        assert_ne!(other_key, key);
    }

    #[test]
    fn foreign_tampered_and_mistyped_tokens_are_invalid_token() {
        let (signer, verifiers) = keys();
        let (other_signer, _) = keys();
        let claims = claims("iss", &input(&Map::new(), &[]), "j");
        let foreign = sign_compact(&other_signer, "public:k", TYP, &claims).unwrap();
        let id_token_like = sign_compact(&signer, "public:k", "JWT", &claims).unwrap();
        let good = sign_compact(&signer, "public:k", TYP, &claims).unwrap();
        let mut tampered = good.clone();
        tampered.push('A');
        for bad in [foreign, id_token_like, tampered, "a.b.c".to_owned()] {
            let e = verify(&bad, &verifiers).unwrap_err();
            assert_eq!(e.kind, OAuthErrorKind::InvalidToken, "{bad}");
        }
        assert!(verify(&good, &verifiers).is_ok());
    }

    #[test]
    fn storage_key_is_hex_sha256_of_the_whole_token() {
        // sha256("abc"), computed independently.
        assert_eq!(
            storage_key("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!looks_like_jwt("oxy_at_key.sig"));
        assert!(looks_like_jwt("h.c.s"));
    }
}
