//! `OXYDRA_DEMO_USERS`: the demo app's accounts, in one of two forms. The short form is a comma
//! list of `user:password` (split at the first `:`), whose users get standard claims generated
//! from the name ([`generated_claims`]); the JSON form is an array of
//! `{"username", "password", "claims"}` objects, whose `claims` (OIDC Core §5.1) are used as
//! given. Errors never echo a value, since values hold passwords.

use oxydra_core::Secret;
use oxydra_core::oidc::id_token::RESERVED_CLAIMS;
use serde_json::{Map, Value, json};

use super::DemoUser;
use super::env::split_list;

/// Parses either form; the JSON form is the one starting with `[` (or `{`, a mistaken
/// single account, refused as not an array).
pub(super) fn parse(text: &str) -> Result<Vec<DemoUser>, String> {
    let users = if text.trim_start().starts_with(['[', '{']) {
        parse_json(text)?
    } else {
        parse_list(text)?
    };
    for (index, user) in users.iter().enumerate() {
        if users[..index].iter().any(|u| u.name == user.name) {
            return Err(format!("user {:?} is listed twice", user.name));
        }
    }
    Ok(users)
}

/// `user:password,…`: each user with [`generated_claims`].
fn parse_list(text: &str) -> Result<Vec<DemoUser>, String> {
    let mut users = Vec::new();
    for (index, entry) in split_list(text).into_iter().enumerate() {
        let Some((name, password)) = entry.split_once(':') else {
            return Err(format!("entry {} is not `user:password`", index + 1));
        };
        let name = name.trim();
        if name.is_empty() || password.is_empty() {
            return Err(format!(
                "entry {} needs both a user name and a password (`user:password`)",
                index + 1
            ));
        }
        users.push(DemoUser {
            name: name.to_owned(),
            password: Secret::new(password.to_owned()),
            claims: generated_claims(name),
        });
    }
    Ok(users)
}

/// `[{"username": …, "password": …, "claims": {…}}, …]`; `claims` may be left out, then they
/// are generated as for the short form.
fn parse_json(text: &str) -> Result<Vec<DemoUser>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "the JSON form is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let Value::Array(entries) = value else {
        return Err("the JSON form must be an array of accounts".to_owned());
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| json_user(index + 1, entry))
        .collect()
}

/// One account of the JSON form, `position` counting from 1.
fn json_user(position: usize, entry: &Value) -> Result<DemoUser, String> {
    let fail = |what: &str| format!("entry {position} {what}");
    let Value::Object(fields) = entry else {
        return Err(fail("is not a JSON object"));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !["username", "password", "claims"].contains(&k.as_str()))
    {
        return Err(fail(&format!(
            "has the unknown field {unknown:?} (username, password, claims)"
        )));
    }
    let text = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| fail(&format!("needs a non-empty string {name}")))
    };
    let name = text("username")?.trim().to_owned();
    let password = text("password")?.to_owned();
    let claims = match fields.get("claims") {
        None => generated_claims(&name),
        Some(Value::Object(claims)) => claims.clone(),
        Some(_) => return Err(fail("has claims that are not a JSON object")),
    };
    if let Some(reserved) = claims
        .keys()
        .find(|k| RESERVED_CLAIMS.contains(&k.as_str()))
    {
        return Err(fail(&format!(
            "has the claim {reserved:?}, which the server sets itself"
        )));
    }
    Ok(DemoUser {
        name,
        password: Secret::new(password),
        claims,
    })
}

/// Standard claims (OIDC Core §5.1) made up from a user name, so that every scope of §5.4
/// has every claim to show (the OIDF `OP-scope-profile` test warns on each one missing):
/// `bob` is "Bob Example", `bob@example.com` (not verified: nobody checked it), pages under
/// `example.com`, a fictional phone number and address, `en-US`.
pub(super) fn generated_claims(name: &str) -> Map<String, Value> {
    let mut chars = name.chars();
    let given: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let claims = json!({
        "name": format!("{given} Example"),
        "given_name": given,
        "family_name": "Example",
        "middle_name": "Demo",
        "nickname": given,
        "preferred_username": name,
        "profile": format!("https://example.com/users/{name}"),
        "picture": format!("https://example.com/users/{name}.png"),
        "website": "https://example.com/",
        "gender": "unspecified",
        "birthdate": "0000-01-01",
        "updated_at": 1_700_000_000,
        "email": format!("{name}@example.com"),
        "email_verified": false,
        "phone_number": "+1 555 0100",
        "phone_number_verified": false,
        "address": {
            "formatted": "1 Example Street\nExample City 00000\nExample Land",
            "street_address": "1 Example Street",
            "locality": "Example City",
            "postal_code": "00000",
            "country": "Example Land"
        },
        "locale": "en-US",
        "zoneinfo": "Etc/UTC"
    });
    match claims {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_form_generates_standard_claims() {
        let users = parse("bob:pw").unwrap();
        let claims = &users[0].claims;
        assert_eq!(claims["name"], "Bob Example");
        assert_eq!(claims["given_name"], "Bob");
        assert_eq!(claims["email"], "bob@example.com");
        assert_eq!(claims["email_verified"], false);
        assert!(claims["address"].is_object());
        for claim in claims.keys() {
            assert!(
                oxydra_core::oidc::claims::standard_claims().any(|c| c == claim),
                "{claim} is a §5.1 claim"
            );
        }
    }

    #[test]
    fn the_json_form_carries_claims_as_given() {
        let users = parse(
            r#"[{"username":"alice","password":"pw","claims":{"name":"Alice Liddell","email":"alice@wonderland.example","email_verified":true}},
                {"username":"bob","password":"pw2"}]"#,
        )
        .unwrap();
        assert_eq!(users[0].name, "alice");
        assert_eq!(users[0].password.expose(), "pw");
        assert_eq!(users[0].claims.len(), 3);
        assert_eq!(users[0].claims["email_verified"], true);
        assert_eq!(users[1].claims["name"], "Bob Example");
    }

    #[test]
    fn malformed_json_accounts_are_refused_without_echoing_values() {
        for (text, expected) in [
            ("[", "not valid JSON"),
            (r#"{"username":"a"}"#, "must be an array"),
            ("[1]", "entry 1 is not a JSON object"),
            (r#"[{"username":"a"}]"#, "non-empty string password"),
            (
                r#"[{"username":"a","password":"secret-pw","pwd":1}]"#,
                "unknown field \"pwd\"",
            ),
            (
                r#"[{"username":"a","password":"secret-pw","claims":[]}]"#,
                "not a JSON object",
            ),
            (
                r#"[{"username":"a","password":"secret-pw","claims":{"sub":"x"}}]"#,
                "\"sub\"",
            ),
            (
                r#"[{"username":"a","password":"x"},{"username":"a","password":"y"}]"#,
                "listed twice",
            ),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(!error.contains("secret-pw"), "{error}");
        }
    }
}
