//! The UserInfo response (OIDC Core §5.3.2; `shared/spec/behaviour.md` §9): what an access
//! token of an OpenID Connect grant may learn about its end-user — the `sub` its client sees
//! (pairwise when the client is), the login's `acr`, and the consent's `session.id_token`
//! claims. Claims the server sets itself ([`RESERVED_CLAIMS`]) cannot be forged through the
//! consent. As in Hydra, claims are not filtered by scope; those the `claims` parameter asked
//! for in the ID token only are left out (`oidc::claims::placement`).

use serde_json::{Map, Value, json};

use crate::Error;
use crate::jwk::SigningKey;
use crate::jwk::{claims_except, sign_compact};
use crate::oidc::id_token::RESERVED_CLAIMS;
use crate::token::TokenSession;

/// The claims of the plain JSON response: `sub` = `subject` (the visible one), `acr` when the
/// grant has one, plus the session's ID-token extras minus reserved and withheld claims.
pub fn claims(subject: &str, session: &TokenSession) -> Map<String, Value> {
    let mut claims = claims_except(&session.id_token_extra, RESERVED_CLAIMS);
    for withheld in &session.userinfo_withheld {
        claims.remove(withheld);
    }
    claims.insert("sub".to_owned(), json!(subject));
    if let Some(acr) = &session.acr {
        claims.insert("acr".to_owned(), json!(acr));
    }
    claims
}

/// The signed response (OIDC Core §5.3.2, client `userinfo_signed_response_alg`): the same
/// claims plus `iss` (with trailing `/`) and `aud` (`[client_id]`, as the ID token), signed by
/// the ID-token set's current key.
pub fn sign(
    mut claims: Map<String, Value>,
    issuer: &str,
    client_id: &str,
    key: &SigningKey,
) -> Result<String, Error> {
    claims.insert("iss".to_owned(), json!(issuer));
    claims.insert("aud".to_owned(), json!([client_id]));
    sign_compact(&key.key, &key.kid, "JWT", &claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwk::KeySetView;
    use crate::jwk::{GenerateOptions, Jwk, JwkAlgorithm, generate_with, verify_compact};
    use crate::model::Now;

    fn session() -> TokenSession {
        let mut s = TokenSession {
            acr: Some("urn:mfa".into()),
            obfuscated_subject: Some("pairwise-id".into()),
            nonce: Some("n-0S6_WzA2Mj".into()),
            ..TokenSession::default()
        };
        for (k, v) in [
            ("email", json!("alice@example.com")),
            ("email_verified", json!(true)),
            ("sub", json!("mallory")),
            ("acr", json!("forged")),
            ("aud", json!("other")),
            ("nonce", json!("x")),
            ("at_hash", json!("x")),
            ("auth_time", json!(1)),
        ] {
            s.id_token_extra.insert(k.into(), v);
        }
        s
    }

    #[test]
    fn reserved_claims_win_over_the_consent_extras() {
        let c = claims("alice", &session());
        assert_eq!(
            Value::Object(c),
            json!({
                "sub": "alice",
                "acr": "urn:mfa",
                "email": "alice@example.com",
                "email_verified": true,
            })
        );
        let plain = claims("alice", &TokenSession::default());
        assert_eq!(Value::Object(plain), json!({"sub": "alice"}));
    }

    #[test]
    fn claims_asked_for_in_the_id_token_only_stay_out() {
        let mut s = session();
        s.userinfo_withheld = vec!["email".into()];
        s.id_token_withheld = vec!["email_verified".into()];
        let c = claims("alice", &s);
        assert!(c.get("email").is_none());
        assert_eq!(c["email_verified"], true);
    }

    #[test]
    fn the_visible_subject_is_the_pairwise_one() {
        use crate::oidc::subject::visible_subject;
        let s = session();
        let c = claims(visible_subject("alice", &s), &s);
        assert_eq!(c["sub"], "pairwise-id");
    }

    #[test]
    fn signed_responses_add_iss_and_aud_and_verify() {
        let keys: Vec<(Now, Jwk)> = generate_with(
            JwkAlgorithm::Es256,
            "k",
            "sig",
            GenerateOptions { rsa_bits: 2048 },
        )
        .unwrap()
        .into_iter()
        .map(|k| (Now::from_unix_secs(1), k))
        .collect();
        let view =
            KeySetView::from_keys("hydra.openid.id-token", JwkAlgorithm::Es256, &keys).unwrap();
        let jwt = sign(
            claims("alice", &session()),
            "https://op.example/",
            "app",
            &view.signer,
        )
        .unwrap();
        let verified = verify_compact(&jwt, &view.verifiers).unwrap();
        assert_eq!(verified.header["kid"], view.signer.kid.as_str());
        assert_eq!(verified.claims["iss"], "https://op.example/");
        assert_eq!(verified.claims["aud"], json!(["app"]));
        assert_eq!(verified.claims["sub"], "alice");
        assert_eq!(verified.claims["email"], "alice@example.com");
        assert!(verified.claims.get("nonce").is_none());
    }
}
