//! Client metadata validation (`shared/spec/behaviour.md` §12.1, RFC 7591 §2), stricter than
//! Hydra 1.0.0-beta where Hydra accepted values that only failed later: redirect and metadata
//! URIs must be absolute URLs, redirect URIs carry no fragment, and grant and response types must
//! be ones Oxydra implements.

use url::Url;

use super::types::{REQUEST_OBJECT_ALGS, RESPONSE_TYPE_WORDS};
use super::uri;
use super::{AuthMethod, Client, ClientInput, ClientLifespans, GrantType, SubjectType};
use crate::config::ClientPolicy;
use crate::error::Error;
use crate::jwk::{JwkAlgorithm, OIDC_SIGNING_ALGS};
use crate::model::{ClientId, Now, Secret};

/// The shortest client secret accepted, in bytes (Hydra's rule).
pub const MIN_SECRET_LEN: usize = 6;

/// The longest client secret accepted, in bytes: bcrypt reads only the first 72, so a longer
/// secret would silently verify with any suffix (stricter than Hydra, which truncated).
pub const MAX_SECRET_LEN: usize = 72;

/// A validated client plus what to do about its secret.
#[derive(Debug)]
pub struct ValidClient {
    /// The client, with `secret_hash` still `None`.
    pub client: Client,
    /// The secret the caller sent, if any (already length-checked).
    pub secret: Option<Secret<String>>,
}

impl ClientInput {
    /// Validates the metadata into a client with id `id` (generated when `None` and none given).
    pub fn validate(
        self,
        id: Option<ClientId>,
        policy: &ClientPolicy,
        now: Now,
    ) -> Result<ValidClient, Error> {
        let id = resolve_id(id, &self.client_id)?;
        let keys =
            KeyMaterial::validate(&self.token_endpoint_auth_method, &self.jwks_uri, self.jwks)?;
        let token_endpoint_auth_method = keys.auth_method;

        let secret = self.client_secret.filter(|s| !s.expose().is_empty());
        if let Some(secret) = &secret {
            check_secret(secret, token_endpoint_auth_method)?;
        }

        let scope = if self.scope.trim().is_empty() {
            policy.default_scope.clone()
        } else {
            self.scope
        };
        let scope = normalize_scope(&scope)?;

        let sector_identifier_uri = sector_uri(&self.sector_identifier_uri, policy)?;
        let algs = SigningAlgs::validate(
            &self.userinfo_signed_response_alg,
            &self.id_token_signed_response_alg,
            &self.request_object_signing_alg,
        )?;
        let redirect_uris = redirect_uris(self.redirect_uris)?;
        let request_uris = request_uris(self.request_uris)?;
        let subject_type = parse_subject_type(&self.subject_type, policy)?;
        let grant_types = parse_grant_types(&self.grant_types)?;
        let response_types = response_types(self.response_types)?;
        let access_token_strategy = access_token_strategy(self.access_token_strategy)?;
        if access_token_strategy == "jwt" && subject_type == SubjectType::Pairwise {
            // A JWT access token carries the real subject for any resource server to read.
            return Err(Error::invalid(
                "access_token_strategy",
                "jwt access tokens would reveal the subject a pairwise client must not see",
            ));
        }
        let logout = LogoutUris::validate(
            self.post_logout_redirect_uris,
            &self.frontchannel_logout_uri,
            &self.backchannel_logout_uri,
            policy,
        )?;

        let client = Client {
            id,
            name: self.client_name,
            secret_hash: None,
            redirect_uris,
            grant_types,
            response_types,
            scope,
            owner: self.owner,
            policy_uri: optional_url("policy_uri", &self.policy_uri)?,
            tos_uri: optional_url("tos_uri", &self.tos_uri)?,
            client_uri: optional_url("client_uri", &self.client_uri)?,
            logo_uri: optional_url("logo_uri", &self.logo_uri)?,
            contacts: self.contacts,
            subject_type,
            sector_identifier_uri,
            jwks_uri: keys.jwks_uri,
            jwks: keys.jwks,
            token_endpoint_auth_method,
            request_uris,
            request_object_signing_alg: algs.request_object,
            userinfo_signed_response_alg: algs.userinfo,
            id_token_signed_response_alg: algs.id_token,
            skip_consent: self.skip_consent,
            skip_logout_consent: self.skip_logout_consent,
            metadata: metadata(self.metadata)?,
            access_token_strategy,
            token_lifespans: lifespans(self.token_lifespans)?,
            post_logout_redirect_uris: logout.post_logout_redirect_uris,
            frontchannel_logout_uri: logout.frontchannel,
            frontchannel_logout_session_required: self.frontchannel_logout_session_required,
            backchannel_logout_uri: logout.backchannel,
            backchannel_logout_session_required: self.backchannel_logout_session_required,
            require_pushed_authorization_requests: self.require_pushed_authorization_requests,
            audience: audience(self.audience)?,
            dpop_bound_access_tokens: self.dpop_bound_access_tokens,
            created_at: now,
            updated_at: now,
        };
        Ok(ValidClient { client, secret })
    }
}

