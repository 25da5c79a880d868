//! The OpenID Provider metadata document (OIDC Discovery 1.0 §3, served at
//! `/.well-known/openid-configuration`, `shared/spec/behaviour.md` §10).
//!
//! Built once from [`DiscoverySettings`] (plain data the server fills from its configuration):
//! every URL is `<issuer without trailing slash><path>`, so an issuer with a path
//! (`https://example.com/auth`) keeps it, and `issuer` itself always ends with exactly one `/`,
//! as Hydra's does. What is advertised is what the domain implements: the client-authentication
//! methods of [`AuthMethod`], the assertion algorithms of
//! [`client_assertion::SUPPORTED_ALGORITHMS`], PKCE's [`ChallengeMethod`]s, the response types
//! the authorization endpoint serves ([`authorize::RESPONSE_TYPES`]), the request-object
//! algorithms of [`request_object::ACCEPTED_ALGORITHMS`], the algorithms the ID-token set holds
//! keys of. Where Hydra advertises a feature it does not have (a registration endpoint on the
//! public port), or hides one it has (pairwise subjects), the document says what is true
//! instead.

use url::Url;

use crate::client::{AuthMethod, GrantType, SubjectType};
use crate::error::Error;
#[cfg(doc)]
use crate::jwk::OIDC_SIGNING_ALGS;
#[cfg(doc)]
use crate::oauth2::authorize;
use crate::oauth2::client_assertion;
use crate::oauth2::pkce::ChallengeMethod;
use crate::oauth2::request_object;

/// Scopes always advertised, before the configured ones: refresh tokens are granted for
/// `offline_access` (OIDC Core §11) and Hydra's `offline`; `openid` asks for an ID token.
pub const BASE_SCOPES: &[&str] = &["offline_access", "offline", "openid"];

/// Claims always advertised, before the configured ones: those the server itself puts in ID
/// tokens (`oidc::id_token`; `sub` also in UserInfo, OIDC Core §5.1), `acr` when asked for
/// or reported.
pub const BASE_CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "at_hash",
    "c_hash",
    "jti",
    "rat",
    "sid",
];

/// `response_type` values of the authorization endpoint, spelled (and ordered) as Hydra
/// advertises them (OAuth 2.0 Multiple Response Types §3), plus `code token`, which Hydra
/// serves without advertising. A test holds it to [`authorize::RESPONSE_TYPES`].
pub const RESPONSE_TYPES: &[&str] = &[
    "code",
    "code id_token",
    "id_token",
    "token id_token",
    "token",
    "code token",
    "token id_token code",
];

/// `response_mode` values (OAuth 2.0 Multiple Response Types §2.1, Form Post Response Mode).
pub const RESPONSE_MODES: &[&str] = &["query", "fragment", "form_post"];

/// Userinfo answers plain JSON (`none`, listed first) or, for clients registered so, a JWT
/// signed with one of the ID-token algorithms.
pub const UNSIGNED_USERINFO: &str = "none";

/// Grant types the token and authorization endpoints implement (RFC 6749 §4, §6).
const GRANT_TYPES: [GrantType; 5] = [
    GrantType::AuthorizationCode,
    GrantType::Implicit,
    GrantType::ClientCredentials,
    GrantType::RefreshToken,
    GrantType::TokenExchange,
];

/// Token-endpoint client authentication the domain verifies (`oauth2::client_auth`).
const AUTH_METHODS: [AuthMethod; 4] = [
    AuthMethod::ClientSecretPost,
    AuthMethod::ClientSecretBasic,
    AuthMethod::PrivateKeyJwt,
    AuthMethod::None,
];

/// Paths of the endpoints, appended to the issuer (the route constants of `oxydra-api`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointPaths {
    /// The authorization endpoint (RFC 6749 §3.1).
    pub authorization: &'static str,
    /// The token endpoint (RFC 6749 §3.2).
    pub token: &'static str,
    /// The public JSON Web Key Set.
    pub jwks: &'static str,
    /// The default userinfo endpoint (OIDC Core §5.3), when none is configured.
    pub userinfo: &'static str,
    /// Token revocation (RFC 7009).
    pub revocation: &'static str,
    /// Dynamic client registration, advertised only when served under the issuer (Hydra
    /// advertises `<issuer>/clients`, which is on the admin port and 404s on the public one).
    pub registration: Option<&'static str>,
    /// RP-initiated logout (OIDC RP-Initiated Logout 1.0), advertised only when it exists.
    pub end_session: Option<&'static str>,
    /// The device authorization endpoint (RFC 8628 §4), advertised with the device grant type
    /// only while the device flow is enabled.
    pub device_authorization: Option<&'static str>,
    /// The pushed authorization request endpoint (RFC 9126 §5), advertised only while served.
    pub pushed_authorization_request: Option<&'static str>,
}

