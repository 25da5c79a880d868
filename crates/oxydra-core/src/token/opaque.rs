//! Opaque HMAC tokens: access tokens, refresh tokens and authorization codes
//! (`shared/spec/behaviour.md` §4.1).
//!
//! A token is `<prefix><key>.<sig>`:
//! - `prefix` names the kind (`oxy_at_`, `oxy_rt_`, `oxy_ac_`) so people, log scrubbers and
//!   secret scanners can tell what leaked, and revocation can route a token without a
//!   `token_type_hint`. It is **not** a security measure; the per-kind key below is.
//! - `key` is 32 bytes, base64url without padding (43 characters): the first 6 are the issue
//!   time in Unix milliseconds (big-endian), the other 26 (208 bits) are random;
//! - `sig` is HMAC-SHA-256 over those 32 bytes, base64url without padding (43 characters).
//!
//! The row key ([`TokenSignature`]) is the issue time in hex followed by `sig`, so a database
//! dump yields no usable token. The time in front makes keys issued one after another sort
//! together: the token table's primary-key index grows at its end, and a commit of many tokens
//! dirties a few index pages instead of one random page per token (each a 4–8 KiB write to the
//! WAL or the heap). The issue time is not a secret: JWT access tokens carry it as `iat`.
//! Rows stored before this order existed are keyed by `sig` alone; [`TokenSignature::legacy`]
//! gives that key for a fallback lookup. Unlike Hydra beta (one key, `SHA-256(SYSTEM_SECRET)`, for every kind), each
//! system secret is expanded with HKDF-SHA-256 into one HMAC key **per token kind**, so an access
//! token can never pass as a refresh token or a code. The first secret signs; every configured
//! secret verifies, which is how `ROTATED_SYSTEM_SECRET` rotation works. A forged or altered
//! token is rejected here, before any storage lookup.

use std::fmt;
use std::sync::{Arc, RwLock};

use aws_lc_rs::{
    hkdf, hmac,
    rand::{SecureRandom, SystemRandom},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::model::Now;
use crate::token::hydra::HydraTokenKey;
use crate::{Error, OAuthError, OAuthErrorKind, Secret};

/// Bytes in the key part of a token.
const KEY_BYTES: usize = 32;
/// Leading key bytes that carry the issue time (Unix milliseconds, big-endian, 48 bits: good
/// until the year 10889).
const ORDER_BYTES: usize = 6;
/// Hex characters of the order bytes at the start of a row key.
const ORDER_CHARS: usize = 2 * ORDER_BYTES;
/// Bytes of an HMAC-SHA-256 tag.
const SIG_BYTES: usize = 32;
/// base64url-no-pad length of 32 bytes (both parts are 32 bytes).
const PART_CHARS: usize = 43;
/// HKDF salt: fixes the purpose of the derived keys, so the same system secret used elsewhere
/// (AEAD for JWKs, cookies) never yields these keys. Changing it invalidates every issued token.
const HKDF_SALT: &[u8] = b"oxydra opaque token hmac key v1";
/// HKDF `info` of the key that hashes user codes for lookup.
const USER_CODE_INFO: &[u8] = b"oxydra/device/user_code";

/// HKDF info of the key that MACs DPoP server nonces (RFC 9449 §8).
const DPOP_NONCE_INFO: &[u8] = b"oxydra/dpop/nonce";

/// The three kinds of opaque token; each has its own prefix and its own HMAC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An access token (RFC 6749 §1.4), when the opaque access-token strategy is configured.
    AccessToken,
    /// A refresh token (RFC 6749 §1.5).
    RefreshToken,
    /// An authorization code (RFC 6749 §4.1.2).
    AuthorizeCode,
    /// A device code (RFC 8628 §3.2): polled for at the token endpoint, stored in the device
    /// grant table rather than the token table, so it is not in [`TokenKind::ALL`].
    DeviceCode,
}

impl TokenKind {
    /// Every kind stored in the token table, for callers that must try all (RFC 7009 §2.1
    /// without a usable hint). Device codes are not tokens a client can revoke or introspect.
    pub const ALL: [TokenKind; 3] = [
        TokenKind::AccessToken,
        TokenKind::RefreshToken,
        TokenKind::AuthorizeCode,
    ];

