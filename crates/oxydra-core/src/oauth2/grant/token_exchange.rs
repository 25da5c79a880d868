//! RFC 8693 token exchange, the pure part: the token types understood, who may present a
//! token, which scopes the new token gets and the `act` claim of a delegation. The service
//! (`service::token_exchange`) reads the presented tokens; nothing here touches storage.
//!
//! Policy (RFC 8693 leaves it to the server; refused unless configured):
//! - the client must register the grant type (`unauthorized_client` otherwise);
//! - it may present a token issued to itself, or one whose audience names it (a resource
//!   server trading the token it received for one to call the next service), or a JWT of an
//!   issuer the operator trusts for its subject (the JWT-bearer trust relationships), whose
//!   scopes bound the new token's;
//! - the new token's audiences must be on the client's audience whitelist (`invalid_target`);
//! - its scopes are within the client's, and within the subject token's when that is an access
//!   token; no refresh token is issued.

use serde_json::{Map, Value, json};

use crate::client::Client;
use crate::config::ScopeStrategy;
use crate::model::ClientId;
use crate::oauth2::grant::client_credentials::dedup;
use crate::oauth2::scope;
use crate::{OAuthError, OAuthErrorKind};

/// RFC 8693 §3: an OAuth 2.0 access token.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// RFC 8693 §3: an OpenID Connect ID token.
pub const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
/// RFC 8693 §3: a JWT (here: one signed by an issuer trusted through the JWT-bearer trust API).
pub const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

/// The kinds of presented token this server accepts: its own access tokens and ID tokens,
/// and JWTs of trusted issuers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresentedType {
    /// An access token this server issued (opaque or JWT).
    AccessToken,
    /// An ID token this server signed.
    IdToken,
    /// A JWT of an issuer trusted for its subject (RFC 7523 trust relationships).
    Jwt,
}

/// The type parameter `param` (`subject_token_type`, `actor_token_type`): required, and one
/// this server accepts; else `invalid_request` (RFC 8693 §2.2.2).
pub fn presented_type(param: &str, value: Option<&str>) -> Result<PresentedType, OAuthError> {
    match value {
        None => Err(OAuthError::invalid_request(format!(
            "The parameter {param} is missing."
        ))),
        Some(ACCESS_TOKEN_TYPE) => Ok(PresentedType::AccessToken),
        Some(ID_TOKEN_TYPE) => Ok(PresentedType::IdToken),
        Some(JWT_TYPE) => Ok(PresentedType::Jwt),
        Some(other) => Err(OAuthError::invalid_request(format!(
            "The {param} '{other}' is not supported; supported are {ACCESS_TOKEN_TYPE}, {ID_TOKEN_TYPE} and {JWT_TYPE}."
        ))),
    }
}

/// `requested_token_type`: absent or an access token, the only kind issued.
pub fn check_requested_type(value: Option<&str>) -> Result<(), OAuthError> {
    match value {
        None | Some(ACCESS_TOKEN_TYPE) => Ok(()),
        Some(other) => Err(OAuthError::invalid_request(format!(
            "The requested_token_type '{other}' is not supported; only {ACCESS_TOKEN_TYPE} is issued."
        ))),
    }
}

/// What a presented token says, whichever its type.
#[derive(Debug, Clone, PartialEq)]
pub struct PresentedToken {
    /// The subject (the real one; ID tokens of pairwise clients are refused earlier).
    pub subject: String,
    /// The client it was issued to.
    pub client_id: String,
    /// Its audiences (for an ID token, `aud`).
    pub audience: Vec<String>,
    /// Its granted scopes; `None` for an ID token, which carries none.
    pub scope: Option<Vec<String>>,
    /// The `act` claim it carries from an earlier delegation.
    pub act: Option<Value>,
    /// The thumbprint of the DPoP key an access token is bound to (RFC 9449).
    pub dpop_jkt: Option<String>,
}

impl PresentedToken {
    /// Whether `client` may present this token: it was issued to the client, or names the
    /// client among its audiences.
    pub fn presentable_by(&self, client: &ClientId) -> bool {
        self.client_id == client.as_str() || self.audience.iter().any(|a| a == client.as_str())
    }

    /// RFC 9449: a DPoP-bound token presented by the client it was issued to needs a proof of
    /// its key (`proof_jkt`), or an exchange would turn a stolen bound token into an unbound
    /// one. A resource server named in its audience never holds that key and trades it as
    /// the delegation it received.
    pub fn check_dpop_binding(
        &self,
        presenter: &ClientId,
        proof_jkt: Option<&str>,
        role: &str,
    ) -> Result<(), OAuthError> {
        match self.dpop_jkt.as_deref() {
            Some(bound) if self.client_id == presenter.as_str() && proof_jkt != Some(bound) => {
                Err(OAuthError::invalid_request(format!(
                    "The {role}_token is bound to a DPoP key: send a DPoP proof of that key."
                )))
            }
            _ => Ok(()),
        }
    }
}

