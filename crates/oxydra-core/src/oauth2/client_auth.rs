//! Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3):
//! parses *what the client presented* — HTTP Basic, form-body secret, JWT assertion (RFC 7523
//! §2.2) or a bare `client_id` — and refuses ambiguous requests. It does not look the client up
//! or check a secret; the token service does that against the client's registered
//! `token_endpoint_auth_method` (`shared/spec/behaviour.md` §6.1).

use std::fmt;

use base64::{Engine as _, engine::general_purpose::STANDARD};

use crate::{OAuthError, OAuthErrorKind, Secret};

/// RFC 7523 §2.2: the only `client_assertion_type` accepted (`private_key_jwt`).
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The credentials a request carries, classified by authentication method.
#[derive(Clone, PartialEq, Eq)]
pub enum PresentedCredentials {
    /// RFC 6749 §2.3.1 HTTP Basic (`client_secret_basic`).
    Basic {
        /// The form-URL-decoded client id.
        id: String,
        /// The form-URL-decoded client secret.
        secret: Secret<String>,
    },
    /// RFC 6749 §2.3.1 credentials in the request body (`client_secret_post`).
    Post {
        /// `client_id` from the body.
        id: String,
        /// `client_secret` from the body.
        secret: Secret<String>,
    },
    /// RFC 7523 §2.2 JWT assertion (`private_key_jwt`); the id may come from the JWT `sub`.
    Assertion {
        /// `client_id` from the body, when sent.
        client_id: Option<String>,
        /// The `client_assertion` JWT (a credential: never logged).
        assertion: String,
    },
    /// Only a `client_id`: a public client (`none`, RFC 6749 §2.1).
    None {
        /// `client_id` from the body.
        id: String,
    },
}

impl PresentedCredentials {
    /// The client id the request names, if it names one directly.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Self::Basic { id, .. } | Self::Post { id, .. } | Self::None { id } => Some(id),
            Self::Assertion { client_id, .. } => client_id.as_deref(),
        }
    }

    /// The client secret presented (Basic or body), if any.
    pub fn secret(&self) -> Option<&Secret<String>> {
        match self {
            Self::Basic { secret, .. } | Self::Post { secret, .. } => Some(secret),
            Self::Assertion { .. } | Self::None { .. } => None,
        }
    }

    /// The `token_endpoint_auth_method` this presentation corresponds to (RFC 7591 §2), to be
    /// compared with the client's registered method.
    pub fn auth_method(&self) -> &'static str {
        match self {
            Self::Basic { .. } => "client_secret_basic",
            Self::Post { .. } => "client_secret_post",
            Self::Assertion { .. } => "private_key_jwt",
            Self::None { .. } => "none",
        }
    }
}

impl fmt::Debug for PresentedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic { id, secret } => f
                .debug_struct("Basic")
                .field("id", id)
                .field("secret", secret)
                .finish(),
            Self::Post { id, secret } => f
                .debug_struct("Post")
                .field("id", id)
                .field("secret", secret)
                .finish(),
            Self::Assertion { client_id, .. } => f
                .debug_struct("Assertion")
                .field("client_id", client_id)
                .field("assertion", &"<redacted>")
                .finish(),
            Self::None { id } => f.debug_struct("None").field("id", id).finish(),
        }
    }
}

