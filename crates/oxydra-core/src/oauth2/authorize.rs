//! The authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) as an ordered list of small
//! named checks (`shared/spec/behaviour.md` §5.1). Errors found *before* the redirect URI is
//! trusted carry no redirect — they go to the error page, never to an unvalidated URI (RFC 6749
//! §4.1.2.1); errors after carry a [`TrustedRedirect`], which only [`check_redirect_uri`] can
//! build.

use std::collections::BTreeMap;

use url::Url;

use crate::client::uri::is_loopback_host;
use crate::client::{Client, GrantType};
use crate::config::ScopeStrategy;
use crate::oauth2::pkce::{self, CodeChallenge};
use crate::oauth2::scope;
use crate::{OAuthError, OAuthErrorKind};

mod claims_request;
mod oidc_context;

pub use claims_request::{ClaimRequest, ClaimsRequest};
pub use oidc_context::OidcContext;

/// The raw parameters of `GET|POST /oauth2/authorize`, as received (query and form merged).
pub type AuthorizeParams = BTreeMap<String, String>;

/// A redirect URI that passed the registration check: the only place an error may be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRedirect {
    url: Url,
    registered: String,
    /// Where response parameters go.
    pub mode: ResponseMode,
}

impl TrustedRedirect {
    /// The registered URI, parsed (for building the response).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The registered URI exactly as registered (and as the request sent it): what the token
    /// request's `redirect_uri` is compared with (RFC 6749 §4.1.3). The parsed [`Self::url`]
    /// is normalised (`https://app.example` becomes `https://app.example/`, hosts are
    /// lower-cased), so it must not be used for that comparison.
    pub fn registered(&self) -> &str {
        &self.registered
    }

    /// One of the server's own pages (the device flow's verification page), trusted because
    /// the server built it, never a client's.
    pub(crate) fn own_page(url: Url) -> Self {
        Self {
            registered: url.to_string(),
            url,
            mode: ResponseMode::Query,
        }
    }
}

/// RFC 6749 §4.1.2 / OAuth 2.0 Multiple Response Types §2.1 / Form Post Response Mode: where
/// parameters are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// In the query (the default for `code`).
    Query,
    /// In the fragment (the default whenever a token or ID token is returned).
    Fragment,
    /// In an auto-submitting HTML form POSTed to the redirect URI.
    FormPost,
}

/// An authorization error and, when the redirect URI was already trusted, where to send it.
#[derive(Debug, Clone)]
pub struct AuthorizeError {
    /// `None`: show the error page (`OAUTH2_ERROR_URL`). Boxed: errors are the cold path.
    pub redirect: Option<Box<TrustedRedirect>>,
    /// The `state` to echo (only with a trusted redirect).
    pub state: Option<String>,
    /// The error.
    pub error: OAuthError,
}

impl AuthorizeError {
    /// An error for the error page: nothing about the client can be trusted.
    pub fn untrusted(error: OAuthError) -> Self {
        Self {
            redirect: None,
            state: None,
            error,
        }
    }
}

/// `prompt` (OIDC Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// `none`: no UI; fail when login or consent would be needed.
    pub none: bool,
    /// `login`: re-authenticate even with a remembered session.
    pub login: bool,
    /// `consent`: ask for consent even when remembered.
    pub consent: bool,
}

/// A request that passed every check.
#[derive(Debug, Clone)]
pub struct ValidAuthorizeRequest {
    /// Where the response goes.
    pub redirect: TrustedRedirect,
    /// Whether `redirect_uri` was sent (then the token request must repeat it, §4.1.3).
    pub redirect_uri_sent: bool,
    /// The response type words, sorted (`code`, `id_token`, `token`).
    pub response_type: Vec<String>,
    /// Requested scopes, in order, without repeats.
    pub scope: Vec<String>,
    /// `state`, echoed back.
    pub state: String,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `prompt`.
    pub prompt: Prompt,
    /// `max_age` in seconds.
    pub max_age: Option<i64>,
    /// The PKCE challenge.
    pub code_challenge: Option<CodeChallenge>,
    /// Parameters shown to the login and consent apps.
    pub oidc_context: OidcContext,
    /// `id_token_hint`, verified by the flow (it needs the server's keys).
    pub id_token_hint: Option<String>,
}

impl ValidAuthorizeRequest {
    /// Whether `word` (`code`, `token`, `id_token`) is part of the response type.
    pub fn responds_with(&self, word: &str) -> bool {
        self.response_type.iter().any(|w| w == word)
    }
}

fn param<'a>(params: &'a AuthorizeParams, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// Check 1 (§5.1.2): the request names a client; the caller loads it.
pub fn client_id(params: &AuthorizeParams) -> Result<&str, AuthorizeError> {
    param(params, "client_id").ok_or_else(|| {
        AuthorizeError::untrusted(OAuthError::invalid_request(
            "The client_id parameter is missing.",
        ))
    })
}