/// The client id: `id` when given (an update), else the submitted one, else a new one.
fn resolve_id(id: Option<ClientId>, submitted: &str) -> Result<ClientId, Error> {
    match id {
        Some(id) => Ok(id),
        None if submitted.is_empty() => Ok(ClientId::generate()),
        None => ClientId::parse(submitted.to_owned())
            .map_err(|reason| Error::invalid("client_id", reason)),
    }
}

/// Hydra 2.x `metadata`: any JSON object; `null` is none.
fn metadata(raw: Option<serde_json::Value>) -> Result<Option<serde_json::Value>, Error> {
    match raw {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value @ serde_json::Value::Object(_)) => Ok(Some(value)),
        Some(_) => Err(Error::invalid("metadata", "must be a JSON object")),
    }
}

/// Hydra 2.x `access_token_strategy`: empty (the server's), `jwt` or `opaque`.
fn access_token_strategy(raw: String) -> Result<String, Error> {
    match raw.as_str() {
        "" | "jwt" | "opaque" => Ok(raw),
        _ => Err(Error::invalid(
            "access_token_strategy",
            "must be jwt or opaque",
        )),
    }
}

/// Every set lifespan is longer than zero (a token that expires when issued is useless).
fn lifespans(raw: ClientLifespans) -> Result<ClientLifespans, Error> {
    for (name, value) in raw.entries() {
        if value == Some(std::time::Duration::ZERO) {
            return Err(Error::invalid(
                "token_lifespans",
                format!("{name} must be longer than zero"),
            ));
        }
    }
    Ok(raw)
}

/// How a client authenticates and the keys it does so with, checked together.
struct KeyMaterial {
    auth_method: AuthMethod,
    jwks_uri: String,
    jwks: Option<serde_json::Value>,
}

impl KeyMaterial {
    /// `token_endpoint_auth_method`, `jwks_uri` and `jwks`: `jwks` and `jwks_uri` exclude
    /// each other, and `private_key_jwt` needs one of them.
    fn validate(
        auth_method: &str,
        jwks_uri: &str,
        jwks: Option<serde_json::Value>,
    ) -> Result<Self, Error> {
        let auth_method = parse_auth_method(auth_method)?;
        let jwks_uri = optional_url("jwks_uri", jwks_uri)?;
        let jwks = validate_jwks(jwks)?;
        if jwks.is_some() && !jwks_uri.is_empty() {
            return Err(Error::invalid(
                "jwks",
                "jwks and jwks_uri are mutually exclusive",
            ));
        }
        if auth_method == AuthMethod::PrivateKeyJwt && jwks.is_none() && jwks_uri.is_empty() {
            return Err(Error::invalid(
                "token_endpoint_auth_method",
                "private_key_jwt requires jwks or jwks_uri",
            ));
        }
        Ok(Self {
            auth_method,
            jwks_uri,
            jwks,
        })
    }
}

/// The algorithms a client registers for what this server signs and what it reads.
struct SigningAlgs {
    userinfo: String,
    id_token: String,
    request_object: String,
}

impl SigningAlgs {
    /// `userinfo_signed_response_alg` (empty means `none`), `id_token_signed_response_alg`
    /// (empty means the server's default) and `request_object_signing_alg`.
    fn validate(userinfo: &str, id_token: &str, request_object: &str) -> Result<Self, Error> {
        let userinfo = match userinfo {
            "" => "none".to_owned(),
            "none" => "none".to_owned(),
            alg => signing_alg("userinfo_signed_response_alg", alg, "none, ")?,
        };
        let id_token = match id_token {
            "" => String::new(),
            alg => signing_alg("id_token_signed_response_alg", alg, "")?,
        };
        let request_object = match request_object {
            "" => String::new(),
            alg if REQUEST_OBJECT_ALGS.contains(&alg) => alg.to_owned(),
            _ => {
                return Err(Error::invalid(
                    "request_object_signing_alg",
                    format!("must be one of {}", REQUEST_OBJECT_ALGS.join(", ")),
                ));
            }
        };
        Ok(Self {
            userinfo,
            id_token,
            request_object,
        })
    }
}

/// The URIs of the logout specifications a client registers.
struct LogoutUris {
    post_logout_redirect_uris: Vec<String>,
    frontchannel: String,
    backchannel: String,
}

