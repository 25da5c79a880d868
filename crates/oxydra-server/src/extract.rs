//! Extractor wrappers whose rejections become Hydra JSON errors (`invalid_request`, 413, …)
//! instead of axum's plain-text bodies: bad input is the caller's fault, never a 500.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use oxydra_core::{OAuthError, OAuthErrorKind};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON object body; malformed JSON, a body that is not an object (serde would otherwise
/// read `[]` as a struct), a wrong content type or an oversized body is a JSON error.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        json_body(req, state, b'{', "object").await.map(Self)
    }
}

/// A JSON array body (RFC 6902 JSON Patch), with [`Json`]'s rules otherwise.
#[derive(Debug)]
pub struct JsonList<T>(pub Vec<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonList<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        json_body(req, state, b'[', "array").await.map(Self)
    }
}

/// A [`Json`] body that may also be absent: an empty body (whatever its content type) is
/// `T::default()`. For bodies the SDKs declare optional, such as `POST /oauth2/flush`'s.
#[derive(Debug)]
pub struct JsonOrEmpty<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for JsonOrEmpty<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = has_json_content_type(req.headers());
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        if !json {
            return Err(ApiError::invalid_request(
                "The request body must be JSON sent with Content-Type: application/json.",
            ));
        }
        json_object(&bytes).map(Self)
    }
}

/// A JSON body sent as `application/json` whose top level opens with `open`.
async fn json_body<S: Send + Sync, T: DeserializeOwned>(
    req: Request,
    state: &S,
    open: u8,
    what: &str,
) -> Result<T, ApiError> {
    if !has_json_content_type(req.headers()) {
        return Err(ApiError::invalid_request(
            "The request body must be JSON sent with Content-Type: application/json.",
        ));
    }
    let bytes = read_body(req, state).await?;
    json_top(&bytes, open, what)
}

/// Parses a JSON object body (serde would otherwise read `[]` as a struct).
fn json_object<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    json_top(bytes, b'{', "object")
}

/// Parses a JSON body whose top level opens with `open` (`{` an object, `[` an array).
fn json_top<T: DeserializeOwned>(bytes: &Bytes, open: u8, what: &str) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&open) {
        return Err(ApiError::invalid_request(format!(
            "The request body must be a JSON {what}."
        )));
    }
    match axum::Json::<T>::from_bytes(bytes) {
        Ok(axum::Json(value)) => Ok(value),
        Err(rejection) => Err(json_rejection(&rejection)),
    }
}

/// The whole body, within the body limit: too large is 413, unreadable is `invalid_request`.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(OAuthError::new(OAuthErrorKind::PayloadTooLarge))
        } else {
            ApiError::invalid_request(format!(
                "The request body could not be read: {}",
                rejection.body_text()
            ))
        }
    })
}

/// `application/json` or any `application/*+json`, parameters (charset) ignored.
fn has_json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(OAuthError::new(OAuthErrorKind::PayloadTooLarge));
    }
    let hint = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "The request body must be JSON sent with Content-Type: application/json.".to_owned()
        }
        JsonRejection::JsonSyntaxError(e) => {
            format!("The request body is not valid JSON: {}", e.body_text())
        }
        JsonRejection::JsonDataError(e) => {
            format!(
                "The request body does not match the expected model: {}",
                e.body_text()
            )
        }
        other => format!("The request body could not be read: {}", other.body_text()),
    };
    ApiError::invalid_request(hint)
}

/// A path parameter; undecodable segments are `invalid_request`.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

fn path_rejection(rejection: &PathRejection) -> ApiError {
    ApiError::invalid_request(format!(
        "The request path is invalid: {}",
        rejection.body_text()
    ))
}

/// Query parameters read into `T`; a repeated or malformed parameter is `invalid_request`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let mut seen = std::collections::HashSet::new();
        for (name, _) in url::form_urlencoded::parse(query.as_bytes()) {
            if !seen.insert(name.clone()) {
                return Err(ApiError::invalid_request(format!(
                    "Query parameter {name} is included more than once."
                )));
            }
        }
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|e| {
                ApiError::invalid_request(format!("The query is invalid: {}", e.body_text()))
            })
    }
}

