//! Hydra's browser login cookie, kept working after `oxydra import hydra` so a user Hydra
//! remembered is not asked to log in again (docs/migrating-from-hydra.md).
//!
//! Hydra 0.x/1.x keep the login session id in the cookie `oauth2_authentication_session`,
//! written by gorilla/sessions' cookie store: the session's values (`{"sid": <id>}`) gob-encoded
//! ([`super::gob`]), then gorilla/securecookie's framing — `base64url(date "|" base64url(gob)
//! "|" mac)` with padding, `mac` = HMAC-SHA-256 over `name "|" date "|" base64url(gob)` under
//! the cookie secret, `date` the Unix second of signing, and values older than 30 days refused
//! (the store's default maximum age). No encryption key is configured (Hydra passes one secret,
//! which gorilla takes as the hash key). Hydra's cookie secret is `COOKIE_SECRET` as given, or
//! else `SHA-256(SYSTEM_SECRET)`.
//!
//! A verified cookie only names a session id; the session must still exist (imported, not
//! expired, not logged out) in Oxydra's store for the login to be skipped.

use std::fmt;

use aws_lc_rs::hmac;
use base64::{Engine as _, engine::general_purpose::URL_SAFE};

use crate::token::hydra::{MIN_HYDRA_SECRET_LEN, ShortHydraSecret, hydra_global_secret};

use super::gob;

/// The key set the importer stores Hydra's cookie secret in (one `oct` key, encrypted at rest
/// like every key); deleting the set stops Hydra's cookies from being read.
pub const HYDRA_COOKIE_KEY_SET: &str = "oxydra.import.hydra-cookies";

/// The key id of that key.
pub const HYDRA_COOKIE_KEY_ID: &str = "hydra-cookie-secret";

/// The cookie's name; its value key holding the login session id.
pub const HYDRA_SESSION_COOKIE: &str = "oauth2_authentication_session";
const SID_KEY: &str = "sid";

/// gorilla/sessions' default maximum age of a cookie store's values (30 days).
pub const MAX_AGE_SECS: i64 = 86_400 * 30;
/// gorilla/securecookie's default maximum encoded length.
const MAX_LEN: usize = 4096;

/// Hydra's cookie secret (the securecookie hash key). `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct HydraCookieKey(Vec<u8>);

impl fmt::Debug for HydraCookieKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HydraCookieKey(..)")
    }
}

impl HydraCookieKey {
    /// The key Hydra used when no `COOKIE_SECRET` was set: `SHA-256(SYSTEM_SECRET)`.
    pub fn from_system_secret(secret: &[u8]) -> Result<Self, ShortHydraSecret> {
        if secret.len() < MIN_HYDRA_SECRET_LEN {
            return Err(ShortHydraSecret);
        }
        Ok(Self(hydra_global_secret(secret).to_vec()))
    }

    /// The key Hydra used with `COOKIE_SECRET` set: its bytes as they are. `None` when empty.
    pub fn from_cookie_secret(secret: &[u8]) -> Option<Self> {
        (!secret.is_empty()).then(|| Self(secret.to_vec()))
    }

    /// The key's bytes, to be stored encrypted.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The login session id of a Hydra session cookie `value` signed at most 30 days before
    /// `now_secs` (Unix seconds); `None` for anything else: another key, another cookie name,
    /// a changed byte, an expired or malformed value, an empty session id (Hydra's logout).
    pub fn session_id(&self, name: &str, value: &str, now_secs: i64) -> Option<String> {
        if value.len() > MAX_LEN {
            return None;
        }
        let framed = URL_SAFE.decode(value).ok()?;
        let mut parts = framed.splitn(3, |b| *b == b'|');
        let (date, payload, mac) = (parts.next()?, parts.next()?, parts.next()?);
        let signed_len = date.len() + 1 + payload.len();
        let mut message = Vec::with_capacity(name.len() + 1 + signed_len);
        message.extend_from_slice(name.as_bytes());
        message.push(b'|');
        message.extend_from_slice(framed.get(..signed_len)?);
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        hmac::verify(&key, &message, mac).ok()?;
        let signed_at: i64 = std::str::from_utf8(date).ok()?.parse().ok()?;
        if signed_at < now_secs.saturating_sub(MAX_AGE_SECS) {
            return None;
        }
        let values = gob::decode_string_map(&URL_SAFE.decode(payload).ok()?)?;
        values.get(SID_KEY).filter(|sid| !sid.is_empty()).cloned()
    }