/// What the discovery document depends on: the configuration, nothing else.
#[derive(Debug, Clone)]
pub struct DiscoverySettings {
    /// The issuer as configured (`OAUTH2_ISSUER_URL`), with or without a trailing slash.
    pub issuer: Url,
    /// Where each endpoint lives under the issuer.
    pub paths: EndpointPaths,
    /// An explicitly configured userinfo URL (`OIDC_DISCOVERY_USERINFO_ENDPOINT`).
    pub userinfo_endpoint: Option<Url>,
    /// Enabled subject types (`OIDC_SUBJECT_TYPES_SUPPORTED`), never empty in a valid config.
    pub subject_types: Vec<SubjectType>,
    /// Extra claims to advertise (`OIDC_DISCOVERY_CLAIMS_SUPPORTED`); [`BASE_CLAIMS`] come first.
    pub claims: Vec<String>,
    /// Extra scopes to advertise (`OIDC_DISCOVERY_SCOPES_SUPPORTED`); [`BASE_SCOPES`] come first.
    pub scopes: Vec<String>,
    /// The algorithms the ID-token key set holds a signing key of, the default first
    /// ([`OIDC_SIGNING_ALGS`]): what ID tokens and signed userinfo may be signed with.
    pub id_token_algs: Vec<String>,
    /// What the server's own consent app (the demo, when on) grants, advertised after the
    /// base values and before the configured ones.
    pub consent_app: ConsentAppClaims,
    /// Whether every authorization request must be pushed (RFC 9126 §5).
    pub require_pushed_authorization_requests: bool,
    /// The JWT-bearer grant (RFC 7523 §2.1) is served, so `grant_types_supported` lists it.
    pub jwt_bearer_grant: bool,
    /// DPoP proofs are accepted (RFC 9449), so `dpop_signing_alg_values_supported` is listed.
    pub dpop: bool,
}

/// The scopes a built-in consent app honours and the end-user claims it can return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentAppClaims {
    /// Scopes it maps to claims (OIDC Core §5.4).
    pub scopes: Vec<String>,
    /// Claims it can return.
    pub claims: Vec<String>,
}

/// The OpenID Provider metadata (OIDC Discovery 1.0 §3), field for field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The issuer identifier, ending with `/`.
    pub issuer: String,
    /// The authorization endpoint.
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The public key set ID tokens are verified with.
    pub jwks_uri: String,
    /// The userinfo endpoint.
    pub userinfo_endpoint: String,
    /// The revocation endpoint (RFC 8414 §2).
    pub revocation_endpoint: String,
    /// Where clients register themselves, when that is served under the issuer.
    pub registration_endpoint: Option<String>,
    /// RP-initiated logout, when there is one.
    pub end_session_endpoint: Option<String>,
    /// The device authorization endpoint (RFC 8628 §4), when the device flow is on.
    pub device_authorization_endpoint: Option<String>,
    /// The pushed authorization request endpoint (RFC 9126 §5), when served.
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Whether only pushed authorization requests are accepted (RFC 9126 §5); `None` while
    /// the endpoint is not served.
    pub require_pushed_authorization_requests: Option<bool>,
    /// The `alg`s DPoP proofs may use (RFC 9449 §5.1); `None` while DPoP is off.
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// Supported `response_type` values.
    pub response_types_supported: Vec<String>,
    /// Supported `response_mode` values.
    pub response_modes_supported: Vec<String>,
    /// Supported grant types.
    pub grant_types_supported: Vec<String>,
    /// Enabled subject identifier types.
    pub subject_types_supported: Vec<String>,
    /// ID-token signature algorithms.
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// Userinfo response signature algorithms (`none` = plain JSON).
    pub userinfo_signing_alg_values_supported: Vec<String>,
    /// Token-endpoint client authentication methods.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Algorithms accepted for `private_key_jwt` client assertions.
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    /// PKCE methods (RFC 7636; RFC 8414 §2).
    pub code_challenge_methods_supported: Vec<String>,
    /// Claims that may be returned.
    pub claims_supported: Vec<String>,
    /// Scopes clients may request.
    pub scopes_supported: Vec<String>,
    /// The `claims` request parameter (OIDC Core §5.5).
    pub claims_parameter_supported: bool,
    /// The `request` parameter (OIDC Core §6.1).
    pub request_parameter_supported: bool,
    /// The `request_uri` parameter (OIDC Core §6.2).
    pub request_uri_parameter_supported: bool,
    /// Whether `request_uri` values must be pre-registered.
    pub require_request_uri_registration: bool,
    /// Algorithms accepted for request objects (`none` only for clients that registered it).
    pub request_object_signing_alg_values_supported: Vec<String>,
    /// OIDC Front-Channel Logout.
    pub frontchannel_logout_supported: bool,
    /// `sid`/`iss` on front-channel logout URIs.
    pub frontchannel_logout_session_supported: bool,
    /// OIDC Back-Channel Logout.
    pub backchannel_logout_supported: bool,
    /// `sid` in back-channel logout tokens.
    pub backchannel_logout_session_supported: bool,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// `base` followed by every item of each of `extras` not already listed, in order.