/// The scopes of the new token. Requested ones must each be allowed by the client's `scope`
/// and, for an access-token subject, covered by that token's scopes (`invalid_scope`);
/// without `scope`, an access-token subject's scopes that the client may hold carry over
/// and an ID-token subject gives none. `offline`/`offline_access` are refused: an exchange
/// issues no refresh token.
pub fn granted_scope(
    requested: &str,
    subject: &PresentedToken,
    client: &Client,
    strategy: ScopeStrategy,
) -> Result<Vec<String>, OAuthError> {
    let allowed = scope::split(&client.scope);
    let requested = dedup(scope::split(requested));
    if requested.is_empty() {
        let carried = subject.scope.iter().flatten().filter(|s| {
            !is_offline(s) && allowed.iter().any(|a| scope::scope_matches(strategy, a, s))
        });
        return Ok(carried.cloned().collect());
    }
    if let Some(offline) = requested.iter().find(|s| is_offline(s)) {
        return Err(invalid_scope(format!(
            "A token exchange issues no refresh token: '{offline}' cannot be granted."
        )));
    }
    scope::all_allowed(strategy, &allowed, &requested).map_err(|denied| {
        invalid_scope(format!(
            "The client is not allowed to request the scope '{denied}'."
        ))
    })?;
    if let Some(held) = &subject.scope {
        let held: Vec<&str> = held.iter().map(String::as_str).collect();
        scope::all_allowed(strategy, &held, &requested).map_err(|denied| {
            invalid_scope(format!(
                "The subject token was not granted the scope '{denied}'."
            ))
        })?;
    }
    Ok(requested.into_iter().map(str::to_owned).collect())
}

/// RFC 8693 §4.1: the `act` claim naming `actor` as the party acting for the subject; the
/// subject token's own `act` (earlier actors) nests inside it.
pub fn act_claim(actor: &str, earlier: Option<&Value>) -> Value {
    let mut act = Map::new();
    act.insert("sub".into(), json!(actor));
    if let Some(earlier) = earlier {
        act.insert("act".into(), earlier.clone());
    }
    Value::Object(act)
}

fn is_offline(scope: &str) -> bool {
    scope == "offline" || scope == "offline_access"
}

fn invalid_scope(hint: String) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidScope).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::grant::tests_support::client;

    fn access(scope: &[&str]) -> PresentedToken {
        PresentedToken {
            subject: "alice".into(),
            client_id: "web".into(),
            audience: vec!["api".into()],
            scope: Some(scope.iter().map(|s| s.to_string()).collect()),
            act: None,
            dpop_jkt: None,
        }
    }

    #[test]
    fn token_types_are_required_and_known() {
        assert_eq!(
            presented_type("subject_token_type", Some(ACCESS_TOKEN_TYPE)).unwrap(),
            PresentedType::AccessToken
        );
        assert_eq!(
            presented_type("actor_token_type", Some(ID_TOKEN_TYPE)).unwrap(),
            PresentedType::IdToken
        );
        for bad in [None, Some("urn:ietf:params:oauth:token-type:saml2")] {
            let e = presented_type("subject_token_type", bad).unwrap_err();
            assert_eq!(e.kind, OAuthErrorKind::InvalidRequest);
        }
        assert!(check_requested_type(None).is_ok());
        assert!(check_requested_type(Some(ACCESS_TOKEN_TYPE)).is_ok());
        let e = check_requested_type(Some("urn:ietf:params:oauth:token-type:refresh_token"))
            .unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidRequest);
    }

    #[test]
    fn a_token_is_presentable_by_its_client_and_its_audiences() {
        let t = access(&[]);
        assert!(t.presentable_by(&ClientId::parse("web").unwrap()));
        assert!(t.presentable_by(&ClientId::parse("api").unwrap()));
        assert!(!t.presentable_by(&ClientId::parse("other").unwrap()));
    }

    #[test]
    fn scopes_stay_within_the_client_and_the_subject_token() {
        let c = client("api", "read write offline");
        let s = ScopeStrategy::Wildcard;
        let subject = access(&["read", "offline", "admin"]);
        // Without `scope`: the subject's scopes the client may hold, never offline.
        assert_eq!(granted_scope("", &subject, &c, s).unwrap(), vec!["read"]);
        assert_eq!(
            granted_scope("read read", &subject, &c, s).unwrap(),
            vec!["read"]
        );
        let e = granted_scope("write", &subject, &c, s).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidScope);
        let e = granted_scope("admin", &subject, &c, s).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidScope);
        let e = granted_scope("read offline", &subject, &c, s).unwrap_err();
        assert_eq!(e.kind, OAuthErrorKind::InvalidScope);
        // An ID token carries no scope: the client's own ones may be asked for.
        let id_token = PresentedToken {
            scope: None,
            ..subject
        };
        assert!(granted_scope("", &id_token, &c, s).unwrap().is_empty());
        assert_eq!(
            granted_scope("write", &id_token, &c, s).unwrap(),
            vec!["write"]
        );
    }

    #[test]
    fn act_nests_earlier_actors() {
        assert_eq!(act_claim("svc-a", None), json!({"sub": "svc-a"}));
        let earlier = json!({"sub": "svc-a"});
        assert_eq!(
            act_claim("svc-b", Some(&earlier)),
            json!({"sub": "svc-b", "act": {"sub": "svc-a"}})
        );
    }
}