    /// The readable prefix tokens of this kind start with.
    pub const fn prefix(self) -> &'static str {
        match self {
            TokenKind::AccessToken => "oxy_at_",
            TokenKind::RefreshToken => "oxy_rt_",
            TokenKind::AuthorizeCode => "oxy_ac_",
            TokenKind::DeviceCode => "oxy_dc_",
        }
    }

    /// The kind a token claims by its prefix, without verifying anything (routing only).
    pub fn detect(token: &str) -> Option<TokenKind> {
        Self::ALL
            .into_iter()
            .find(|k| token.starts_with(k.prefix()))
    }

    /// HKDF `info` label: the domain separation between kinds.
    const fn hkdf_info(self) -> &'static [u8] {
        match self {
            TokenKind::AccessToken => b"oxydra/opaque/access_token",
            TokenKind::RefreshToken => b"oxydra/opaque/refresh_token",
            TokenKind::AuthorizeCode => b"oxydra/opaque/authorize_code",
            TokenKind::DeviceCode => b"oxydra/opaque/device_code",
        }
    }

    /// Human name used in hints.
    const fn noun(self) -> &'static str {
        match self {
            TokenKind::AccessToken => "access token",
            TokenKind::RefreshToken => "refresh token",
            TokenKind::AuthorizeCode => "authorization code",
            TokenKind::DeviceCode => "device code",
        }
    }
}

/// The key under which an opaque token's row is stored: the token's issue-time bytes in hex,
/// then its signature part (JWT access tokens: their signature part).
///
/// Not a credential (the token cannot be rebuilt from it), so `Debug` shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenSignature(String);

impl TokenSignature {
    /// Wraps a signature read back from storage (it was produced by [`TokenKeys`] earlier).
    pub fn from_stored(signature: impl Into<String>) -> Self {
        Self(signature.into())
    }

    /// The signature as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unwraps the signature string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The key the same opaque token's row had before row keys started with the issue time
    /// (its signature part alone), for looking up rows stored by earlier versions; `None` for
    /// keys of another shape.
    pub fn legacy(&self) -> Option<TokenSignature> {
        let sig = self.0.get(ORDER_CHARS..)?;
        let order = self.0.get(..ORDER_CHARS)?;
        let ordered = sig.len() == PART_CHARS && order.bytes().all(|b| b.is_ascii_hexdigit());
        ordered.then(|| TokenSignature(sig.to_owned()))
    }
}

impl fmt::Display for TokenSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The HMAC keys derived from one system secret, one per kind.
#[derive(Clone)]
struct KindKeys {
    access: hmac::Key,
    refresh: hmac::Key,
    code: hmac::Key,
    device: hmac::Key,
    /// Keys the lookup hash of a device flow's user code (RFC 8628 §6.1), never a token.
    user_code: hmac::Key,
    /// MACs DPoP server nonces, never a token.
    dpop_nonce: hmac::Key,
}

impl KindKeys {
    /// RFC 5869 extract-then-expand: one PRK per secret, one 32-byte key per kind.
    fn derive(secret: &[u8]) -> Result<Self, Error> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(secret);
        let expand = |kind: TokenKind| -> Result<hmac::Key, Error> {
            prk.expand(&[kind.hkdf_info()], hmac::HMAC_SHA256)
                .map(hmac::Key::from)
                .map_err(|_| server_error("HKDF expansion of the token key failed"))
        };
        Ok(Self {
            access: expand(TokenKind::AccessToken)?,
            refresh: expand(TokenKind::RefreshToken)?,
            code: expand(TokenKind::AuthorizeCode)?,
            device: expand(TokenKind::DeviceCode)?,
            user_code: prk
                .expand(&[USER_CODE_INFO], hmac::HMAC_SHA256)
                .map(hmac::Key::from)
                .map_err(|_| server_error("HKDF expansion of the user-code key failed"))?,
            dpop_nonce: prk
                .expand(&[DPOP_NONCE_INFO], hmac::HMAC_SHA256)
                .map(hmac::Key::from)
                .map_err(|_| server_error("HKDF expansion of the DPoP nonce key failed"))?,
        })
    }

    fn get(&self, kind: TokenKind) -> &hmac::Key {
        match kind {
            TokenKind::AccessToken => &self.access,
            TokenKind::RefreshToken => &self.refresh,
            TokenKind::AuthorizeCode => &self.code,
            TokenKind::DeviceCode => &self.device,
        }
    }
}