fn union(base: &[&str], extras: &[&[String]]) -> Vec<String> {
    let mut all = strings(base);
    for item in extras.iter().copied().flatten() {
        if !item.is_empty() && !all.contains(item) {
            all.push(item.clone());
        }
    }
    all
}

/// `<issuer without trailing slash><path>`.
fn under(base: &str, path: &str) -> Result<String, Error> {
    let joined = format!("{base}{path}");
    Url::parse(&joined)
        .map(String::from)
        .map_err(|e| Error::invalid("issuer", format!("{joined:?} is not a URL: {e}")))
}

/// Builds the document. Fails only when an endpoint URL cannot be formed from the issuer (a
/// configuration the server refuses at start-up anyway).
pub fn document(settings: &DiscoverySettings) -> Result<Discovery, Error> {
    let base = settings.issuer.as_str().trim_end_matches('/');
    let paths = &settings.paths;
    let userinfo_endpoint = match &settings.userinfo_endpoint {
        Some(url) => url.to_string(),
        None => under(base, paths.userinfo)?,
    };
    let end_session_endpoint = paths.end_session.map(|p| under(base, p)).transpose()?;
    let device_authorization_endpoint = paths
        .device_authorization
        .map(|p| under(base, p))
        .transpose()?;
    let pushed_authorization_request_endpoint = paths
        .pushed_authorization_request
        .map(|p| under(base, p))
        .transpose()?;
    let require_pushed_authorization_requests = pushed_authorization_request_endpoint
        .as_ref()
        .map(|_| settings.require_pushed_authorization_requests);
    let mut grant_types: Vec<String> = GRANT_TYPES.iter().map(|g| g.as_str().to_owned()).collect();
    if device_authorization_endpoint.is_some() {
        grant_types.push(GrantType::DeviceCode.as_str().to_owned());
    }
    if settings.jwt_bearer_grant {
        grant_types.push(GrantType::JwtBearer.as_str().to_owned());
    }
    let logout = end_session_endpoint.is_some();
    Ok(Discovery {
        issuer: format!("{base}/"),
        authorization_endpoint: under(base, paths.authorization)?,
        token_endpoint: under(base, paths.token)?,
        jwks_uri: under(base, paths.jwks)?,
        userinfo_endpoint,
        revocation_endpoint: under(base, paths.revocation)?,
        registration_endpoint: paths.registration.map(|p| under(base, p)).transpose()?,
        end_session_endpoint,
        device_authorization_endpoint,
        pushed_authorization_request_endpoint,
        require_pushed_authorization_requests,
        dpop_signing_alg_values_supported: settings
            .dpop
            .then(|| strings(crate::oauth2::dpop::SIGNING_ALGS)),
        response_types_supported: strings(RESPONSE_TYPES),
        response_modes_supported: strings(RESPONSE_MODES),
        grant_types_supported: grant_types,
        subject_types_supported: settings
            .subject_types
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
        id_token_signing_alg_values_supported: settings.id_token_algs.clone(),
        userinfo_signing_alg_values_supported: union(
            &[UNSIGNED_USERINFO],
            &[&settings.id_token_algs],
        ),
        token_endpoint_auth_methods_supported: AUTH_METHODS
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        token_endpoint_auth_signing_alg_values_supported: strings(
            client_assertion::SUPPORTED_ALGORITHMS,
        ),
        code_challenge_methods_supported: vec![ChallengeMethod::S256.as_str().to_owned()],
        claims_supported: union(
            BASE_CLAIMS,
            &[&settings.consent_app.claims, &settings.claims],
        ),
        scopes_supported: union(
            BASE_SCOPES,
            &[&settings.consent_app.scopes, &settings.scopes],
        ),
        // OIDC Core §5.5: parsed at the authorization endpoint, shown to the consent app.
        claims_parameter_supported: true,
        // OIDC Core §6 (`oauth2::request_object`): both are read; a request_uri must be one
        // the client registered, so an unauthenticated browser cannot choose what is fetched.
        request_parameter_supported: true,
        request_uri_parameter_supported: true,
        require_request_uri_registration: true,
        request_object_signing_alg_values_supported: strings(request_object::ACCEPTED_ALGORITHMS),
        // Front- and back-channel logout happen at the end of RP-initiated logout
        // (`service::end_session`), with `iss`/`sid` and `sid` respectively: served exactly
        // when the end-session endpoint is.
        frontchannel_logout_supported: logout,
        frontchannel_logout_session_supported: logout,
        backchannel_logout_supported: logout,
        backchannel_logout_session_supported: logout,
    })
}

#[cfg(test)]
mod tests;
