//! Request objects (OIDC Core §6, RFC 9101 "JAR"): authorization request parameters sent as a
//! JWT, by value (`request`) or by reference (`request_uri`), signed with the client's keys.
//!
//! Pure checks in the order the service runs them: [`source`] (which of the two, never both),
//! [`check_request_uri`] (registered, short), [`verify_request_object`] (signature and claims,
//! with the client's keys passed in as a value) and [`merge`] (the object's parameters win over
//! the query's). Fetching the `request_uri` and the keys, and recording the `jti`, are the
//! service's (`service::authorize::request_object`).

use std::time::Duration;

use serde_json::Value;

use crate::client::Client;
use crate::model::Now;
use crate::oauth2::authorize::AuthorizeParams;
use crate::oauth2::client_assertion::CLOCK_SKEW;
use crate::oauth2::client_jws::{Refusal, Token};
use crate::{OAuthError, OAuthErrorKind};

#[cfg(test)]
mod tests;

/// The JWS algorithms a signed request object may use (RFC 7518 §3). HMAC is never accepted:
/// the client's keys are public keys, and a public key must never serve as a shared secret.
pub const SIGNING_ALGORITHMS: &[&str] = &["RS256", "PS256", "ES256", "EdDSA"];

/// Every `request_object_signing_alg` accepted: the signing algorithms plus `none` (unsigned,
/// only for a client that registered it). Registration refuses any other value, and discovery
/// advertises exactly these (`request_object_signing_alg_values_supported`).
pub use crate::client::REQUEST_OBJECT_ALGS as ACCEPTED_ALGORITHMS;

/// OIDC Core §6.2: "The entire Request URI MUST NOT exceed 512 ASCII characters."
pub const MAX_REQUEST_URI_LENGTH: usize = 512;

/// The longest lifetime (`exp` − now) accepted: it bounds how long a `jti` is remembered.
pub const MAX_LIFETIME: Duration = Duration::from_secs(3600);

/// Claims of the JWT itself (RFC 7519 §4.1), not authorization request parameters.
const JWT_CLAIMS: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Parameters a request object must not carry: another object (RFC 9101 §4), and the
/// verifiers Oxydra hands the browser, which are never the client's to send.
const FORBIDDEN: &[&str] = &[
    "request",
    "request_uri",
    "login_verifier",
    "consent_verifier",
];

/// How request objects are named in hints.
const OBJECT: Token = Token {
    noun: "request object",
};

/// Where the request object of an authorization request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestObjectSource<'a> {
    /// `request`: the JWT itself (OIDC Core §6.1).
    Value(&'a str),
    /// `request_uri`: a URL the JWT is fetched from (OIDC Core §6.2).
    Reference(&'a str),
}

/// Which request object the request carries, if any; both at once is `invalid_request`
/// (OIDC Core §6: "MUST NOT be used together").
pub fn source(params: &AuthorizeParams) -> Result<Option<RequestObjectSource<'_>>, OAuthError> {
    let get = |name| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    match (get("request"), get("request_uri")) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request(
            "The request and request_uri parameters cannot be used together.",
        )),
        (Some(jwt), None) => Ok(Some(RequestObjectSource::Value(jwt))),
        (None, Some(uri)) => Ok(Some(RequestObjectSource::Reference(uri))),
        (None, None) => Ok(None),
    }
}

/// OIDC Core §6.2 and OIDC Registration §2: the `request_uri` is at most
/// [`MAX_REQUEST_URI_LENGTH`] characters and is one the client registered in `request_uris`
/// (fragments ignored: they only bust caches). Registration is required — discovery says so
/// (`require_request_uri_registration`) — so that an unauthenticated browser cannot make the
/// server fetch URLs the client never named. Failures are `invalid_request_uri`.
pub fn check_request_uri(uri: &str, client: &Client) -> Result<(), OAuthError> {
    if uri.len() > MAX_REQUEST_URI_LENGTH {
        return Err(invalid_uri(
            "The request_uri is longer than 512 characters.",
        ));
    }
    let without_fragment = |u: &str| u.split('#').next().unwrap_or_default().to_owned();
    let wanted = without_fragment(uri);
    if client
        .request_uris
        .iter()
        .any(|r| without_fragment(r) == wanted)
    {
        Ok(())
    } else {
        Err(invalid_uri(
            "The request_uri is not one of the client's registered request_uris.",
        ))
    }
}

