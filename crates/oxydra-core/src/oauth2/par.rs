//! Pushed authorization requests (RFC 9126): the `request_uri` reference a client receives for
//! parameters it pushed, and the record kept for it. Pure: no storage, no HTTP.
//!
//! The reference is `urn:ietf:params:oauth:request_uri:` followed by 256 random bits
//! (base64url), so it cannot be guessed; only its SHA-256 is stored, so a read of the table
//! does not hand out usable references.

use std::time::Duration;

use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::model::{ClientId, Now};
use crate::oauth2::authorize::AuthorizeParams;
use crate::{OAuthError, OAuthErrorKind};

/// The URN prefix (RFC 9126 §2.2) that tells a pushed request's reference from a request
/// object's URL (OIDC Core §6.2) in the authorization request's `request_uri`.
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// The shortest lifetime the configuration allows for a pushed request.
pub const MIN_LIFESPAN: Duration = Duration::from_secs(1);
/// The longest lifetime the configuration allows: RFC 9126 §2.2 wants references short-lived
/// (a reference is a bearer credential for the request until used).
pub const MAX_LIFESPAN: Duration = Duration::from_secs(600);

/// Random bytes in a reference (256 bits).
const RANDOM_BYTES: usize = 32;

/// Parameters a pushed request may not carry: a pushed request cannot point at another
/// (RFC 9126 §2.1), and the verifiers belong to the browser's return, never to a client.
pub const FORBIDDEN_PARAMS: &[&str] = &["request_uri", "login_verifier", "consent_verifier"];

/// A pushed authorization request as stored: validated parameters waiting for the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRequest {
    /// SHA-256 of the reference, hex ([`key_hash`]): the lookup key.
    pub key_hash: String,
    /// The authenticated client that pushed it; only it may use the reference.
    pub client_id: ClientId,
    /// The authorization request's parameters, request object already unpacked.
    pub params: AuthorizeParams,
    /// When it was pushed.
    pub requested_at: Now,
    /// When the reference stops working.
    pub expires_at: Now,
    /// Whether an authorization request has used it (single use, RFC 9126 §4).
    pub used: bool,
}

/// A fresh reference (`urn:ietf:params:oauth:request_uri:<random>`).
pub fn generate_request_uri() -> Result<String, OAuthError> {
    let mut bytes = [0u8; RANDOM_BYTES];
    SystemRandom::new().fill(&mut bytes).map_err(|_| {
        OAuthError::new(OAuthErrorKind::ServerError)
            .debug("the system random number generator failed")
    })?;
    Ok(format!(
        "{REQUEST_URI_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Whether a `request_uri` names a pushed request rather than a request object's URL.
pub fn is_pushed_reference(request_uri: &str) -> bool {
    request_uri.starts_with(REQUEST_URI_PREFIX)
}

/// The stored key of a reference: SHA-256 of the whole URN, lowercase hex.
pub fn key_hash(request_uri: &str) -> String {
    let hash = digest::digest(&digest::SHA256, request_uri.as_bytes());
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The error for a reference that is unknown, used, expired or another client's: RFC 9101 §6.2
/// `invalid_request_uri`, with no hint telling which (an attacker learns nothing).
pub fn invalid_reference(hint: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidRequestUri).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_urns_with_256_random_bits() {
        let a = generate_request_uri().unwrap();
        let b = generate_request_uri().unwrap();
        assert_ne!(a, b);
        assert!(is_pushed_reference(&a));
        let random = a.strip_prefix(REQUEST_URI_PREFIX).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(random).unwrap().len(), 32);
    }

    #[test]
    fn the_key_is_a_sha256_of_the_whole_reference() {
        // sha256("abc"), computed independently.
        assert_eq!(
            key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(key_hash("urn:a"), key_hash("urn:b"));
    }

    #[test]
    fn urls_are_not_pushed_references() {
        assert!(!is_pushed_reference("https://client.example/request.jwt"));
        assert!(!is_pushed_reference("urn:ietf:params:oauth:request_uri"));
    }
}
