//! What the demo consent grants and the demo login claims, as a model consent app would: the
//! claims the granted scopes stand for (OIDC Core §5.4), the individual claims the `claims`
//! parameter asks for (§5.5), and the `acr` values a password login can honestly meet.

use std::collections::BTreeMap;

use oxydra_core::oauth2::authorize::{ClaimRequest, ClaimsRequest};
use oxydra_core::oidc::claims::scope_claims;
use serde_json::{Map, Value};

/// The acr of a password typed for this request (our level 1: one factor, a secret the user
/// knows).
pub(super) const PASSWORD_ACR: &str = "1";
/// The acr of a remembered login: OIDC Core §2's "0", a long-lived browser cookie.
pub(super) const REMEMBERED_ACR: &str = "0";

/// The user's claims to put in the consent's `session.id_token`: those of each granted scope,
/// and those the `claims` parameter asks for (in either place) unless asked for with values
/// the user's claim is not among. The server places them in the ID token or UserInfo.
pub(super) fn granted(
    user: &Map<String, Value>,
    granted_scope: &[String],
    request: Option<&ClaimsRequest>,
) -> Map<String, Value> {
    let mut granted = Map::new();
    for claim in granted_scope.iter().flat_map(|s| scope_claims(s)) {
        if let Some(value) = user.get(*claim) {
            granted.insert((*claim).to_owned(), value.clone());
        }
    }
    let asked = request
        .into_iter()
        .flat_map(|r| r.userinfo.iter().chain(r.id_token.iter()));
    for (claim, how) in asked {
        if let Some(value) = user.get(claim)
            && matches(how.as_ref(), value)
        {
            granted.insert(claim.clone(), value.clone());
        }
    }
    granted
}

/// Whether `value` is what `how` asks for: any value, or one of `value`/`values`.
fn matches(how: Option<&ClaimRequest>, value: &Value) -> bool {
    let wanted = how.map(ClaimRequest::wanted).unwrap_or_default();
    wanted.is_empty() || wanted.contains(&value)
}

/// The individual claims the `claims` parameter asks for that the user has, each once and in
/// name order, for the consent page; an essential one (in either place) is marked so.
pub(super) fn asked_for(user: &Map<String, Value>, request: Option<&ClaimsRequest>) -> Vec<String> {
    let mut essential: BTreeMap<&str, bool> = BTreeMap::new();
    let asked = request
        .into_iter()
        .flat_map(|r| r.userinfo.iter().chain(r.id_token.iter()));
    for (claim, how) in asked.filter(|(claim, _)| user.contains_key(*claim)) {
        *essential.entry(claim.as_str()).or_default() |= how.as_ref().is_some_and(|h| h.essential);
    }
    essential
        .into_iter()
        .map(|(claim, essential)| {
            if essential {
                format!("{claim} (essential)")
            } else {
                claim.to_owned()
            }
        })
        .collect()
}

/// The `acr` to report: the first value the client asked for (`acr_values`, then an `acr`
/// asked for in the ID token through the `claims` parameter) that this login meets —
/// [`PASSWORD_ACR`] or [`REMEMBERED_ACR`] for a password typed now, only
/// [`REMEMBERED_ACR`] for a remembered login. `None` when nothing asked for can be met
/// (the server then reports "0").
pub(super) fn acr<'a>(
    acr_values: &'a [String],
    request: Option<&'a ClaimsRequest>,
    password_typed: bool,
) -> Option<&'a str> {
    let from_claims = request
        .and_then(|r| r.for_id_token("acr").flatten())
        .map(ClaimRequest::wanted)
        .unwrap_or_default();
    let met = |v: &str| v == REMEMBERED_ACR || (password_typed && v == PASSWORD_ACR);
    acr_values
        .iter()
        .map(String::as_str)
        .chain(from_claims.into_iter().filter_map(Value::as_str))
        .find(|v| met(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn alice() -> Map<String, Value> {
        match json!({
            "name": "Alice Liddell",
            "given_name": "Alice",
            "email": "alice@example.com",
            "email_verified": true,
            "phone_number": "+1 555 0100",
            "address": {"country": "Wonderland"},
            "locale": "en-GB",
        }) {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn scopes_grant_their_section_5_4_claims() {
        let g = granted(&alice(), &scopes(&["openid", "email"]), None);
        assert_eq!(
            Value::Object(g),
            json!({"email": "alice@example.com", "email_verified": true})
        );
        let g = granted(&alice(), &scopes(&["profile", "phone", "address"]), None);
        let mut names: Vec<&str> = g.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["address", "given_name", "locale", "name", "phone_number"]
        );
        assert!(granted(&alice(), &scopes(&["openid", "offline"]), None).is_empty());
    }

    #[test]
    fn the_claims_parameter_adds_claims_the_user_has_with_matching_values() {
        let request = ClaimsRequest::parse(
            r#"{"userinfo":{"email":{"essential":true},"nickname":null},
                "id_token":{"locale":{"values":["en-US"]},"name":{"value":"Alice Liddell"}}}"#,
        )
        .unwrap();
        let g = granted(&alice(), &scopes(&["openid"]), Some(&request));
        assert_eq!(
            Value::Object(g),
            json!({"email": "alice@example.com", "name": "Alice Liddell"})
        );
        assert_eq!(
            asked_for(&alice(), Some(&request)),
            ["email (essential)", "locale", "name"]
        );
    }

    #[test]
    fn acr_is_the_first_requested_value_the_login_meets() {
        let values = scopes(&["urn:mfa", "1", "0"]);
        assert_eq!(acr(&values, None, true), Some("1"));
        assert_eq!(acr(&values, None, false), Some("0"));
        assert_eq!(acr(&scopes(&["urn:mfa"]), None, true), None);
        assert_eq!(acr(&[], None, true), None);
        let request =
            ClaimsRequest::parse(r#"{"id_token":{"acr":{"essential":true,"values":["2","1"]}}}"#)
                .unwrap();
        assert_eq!(acr(&[], Some(&request), true), Some("1"));
        assert_eq!(acr(&[], Some(&request), false), None);
    }
}
