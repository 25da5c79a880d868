//! The flow's browser cookies (`shared/spec/behaviour.md` §3.4), signed with `COOKIE_SECRET`:
//! `oauth2_authentication_csrf`, `oauth2_consent_csrf`, `oauth2_authentication_session`,
//! the 0.10 flow's `consent_session` and the device flow's `oauth2_device_csrf`.
//!
//! A value is `<value>.<base64url(HMAC-SHA-256(key, name "=" value))>`: tamper-proof and bound
//! to its cookie name, so a CSRF value cannot be replayed as a session id. Cookies are
//! `HttpOnly`, `SameSite=Lax` (the flow's redirects are top-level GET navigations, which Lax
//! allows), `Path=/`, and `Secure` unless `--dangerous-force-http`. Over https their names
//! carry the `__Host-` prefix (RFC 6265bis §4.1.3.2: Secure, `Path=/`, no `Domain`), and only
//! prefixed cookies are read, so a sibling subdomain cannot plant a CSRF value or a session;
//! plain HTTP (development) keeps the bare names, which browsers require there.

use aws_lc_rs::hmac;
use axum::http::{HeaderMap, HeaderValue, header};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use oxydra_core::service::authorize::{BrowserCookies, CookieChange};

/// `oauth2_authentication_csrf`.
pub const LOGIN_CSRF: &str = "oauth2_authentication_csrf";
/// `oauth2_consent_csrf`.
pub const CONSENT_CSRF: &str = "oauth2_consent_csrf";
/// `oauth2_authentication_session`.
pub const SESSION: &str = "oauth2_authentication_session";
/// `consent_session`: the 0.10 consent-by-id flow's CSRF cookie (Hydra 0.10's name).
pub const LEGACY_CONSENT: &str = "consent_session";
/// `oauth2_device_csrf`: the device flow's verification form (RFC 8628 §3.3).
pub const DEVICE_CSRF: &str = "oauth2_device_csrf";
/// The name prefix of every flow cookie over https.
const HOST_PREFIX: &str = "__Host-";
/// Lifetime of the CSRF cookies: the flow's whole round trip is limited to 15 minutes.
const CSRF_MAX_AGE: i64 = 15 * 60;

/// Signs and verifies cookie values, and writes `Set-Cookie` headers.
#[derive(Clone)]
pub struct CookieJar {
    key: hmac::Key,
    /// Keys of rotated cookie secrets: they verify, never sign.
    rotated: Vec<hmac::Key>,
    secure: bool,
}

impl std::fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieJar")
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