impl LogoutUris {
    /// `post_logout_redirect_uris` follow the redirect-URI rules (RP-Initiated Logout 1.0
    /// §3.1 makes them redirect targets too); `frontchannel_logout_uri` is an http(s) page
    /// without fragment (Front-Channel Logout 1.0 §2); `backchannel_logout_uri`, which the
    /// server itself calls, is https (plain http to a loopback host only in development, as for
    /// `sector_identifier_uri`) and has no fragment (Back-Channel Logout 1.0 §2.2).
    fn validate(
        post_logout: Vec<String>,
        frontchannel: &str,
        backchannel: &str,
        policy: &ClientPolicy,
    ) -> Result<Self, Error> {
        let post_logout_redirect_uris = post_logout
            .into_iter()
            .map(|raw| uri::validate_redirect_uri("post_logout_redirect_uris", &raw).map(|()| raw))
            .collect::<Result<_, _>>()?;
        let frontchannel = web_url("frontchannel_logout_uri", frontchannel)?;
        let backchannel = web_url("backchannel_logout_uri", backchannel)?;
        let allowed = backchannel.is_empty()
            || Url::parse(&backchannel)
                .is_ok_and(|url| uri::sector_uri_allowed(&url, policy.loopback_http_documents));
        if !allowed {
            return Err(Error::invalid(
                "backchannel_logout_uri",
                "must be an https URL",
            ));
        }
        Ok(Self {
            post_logout_redirect_uris,
            frontchannel,
            backchannel,
        })
    }
}

/// The audience whitelist: each entry a non-empty string without whitespace or control
/// characters (audiences travel space-separated), duplicates removed.
fn audience(raw: Vec<String>) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for entry in raw {
        if entry.is_empty() || entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                "audience",
                format!("{entry:?} is not an audience (non-empty, without spaces)"),
            ));
        }
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// An empty string, or an absolute http(s) URL without a fragment.
fn web_url(field: &'static str, raw: &str) -> Result<String, Error> {
    if raw.is_empty() {
        return Ok(String::new());
    }
    uri::validate_redirect_uri(field, raw)?;
    let scheme_ok = Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !scheme_ok {
        return Err(Error::invalid(field, "must be an http or https URL"));
    }
    Ok(raw.to_owned())
}

/// Every redirect URI, each checked ([`uri::validate_redirect_uri`]).
fn redirect_uris(raw: Vec<String>) -> Result<Vec<String>, Error> {
    raw.into_iter()
        .map(|raw| uri::validate_redirect_uri("redirect_uris", &raw).map(|()| raw))
        .collect()
}

/// Every request URI, each an absolute URL.
fn request_uris(raw: Vec<String>) -> Result<Vec<String>, Error> {
    raw.into_iter()
        .map(|uri| optional_url("request_uris", &uri))
        .collect()
}

/// The grant types, each one Oxydra implements.
fn parse_grant_types(raw: &[String]) -> Result<Vec<GrantType>, Error> {
    raw.iter()
        .map(|g| {
            g.parse::<GrantType>().map_err(|()| {
                Error::invalid(
                    "grant_types",
                    format!(
                        "unknown grant type {g:?}; supported: authorization_code, implicit, refresh_token, client_credentials, {}, {}, {}",
                        super::types::DEVICE_CODE_GRANT,
                        super::types::TOKEN_EXCHANGE_GRANT,
                        super::types::JWT_BEARER_GRANT
                    ),
                )
            })
        })
        .collect()
}

/// The response types, each checked ([`validate_response_type`]).
fn response_types(raw: Vec<String>) -> Result<Vec<String>, Error> {
    raw.into_iter()
        .map(|r| validate_response_type(&r).map(|()| r))
        .collect()
}

/// `alg` when this server signs with it (OIDC Dynamic Client Registration §2): one of
/// [`OIDC_SIGNING_ALGS`]; `field` and the other values accepted (`also`) name the refusal.
fn signing_alg(field: &'static str, alg: &str, also: &str) -> Result<String, Error> {
    match JwkAlgorithm::parse(alg) {
        Some(parsed) if OIDC_SIGNING_ALGS.contains(&parsed) => Ok(alg.to_owned()),
        _ => {
            let names: Vec<&str> = OIDC_SIGNING_ALGS.iter().map(|a| a.name()).collect();
            Err(Error::invalid(
                field,
                format!("must be one of {also}{}", names.join(", ")),
            ))
        }
    }
}