/// Issues and checks opaque tokens with keys derived from the system secrets.
///
/// `Debug` is redacted: it shows only how many secrets are configured.
#[derive(Clone)]
pub struct TokenKeys {
    current: KindKeys,
    rotated: Vec<KindKeys>,
    rng: SystemRandom,
    /// Hydra's token key, once `oxydra import hydra` stored one and the server loaded it:
    /// imported Hydra tokens verify with it. Shared by clones, set after start-up.
    imported: Arc<RwLock<Option<HydraTokenKey>>>,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeys")
            .field("secrets", &(1 + self.rotated.len()))
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Derives the keys from the system secrets: the first signs new tokens, all of them verify.
    ///
    /// Fails when the list is empty or a secret is empty (the server validates lengths earlier).
    pub fn new(secrets: &[Secret<Vec<u8>>]) -> Result<Self, Error> {
        let (first, rest) = secrets.split_first().ok_or_else(|| {
            Error::invalid("system_secret", "at least one system secret is required")
        })?;
        let derive = |s: &Secret<Vec<u8>>| {
            if s.expose().is_empty() {
                return Err(Error::invalid("system_secret", "a system secret is empty"));
            }
            KindKeys::derive(s.expose())
        };
        Ok(Self {
            current: derive(first)?,
            rotated: rest.iter().map(derive).collect::<Result<_, _>>()?,
            rng: SystemRandom::new(),
            imported: Arc::default(),
        })
    }

    /// Installs (or removes) the key imported Hydra tokens verify with.
    pub fn set_imported_key(&self, key: Option<HydraTokenKey>) {
        if let Ok(mut slot) = self.imported.write() {
            *slot = key;
        }
    }

    /// The row key of a presented Hydra token (no Oxydra prefix) whose HMAC verifies under the
    /// imported Hydra key; `None` without such a key or for any other token. Hydra used one
    /// format for access and refresh tokens, so the kind comes from the row found.
    pub fn verify_imported(&self, token: &str) -> Option<TokenSignature> {
        if TokenKind::detect(token).is_some() {
            return None;
        }
        let slot = self.imported.read().ok()?;
        slot.as_ref()?.verify(token)
    }

    /// Mints a new token of `kind` issued at `now`: returns the token (hand it to the client,
    /// never log it) and its row key (store the row under it).
    pub fn generate(&self, kind: TokenKind, now: Now) -> Result<(String, TokenSignature), Error> {
        let mut key = [0u8; KEY_BYTES];
        self.rng
            .fill(&mut key[ORDER_BYTES..])
            .map_err(|_| server_error("the system random number generator failed"))?;
        let millis = u64::try_from(now.unix_micros() / 1000).unwrap_or(0);
        if let Some(time) = millis.to_be_bytes().get(8 - ORDER_BYTES..) {
            key[..ORDER_BYTES].copy_from_slice(time);
        }
        Ok(self.compose(kind, &key))
    }

    /// Builds `<prefix><key>.<sig>` for given key bytes under the current secret.
    fn compose(&self, kind: TokenKind, key: &[u8; KEY_BYTES]) -> (String, TokenSignature) {
        let tag = hmac::sign(self.current.get(kind), key);
        let key_part = URL_SAFE_NO_PAD.encode(key);
        let sig_part = URL_SAFE_NO_PAD.encode(tag.as_ref());
        let token = format!("{}{key_part}.{sig_part}", kind.prefix());
        (token, row_key(key, sig_part))
    }

    /// The MAC of a DPoP nonce's `message` under the current secret (RFC 9449 §8): nonces
    /// are stateless, so every server of a fleet sharing the secrets accepts them.
    pub fn dpop_nonce_mac(&self, message: &[u8]) -> Vec<u8> {
        hmac::sign(&self.current.dpop_nonce, message)
            .as_ref()
            .to_vec()
    }

    /// Whether `tag` is the MAC of `message` under the current or a rotated secret, compared
    /// in constant time.
    pub fn dpop_nonce_verify(&self, message: &[u8], tag: &[u8]) -> bool {
        std::iter::once(&self.current)
            .chain(&self.rotated)
            .any(|keys| hmac::verify(&keys.dpop_nonce, message, tag).is_ok())
    }