impl CookieJar {
    /// A jar keyed by `secret` (`COOKIE_SECRET`); `secure` adds the `Secure` attribute.
    pub fn new(secret: &[u8], secure: bool) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            rotated: Vec::new(),
            secure,
        }
    }

    /// The jar that also accepts cookies signed with the `rotated` secrets (the rest of the
    /// `SECRETS_COOKIE` list), so rotating the cookie secret does not drop every session.
    pub fn with_rotated<'a>(mut self, rotated: impl IntoIterator<Item = &'a [u8]>) -> Self {
        self.rotated = rotated
            .into_iter()
            .map(|secret| hmac::Key::new(hmac::HMAC_SHA256, secret))
            .collect();
        self
    }

    fn tag(&self, name: &str, value: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(name.as_bytes());
        ctx.update(b"=");
        ctx.update(value.as_bytes());
        URL_SAFE_NO_PAD.encode(ctx.sign().as_ref())
    }

    /// The signed form of `value` for cookie `name`.
    pub fn sign(&self, name: &str, value: &str) -> String {
        format!("{value}.{}", self.tag(name, value))
    }

    /// The value of a signed cookie, if its signature verifies under the current or a rotated
    /// secret (each comparison constant time).
    pub fn verify(&self, name: &str, signed: &str) -> Option<String> {
        let (value, tag) = signed.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut msg = Vec::with_capacity(name.len() + 1 + value.len());
        msg.extend_from_slice(name.as_bytes());
        msg.push(b'=');
        msg.extend_from_slice(value.as_bytes());
        std::iter::once(&self.key)
            .chain(&self.rotated)
            .any(|key| hmac::verify(key, &msg, &tag).is_ok())
            .then(|| value.to_owned())
    }

    /// The flow cookies of a request, each only if its signature verifies.
    pub fn read(&self, headers: &HeaderMap) -> BrowserCookies {
        let mut cookies = BrowserCookies::default();
        for header in headers.get_all(header::COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            for pair in text.split(';') {
                let Some((sent, value)) = pair.trim().split_once('=') else {
                    continue;
                };
                let Some(name) = self.unprefixed(sent) else {
                    continue;
                };
                let slot = match name {
                    LOGIN_CSRF => &mut cookies.login_csrf,
                    CONSENT_CSRF => &mut cookies.consent_csrf,
                    SESSION => &mut cookies.session_id,
                    LEGACY_CONSENT => &mut cookies.legacy_consent_csrf,
                    DEVICE_CSRF => &mut cookies.device_csrf,
                    _ => continue,
                };
                if let Some(v) = self.verify(name, value) {
                    *slot = Some(v);
                }
            }
        }
        cookies
    }

    /// The flow name of a cookie the browser sent: over https only `__Host-` names count.
    fn unprefixed<'n>(&self, sent: &'n str) -> Option<&'n str> {
        if self.secure {
            sent.strip_prefix(HOST_PREFIX)
        } else {
            Some(sent)
        }
    }

    fn prefix(&self) -> &'static str {
        if self.secure { HOST_PREFIX } else { "" }
    }

    /// `Set-Cookie` header values for `changes`. Clearing the session over https also clears
    /// the bare-named cookie versions before the `__Host-` prefix set.
    pub fn set_cookie_headers(&self, changes: &[CookieChange]) -> Vec<HeaderValue> {
        let legacy = (self.secure && changes.contains(&CookieChange::ClearSession))
            .then(|| format!("{SESSION}=; Max-Age=0{}", self.attributes()));
        changes
            .iter()
            .filter_map(|change| {
                let text = match change {
                    CookieChange::LoginCsrf(v) => {
                        self.cookie(LOGIN_CSRF, v.as_str(), Some(CSRF_MAX_AGE))
                    }
                    CookieChange::ConsentCsrf(v) => {
                        self.cookie(CONSENT_CSRF, v.as_str(), Some(CSRF_MAX_AGE))
                    }
                    CookieChange::Session { id, max_age } => self.cookie(SESSION, id, *max_age),
                    CookieChange::ClearSession => self.clear(SESSION),
                    CookieChange::LegacyConsentCsrf { csrf, max_age } => {
                        self.cookie(LEGACY_CONSENT, csrf.as_str(), Some(*max_age))
                    }
                    CookieChange::ClearLegacyConsent => self.clear(LEGACY_CONSENT),
                    CookieChange::DeviceCsrf(v) => {
                        self.cookie(DEVICE_CSRF, v.as_str(), Some(CSRF_MAX_AGE))
                    }
                };
                HeaderValue::from_str(&text).ok()
            })
            .chain(legacy.and_then(|text| HeaderValue::from_str(&text).ok()))
            .collect()
    }

    fn attributes(&self) -> &'static str {
        if self.secure {
            "; Path=/; HttpOnly; SameSite=Lax; Secure"
        } else {
            "; Path=/; HttpOnly; SameSite=Lax"
        }
    }

    fn cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> String {
        let signed = self.sign(name, value);
        match max_age {
            Some(age) => format!(
                "{}{name}={signed}{}; Max-Age={age}",
                self.prefix(),
                self.attributes()
            ),
            None => format!("{}{name}={signed}{}", self.prefix(), self.attributes()),
        }
    }

    /// A header that expires cookie `name`.
    pub fn clear(&self, name: &str) -> String {
        format!("{}{name}=; Max-Age=0{}", self.prefix(), self.attributes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxydra_core::flow::FlowId;

    #[test]
    fn signed_values_verify_only_for_their_name_and_key() {
        let jar = CookieJar::new(b"0123456789abcdef0123456789abcdef", true);
        let signed = jar.sign(SESSION, "sid-1");
        assert_eq!(jar.verify(SESSION, &signed).as_deref(), Some("sid-1"));
        assert_eq!(jar.verify(LOGIN_CSRF, &signed), None);
        assert_eq!(jar.verify(SESSION, &signed.replace("sid-1", "sid-2")), None);
        let other = CookieJar::new(b"another-secret-another-secret-00", true);
        assert_eq!(other.verify(SESSION, &signed), None);
        assert_eq!(jar.verify(SESSION, "no-dot"), None);
    }

    #[test]
    fn rotated_secrets_verify_but_only_the_current_one_signs() {
        let old = CookieJar::new(b"old-cookie-secret-0123", true);
        let new = CookieJar::new(b"new-cookie-secret-0123", true);
        let rotating = CookieJar::new(b"new-cookie-secret-0123", true)
            .with_rotated([b"old-cookie-secret-0123".as_slice()]);
        let by_old = old.sign(SESSION, "sid-old");
        assert_eq!(
            rotating.verify(SESSION, &by_old).as_deref(),
            Some("sid-old")
        );
        assert_eq!(new.verify(SESSION, &by_old), None);
        let by_rotating = rotating.sign(SESSION, "sid-new");
        assert_eq!(
            new.verify(SESSION, &by_rotating).as_deref(),
            Some("sid-new")
        );
        assert_eq!(old.verify(SESSION, &by_rotating), None);
    }

    #[test]
    fn reads_only_verified_flow_cookies() {
        let jar = CookieJar::new(b"0123456789abcdef0123456789abcdef", false);
        let mut headers = HeaderMap::new();
        let cookie = format!(
            "other=1; {LOGIN_CSRF}={}; {SESSION}=forged.AAAA",
            jar.sign(LOGIN_CSRF, "abc")
        );
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        let read = jar.read(&headers);
        assert_eq!(read.login_csrf.as_deref(), Some("abc"));
        assert_eq!(read.session_id, None);
    }

    #[test]
    fn set_cookie_carries_the_security_attributes() {
        let jar = CookieJar::new(b"0123456789abcdef0123456789abcdef", true);
        let id = FlowId::generate();
        let headers = jar.set_cookie_headers(&[
            CookieChange::LoginCsrf(id),
            CookieChange::Session {
                id: "s".into(),
                max_age: None,
            },
            CookieChange::ClearSession,
        ]);
        let texts: Vec<&str> = headers.iter().map(|h| h.to_str().unwrap()).collect();
        assert!(
            texts[0].starts_with(&format!("__Host-{LOGIN_CSRF}="))
                && texts[0].contains("; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=900")
                && !texts[0].contains("Domain")
        );
        assert!(!texts[1].contains("Max-Age"));
        assert!(texts[2].starts_with(&format!("__Host-{SESSION}=;")));
        assert!(texts[2].contains("Max-Age=0"));
        assert!(texts[3].starts_with(&format!("{SESSION}=; Max-Age=0")));
        assert_eq!(texts.len(), 4);
    }

    #[test]
    fn https_reads_only_host_prefixed_cookies_and_http_only_bare_ones() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let https = CookieJar::new(secret, true);
        let signed = https.sign(SESSION, "sid-1");
        let read = |jar: &CookieJar, cookie: String| {
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
            jar.read(&headers).session_id
        };
        assert_eq!(read(&https, format!("{SESSION}={signed}")), None);
        assert_eq!(
            read(&https, format!("__Host-{SESSION}={signed}")).as_deref(),
            Some("sid-1")
        );
        let http = CookieJar::new(secret, false);
        assert_eq!(read(&http, format!("__Host-{SESSION}={signed}")), None);
        assert_eq!(
            read(&http, format!("{SESSION}={signed}")).as_deref(),
            Some("sid-1")
        );
        let headers = http.set_cookie_headers(&[CookieChange::ClearSession]);
        assert_eq!(headers.len(), 1);
        assert!(
            headers[0]
                .to_str()
                .unwrap()
                .starts_with(&format!("{SESSION}=;"))
        );
    }
}
