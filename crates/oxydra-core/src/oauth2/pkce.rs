//! Proof Key for Code Exchange (RFC 7636), stricter than Hydra beta (`shared/spec/behaviour.md`
//! §5.3): only `S256` is accepted (`plain` and a missing method are refused, RFC 9700 §2.1.1), the
//! challenge must have the exact `S256` shape, and the verifier the RFC's length and alphabet.
//!
//! [`parse_challenge`] runs at the authorization endpoint, [`verify`] at the token endpoint.

use aws_lc_rs::digest;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use subtle::ConstantTimeEq;

use crate::{OAuthError, OAuthErrorKind};

/// RFC 7636 §4.2: `BASE64URL-ENCODE(SHA256(...))` is always 43 characters.
const CHALLENGE_CHARS: usize = 43;
/// RFC 7636 §4.1: `code_verifier = 43*128unreserved`.
const VERIFIER_MIN: usize = 43;
/// RFC 7636 §4.1: maximum verifier length.
const VERIFIER_MAX: usize = 128;

/// The `code_challenge_method`s Oxydra accepts: only `S256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeMethod {
    /// RFC 7636 §4.2: `code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
    S256,
}

impl ChallengeMethod {
    /// The wire value (`S256`), as stored and advertised in discovery.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChallengeMethod::S256 => "S256",
        }
    }
}

/// A validated `code_challenge` with its method, ready to be stored with the authorization code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge {
    method: ChallengeMethod,
    challenge: String,
}

impl CodeChallenge {
    /// The challenge method.
    pub fn method(&self) -> ChallengeMethod {
        self.method
    }

    /// The challenge string (43 characters of base64url).
    pub fn as_str(&self) -> &str {
        &self.challenge
    }
}

/// RFC 7636 §4.3/§4.4: validates the authorization request's `code_challenge_method` and
/// `code_challenge` (call it only when a `code_challenge` was sent).
///
/// Only `S256` is allowed; `plain`, a missing method or another value is `invalid_request`.
pub fn parse_challenge(method: Option<&str>, challenge: &str) -> Result<CodeChallenge, OAuthError> {
    let method = match method {
        Some("S256") => ChallengeMethod::S256,
        Some("plain") => {
            return Err(OAuthError::invalid_request(
                "The code_challenge_method 'plain' is not allowed; use 'S256'.",
            ));
        }
        None | Some("") => {
            return Err(OAuthError::invalid_request(
                "The code_challenge_method is required when a code_challenge is sent and must be 'S256'.",
            ));
        }
        Some(_) => {
            return Err(OAuthError::invalid_request(
                "The code_challenge_method is not supported; use 'S256'.",
            ));
        }
    };
    if !is_s256_challenge(challenge) {
        return Err(OAuthError::invalid_request(
            "The code_challenge must be the 43-character base64url (no padding) SHA-256 hash of the code_verifier.",
        ));
    }
    Ok(CodeChallenge {
        method,
        challenge: challenge.to_owned(),
    })
}

/// RFC 7636 §4.2: exactly 43 characters that decode canonically to 32 bytes.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == CHALLENGE_CHARS
        && URL_SAFE_NO_PAD
            .decode(challenge)
            .is_ok_and(|b| b.len() == digest::SHA256_OUTPUT_LEN)
}

/// RFC 7636 §4.6: checks the token request's `code_verifier` against the stored `S256` challenge.
///
/// The verifier must be 43..=128 characters of `[A-Za-z0-9-._~]` (§4.1); any failure, including
/// a mismatch, is `invalid_grant`. The hash comparison is constant-time.
pub fn verify(challenge: &str, verifier: &str) -> Result<(), OAuthError> {
    if verifier.len() < VERIFIER_MIN {
        return Err(invalid_grant(
            "The code_verifier is too short: it must have at least 43 characters, carrying 256 bits of entropy.",
        ));
    }
    if verifier.len() > VERIFIER_MAX {
        return Err(invalid_grant(
            "The code_verifier must have at most 128 characters.",
        ));
    }
    if !verifier.bytes().all(is_unreserved) {
        return Err(invalid_grant(
            "The code_verifier may only contain the characters [A-Za-z0-9-._~].",
        ));
    }
    let computed = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()));
    if bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
        Ok(())
    } else {
        Err(invalid_grant(
            "The code_verifier does not match the code_challenge sent in the authorization request.",
        ))
    }
}