/// RFC 6749 §2.3.1 with RFC 7617: parses `Authorization: Basic base64(urlenc(id):urlenc(secret))`.
///
/// The scheme is case-insensitive (RFC 7235 §2.1); the payload is standard base64 with padding,
/// split on the first `:`; both halves are then form-URL-decoded (`+` is a space, `%XX` a byte,
/// the result UTF-8). Any failure, an empty id or an empty secret is `invalid_client`.
pub fn parse_basic(header_value: &str) -> Result<(String, Secret<String>), OAuthError> {
    let (scheme, payload) = header_value
        .trim()
        .split_once(' ')
        .ok_or_else(|| invalid_client("The Authorization header must be 'Basic <credentials>'."))?;
    if !scheme.eq_ignore_ascii_case("Basic") {
        return Err(invalid_client(
            "Only the Basic scheme is supported for client authentication in the Authorization header.",
        ));
    }
    let payload = payload.trim_start_matches(' ');
    let decoded = STANDARD
        .decode(payload)
        .map_err(|_| invalid_client("The Basic credentials are not valid base64."))?;
    let decoded = String::from_utf8(decoded)
        .map_err(|_| invalid_client("The Basic credentials are not valid UTF-8."))?;
    let (raw_id, raw_secret) = decoded.split_once(':').ok_or_else(|| {
        invalid_client("The Basic credentials must have the form 'client_id:client_secret'.")
    })?;
    let id = form_url_decode(raw_id).ok_or_else(|| {
        invalid_client("The client id in the Basic credentials is not valid form-URL-encoding.")
    })?;
    let secret = form_url_decode(raw_secret).ok_or_else(|| {
        invalid_client("The client secret in the Basic credentials is not valid form-URL-encoding.")
    })?;
    if id.is_empty() {
        return Err(invalid_client(
            "The Basic credentials carry an empty client id.",
        ));
    }
    if secret.is_empty() {
        return Err(invalid_client(
            "The Basic credentials carry an empty client secret; public clients send only client_id in the body.",
        ));
    }
    Ok((id, Secret::new(secret)))
}

/// RFC 6749 §2.3: classifies the request's client credentials; at most one method may be used.
///
/// Empty form values count as absent. Errors: more than one method, a secret or assertion without
/// its companion parameter, or a Basic id different from the body's `client_id` →
/// `invalid_request`; an unknown `client_assertion_type`, a malformed Basic header, or no
/// credentials at all → `invalid_client`.
pub fn classify(
    authorization: Option<&str>,
    form_client_id: Option<&str>,
    form_client_secret: Option<&str>,
    assertion_type: Option<&str>,
    assertion: Option<&str>,
) -> Result<PresentedCredentials, OAuthError> {
    let form_id = present(form_client_id);
    let form_secret = present(form_client_secret);
    let assertion_type = present(assertion_type);
    let assertion = present(assertion);
    let uses_assertion = assertion_type.is_some() || assertion.is_some();

    let methods = [
        authorization.is_some(),
        form_secret.is_some(),
        uses_assertion,
    ];
    if methods.into_iter().filter(|used| *used).count() > 1 {
        return Err(OAuthError::invalid_request(
            "The request uses more than one client authentication method (Authorization header, client_secret, client_assertion); use exactly one.",
        ));
    }

    if let Some(header) = authorization {
        let (id, secret) = parse_basic(header)?;
        if form_id.is_some_and(|f| f != id) {
            return Err(OAuthError::invalid_request(
                "The client_id in the request body does not match the client id in the Authorization header.",
            ));
        }
        return Ok(PresentedCredentials::Basic { id, secret });
    }

    if let Some(secret) = form_secret {
        let id = form_id.ok_or_else(|| {
            OAuthError::invalid_request("The client_secret was sent without a client_id.")
        })?;
        return Ok(PresentedCredentials::Post {
            id: id.to_owned(),
            secret: Secret::new(secret.to_owned()),
        });
    }

    if uses_assertion {
        match assertion_type {
            Some(JWT_BEARER_ASSERTION_TYPE) => {}
            Some(_) => {
                return Err(invalid_client(
                    "The client_assertion_type is not supported; use 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
                ));
            }
            None => {
                return Err(OAuthError::invalid_request(
                    "The client_assertion was sent without a client_assertion_type.",
                ));
            }
        }
        let assertion = assertion.ok_or_else(|| {
            OAuthError::invalid_request(
                "The client_assertion_type was sent without a client_assertion.",
            )
        })?;
        return Ok(PresentedCredentials::Assertion {
            client_id: form_id.map(str::to_owned),
            assertion: assertion.to_owned(),
        });
    }

    match form_id {
        Some(id) => Ok(PresentedCredentials::None { id: id.to_owned() }),
        None => Err(invalid_client(
            "Client authentication is required: send HTTP Basic credentials, client_id and client_secret, a client_assertion, or client_id for a public client.",
        )),
    }
}

