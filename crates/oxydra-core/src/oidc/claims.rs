//! Which end-user claims go where (OIDC Core §5.1, §5.4, §5.5): the standard claims and the
//! scopes that ask for them, and the placement of consented claims between the ID token and
//! the UserInfo response when the `claims` parameter asked for them in one place only.
//!
//! The consent app grants claims as one map (`session.id_token`, Hydra's model). Without a
//! `claims` parameter every granted claim appears in both, as in Hydra; a claim the parameter
//! names under `userinfo` only stays out of the ID token, and one it names under `id_token`
//! only stays out of UserInfo unless a granted scope asks for it there (§5.4).

use crate::OAuthError;
use crate::oauth2::authorize::{ClaimsRequest, OidcContext};
use crate::oidc::id_token::{check_hint_subject, hint_subject};
use crate::token::TokenSession;

/// `profile` (OIDC Core §5.4): the end-user's default profile claims.
pub const PROFILE_CLAIMS: &[&str] = &[
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];
/// `email` (§5.4).
pub const EMAIL_CLAIMS: &[&str] = &["email", "email_verified"];
/// `address` (§5.4).
pub const ADDRESS_CLAIMS: &[&str] = &["address"];
/// `phone` (§5.4).
pub const PHONE_CLAIMS: &[&str] = &["phone_number", "phone_number_verified"];

/// The scopes that ask for standard claims (§5.4), in the spec's order.
pub const CLAIM_SCOPES: &[&str] = &["profile", "email", "address", "phone"];

/// The standard claims `scope` asks for (§5.4); empty for any other scope.
pub fn scope_claims(scope: &str) -> &'static [&'static str] {
    match scope {
        "profile" => PROFILE_CLAIMS,
        "email" => EMAIL_CLAIMS,
        "address" => ADDRESS_CLAIMS,
        "phone" => PHONE_CLAIMS,
        _ => &[],
    }
}

/// Every end-user claim of §5.1 except `sub`, in the spec's order.
pub fn standard_claims() -> impl Iterator<Item = &'static str> {
    CLAIM_SCOPES
        .iter()
        .flat_map(|s| scope_claims(s).iter().copied())
}

/// Consented claims each place leaves out, recorded in the grant's token session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    /// Asked for at the UserInfo endpoint only: not in the ID token.
    pub id_token_withheld: Vec<String>,
    /// Asked for in the ID token only, and by no granted scope: not in UserInfo.
    pub userinfo_withheld: Vec<String>,
}

/// Where the claims of `request` go, given the scopes the consent granted.
pub fn placement(request: Option<&ClaimsRequest>, granted_scope: &[String]) -> Placement {
    let Some(request) = request else {
        return Placement::default();
    };
    let by_scope = |claim: &str| {
        granted_scope
            .iter()
            .any(|s| scope_claims(s).contains(&claim))
    };
    Placement {
        id_token_withheld: request
            .userinfo
            .keys()
            .filter(|c| !request.id_token.contains_key(*c))
            .cloned()
            .collect(),
        userinfo_withheld: request
            .id_token
            .keys()
            .filter(|c| !request.userinfo.contains_key(*c) && !by_scope(c))
            .cloned()
            .collect(),
    }
}

/// Records in `session` where its granted claims go ([`placement`]).
pub fn place(
    session: &mut TokenSession,
    request: Option<&ClaimsRequest>,
    granted_scope: &[String],
) {
    let Placement {
        id_token_withheld,
        userinfo_withheld,
    } = placement(request, granted_scope);
    session.id_token_withheld = id_token_withheld;
    session.userinfo_withheld = userinfo_withheld;
}

/// The end-user the request names must be the one who logged in (`visible`: the `sub` the
/// client sees), or the flow fails with `login_required`: the subject of an `id_token_hint`
/// (OIDC Core §3.1.2.1), and a `sub` the `claims` parameter asks the ID token for with a
/// particular value (§5.5.1).
pub fn check_subject(context: &OidcContext, visible: &str) -> Result<(), OAuthError> {
    if let Some(hint) = &context.id_token_hint_claims {
        check_hint_subject(hint_subject(hint), visible)?;
    }
    let wanted = context
        .claims
        .as_ref()
        .and_then(|c| c.for_id_token("sub").flatten())
        .map(|sub| sub.wanted())
        .unwrap_or_default();
    if wanted.is_empty() || wanted.iter().any(|v| v.as_str() == Some(visible)) {
        return Ok(());
    }
    let first = wanted.first().and_then(|v| v.as_str()).unwrap_or("");
    check_hint_subject(first, visible)
        .map_err(|e| e.hint("The sub the claims parameter asks for is not the logged-in end-user."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_map_to_the_claims_of_section_5_4() {
        assert!(scope_claims("profile").contains(&"given_name"));
        assert_eq!(scope_claims("email"), ["email", "email_verified"]);
        assert_eq!(scope_claims("address"), ["address"]);
        assert_eq!(
            scope_claims("phone"),
            ["phone_number", "phone_number_verified"]
        );
        assert!(scope_claims("openid").is_empty());
        assert_eq!(standard_claims().count(), 19);
    }

    #[test]
    fn claims_asked_for_in_one_place_stay_out_of_the_other() {
        let request = ClaimsRequest::parse(
            r#"{"userinfo":{"email":null,"name":null},
                "id_token":{"name":null,"nickname":null,"phone_number":null}}"#,
        )
        .unwrap();
        let p = placement(Some(&request), &["openid".into(), "phone".into()]);
        assert_eq!(p.id_token_withheld, ["email"]);
        // phone_number is also asked for by the granted phone scope, which §5.4 answers at
        // the UserInfo endpoint.
        assert_eq!(p.userinfo_withheld, ["nickname"]);
        assert_eq!(placement(None, &[]), Placement::default());
        let mut session = TokenSession::default();
        place(&mut session, Some(&request), &[]);
        assert_eq!(session.userinfo_withheld, ["nickname", "phone_number"]);
    }

    #[test]
    fn a_requested_sub_must_be_the_logged_in_one() {
        use crate::OAuthErrorKind;
        let context = |claims: &str| OidcContext {
            claims: Some(ClaimsRequest::parse(claims).unwrap()),
            ..OidcContext::default()
        };
        assert!(check_subject(&OidcContext::default(), "alice").is_ok());
        assert!(check_subject(&context(r#"{"id_token":{"sub":null}}"#), "alice").is_ok());
        let alice = context(r#"{"id_token":{"sub":{"value":"alice"}}}"#);
        assert!(check_subject(&alice, "alice").is_ok());
        let err = check_subject(&alice, "bob").unwrap_err();
        assert_eq!(err.kind, OAuthErrorKind::LoginRequired);
        let either = context(r#"{"id_token":{"sub":{"values":["carol","bob"]}}}"#);
        assert!(check_subject(&either, "bob").is_ok());
        // A sub asked for at the UserInfo endpoint is not a condition on the login (§5.5.1).
        let userinfo = context(r#"{"userinfo":{"sub":{"value":"alice"}}}"#);
        assert!(check_subject(&userinfo, "bob").is_ok());
    }
}
