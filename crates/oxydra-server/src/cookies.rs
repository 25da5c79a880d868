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
//!
//! After `oxydra import hydra`, the session cookie Hydra wrote (its own signed format, under its
//! bare name even over https) is read too, so users Hydra remembered stay logged in; see
//! [`HydraCookies`].

use std::sync::{Arc, RwLock};

use aws_lc_rs::hmac;
use axum::http::{HeaderMap, HeaderValue, header};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use oxydra_core::clock::Clock;
use oxydra_core::import::hydra::session_cookie::{HYDRA_SESSION_COOKIE, HydraCookieKey};
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
    /// Reads Hydra's session cookies once an import stored Hydra's cookie key; shared by
    /// clones, installed after start-up.
    hydra: Arc<RwLock<Option<HydraCookies>>>,
}

/// Hydra's login cookie reader: its key, and the clock its 30-day age limit is checked with.
#[derive(Clone)]
pub struct HydraCookies {
    key: HydraCookieKey,
    clock: Arc<dyn Clock>,
}

impl HydraCookies {
    /// A reader of cookies Hydra signed with `key`.
    pub fn new(key: HydraCookieKey, clock: Arc<dyn Clock>) -> Self {
        Self { key, clock }
    }

    fn session_id(&self, value: &str) -> Option<String> {
        let now_secs = self.clock.now().unix_secs();
        self.key.session_id(HYDRA_SESSION_COOKIE, value, now_secs)
    }
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
            hydra: Arc::default(),
        }
    }

    /// Starts (or, with `None`, stops) reading Hydra's session cookies, in every clone.
    pub fn set_hydra_cookies(&self, reader: Option<HydraCookies>) {
        if let Ok(mut slot) = self.hydra.write() {
            *slot = reader;
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

    /// The flow cookies of a request, each only if its signature verifies. Without a session
    /// cookie of Oxydra's, a session cookie Hydra signed names the session (after an import).
    pub fn read(&self, headers: &HeaderMap) -> BrowserCookies {
        let mut cookies = BrowserCookies::default();
        let mut hydra_session = None;
        for header in headers.get_all(header::COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            for pair in text.split(';') {
                let Some((sent, value)) = pair.trim().split_once('=') else {
                    continue;
                };
                if sent == HYDRA_SESSION_COOKIE && hydra_session.is_none() {
                    hydra_session = self.hydra_session(value);
                }
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
        if cookies.session_id.is_none() {
            cookies.session_id = hydra_session;
        }
        cookies
    }

    /// The session id of a cookie in Hydra's format, when Hydra's key is installed.
    fn hydra_session(&self, value: &str) -> Option<String> {
        // Oxydra's own values are `<value>.<tag>`; base64 has no dot.
        if value.contains('.') {
            return None;
        }
        let reader = self.hydra.read().ok()?;
        reader.as_ref()?.session_id(value)
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

    #[test]
    fn hydras_session_cookie_names_the_session_once_its_key_is_installed() {
        use oxydra_core::clock::FixedClock;
        use oxydra_core::model::Now;
        let hydra_key = HydraCookieKey::from_system_secret(b"hydra-system-secret-0123").unwrap();
        let now = 1_800_000_000;
        let hydra_value = hydra_key.mint(SESSION, now - 60, "hydra-sid");
        let jar = CookieJar::new(b"0123456789abcdef0123456789abcdef", true);
        let read = |jar: &CookieJar, cookie: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
            jar.read(&headers).session_id
        };
        let hydra_cookie = format!("{SESSION}={hydra_value}");
        // Before an import installs the key, Hydra's cookie means nothing.
        assert_eq!(read(&jar, &hydra_cookie), None);
        let clock = Arc::new(FixedClock::new(Now::from_unix_secs(now)));
        jar.clone()
            .set_hydra_cookies(Some(HydraCookies::new(hydra_key.clone(), clock.clone())));
        // Hydra wrote the bare name, also over https.
        assert_eq!(read(&jar, &hydra_cookie).as_deref(), Some("hydra-sid"));
        // Oxydra's own session cookie wins when both are sent.
        let own = format!("__Host-{SESSION}={}", jar.sign(SESSION, "own-sid"));
        assert_eq!(
            read(&jar, &format!("{hydra_cookie}; {own}")).as_deref(),
            Some("own-sid")
        );
        // Another key, or a value past gorilla's 30-day limit, is ignored.
        let forged = HydraCookieKey::from_system_secret(b"an-attackers-secret-0123")
            .unwrap()
            .mint(SESSION, now - 60, "victim-sid");
        assert_eq!(read(&jar, &format!("{SESSION}={forged}")), None);
        clock.advance_secs(31 * 86_400);
        assert_eq!(read(&jar, &hydra_cookie), None);
        // Removing the key stops reading Hydra's cookies.
        clock.set(Now::from_unix_secs(now));
        jar.set_hydra_cookies(None);
        assert_eq!(read(&jar, &hydra_cookie), None);
    }
}