    /// The lookup keys of a normalised user code (RFC 8628 §6.1), one per configured secret,
    /// the current one first: stored under the first, found under any. Keyed, so a database
    /// dump does not let anyone enumerate the small user-code space offline.
    pub fn user_code_hashes(&self, normalised: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.rotated)
            .map(|keys| {
                let tag = hmac::sign(&keys.user_code, normalised.as_bytes());
                URL_SAFE_NO_PAD.encode(tag.as_ref())
            })
            .collect()
    }

    /// Checks a presented token's format and HMAC under every configured secret, without any
    /// storage lookup, and returns its signature (the storage key).
    ///
    /// A malformed token or a signature mismatch is `invalid_token`; the caller still has to find
    /// the row and check expiry and revocation.
    pub fn verify(&self, kind: TokenKind, token: &str) -> Result<TokenSignature, OAuthError> {
        let (key_part, sig_part) = match split(kind, token) {
            Ok(parts) => parts,
            // Only a token without an Oxydra prefix gets here: the Oxydra path costs nothing more.
            Err(e) if kind == TokenKind::AuthorizeCode => return Err(e),
            Err(e) => return self.verify_imported(token).ok_or(e),
        };
        let key = decode_part(kind, key_part, KEY_BYTES)?;
        let sig = decode_part(kind, sig_part, SIG_BYTES)?;
        // aws-lc-rs compares tags in constant time; which secret matched is not secret.
        let valid = std::iter::once(&self.current)
            .chain(&self.rotated)
            .any(|keys| hmac::verify(keys.get(kind), &key, &sig).is_ok());
        if valid {
            Ok(row_key(&key, sig_part.to_owned()))
        } else {
            Err(OAuthError::new(OAuthErrorKind::InvalidToken)
                .hint(signature_hint(kind))
                .debug("token_signature_mismatch"))
        }
    }
}

/// The row key of a token with `key` bytes and signature part `sig_part`: the order bytes in
/// lowercase hex (which sorts as the bytes do), then the signature part.
fn row_key(key: &[u8], sig_part: String) -> TokenSignature {
    let mut row = String::with_capacity(ORDER_CHARS + sig_part.len());
    for byte in key.iter().take(ORDER_BYTES) {
        row.push(char::from(HEX[usize::from(byte >> 4)]));
        row.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    row.push_str(&sig_part);
    TokenSignature(row)
}

/// Lowercase hex digits, in the order of their values (and of their ASCII codes).
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Strips the prefix and splits on the single `.`; both parts must have the exact length.
fn split(kind: TokenKind, token: &str) -> Result<(&str, &str), OAuthError> {
    let rest = token
        .strip_prefix(kind.prefix())
        .ok_or_else(|| malformed(kind, "missing or wrong token prefix"))?;
    let (key_part, sig_part) = rest
        .split_once('.')
        .ok_or_else(|| malformed(kind, "no '.' separator"))?;
    if sig_part.contains('.') {
        return Err(malformed(kind, "more than one '.' separator"));
    }
    if key_part.len() != PART_CHARS || sig_part.len() != PART_CHARS {
        return Err(malformed(kind, "a token part has the wrong length"));
    }
    Ok((key_part, sig_part))
}

/// Strict base64url-no-pad decoding: alphabet, no padding, canonical trailing bits, exact size.
/// Canonical decoding matters: otherwise two strings could carry one signature.
fn decode_part(kind: TokenKind, part: &str, bytes: usize) -> Result<Vec<u8>, OAuthError> {
    match URL_SAFE_NO_PAD.decode(part) {
        Ok(v) if v.len() == bytes => Ok(v),
        _ => Err(malformed(kind, "a token part is not canonical base64url")),
    }
}

fn malformed(kind: TokenKind, why: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidToken)
        .hint(match kind {
            TokenKind::AccessToken => "The access token is malformed.",
            TokenKind::RefreshToken => "The refresh token is malformed.",
            TokenKind::AuthorizeCode => "The authorization code is malformed.",
            TokenKind::DeviceCode => "The device code is malformed.",
        })
        .debug(format!("{}: {why}", kind.noun()))
}

const fn signature_hint(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::AccessToken => {
            "The access token signature does not match: it was not issued by this server, was altered, or is another kind of token."
        }
        TokenKind::RefreshToken => {
            "The refresh token signature does not match: it was not issued by this server, was altered, or is another kind of token."
        }
        TokenKind::AuthorizeCode => {
            "The authorization code signature does not match: it was not issued by this server, was altered, or is another kind of token."
        }
        TokenKind::DeviceCode => {
            "The device code signature does not match: it was not issued by this server, was altered, or is another kind of token."
        }
    }
}

