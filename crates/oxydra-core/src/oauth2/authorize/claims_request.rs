//! The `claims` request parameter (OIDC Core §5.5): a JSON object asking for individual claims,
//! each under `userinfo` (returned by the UserInfo endpoint) or `id_token` (returned in the ID
//! token), each either `null` (asked for, default manner) or an object with `essential`,
//! `value` and `values` (§5.5.1). Parsed at the authorization endpoint, shown to the login and
//! consent apps in `oidc_context.claims`; what comes back is what the consent app grants.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::OAuthError;

/// How one claim is asked for (OIDC Core §5.5.1); `None` in a [`ClaimsRequest`] map is the
/// spec's `null`: asked for in the default manner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClaimRequest {
    /// `essential`: needed for the client's task, not merely voluntary.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub essential: bool,
    /// `value`: the claim is asked for with this particular value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `values`: the claim is asked for with one of these values, in order of preference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

impl ClaimRequest {
    /// The values asked for, `value` first (empty when any value will do).
    pub fn wanted(&self) -> Vec<&Value> {
        self.value
            .iter()
            .chain(self.values.iter().flatten())
            .collect()
    }
}

/// The individual claims asked for, per place they are to be returned (OIDC Core §5.5).
/// Members other than `userinfo` and `id_token` are ignored, as §5.5 requires of members not
/// understood.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClaimsRequest {
    /// Claims to return from the UserInfo endpoint.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub userinfo: BTreeMap<String, Option<ClaimRequest>>,
    /// Claims to return in the ID token.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub id_token: BTreeMap<String, Option<ClaimRequest>>,
}

/// The error for a `claims` value that is not what §5.5 describes.
fn malformed(hint: String) -> OAuthError {
    OAuthError::invalid_request(hint)
}

impl ClaimsRequest {
    /// Parses the parameter's value (OIDC Core §5.5): a JSON object whose `userinfo` and
    /// `id_token` members, when present, are objects mapping claim names to `null` or to an
    /// object whose `essential` is a boolean and `values` an array.
    pub fn parse(raw: &str) -> Result<Self, OAuthError> {
        let value: Value = serde_json::from_str(raw)
            .map_err(|e| malformed(format!("The claims parameter is not valid JSON: {e}.")))?;
        let Value::Object(top) = value else {
            return Err(malformed(
                "The claims parameter must be a JSON object.".to_owned(),
            ));
        };
        Ok(Self {
            userinfo: member(&top, "userinfo")?,
            id_token: member(&top, "id_token")?,
        })
    }

    /// Whether no individual claim is asked for.
    pub fn is_empty(&self) -> bool {
        self.userinfo.is_empty() && self.id_token.is_empty()
    }

    /// How `name` is asked for in the ID token: `None` when it is not, `Some(None)` for `null`.
    pub fn for_id_token(&self, name: &str) -> Option<Option<&ClaimRequest>> {
        self.id_token.get(name).map(Option::as_ref)
    }
}

/// One of the two top-level members: absent, or an object of claim requests.
fn member(
    top: &Map<String, Value>,
    name: &str,
) -> Result<BTreeMap<String, Option<ClaimRequest>>, OAuthError> {
    let Some(value) = top.get(name) else {
        return Ok(BTreeMap::new());
    };
    let Value::Object(claims) = value else {
        return Err(malformed(format!(
            "The claims parameter's {name} member must be a JSON object."
        )));
    };
    claims
        .iter()
        .map(|(claim, request)| Ok((claim.clone(), claim_request(name, claim, request)?)))
        .collect()
}

/// One claim's request: `null`, or an object with a boolean `essential` and an array `values`.
fn claim_request(
    member: &str,
    claim: &str,
    value: &Value,
) -> Result<Option<ClaimRequest>, OAuthError> {
    let fail = |what: &str| malformed(format!("The claim {claim:?} under {member} {what}."));
    if claim.is_empty() {
        return Err(malformed(format!(
            "The claims parameter's {member} member names an empty claim."
        )));
    }
    let fields = match value {
        Value::Null => return Ok(None),
        Value::Object(fields) => fields,
        _ => return Err(fail("must be null or a JSON object")),
    };
    let essential = match fields.get("essential") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(fail("has an essential member that is not a boolean")),
    };
    let values = match fields.get("values") {
        None | Some(Value::Null) => None,
        Some(Value::Array(values)) => Some(values.clone()),
        Some(_) => return Err(fail("has a values member that is not an array")),
    };
    Ok(Some(ClaimRequest {
        essential,
        value: fields.get("value").filter(|v| !v.is_null()).cloned(),
        values,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OAuthErrorKind;
    use serde_json::json;

    #[test]
    fn the_spec_example_parses_and_round_trips() {
        // OIDC Core §5.5's example, abridged.
        let raw = r#"{
            "userinfo": {
                "given_name": {"essential": true},
                "nickname": null,
                "email": {"essential": true},
                "picture": null
            },
            "id_token": {
                "auth_time": {"essential": true},
                "acr": {"values": ["urn:mace:incommon:iap:silver"]}
            },
            "x-extension": 1
        }"#;
        let parsed = ClaimsRequest::parse(raw).unwrap();
        assert_eq!(parsed.userinfo.len(), 4);
        assert_eq!(parsed.userinfo["nickname"], None);
        assert!(parsed.userinfo["email"].as_ref().unwrap().essential);
        let acr = parsed.for_id_token("acr").unwrap().unwrap();
        assert_eq!(acr.wanted(), [&json!("urn:mace:incommon:iap:silver")]);
        assert_eq!(parsed.for_id_token("email"), None);
        let text = serde_json::to_value(&parsed).unwrap();
        assert_eq!(text["userinfo"]["nickname"], Value::Null);
        assert_eq!(text["userinfo"]["email"], json!({"essential": true}));
        assert!(text.get("x-extension").is_none());
        let back: ClaimsRequest = serde_json::from_value(text).unwrap();
        assert_eq!(back, parsed);
    }

    #[test]
    fn value_comes_before_values() {
        let parsed =
            ClaimsRequest::parse(r#"{"id_token":{"sub":{"value":"alice","values":["bob"]}}}"#)
                .unwrap();
        let sub = parsed.for_id_token("sub").unwrap().unwrap();
        assert_eq!(sub.wanted(), [&json!("alice"), &json!("bob")]);
        assert!(ClaimsRequest::parse("{}").unwrap().is_empty());
    }

    #[test]
    fn malformed_values_are_invalid_requests() {
        for raw in [
            "",
            "{",
            "not json",
            "[]",
            "\"userinfo\"",
            "null",
            r#"{"userinfo": []}"#,
            r#"{"userinfo": null}"#,
            r#"{"id_token": "email"}"#,
            r#"{"userinfo": {"email": true}}"#,
            r#"{"userinfo": {"email": "essential"}}"#,
            r#"{"userinfo": {"email": {"essential": "yes"}}}"#,
            r#"{"id_token": {"acr": {"values": "urn:x"}}}"#,
            r#"{"id_token": {"": null}}"#,
        ] {
            let error = ClaimsRequest::parse(raw).unwrap_err();
            assert_eq!(error.kind, OAuthErrorKind::InvalidRequest, "{raw}");
        }
    }
}