/// `application/x-www-form-urlencoded` value decoding (WHATWG URL §5.1, as RFC 6749 Appendix B
/// requires): `+` → space, `%XX` → byte; the bytes must be UTF-8. Unlike a lenient decoder, a
/// `%` not followed by two hex digits is an error.
fn form_url_decode(raw: &str) -> Option<String> {
    let mut bytes = raw.bytes();
    let mut out = Vec::with_capacity(raw.len());
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(hex_value)?;
                let lo = bytes.next().and_then(hex_value)?;
                out.push((hi << 4) | lo);
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

/// Empty form values count as absent (`client_secret=` is what many form encoders send for none).
fn present(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn invalid_client(hint: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClient).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Basic base64(id:secret)` with the given (already form-URL-encoded) halves.
    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    fn ok(header: &str) -> (String, String) {
        let (id, secret) = parse_basic(header).unwrap();
        (id, secret.into_inner())
    }

    fn err(r: Result<impl fmt::Debug, OAuthError>) -> OAuthErrorKind {
        let e = r.unwrap_err();
        assert!(e.hint.is_some(), "every client-auth error carries a hint");
        e.kind
    }

    #[test]
    fn basic_decodes_and_form_url_decodes() {
        let table: &[(&str, &str, &str, &str)] = &[
            ("client", "secret", "client", "secret"),
            // Split on the first ':' only: a raw ':' in the secret survives.
            ("client", "se:cr:et", "client", "se:cr:et"),
            // Encoded ':' in the id.
            ("my%3Aclient", "s", "my:client", "s"),
            ("my%3aclient", "s%3A", "my:client", "s:"),
            ("a+b", "c+d", "a b", "c d"),
            ("a%2Bb", "%2B", "a+b", "+"),
            ("%25", "100%25", "%", "100%"),
            // Non-ASCII, percent-encoded UTF-8.
            ("cl%C3%AFent", "p%C3%A4%C3%9F%E2%82%AC", "clïent", "päß€"),
            // Raw (unencoded) UTF-8 is tolerated.
            ("clïent", "päß", "clïent", "päß"),
            ("urn:x", "y", "urn", "x:y"),
        ];
        for (id, secret, want_id, want_secret) in table {
            assert_eq!(
                ok(&basic(id, secret)),
                ((*want_id).to_owned(), (*want_secret).to_owned()),
                "{id:?}:{secret:?}"
            );
        }
    }

    #[test]
    fn basic_scheme_is_case_insensitive_and_tolerates_spaces() {
        let payload = STANDARD.encode("id:secret");
        for header in [
            format!("Basic {payload}"),
            format!("basic {payload}"),
            format!("BASIC {payload}"),
            format!("bAsIc   {payload}"),
            format!("  Basic {payload}  "),
        ] {
            assert_eq!(ok(&header), ("id".into(), "secret".into()), "{header:?}");
        }
    }

    #[test]
    fn malformed_basic_is_invalid_client() {
        let cases = [
            String::new(),
            "Basic".to_owned(),
            "Basic ".to_owned(),
            format!("Bearer {}", STANDARD.encode("id:secret")),
            format!("Basicx {}", STANDARD.encode("id:secret")),
            format!("Basic{}", STANDARD.encode("id:secret")),
            "Basic !!!notbase64".to_owned(),
            // URL-safe alphabet / missing padding are not standard base64.
            format!(
                "Basic {}",
                STANDARD
                    .encode("id:s?>>")
                    .replace('+', "-")
                    .replace('/', "_")
            ),
            format!(
                "Basic {}",
                STANDARD.encode("id:secre").trim_end_matches('=')
            ),
            format!("Basic {}", STANDARD.encode([b'i', b'd', b':', 0xff, 0xfe])),
            // No ':' separator.
            format!("Basic {}", STANDARD.encode("idsecret")),
            basic("", "secret"),
            basic("id", ""),
            basic("id%", "s"),
            basic("id%4", "s"),
            basic("id%zz", "s"),
            basic("id", "s%G0"),
            basic("id", "%C3%28"),
            format!("Basic {} extra", STANDARD.encode("id:secret")),
        ];
        for header in cases {
            assert_eq!(
                err(parse_basic(&header)),
                OAuthErrorKind::InvalidClient,
                "{header:?}"
            );
        }
        assert_eq!(OAuthErrorKind::InvalidClient.status(), 401);
    }

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";

    #[test]
    fn classify_each_method() {
        let header = basic("id", "secret");
        assert_eq!(
            classify(Some(&header), None, None, None, None).unwrap(),
            PresentedCredentials::Basic {
                id: "id".into(),
                secret: Secret::new("secret".into())
            }
        );
        // A matching body client_id alongside Basic is fine (RFC 6749 §4.1.3 clients send it).
        let c = classify(Some(&header), Some("id"), None, None, None).unwrap();
        assert_eq!(c.auth_method(), "client_secret_basic");
        assert_eq!(c.client_id(), Some("id"));

        let c = classify(None, Some("id"), Some("secret"), None, None).unwrap();
        assert_eq!(
            c,
            PresentedCredentials::Post {
                id: "id".into(),
                secret: Secret::new("secret".into())
            }
        );
        assert_eq!(c.auth_method(), "client_secret_post");

        let c = classify(None, None, None, Some(JWT_BEARER_ASSERTION_TYPE), Some(JWT)).unwrap();
        assert_eq!(
            c,
            PresentedCredentials::Assertion {
                client_id: None,
                assertion: JWT.into()
            }
        );
        assert_eq!((c.auth_method(), c.client_id()), ("private_key_jwt", None));
        let c = classify(
            None,
            Some("id"),
            None,
            Some(JWT_BEARER_ASSERTION_TYPE),
            Some(JWT),
        );
        assert_eq!(c.unwrap().client_id(), Some("id"));

        let c = classify(None, Some("id"), None, None, None).unwrap();
        assert_eq!(c, PresentedCredentials::None { id: "id".into() });
        assert_eq!(c.auth_method(), "none");
        // Empty form values count as absent.
        let c = classify(None, Some("id"), Some(""), Some(""), Some("")).unwrap();
        assert_eq!(c, PresentedCredentials::None { id: "id".into() });
    }

    #[test]
    fn classify_rejects_ambiguity_and_incomplete_input() {
        use OAuthErrorKind::{InvalidClient, InvalidRequest};
        let header = basic("id", "secret");
        let h = Some(header.as_str());
        let t = Some(JWT_BEARER_ASSERTION_TYPE);
        let a = Some(JWT);
        let table: &[(_, _, _, _, _, OAuthErrorKind)] = &[
            // More than one method (RFC 6749 §2.3).
            (h, Some("id"), Some("secret"), None, None, InvalidRequest),
            (h, None, Some("secret"), None, None, InvalidRequest),
            (h, None, None, t, a, InvalidRequest),
            (h, None, None, None, a, InvalidRequest),
            (None, Some("id"), Some("secret"), t, a, InvalidRequest),
            (None, Some("id"), Some("secret"), t, None, InvalidRequest),
            (h, Some("id"), Some("s"), t, a, InvalidRequest),
            // Basic id differs from body client_id.
            (h, Some("other"), None, None, None, InvalidRequest),
            // Incomplete.
            (None, None, Some("secret"), None, None, InvalidRequest),
            (None, Some("id"), None, t, None, InvalidRequest),
            (None, Some("id"), None, None, a, InvalidRequest),
            // Unknown assertion type.
            (
                None,
                None,
                None,
                Some("urn:ietf:params:oauth:client-assertion-type:saml2-bearer"),
                a,
                InvalidClient,
            ),
            (None, None, None, Some("jwt-bearer"), None, InvalidClient),
            // Nothing at all, or a malformed / non-Basic header.
            (None, None, None, None, None, InvalidClient),
            (None, Some(""), Some(""), None, None, InvalidClient),
            (Some("Bearer abc"), None, None, None, None, InvalidClient),
            (Some(""), Some("id"), None, None, None, InvalidClient),
        ];
        for (i, (auth, id, secret, ty, assertion, want)) in table.iter().enumerate() {
            assert_eq!(
                err(classify(*auth, *id, *secret, *ty, *assertion)),
                *want,
                "case {i}"
            );
        }
    }

    #[test]
    fn debug_never_shows_credentials() {
        let header = basic("id", "hunter2");
        let c = classify(Some(&header), None, None, None, None).unwrap();
        let c2 = classify(None, None, None, Some(JWT_BEARER_ASSERTION_TYPE), Some(JWT)).unwrap();
        let c3 = classify(None, Some("id"), Some("hunter2"), None, None).unwrap();
        for shown in [format!("{c:?}"), format!("{c2:?}"), format!("{c3:?}")] {
            assert!(
                !shown.contains("hunter2") && !shown.contains(JWT),
                "{shown}"
            );
        }
        assert!(format!("{c:?}").contains("\"id\""));
    }
}