/// The error for a `client_id` that names no client.
pub fn unknown_client() -> AuthorizeError {
    AuthorizeError::untrusted(
        OAuthError::new(OAuthErrorKind::InvalidClient)
            .hint("The requested OAuth 2.0 client does not exist."),
    )
}

/// Check 2 (§5.1.4, RFC 6749 §3.1.2.3): the redirect URI is registered, compared as exact
/// strings; when omitted, the client must have exactly one. Also fixes the response mode,
/// because error responses need it.
pub fn check_redirect_uri(
    params: &AuthorizeParams,
    client: &Client,
) -> Result<TrustedRedirect, AuthorizeError> {
    let fail = |hint: &'static str| AuthorizeError::untrusted(OAuthError::invalid_request(hint));
    let uri = match param(params, "redirect_uri") {
        Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => uri,
        Some(_) => {
            return Err(fail(
                "The redirect_uri does not match any of the client's registered redirect URIs.",
            ));
        }
        None => match client.redirect_uris.as_slice() {
            [only] => only.as_str(),
            _ => {
                return Err(fail(
                    "The redirect_uri parameter is required: the client registered more or fewer than one.",
                ));
            }
        },
    };
    let url =
        Url::parse(uri).map_err(|_| fail("The registered redirect_uri is not an absolute URL."))?;
    let returns_tokens = scope::split(param(params, "response_type").unwrap_or(""))
        .iter()
        .any(|w| *w == "token" || *w == "id_token");
    let mode = match param(params, "response_mode") {
        Some("form_post") => ResponseMode::FormPost,
        Some("query") if !returns_tokens => ResponseMode::Query,
        None if !returns_tokens => ResponseMode::Query,
        _ => ResponseMode::Fragment,
    };
    Ok(TrustedRedirect {
        url,
        registered: uri.to_owned(),
        mode,
    })
}

/// Where an error found while reading the request (its request object, OIDC Core §6) goes: to
/// the client when the query's `redirect_uri` already passes check 2 ([`check_redirect_uri`]),
/// with the query's `state`; otherwise to the error page.
pub fn refuse_early(
    params: &AuthorizeParams,
    client: &Client,
    error: OAuthError,
) -> AuthorizeError {
    match check_redirect_uri(params, client) {
        Ok(redirect) => AuthorizeError {
            redirect: Some(Box::new(redirect)),
            state: param(params, "state").map(str::to_owned),
            error,
        },
        Err(_) => AuthorizeError::untrusted(error),
    }
}

/// Checks 3.. (§5.1.5–8, RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2.1) once the redirect URI is
/// trusted. Each failure is delivered to the client with `state`.
pub fn check_request(
    params: &AuthorizeParams,
    client: &Client,
    redirect: TrustedRedirect,
    strategy: ScopeStrategy,
) -> Result<ValidAuthorizeRequest, AuthorizeError> {
    let state = param(params, "state").map(str::to_owned);
    let fail = |error: OAuthError| AuthorizeError {
        redirect: Some(Box::new(redirect.clone())),
        state: state.clone(),
        error,
    };
    let response_type = check_response_type(params, client).map_err(fail)?;
    check_response_mode(params, &response_type).map_err(fail)?;
    let scope = check_scope(params, client, strategy).map_err(fail)?;
    check_unsupported(params).map_err(fail)?;
    let state_value = check_state(params).map_err(fail)?;
    let has_code = response_type.iter().any(|w| w == "code");
    check_loopback_http(&redirect).map_err(fail)?;
    let code_challenge = check_pkce(params, client, has_code).map_err(fail)?;
    let prompt = check_prompt(params).map_err(fail)?;
    let max_age = check_max_age(params).map_err(fail)?;
    let nonce = check_nonce(params, &response_type, &scope).map_err(fail)?;
    let mut oidc_context = OidcContext::from_params(params);
    oidc_context.claims = check_claims(params, &response_type).map_err(fail)?;
    Ok(ValidAuthorizeRequest {
        redirect_uri_sent: param(params, "redirect_uri").is_some(),
        redirect,
        response_type,
        scope,
        state: state_value,
        nonce,
        prompt,
        max_age,
        code_challenge,
        oidc_context,
        id_token_hint: param(params, "id_token_hint").map(str::to_owned),
    })
}