/// RFC 3986 §2.3 unreserved characters, as RFC 7636 §4.1 requires for the verifier.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn invalid_grant(hint: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidGrant).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn kind(r: Result<impl std::fmt::Debug, OAuthError>) -> OAuthErrorKind {
        let e = r.unwrap_err();
        assert!(e.hint.is_some(), "every PKCE error carries a hint");
        e.kind
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        let c = parse_challenge(Some("S256"), RFC_CHALLENGE).unwrap();
        assert_eq!(c.method(), ChallengeMethod::S256);
        assert_eq!(c.method().as_str(), "S256");
        assert_eq!(c.as_str(), RFC_CHALLENGE);
        assert_eq!(verify(c.as_str(), RFC_VERIFIER), Ok(()));
    }

    #[test]
    fn challenge_method_rules() {
        use OAuthErrorKind::InvalidRequest;
        for method in [None, Some(""), Some("plain"), Some("s256"), Some("S512")] {
            assert_eq!(
                kind(parse_challenge(method, RFC_CHALLENGE)),
                InvalidRequest,
                "{method:?}"
            );
        }
        let plain = parse_challenge(Some("plain"), RFC_CHALLENGE).unwrap_err();
        assert!(plain.hint.unwrap().contains("plain"));
    }

    #[test]
    fn challenge_shape_rules() {
        let last_noncanonical = format!("{}N", &RFC_CHALLENGE[..42]); // 'M' + low bit
        let cases = [
            String::new(),
            RFC_CHALLENGE[..42].to_owned(),
            format!("{RFC_CHALLENGE}A"),
            format!("{RFC_CHALLENGE}="),
            RFC_CHALLENGE.replace('-', "+"),
            RFC_CHALLENGE.replace('w', "/"),
            RFC_CHALLENGE.replace('E', "."),
            RFC_CHALLENGE.replace('E', "~"),
            last_noncanonical,
            RFC_VERIFIER.to_owned() + "x", // 44 chars
        ];
        for bad in cases {
            assert_eq!(
                kind(parse_challenge(Some("S256"), &bad)),
                OAuthErrorKind::InvalidRequest,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn verifier_rules() {
        use OAuthErrorKind::InvalidGrant;
        let short = &RFC_VERIFIER[..42];
        let e = verify(RFC_CHALLENGE, short).unwrap_err();
        assert_eq!(e.kind, InvalidGrant);
        assert!(e.hint.unwrap().contains("entropy"));
        assert_eq!(kind(verify(RFC_CHALLENGE, "")), InvalidGrant);
        assert_eq!(kind(verify(RFC_CHALLENGE, &"a".repeat(129))), InvalidGrant);
        for bad_char in [" ", "+", "/", "=", "%", "é"] {
            let v = format!("{}{bad_char}", &RFC_VERIFIER[..42]);
            assert_eq!(
                kind(verify(RFC_CHALLENGE, &v)),
                InvalidGrant,
                "{bad_char:?}"
            );
        }
        // Well-formed but wrong.
        let other = "a".repeat(43);
        assert_eq!(kind(verify(RFC_CHALLENGE, &other)), InvalidGrant);
        assert_eq!(kind(verify("", RFC_VERIFIER)), InvalidGrant);
        // The plain method is not a fallback: challenge == verifier does not pass.
        assert_eq!(kind(verify(RFC_VERIFIER, RFC_VERIFIER)), InvalidGrant);
    }

    #[test]
    fn verifier_boundaries_and_full_alphabet() {
        for v in [
            "a".repeat(43),
            "Z".repeat(128),
            "AZaz09-._~".repeat(5),
            "~".repeat(100),
        ] {
            let challenge = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, v.as_bytes()));
            let parsed = parse_challenge(Some("S256"), &challenge).unwrap();
            assert_eq!(verify(parsed.as_str(), &v), Ok(()), "{v}");
        }
    }
}