/// Whether `jwt` claims to be signed (its header names an `alg` other than `none`), read
/// WITHOUT verification: tells the service whether to load the client's keys, so that a
/// malformed object never costs a `jwks_uri` fetch. [`verify_request_object`] decides whether
/// the claim is acceptable.
pub fn is_signed(jwt: &str) -> bool {
    OBJECT
        .raw_header(jwt)
        .ok()
        .and_then(|h| h.get("alg").and_then(Value::as_str).map(|a| a != "none"))
        .unwrap_or(false)
}

/// What a request object is checked against.
#[derive(Debug, Clone, Copy)]
pub struct ObjectContext<'a> {
    /// The issuer identifier, which `aud` must be or contain (RFC 9101 §4), with or without
    /// its trailing `/`.
    pub issuer: &'a str,
    /// The current time.
    pub now: Now,
}

/// A request object that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRequestObject {
    /// Its authorization request parameters (JWT claims removed, values as strings).
    pub params: AuthorizeParams,
    /// For a signed object: its `jti` and `exp`, to be recorded until then and refused when
    /// seen again (replay).
    pub replay: Option<(String, Now)>,
}

/// OIDC Core §6.1–6.3 and RFC 9101 §4–6: verifies `jwt` as a request object of `client`, with
/// the client's `keys` (required when the object is signed). Every failure is
/// `invalid_request_object` with a hint that never echoes the object.
///
/// - The header `alg`: when the client registered `request_object_signing_alg`, exactly that;
///   `none` only when the client registered `none` (then the signature part is empty);
///   otherwise one of [`SIGNING_ALGORITHMS`], verified with the key chosen as for client
///   assertions (by `kid`, type and curve fitting `alg`).
/// - `iss` is the client id (required when signed); `client_id`, when present, is the
///   request's; `aud` is or contains the issuer (when signed, or when present); `exp` is in the
///   future and at most [`MAX_LIFETIME`] ahead (required when signed); `nbf` and `iat` are not
///   in the future; a signed object has a `jti`.
/// - It carries no `request`, `request_uri` or verifier.
pub fn verify_request_object(
    jwt: &str,
    client: &Client,
    keys: Option<&Value>,
    context: ObjectContext<'_>,
) -> Result<VerifiedRequestObject, OAuthError> {
    let header = OBJECT.raw_header(jwt).map_err(refused)?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let registered = client.request_object_signing_alg.as_str();
    if !registered.is_empty() && alg != registered {
        return Err(invalid_object(format!(
            "The request object's alg must be '{registered}', the client's registered request_object_signing_alg."
        )));
    }
    let signed = alg != "none";
    let claims = if signed {
        verify_signed(jwt, &header, keys).map_err(refused)?
    } else {
        unsigned_claims(jwt, registered)?
    };
    let replay = check_claims(&claims, client.id.as_str(), signed, context)?;
    Ok(VerifiedRequestObject {
        params: parameters(&claims)?,
        replay,
    })
}

fn verify_signed(jwt: &str, header: &Value, keys: Option<&Value>) -> Result<Value, Refusal> {
    let alg = OBJECT.algorithm(header, SIGNING_ALGORITHMS)?;
    let keys = keys.ok_or_else(|| {
        Refusal::new("The client has neither jwks nor jwks_uri registered to verify the request object with.")
    })?;
    let key = OBJECT.select_key(keys, alg, OBJECT.key_id(header)?)?;
    OBJECT.verify_signature(jwt, &key, alg)
}

/// OIDC Core §6.1: an unsigned object (`alg: none`, empty signature), for a client that
/// registered `request_object_signing_alg: none` — and for no other.
fn unsigned_claims(jwt: &str, registered: &str) -> Result<Value, OAuthError> {
    if registered != "none" {
        return Err(invalid_object(
            "Unsigned request objects (alg 'none') are accepted only from clients registered with request_object_signing_alg 'none'.",
        ));
    }
    if !jwt.ends_with('.') {
        return Err(invalid_object(
            "An unsigned request object (alg 'none') must have an empty signature part.",
        ));
    }
    OBJECT.unverified_claims(jwt).map_err(refused)
}