/// `response_mode` is `query`, `fragment` or `form_post`; `query` never carries a token or
/// an ID token (OAuth 2.0 Multiple Response Types §2.1: they would leak into logs and
/// `Referer` headers).
fn check_response_mode(
    params: &AuthorizeParams,
    response_type: &[String],
) -> Result<(), OAuthError> {
    match param(params, "response_mode") {
        None | Some("fragment" | "form_post") => Ok(()),
        Some("query") if response_type == ["code"] => Ok(()),
        Some("query") => Err(OAuthError::invalid_request(
            "The response_mode 'query' cannot carry tokens; use 'fragment' or 'form_post'.",
        )),
        Some(_) => Err(OAuthError::invalid_request(
            "The response_mode must be 'query', 'fragment' or 'form_post'.",
        )),
    }
}

/// The response types served (`shared/spec/behaviour.md` §5.2), words sorted; discovery
/// advertises exactly these.
pub const RESPONSE_TYPES: &[&[&str]] = &[
    &["code"],
    &["token"],
    &["id_token"],
    &["id_token", "token"],
    &["code", "id_token"],
    &["code", "token"],
    &["code", "id_token", "token"],
];

/// §5.1.7: `response_type` is required, its words (in any order) must equal one of the
/// client's registered combinations, and only `code` is served so far.
fn check_response_type(
    params: &AuthorizeParams,
    client: &Client,
) -> Result<Vec<String>, OAuthError> {
    let unsupported =
        |hint: &'static str| OAuthError::new(OAuthErrorKind::UnsupportedResponseType).hint(hint);
    let raw = param(params, "response_type")
        .ok_or_else(|| unsupported("The response_type parameter is missing."))?;
    let mut words: Vec<String> = scope::split(raw).into_iter().map(str::to_owned).collect();
    words.sort();
    let registered: Vec<Vec<String>> = if client.response_types.is_empty() {
        vec![vec!["code".to_owned()]]
    } else {
        client
            .response_types
            .iter()
            .map(|r| {
                let mut w: Vec<String> = scope::split(r).into_iter().map(str::to_owned).collect();
                w.sort();
                w
            })
            .collect()
    };
    if !RESPONSE_TYPES.iter().any(|t| *t == words.as_slice()) {
        return Err(unsupported("The response_type is not supported."));
    }
    if !registered.contains(&words) {
        return Err(unsupported(
            "The client is not allowed to request this response_type.",
        ));
    }
    // §5.2: tokens from the authorization endpoint are the implicit grant.
    let has = |word: &str| words.iter().any(|w| w == word);
    let needs_implicit = has("token") || (has("id_token") && !has("code"));
    if needs_implicit && !client.allows_grant(GrantType::Implicit) {
        return Err(OAuthError::new(OAuthErrorKind::UnauthorizedClient)
            .hint("The client is not allowed to use the implicit grant."));
    }
    if has("code") && words.len() > 1 && !client.allows_grant(GrantType::AuthorizationCode) {
        return Err(OAuthError::new(OAuthErrorKind::UnauthorizedClient)
            .hint("The client is not allowed to use the authorization_code grant."));
    }
    Ok(words)
}

/// §5.1.5: every requested scope must be allowed by the client.
fn check_scope(
    params: &AuthorizeParams,
    client: &Client,
    strategy: ScopeStrategy,
) -> Result<Vec<String>, OAuthError> {
    let mut requested: Vec<&str> = Vec::new();
    for s in scope::split(param(params, "scope").unwrap_or("")) {
        if !requested.contains(&s) {
            requested.push(s);
        }
    }
    let allowed = scope::split(&client.scope);
    scope::all_allowed(strategy, &allowed, &requested).map_err(|denied| {
        OAuthError::new(OAuthErrorKind::InvalidScope).hint(format!(
            "The client is not allowed to request the scope '{denied}'."
        ))
    })?;
    Ok(requested.into_iter().map(str::to_owned).collect())
}

/// §5.1.3/§5.1.6: `registration` is not supported (OIDC Core §7.2.1). `request` and
/// `request_uri` are unpacked by the service before these checks (`oauth2::request_object`,
/// which consumes them); one still here was not, and is refused rather than ignored.
fn check_unsupported(params: &AuthorizeParams) -> Result<(), OAuthError> {
    if param(params, "registration").is_some() {
        return Err(OAuthError::new(OAuthErrorKind::RegistrationNotSupported));
    }
    if param(params, "request").is_some() {
        return Err(OAuthError::new(OAuthErrorKind::RequestNotSupported));
    }
    if param(params, "request_uri").is_some() {
        return Err(OAuthError::new(OAuthErrorKind::RequestUriNotSupported));
    }
    Ok(())
}

/// §5.1.8: `state` is required and at least 8 characters (Hydra; stricter than RFC 6749).
fn check_state(params: &AuthorizeParams) -> Result<String, OAuthError> {
    match param(params, "state") {
        Some(state) if state.chars().count() >= 8 => Ok(state.to_owned()),
        _ => Err(OAuthError::new(OAuthErrorKind::InvalidState)
            .hint("The state parameter is required and must have at least 8 characters.")),
    }
}