/// `limit` / `offset` pagination (`shared/spec/behaviour.md` §14), stricter than Hydra:
/// a value that is not a non-negative integer is `invalid_request` rather than silently ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Page size, capped at the maximum.
    pub limit: u32,
    /// Rows to skip.
    pub offset: u32,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut page = Page {
            limit: oxydra_api::paths::DEFAULT_PAGE_SIZE,
            offset: 0,
        };
        let query = parts.uri.query().unwrap_or("");
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let parse = |name: &str| {
                value.parse::<u32>().map_err(|_| {
                    ApiError::invalid_request(format!(
                        "Query parameter {name} must be a non-negative integer, got {value:?}."
                    ))
                })
            };
            match key.as_ref() {
                "limit" => page.limit = parse("limit")?.min(oxydra_api::paths::MAX_PAGE_SIZE),
                "offset" => page.offset = parse("offset")?,
                _ => {}
            }
        }
        Ok(page)
    }
}

/// An `application/x-www-form-urlencoded` body (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1),
/// read into a name → value map. A wrong content type, an oversized body or a repeated
/// parameter (RFC 6749 §3.1: "MUST NOT be included more than once") is `invalid_request`.
#[derive(Debug, Default)]
pub struct Form(pub FormParams);

/// Parameters of a [`Form`] body.
#[derive(Debug, Default)]
pub struct FormParams(std::collections::HashMap<String, String>);

/// Parameters that may be sent more than once: RFC 8693 §2.1's `audience` and `resource`
/// (their values are kept space-joined, as audiences never contain spaces).
const REPEATABLE: [&str; 2] = ["audience", "resource"];

impl FormParams {
    /// Every value of a repeatable parameter (`audience`, `resource`), each occurrence also
    /// split at spaces (Hydra's space-delimited `audience`).
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.0
            .get(name)
            .map(|v| v.split(' ').filter(|v| !v.is_empty()).collect())
            .unwrap_or_default()
    }

    /// The value of `name`; an empty value counts as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether the body had no parameters at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every parameter, empty ones included, sorted by name (a pushed authorization request
    /// keeps them all).
    pub fn into_sorted(self) -> std::collections::BTreeMap<String, String> {
        self.0.into_iter().collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_form_content_type(req.headers()) {
            return Err(ApiError::invalid_request(
                "The request body must be sent with Content-Type: application/x-www-form-urlencoded.",
            ));
        }
        let bytes = read_body(req, state).await?;
        let mut params = std::collections::HashMap::new();
        for (name, value) in url::form_urlencoded::parse(&bytes) {
            if REPEATABLE.contains(&name.as_ref()) {
                let joined: &mut String = params.entry(name.into_owned()).or_default();
                if !joined.is_empty() {
                    joined.push(' ');
                }
                joined.push_str(&value);
                continue;
            }
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(ApiError::invalid_request(format!(
                    "The parameter '{name}' is included more than once."
                )));
            }
        }
        Ok(Self(FormParams(params)))
    }
}

/// `application/x-www-form-urlencoded`, parameters (charset) ignored.
fn has_form_content_type(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// An RFC 6750 bearer token: from `Authorization: Bearer <token>` (§2.1, scheme
/// case-insensitive) or from the `access_token` parameter of a POST form body (§2.2); `None`
/// when the request carries neither (another `Authorization` scheme counts as none).
///
/// Sending the token both ways (§2: "MUST NOT use more than one method"), in the query (§2.3,
/// which this server refuses: URLs end up in logs and `Referer` headers), or in two
/// `Authorization` headers is `invalid_request`. The token is kept in a [`Secret`] so it
/// never reaches a log through `Debug`.
///
/// [`Secret`]: oxydra_core::Secret
#[derive(Debug)]
pub struct BearerToken(pub Option<oxydra_core::Secret<String>>);

impl<S: Send + Sync> FromRequest<S> for BearerToken {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let query = req.uri().query().unwrap_or("");
        if url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "access_token") {
            return Err(ApiError::invalid_request(
                "The access token must be sent in the Authorization header or a POST form body, \
                 not in the URL query.",
            ));
        }
        let header = bearer_header(req.headers())?;
        let body =
            if req.method() == axum::http::Method::POST && has_form_content_type(req.headers()) {
                let Form(form) = Form::from_request(req, state).await?;
                form.get("access_token").map(str::to_owned)
            } else {
                None
            };
        match (header, body) {
            (Some(_), Some(_)) => Err(ApiError::invalid_request(
                "The access token was sent both in the Authorization header and in the body; \
                 use one method only.",
            )),
            (header, body) => Ok(Self(header.or(body).map(oxydra_core::Secret::new))),
        }
    }
}

/// The token of an `Authorization: Bearer` header; `None` without one, for another scheme or
/// an empty token.
pub(crate) fn bearer_header(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::invalid_request(
            "The request has more than one Authorization header.",
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| ApiError::invalid_request("The Authorization header is not ASCII."))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = token.trim();
    Ok((!token.is_empty()).then(|| token.to_owned()))
}