fn server_error(debug: &'static str) -> Error {
    Error::OAuth(OAuthError::new(OAuthErrorKind::ServerError).debug(debug))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2022-06-01T00:00:00Z: its milliseconds are 0x01811c8fe000.
    const NOW: Now = Now::from_unix_secs(1_654_041_600);

    fn keys(secrets: &[&[u8]]) -> TokenKeys {
        let secrets: Vec<_> = secrets.iter().map(|s| Secret::new(s.to_vec())).collect();
        TokenKeys::new(&secrets).unwrap()
    }

    fn invalid_token(r: Result<TokenSignature, OAuthError>) -> OAuthError {
        let e = r.unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidToken);
        assert!(e.hint.is_some());
        e
    }

    const S1: &[u8] = b"this-is-the-current-system-secret!";
    const S2: &[u8] = b"this-is-the-previous-system-secret";

    #[test]
    fn imported_hydra_tokens_verify_only_with_the_imported_key() {
        let k = keys(&[S1]);
        let hydra = HydraTokenKey::from_system_secret(b"the-hydra-system-secret").unwrap();
        let (token, sig) = hydra.mint(&[5u8; 32]);
        // Without the imported key a Hydra token is malformed, as any foreign token.
        assert!(k.verify(TokenKind::AccessToken, &token).is_err());
        assert_eq!(k.verify_imported(&token), None);
        k.set_imported_key(Some(hydra.clone()));
        let row = format!("hydra:{sig}");
        for kind in [TokenKind::AccessToken, TokenKind::RefreshToken] {
            assert_eq!(k.verify(kind, &token).unwrap().as_str(), row);
        }
        // Never as a code, never with an altered key part, never for an Oxydra-prefixed token.
        assert!(k.verify(TokenKind::AuthorizeCode, &token).is_err());
        let altered = format!("A{}", &token[1..]);
        assert!(k.verify(TokenKind::AccessToken, &altered).is_err());
        let prefixed = format!("oxy_at_{token}");
        assert_eq!(k.verify_imported(&prefixed), None);
        // Clones share the installed key; removing it stops verification.
        let clone = k.clone();
        k.set_imported_key(None);
        assert_eq!(clone.verify_imported(&token), None);
    }

    #[test]
    fn round_trip_for_every_kind() {
        let k = keys(&[S1]);
        for kind in TokenKind::ALL {
            let (token, sig) = k.generate(kind, NOW).unwrap();
            assert!(token.starts_with(kind.prefix()));
            assert_eq!(token.len(), kind.prefix().len() + 43 + 1 + 43);
            let sig_part = sig.legacy().unwrap();
            assert!(token.ends_with(&format!(".{}", sig_part.as_str())));
            assert_eq!(&sig.as_str()[..12], "01811c8fe000", "{sig}");
            assert_eq!(k.verify(kind, &token).unwrap(), sig);
            assert_eq!(TokenKind::detect(&token), Some(kind));
        }
        assert_eq!(TokenKind::detect("abc.def"), None);
    }

    #[test]
    fn row_keys_sort_by_issue_time_and_name_their_legacy_key() {
        let k = keys(&[S1]);
        let later = Now::from_unix_micros(NOW.unix_micros() + 1_000);
        let mut keys_in_issue_order = Vec::new();
        for now in [NOW, NOW, later, Now::from_unix_secs(1_754_041_600)] {
            let (token, sig) = k.generate(TokenKind::RefreshToken, now).unwrap();
            assert_eq!(k.verify(TokenKind::RefreshToken, &token).unwrap(), sig);
            assert_eq!(sig.as_str().len(), 12 + 43);
            keys_in_issue_order.push(sig);
        }
        assert!(keys_in_issue_order[1] < keys_in_issue_order[2]);
        assert!(keys_in_issue_order[2] < keys_in_issue_order[3]);
        let legacy = keys_in_issue_order[0].legacy().unwrap();
        assert_eq!(legacy.as_str(), &keys_in_issue_order[0].as_str()[12..]);
        // A legacy key, a JWT signature or anything else has no legacy form of its own.
        assert_eq!(legacy.legacy(), None);
        assert_eq!(TokenSignature::from_stored("zz1811c8fe000").legacy(), None);
    }

    #[test]
    fn device_codes_have_their_own_key_and_are_no_stored_token_kind() {
        let k = keys(&[S1]);
        let (token, sig) = k.generate(TokenKind::DeviceCode, NOW).unwrap();
        assert!(token.starts_with("oxy_dc_"));
        assert_eq!(k.verify(TokenKind::DeviceCode, &token).unwrap(), sig);
        // Not an authorization code with another prefix: the HMAC key differs.
        let as_code = token.replacen("oxy_dc_", "oxy_ac_", 1);
        invalid_token(k.verify(TokenKind::AuthorizeCode, &as_code));
        assert!(!TokenKind::ALL.contains(&TokenKind::DeviceCode));
        assert_eq!(TokenKind::detect(&token), None);
    }

    #[test]
    fn user_code_hashes_are_keyed_and_found_under_rotated_secrets() {
        let current = keys(&[S1]);
        let rotated = keys(&[S2, S1]);
        let stored = current.user_code_hashes("BCDFGHJK");
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0], keys(&[S2]).user_code_hashes("BCDFGHJK")[0]);
        assert_ne!(stored[0], current.user_code_hashes("BCDFGHJL")[0]);
        // After a rotation, the code stored under the old secret is still found.
        assert!(rotated.user_code_hashes("BCDFGHJK").contains(&stored[0]));
        assert_eq!(stored[0].len(), 43);
    }

    #[test]
    fn tokens_and_signatures_are_distinct() {
        let k = keys(&[S1]);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let (token, sig) = k.generate(TokenKind::AccessToken, NOW).unwrap();
            assert!(seen.insert(sig.into_string()));
            assert!(seen.insert(token));
        }
    }

    #[test]
    fn derivation_is_stable_across_releases() {
        // Pinned output: a change here invalidates every token already issued.
        let k = keys(&[S1]);
        let (token, sig) = k.compose(TokenKind::AccessToken, &[7u8; 32]);
        assert_eq!(
            token,
            format!("oxy_at_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc.{PINNED_ACCESS_SIG}")
        );
        assert_eq!(sig.as_str(), format!("070707070707{PINNED_ACCESS_SIG}"));
        // Independent recomputation of HKDF + HMAC with the documented labels.
        let prk =
            hkdf::Salt::new(hkdf::HKDF_SHA256, b"oxydra opaque token hmac key v1").extract(S1);
        let key: hmac::Key = prk
            .expand(&[b"oxydra/opaque/access_token"], hmac::HMAC_SHA256)
            .unwrap()
            .into();
        let tag = hmac::sign(&key, &[7u8; 32]);
        assert_eq!(URL_SAFE_NO_PAD.encode(tag.as_ref()), PINNED_ACCESS_SIG);
        let (_, rt) = k.compose(TokenKind::RefreshToken, &[7u8; 32]);
        let (_, ac) = k.compose(TokenKind::AuthorizeCode, &[7u8; 32]);
        assert!(rt != sig && ac != sig && rt != ac);
    }

    // Computed independently with Python's hmac/hashlib (RFC 5869 by hand).
    const PINNED_ACCESS_SIG: &str = "biT9aaMpdfL1qQE36c2InbxZKu0I0uf7uiAgD-8z1OA";

    #[test]
    fn tampered_key_or_signature_part_fails() {
        let k = keys(&[S1]);
        let (token, _) = k.generate(TokenKind::RefreshToken, NOW).unwrap();
        let body = token.strip_prefix("oxy_rt_").unwrap();
        let (key_part, sig_part) = body.split_once('.').unwrap();
        let flip = |s: &str| {
            // Change the first character, which carries 6 full bits.
            let first = if s.starts_with('A') { 'B' } else { 'A' };
            format!("{first}{}", &s[1..])
        };
        for bad in [
            format!("oxy_rt_{}.{sig_part}", flip(key_part)),
            format!("oxy_rt_{key_part}.{}", flip(sig_part)),
            format!("oxy_rt_{sig_part}.{key_part}"),
        ] {
            let e = invalid_token(k.verify(TokenKind::RefreshToken, &bad));
            assert_eq!(e.debug.as_deref(), Some("token_signature_mismatch"));
        }
    }

    #[test]
    fn wrong_kind_fails_even_with_the_right_prefix() {
        let k = keys(&[S1]);
        let (access, _) = k.generate(TokenKind::AccessToken, NOW).unwrap();
        // Wrong prefix: a format error.
        invalid_token(k.verify(TokenKind::RefreshToken, &access));
        invalid_token(k.verify(TokenKind::AuthorizeCode, &access));
        // Prefix swapped by an attacker: the per-kind key still rejects it.
        for kind in [TokenKind::RefreshToken, TokenKind::AuthorizeCode] {
            let forged = access.replacen("oxy_at_", kind.prefix(), 1);
            let e = invalid_token(k.verify(kind, &forged));
            assert_eq!(e.debug.as_deref(), Some("token_signature_mismatch"));
        }
    }

    #[test]
    fn rotated_secret_verifies_unknown_secret_does_not() {
        let old = keys(&[S2]);
        let rotated = keys(&[S1, S2]);
        let other = keys(&[b"some-completely-unrelated-secret!!"]);
        let (token, sig) = old.generate(TokenKind::AuthorizeCode, NOW).unwrap();
        assert_eq!(
            rotated.verify(TokenKind::AuthorizeCode, &token).unwrap(),
            sig
        );
        invalid_token(other.verify(TokenKind::AuthorizeCode, &token));
        // New tokens are signed with the first (current) secret only.
        let (fresh, _) = rotated.generate(TokenKind::AuthorizeCode, NOW).unwrap();
        assert!(keys(&[S1]).verify(TokenKind::AuthorizeCode, &fresh).is_ok());
        invalid_token(old.verify(TokenKind::AuthorizeCode, &fresh));
    }

    #[test]
    fn malformed_tokens_are_invalid_token() {
        let k = keys(&[S1]);
        let (token, _) = k.generate(TokenKind::AccessToken, NOW).unwrap();
        let body = token.strip_prefix("oxy_at_").unwrap().to_owned();
        let (key_part, sig_part) = body.split_once('.').unwrap();
        // 43 characters carry 258 bits for 256: the last character's two low bits must be zero.
        // Setting one gives a string that lenient decoders map to the same bytes.
        const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let last = ALPHABET.find(&sig_part[42..]).unwrap();
        assert_eq!(last % 4, 0);
        let noncanonical_last = &ALPHABET[last + 1..last + 2];
        let noncanonical = format!("oxy_at_{key_part}.{}{noncanonical_last}", &sig_part[..42]);
        let cases = [
            String::new(),
            "oxy_at_".to_owned(),
            body.clone(),
            format!("OXY_AT_{body}"),
            format!("oxy_at_{key_part}{sig_part}"),
            format!("oxy_at_{key_part}.{sig_part}."),
            format!("oxy_at_{key_part}..{sig_part}"),
            format!("oxy_at_.{sig_part}"),
            format!("oxy_at_{key_part}."),
            format!("oxy_at_{key_part}.{sig_part}A"),
            format!("oxy_at_{key_part}.{}", &sig_part[1..]),
            format!("oxy_at_{key_part}=.{sig_part}"),
            format!("oxy_at_{}+.{sig_part}", &key_part[1..]),
            format!("oxy_at_{}/.{sig_part}", &key_part[1..]),
            format!("oxy_at_{}!.{sig_part}", &key_part[1..]),
            format!("oxy_at_{}é.{sig_part}", &key_part[2..]),
            format!(" {token}"),
            format!("{token} "),
            noncanonical,
        ];
        for bad in cases {
            let e = invalid_token(k.verify(TokenKind::AccessToken, &bad));
            let debug = e.debug.unwrap_or_default();
            assert!(debug.starts_with("access token: "), "{bad:?}: {debug}");
            assert!(
                !debug.contains(key_part),
                "the token must not leak into errors"
            );
        }
    }

    #[test]
    fn construction_and_debug() {
        assert!(TokenKeys::new(&[]).is_err());
        assert!(TokenKeys::new(&[Secret::new(Vec::new())]).is_err());
        assert!(TokenKeys::new(&[Secret::new(S1.to_vec()), Secret::new(Vec::new())]).is_err());
        let k = keys(&[S1, S2]);
        assert_eq!(format!("{k:?}"), "TokenKeys { secrets: 2, .. }");
        let sig = TokenSignature::from_stored("abc");
        assert_eq!(format!("{sig:?}"), "TokenSignature(\"abc\")");
        assert_eq!(sig.to_string(), "abc");
    }
}
