//! Rules of dynamic client registration (RFC 7591, RFC 7592, OIDC Registration 1.0) that the
//! admin API does not have: the fields only an operator may set, the registration access
//! token, and the RFC 7591 §3.2.2 error codes a failed validation becomes.

use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use subtle::ConstantTimeEq;

use super::ClientInput;
use crate::error::Error;
use crate::model::Secret;
use crate::{OAuthError, OAuthErrorKind};

/// Random bytes of a registration access token (256 bits).
const TOKEN_BYTES: usize = 32;

/// A new registration access token (256 random bits, base64url) and the hash to store.
pub fn generate_registration_token() -> Result<(Secret<String>, String), OAuthError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    SystemRandom::new().fill(&mut bytes).map_err(|_| {
        OAuthError::new(OAuthErrorKind::ServerError)
            .debug("the system random number generator failed")
    })?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = registration_token_hash(&token);
    Ok((Secret::new(token), hash))
}

/// The stored form of a registration access token: SHA-256, lowercase hex. A plain digest
/// suffices: the token has 256 random bits, so there is nothing to guess from the hash.
pub fn registration_token_hash(token: &str) -> String {
    let hash = digest::digest(&digest::SHA256, token.as_bytes());
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` hashes to `stored`, compared in constant time.
pub fn registration_token_matches(token: &str, stored: &str) -> bool {
    registration_token_hash(token)
        .as_bytes()
        .ct_eq(stored.as_bytes())
        .into()
}

/// Refuses (`invalid_client_metadata`) what a self-registering client may not choose: its
/// id and secret (the server generates both) and the fields reserved to operators
/// (`metadata`, `skip_consent`, `skip_logout_consent`, `access_token_strategy`, the token
/// lifespans, the `audience` whitelist, and the JWT-bearer and token-exchange grant types),
/// unless a field is left out or keeps its
/// `baseline` value (the stored client on update, so that a client may send back what it
/// read; the caller then keeps the stored values).
pub fn check_self_service(input: &ClientInput, baseline: &ClientInput) -> Result<(), OAuthError> {
    if !input.client_id.is_empty() && input.client_id != baseline.client_id {
        return Err(reserved(
            "client_id",
            "The server chooses the client_id; on update it must be the client's own.",
        ));
    }
    if input.client_secret.is_some() {
        return Err(reserved(
            "client_secret",
            "The server generates the client_secret; it cannot be chosen or changed here.",
        ));
    }
    // Grants that act for subjects the client never authenticated: a trusted issuer's JWTs
    // (JWT bearer, and token exchange, which also takes them) are the operator's to hand out.
    let operator_grant = input.grant_types.iter().find(|g| {
        [super::JWT_BEARER_GRANT, super::TOKEN_EXCHANGE_GRANT].contains(&g.as_str())
            && !baseline.grant_types.contains(g)
    });
    if let Some(grant) = operator_grant {
        return Err(reserved(
            "grant_types",
            &format!("The grant type {grant} is reserved to the operator (admin API)."),
        ));
    }
    let default = ClientInput::default();
    // A reserved field may be left out (default) or sent back as stored, never changed.
    let changed = [
        (
            "metadata",
            input.metadata != baseline.metadata && input.metadata != default.metadata,
        ),
        (
            "skip_consent",
            input.skip_consent != baseline.skip_consent && input.skip_consent,
        ),
        (
            "skip_logout_consent",
            input.skip_logout_consent != baseline.skip_logout_consent && input.skip_logout_consent,
        ),
        (
            "access_token_strategy",
            input.access_token_strategy != baseline.access_token_strategy
                && !input.access_token_strategy.is_empty(),
        ),
        (
            "token lifespans",
            input.token_lifespans != baseline.token_lifespans
                && input.token_lifespans != default.token_lifespans,
        ),
        (
            "audience",
            input.audience != baseline.audience && !input.audience.is_empty(),
        ),
    ];
    match changed.into_iter().find(|(_, changed)| *changed) {
        Some((field, _)) => Err(reserved(
            field,
            "This field is reserved to the operator (admin API).",
        )),
        None => Ok(()),
    }
}

/// An `invalid_client_metadata` naming `field`.
fn reserved(field: &str, why: &str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidClientMetadata).hint(format!(
        "Field {field} cannot be set by dynamic client registration. {why}"
    ))
}

/// A validation failure in the RFC 7591 §3.2.2 vocabulary: `invalid_redirect_uri` for the
/// redirect URIs, `invalid_client_metadata` for any other field; other errors unchanged.
pub fn registration_error(error: Error) -> Error {
    match error {
        Error::Invalid { field, reason } => {
            let kind = if field == "redirect_uris" {
                OAuthErrorKind::InvalidRedirectUri
            } else {
                OAuthErrorKind::InvalidClientMetadata
            };
            Error::OAuth(OAuthError::new(kind).hint(format!("Field {field}: {reason}")))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_matches() {
        let (a, hash_a) = generate_registration_token().unwrap();
        let (b, _) = generate_registration_token().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).unwrap().len(), 32);
        assert!(registration_token_matches(a.expose(), &hash_a));
        assert!(!registration_token_matches(b.expose(), &hash_a));
        assert!(!registration_token_matches(&hash_a, &hash_a));
    }

    #[test]
    fn reserved_fields_are_refused_unless_unchanged() {
        let baseline = ClientInput::default();
        // RFC 9449 metadata is the client's own choice.
        let ok = ClientInput {
            redirect_uris: vec!["https://rp.example/cb".into()],
            dpop_bound_access_tokens: true,
            ..ClientInput::default()
        };
        assert!(check_self_service(&ok, &baseline).is_ok());
        let cases = [
            ClientInput {
                client_id: "mine".into(),
                ..ClientInput::default()
            },
            ClientInput {
                client_secret: Some(Secret::new("s".into())),
                ..ClientInput::default()
            },
            ClientInput {
                metadata: Some(serde_json::json!({})),
                ..ClientInput::default()
            },
            ClientInput {
                skip_consent: true,
                ..ClientInput::default()
            },
            ClientInput {
                skip_logout_consent: true,
                ..ClientInput::default()
            },
            ClientInput {
                access_token_strategy: "jwt".into(),
                ..ClientInput::default()
            },
            ClientInput {
                audience: vec!["https://api.example".into()],
                ..ClientInput::default()
            },
            ClientInput {
                grant_types: vec![
                    "authorization_code".into(),
                    super::super::JWT_BEARER_GRANT.into(),
                ],
                ..ClientInput::default()
            },
            ClientInput {
                grant_types: vec![super::super::TOKEN_EXCHANGE_GRANT.into()],
                ..ClientInput::default()
            },
        ];
        for case in cases {
            let e = check_self_service(&case, &baseline).unwrap_err();
            assert_eq!(e.kind, OAuthErrorKind::InvalidClientMetadata, "{case:?}");
        }
        let stored = ClientInput {
            client_id: "abc".into(),
            skip_consent: true,
            ..ClientInput::default()
        };
        let echoed = stored.clone();
        assert!(check_self_service(&echoed, &stored).is_ok());
        // An operator-granted grant type may be sent back.
        let granted = ClientInput {
            grant_types: vec![super::super::TOKEN_EXCHANGE_GRANT.into()],
            ..stored.clone()
        };
        assert!(check_self_service(&granted.clone(), &granted).is_ok());
        let left_out = ClientInput {
            client_id: "abc".into(),
            ..ClientInput::default()
        };
        assert!(check_self_service(&left_out, &stored).is_ok());
        let changed = ClientInput {
            access_token_strategy: "jwt".into(),
            ..stored.clone()
        };
        assert!(check_self_service(&changed, &stored).is_err());
    }

    #[test]
    fn redirect_uri_failures_get_their_own_code() {
        let e = registration_error(Error::invalid("redirect_uris", "bad"));
        let Error::OAuth(e) = e else { panic!() };
        assert_eq!(e.kind, OAuthErrorKind::InvalidRedirectUri);
        let e = registration_error(Error::invalid("jwks_uri", "bad"));
        let Error::OAuth(e) = e else { panic!() };
        assert_eq!(e.kind, OAuthErrorKind::InvalidClientMetadata);
    }
}