/// The claims checks; returns the replay record of a signed object.
fn check_claims(
    claims: &Value,
    client_id: &str,
    signed: bool,
    context: ObjectContext<'_>,
) -> Result<Option<(String, Now)>, OAuthError> {
    let string = |name| claims.get(name).and_then(Value::as_str);
    match claims.get("iss") {
        None if !signed => {}
        Some(Value::String(iss)) if iss == client_id => {}
        _ => {
            return Err(invalid_object(
                "The request object's iss claim must be the client id.",
            ));
        }
    }
    if claims.get("client_id").is_some() && string("client_id") != Some(client_id) {
        return Err(invalid_object(
            "The request object's client_id must equal the client_id request parameter.",
        ));
    }
    let issuer = context.issuer.trim_end_matches('/');
    let is_issuer = |v: &Value| {
        v.as_str()
            .is_some_and(|a| a.trim_end_matches('/') == issuer)
    };
    let aud_ok = match claims.get("aud") {
        Some(Value::Array(auds)) => auds.iter().any(is_issuer),
        Some(aud) => is_issuer(aud),
        // OIDC Core §6.1 asks `aud` of signed objects; an unsigned one, which anybody could
        // have written, gains nothing from it (the OIDF OP-request-Unsigned test sends none).
        None => !signed,
    };
    if !aud_ok {
        return Err(invalid_object(format!(
            "The request object's aud claim must be or contain the issuer '{}'.",
            context.issuer
        )));
    }
    let expires_at = check_time(claims, context.now, signed)?;
    let Some(expires_at) = expires_at.filter(|_| signed) else {
        return Ok(None);
    };
    let jti = string("jti").filter(|jti| !jti.is_empty()).ok_or_else(|| {
        invalid_object("A signed request object must carry a non-empty jti claim.")
    })?;
    Ok(Some((jti.to_owned(), expires_at)))
}

/// `exp` is in the future and at most [`MAX_LIFETIME`] ahead (required when `signed`: it bounds
/// how long the `jti` is kept); `nbf` and `iat` are not more than [`CLOCK_SKEW`] in the future.
/// Returns `exp`.
fn check_time(claims: &Value, now: Now, signed: bool) -> Result<Option<Now>, OAuthError> {
    let date = |name| OBJECT.numeric_date(claims, name).map_err(refused);
    let Some(expires_at) = date("exp")? else {
        if signed {
            return Err(invalid_object(
                "The request object must carry an exp claim.",
            ));
        }
        return check_not_before(&date, now).map(|()| None);
    };
    if expires_at <= now {
        return Err(invalid_object("The request object has expired."));
    }
    if expires_at > now.plus(MAX_LIFETIME.saturating_add(CLOCK_SKEW)) {
        return Err(invalid_object(
            "The request object's exp is too far in the future: it may be at most 3600 seconds from now.",
        ));
    }
    check_not_before(&date, now)?;
    Ok(Some(expires_at))
}

/// `nbf` and `iat`, when present, are not more than [`CLOCK_SKEW`] in the future.
fn check_not_before(
    date: &impl Fn(&'static str) -> Result<Option<Now>, OAuthError>,
    now: Now,
) -> Result<(), OAuthError> {
    let latest_start = now.plus(CLOCK_SKEW);
    if date("nbf")?.is_some_and(|nbf| nbf > latest_start) {
        return Err(invalid_object(
            "The request object is not valid yet (nbf is in the future).",
        ));
    }
    if date("iat")?.is_some_and(|iat| iat > latest_start) {
        return Err(invalid_object(
            "The request object was issued in the future (iat).",
        ));
    }
    Ok(())
}

/// The object's authorization request parameters: every claim but the JWT's own, strings as
/// they are, numbers and booleans written out, objects (the `claims` parameter) as JSON text.
fn parameters(claims: &Value) -> Result<AuthorizeParams, OAuthError> {
    let mut params = AuthorizeParams::new();
    for (name, value) in claims.as_object().into_iter().flatten() {
        if FORBIDDEN.contains(&name.as_str()) {
            return Err(invalid_object(format!(
                "A request object must not carry the '{name}' parameter."
            )));
        }
        let text = match value {
            _ if JWT_CLAIMS.contains(&name.as_str()) => continue,
            Value::Null => continue,
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        params.insert(name.clone(), text);
    }
    Ok(params)
}

/// RFC 9101 §6.3 and OIDC Core §6.3.3: the authorization request is the object's parameters,
/// completed by the query's (the object's win); `request` and `request_uri` are consumed. The
/// query's `response_type`, when present, must equal the object's (OIDC Core §6.1).
pub fn merge(
    mut query: AuthorizeParams,
    object: AuthorizeParams,
) -> Result<AuthorizeParams, OAuthError> {
    if let (Some(q), Some(o)) = (query.get("response_type"), object.get("response_type"))
        && q != o
    {
        return Err(invalid_object(
            "The request object's response_type must equal the response_type request parameter.",
        ));
    }
    query.remove("request");
    query.remove("request_uri");
    query.extend(object);
    Ok(query)
}

fn refused(refusal: Refusal) -> OAuthError {
    refusal.into_error(OAuthErrorKind::InvalidRequestObject)
}

fn invalid_object(hint: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidRequestObject).hint(hint)
}

fn invalid_uri(hint: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidRequestUri).hint(hint)
}