/// §5.2: every response type sends a code or a token to the redirect URI, so plain `http` is
/// allowed only on a loopback host (RFC 8252 §7.3; RFC 9700 §4.1.1): `localhost`, a
/// `*.localhost` name or a loopback address — not any name ending in `localhost`.
fn check_loopback_http(redirect: &TrustedRedirect) -> Result<(), OAuthError> {
    let url = redirect.url();
    if url.scheme() != "http" || is_loopback_host(url) {
        Ok(())
    } else {
        Err(OAuthError::invalid_request(
            "Codes and tokens are only sent to http redirect URIs on a loopback host; use https.",
        ))
    }
}

/// RFC 7636, stricter than Hydra: `S256` only, and required for public clients whenever a
/// code is issued (RFC 9700 §2.1.1).
fn check_pkce(
    params: &AuthorizeParams,
    client: &Client,
    has_code: bool,
) -> Result<Option<CodeChallenge>, OAuthError> {
    match param(params, "code_challenge") {
        Some(challenge) => {
            pkce::parse_challenge(param(params, "code_challenge_method"), challenge).map(Some)
        }
        None if client.is_public() && has_code => Err(OAuthError::invalid_request(
            "Public clients must use PKCE: send code_challenge with code_challenge_method=S256.",
        )),
        None => Ok(None),
    }
}

/// OIDC Core §3.1.2.1: `prompt` is a space-separated set of `none`, `login`, `consent`,
/// `select_account`; `none` cannot be combined.
fn check_prompt(params: &AuthorizeParams) -> Result<Prompt, OAuthError> {
    let mut prompt = Prompt::default();
    let words = scope::split(param(params, "prompt").unwrap_or(""));
    for word in &words {
        match *word {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => {}
            _ => {
                return Err(OAuthError::invalid_request(
                    "The prompt parameter may only contain none, login, consent and select_account.",
                ));
            }
        }
    }
    if prompt.none && words.len() > 1 {
        return Err(OAuthError::invalid_request(
            "The prompt value 'none' cannot be combined with other values.",
        ));
    }
    Ok(prompt)
}

/// OIDC Core §3.1.2.1: `max_age` is a non-negative number of seconds.
fn check_max_age(params: &AuthorizeParams) -> Result<Option<i64>, OAuthError> {
    param(params, "max_age")
        .map(|raw| {
            raw.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(|| {
                OAuthError::invalid_request("The max_age parameter must be a non-negative integer.")
            })
        })
        .transpose()
}

/// A `nonce`, when sent, must carry some entropy: at least 8 characters (Hydra). OpenID
/// Connect requests answered from the authorization endpoint (implicit and hybrid) must send
/// one (OIDC Core §3.2.2.1, §3.3.2.11), which binds the returned ID token to the request.
fn check_nonce(
    params: &AuthorizeParams,
    response_type: &[String],
    scope: &[String],
) -> Result<Option<String>, OAuthError> {
    let front_channel = response_type != ["code"];
    let openid = scope.iter().any(|s| s == "openid");
    let needs_openid = response_type.iter().any(|w| w == "id_token");
    if needs_openid && !openid {
        return Err(OAuthError::invalid_request(
            "The id_token response type needs the openid scope.",
        ));
    }
    match param(params, "nonce") {
        None if front_channel && openid => Err(OAuthError::invalid_request(
            "The nonce parameter is required for implicit and hybrid OpenID Connect requests.",
        )),
        Some(nonce) if nonce.chars().count() < 8 => {
            Err(OAuthError::new(OAuthErrorKind::InsufficientEntropy)
                .hint("The nonce must have at least 8 characters."))
        }
        Some(nonce) => Ok(Some(nonce.to_owned())),
        None => Ok(None),
    }
}

/// OIDC Core §5.5: `claims`, when sent, is a JSON object of individual claim requests
/// ([`ClaimsRequest::parse`]); its `userinfo` member needs a response type that issues an
/// access token, without which the UserInfo endpoint cannot be called.
fn check_claims(
    params: &AuthorizeParams,
    response_type: &[String],
) -> Result<Option<ClaimsRequest>, OAuthError> {
    let Some(raw) = param(params, "claims") else {
        return Ok(None);
    };
    let claims = ClaimsRequest::parse(raw)?;
    if !claims.userinfo.is_empty() && response_type == ["id_token"] {
        return Err(OAuthError::invalid_request(
            "The claims parameter asks for userinfo claims, but the response type id_token issues no access token to call the UserInfo endpoint with.",
        ));
    }
    Ok(Some(claims).filter(|c| !c.is_empty()))
}

#[cfg(test)]
mod tests;