    /// The cookie value Hydra would have written for session `sid` at `signed_at` (Unix
    /// seconds). Builds Hydra-shaped fixtures and tests verification.
    pub fn mint(&self, name: &str, signed_at: i64, sid: &str) -> String {
        let payload = URL_SAFE.encode(gob::encode_string_map(&[(SID_KEY, sid)]));
        let signed = format!("{name}|{signed_at}|{payload}");
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        let mac = hmac::sign(&key, signed.as_bytes());
        let mut framed = signed.into_bytes().split_off(name.len() + 1);
        framed.push(b'|');
        framed.extend_from_slice(mac.as_ref());
        URL_SAFE.encode(framed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"hydra-system-secret-0123456789";
    const SID: &str = "5a2d8e4c-1f0b-4c3e-9d7a-2b6f1e8c9a01";
    const SIGNED_AT: i64 = 1_700_000_000;
    /// Made by a Go 1.19 program (`fixtures/hydra_session_cookie.go`) following gorilla/securecookie's `Encode` with Go's own
    /// `encoding/gob`, `crypto/hmac` and `encoding/base64`: key `SHA-256(SECRET)`, name
    /// [`HYDRA_SESSION_COOKIE`], timestamp [`SIGNED_AT`], values `{"sid": SID}`.
    const GO_COOKIE: &str = "MTcwMDAwMDAwMHxEdi1CQkFFQ180SUFBUkFCRUFBQVFmLUNBQUVHYzNSeWFXNW5EQVVBQTNOcFpBWnpkSEpwYm1jTUpnQWtOV0V5WkRobE5HTXRNV1l3WWkwMFl6TmxMVGxrTjJFdE1tSTJaakZsT0dNNVlUQXh8GrOp7MiJtBp0kSnGEAkX2d3xogpe2KY_NcH_z-cM3Do=";

    fn key() -> HydraCookieKey {
        HydraCookieKey::from_system_secret(SECRET).unwrap()
    }

    #[test]
    fn reads_the_cookie_go_wrote_and_mints_the_same() {
        let now = SIGNED_AT + 60;
        assert_eq!(
            key()
                .session_id(HYDRA_SESSION_COOKIE, GO_COOKIE, now)
                .as_deref(),
            Some(SID)
        );
        assert_eq!(key().mint(HYDRA_SESSION_COOKIE, SIGNED_AT, SID), GO_COOKIE);
    }

    #[test]
    fn another_key_name_or_byte_is_refused() {
        let now = SIGNED_AT + 60;
        let other = HydraCookieKey::from_system_secret(b"another-hydra-secret-0123").unwrap();
        assert_eq!(other.session_id(HYDRA_SESSION_COOKIE, GO_COOKIE, now), None);
        assert_eq!(
            key().session_id("oauth2_consent_csrf", GO_COOKIE, now),
            None
        );
        let raw = HydraCookieKey::from_cookie_secret(SECRET).unwrap();
        assert_eq!(raw.session_id(HYDRA_SESSION_COOKIE, GO_COOKIE, now), None);
        let framed = URL_SAFE.decode(GO_COOKIE).unwrap();
        for i in 0..framed.len() {
            let mut changed = framed.clone();
            changed[i] ^= 0x01;
            let value = URL_SAFE.encode(&changed);
            assert_eq!(
                key().session_id(HYDRA_SESSION_COOKIE, &value, now),
                None,
                "byte {i} changed"
            );
        }
        assert_eq!(key().session_id(HYDRA_SESSION_COOKIE, "", now), None);
        assert_eq!(key().session_id(HYDRA_SESSION_COOKIE, "!!", now), None);
        let huge = "A".repeat(MAX_LEN + 4);
        assert_eq!(key().session_id(HYDRA_SESSION_COOKIE, &huge, now), None);
    }

    #[test]
    fn cookies_older_than_thirty_days_and_logged_out_ones_are_refused() {
        let last_second = SIGNED_AT + MAX_AGE_SECS;
        assert_eq!(
            key()
                .session_id(HYDRA_SESSION_COOKIE, GO_COOKIE, last_second)
                .as_deref(),
            Some(SID)
        );
        assert_eq!(
            key().session_id(HYDRA_SESSION_COOKIE, GO_COOKIE, last_second + 1),
            None
        );
        let logged_out = key().mint(HYDRA_SESSION_COOKIE, SIGNED_AT, "");
        assert_eq!(
            key().session_id(HYDRA_SESSION_COOKIE, &logged_out, SIGNED_AT),
            None
        );
    }

    #[test]
    fn short_or_empty_secrets_are_refused() {
        assert!(HydraCookieKey::from_system_secret(b"short").is_err());
        assert_eq!(HydraCookieKey::from_cookie_secret(b""), None);
    }
}