fn parse_auth_method(raw: &str) -> Result<AuthMethod, Error> {
    if raw.is_empty() {
        return Ok(AuthMethod::ClientSecretBasic);
    }
    if raw == "client_secret_jwt" {
        // OIDC Core §9: an HMAC keyed with the client secret, which only a server holding the
        // secret itself can verify; client secrets are stored hashed, as in Hydra.
        return Err(Error::invalid(
            "token_endpoint_auth_method",
            "client_secret_jwt is not supported: client secrets are stored hashed, and verifying an HMAC assertion needs the secret itself; use private_key_jwt, client_secret_basic or client_secret_post",
        ));
    }
    raw.parse().map_err(|()| {
        Error::invalid(
            "token_endpoint_auth_method",
            "must be client_secret_basic, client_secret_post, private_key_jwt or none",
        )
    })
}

fn parse_subject_type(raw: &str, policy: &ClientPolicy) -> Result<SubjectType, Error> {
    if raw.is_empty() {
        return Ok(policy.subject_types.first().copied().unwrap_or_default());
    }
    let subject_type: SubjectType = raw
        .parse()
        .map_err(|()| Error::invalid("subject_type", "must be public or pairwise"))?;
    if !policy.subject_types.contains(&subject_type) {
        return Err(Error::invalid(
            "subject_type",
            format!("{raw} is not enabled on this server (OIDC_SUBJECT_TYPES_SUPPORTED)"),
        ));
    }
    Ok(subject_type)
}

/// An empty string, or an absolute URL.
fn optional_url(field: &'static str, raw: &str) -> Result<String, Error> {
    if raw.is_empty() {
        return Ok(String::new());
    }
    uri::parse_registered_url(field, raw)?;
    Ok(raw.to_owned())
}

/// The secret a client sent: only for secret-based methods, and between [`MIN_SECRET_LEN`]
/// and [`MAX_SECRET_LEN`] bytes.
fn check_secret(secret: &Secret<String>, method: AuthMethod) -> Result<(), Error> {
    if !method.uses_secret() {
        return Err(Error::invalid(
            "client_secret",
            format!(
                "a client using token_endpoint_auth_method {} has no secret",
                method.as_str()
            ),
        ));
    }
    let len = secret.expose().len();
    if len < MIN_SECRET_LEN {
        return Err(Error::invalid(
            "client_secret",
            format!("must be at least {MIN_SECRET_LEN} characters long"),
        ));
    }
    if len > MAX_SECRET_LEN {
        return Err(Error::invalid(
            "client_secret",
            format!(
                "must be at most {MAX_SECRET_LEN} bytes long: bcrypt ignores every byte after the 72nd"
            ),
        ));
    }
    Ok(())
}

/// OIDC Core §8.1: a `sector_identifier_uri` is an https URL (plain http to a loopback host
/// only in development mode); its document is checked by the registration service.
fn sector_uri(raw: &str, policy: &ClientPolicy) -> Result<String, Error> {
    let sector = optional_url("sector_identifier_uri", raw)?;
    if sector.is_empty() {
        return Ok(sector);
    }
    let allowed = Url::parse(&sector)
        .is_ok_and(|url| uri::sector_uri_allowed(&url, policy.loopback_http_documents));
    if !allowed {
        return Err(Error::invalid(
            "sector_identifier_uri",
            "must be an https URL",
        ));
    }
    Ok(sector)
}

fn validate_response_type(raw: &str) -> Result<(), Error> {
    let words: Vec<&str> = raw.split(' ').collect();
    let known = !raw.is_empty() && words.iter().all(|w| RESPONSE_TYPE_WORDS.contains(w));
    let mut unique = words.clone();
    unique.sort_unstable();
    unique.dedup();
    if !known || unique.len() != words.len() {
        return Err(Error::invalid(
            "response_types",
            format!(
                "unknown response type {raw:?}; each entry combines code, token and id_token separated by single spaces"
            ),
        ));
    }
    Ok(())
}

/// RFC 6749 §3.3: scope tokens are `%x21 / %x23-5B / %x5D-7E`, separated by spaces.
fn normalize_scope(raw: &str) -> Result<String, Error> {
    let tokens: Vec<&str> = raw.split(' ').filter(|t| !t.is_empty()).collect();
    for token in &tokens {
        if !token
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        {
            return Err(Error::invalid(
                "scope",
                format!("{token:?} is not a valid scope token"),
            ));
        }
    }
    Ok(tokens.join(" "))
}

fn validate_jwks(jwks: Option<serde_json::Value>) -> Result<Option<serde_json::Value>, Error> {
    match jwks {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => {
            let keys_ok = value
                .get("keys")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|keys| keys.iter().all(serde_json::Value::is_object));
            if keys_ok {
                Ok(Some(value))
            } else {
                Err(Error::invalid(
                    "jwks",
                    "must be a JSON Web Key Set: {\"keys\": [ ... ]}",
                ))
            }
        }
    }
}
