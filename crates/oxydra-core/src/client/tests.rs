use std::num::NonZeroU32;

use super::secret::{GENERATED_SECRET_LEN, HashAlgorithm, SecretHasher, generate_secret};
use super::*;
use crate::config::ClientPolicy;
use crate::error::Error;
use crate::model::{Now, Secret};

fn input() -> ClientInput {
    ClientInput {
        client_id: "app".into(),
        redirect_uris: vec!["https://app.example/cb".into()],
        ..ClientInput::default()
    }
}

fn validate(input: ClientInput) -> Result<ValidClient, Error> {
    input.validate(None, &ClientPolicy::default(), Now::from_unix_secs(1))
}

fn invalid_field(result: Result<ValidClient, Error>) -> &'static str {
    match result {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn applies_hydra_defaults() {
    let policy = ClientPolicy {
        default_scope: "openid offline".into(),
        ..ClientPolicy::default()
    };
    let valid = ClientInput::default()
        .validate(None, &policy, Now::from_unix_secs(5))
        .unwrap();
    let c = valid.client;
    assert_eq!(c.id.as_str().len(), 36, "generated UUID");
    assert_eq!(c.token_endpoint_auth_method, AuthMethod::ClientSecretBasic);
    assert_eq!(c.scope, "openid offline");
    assert_eq!(c.subject_type, SubjectType::Public);
    assert_eq!(c.userinfo_signed_response_alg, "none");
    assert_eq!(
        c.effective_grant_types(),
        vec![GrantType::AuthorizationCode]
    );
    assert_eq!(c.created_at, Now::from_unix_secs(5));
    assert!(valid.secret.is_none());
}

#[test]
fn explicit_id_wins_over_body_on_update() {
    let id = crate::model::ClientId::parse("path-id").unwrap();
    let valid = input()
        .validate(Some(id), &ClientPolicy::default(), Now::from_unix_secs(1))
        .unwrap();
    assert_eq!(valid.client.id.as_str(), "path-id");
}

#[test]
fn rejects_short_secret_and_secret_on_public_client() {
    let short = ClientInput {
        client_secret: Some(Secret::new("12345".into())),
        ..input()
    };
    assert_eq!(invalid_field(validate(short)), "client_secret");
    let public = ClientInput {
        client_secret: Some(Secret::new("long-enough".into())),
        token_endpoint_auth_method: "none".into(),
        ..input()
    };
    assert_eq!(invalid_field(validate(public)), "client_secret");
    let empty_is_absent = ClientInput {
        client_secret: Some(Secret::new(String::new())),
        ..input()
    };
    assert!(validate(empty_is_absent).unwrap().secret.is_none());
}

#[test]
fn rejects_bad_redirect_uris() {
    for bad in ["https://app.example/cb#frag", "/relative", "not a url"] {
        let c = ClientInput {
            redirect_uris: vec![bad.into()],
            ..input()
        };
        assert_eq!(invalid_field(validate(c)), "redirect_uris", "{bad}");
    }
}

#[test]
fn rejects_unknown_grant_and_response_types() {
    let g = ClientInput {
        grant_types: vec!["password".into()],
        ..input()
    };
    assert_eq!(invalid_field(validate(g)), "grant_types");
    for bad in ["code  token", "code code", "device", ""] {
        let r = ClientInput {
            response_types: vec![bad.into()],
            ..input()
        };
        assert_eq!(invalid_field(validate(r)), "response_types", "{bad:?}");
    }
    let ok = ClientInput {
        response_types: vec!["code id_token token".into()],
        ..input()
    };
    assert!(validate(ok).is_ok());
}

#[test]
fn enforces_key_material_rules() {
    let both = ClientInput {
        jwks: Some(serde_json::json!({"keys": []})),
        jwks_uri: "https://app.example/jwks".into(),
        ..input()
    };
    assert_eq!(invalid_field(validate(both)), "jwks");
    let pkjwt = ClientInput {
        token_endpoint_auth_method: "private_key_jwt".into(),
        ..input()
    };
    assert_eq!(invalid_field(validate(pkjwt)), "token_endpoint_auth_method");
    let not_a_set = ClientInput {
        jwks: Some(serde_json::json!({"kty": "RSA"})),
        ..input()
    };
    assert_eq!(invalid_field(validate(not_a_set)), "jwks");
    let unknown_method = ClientInput {
        token_endpoint_auth_method: "client_secret_jwt".into(),
        ..input()
    };
    let Err(Error::Invalid { field, reason }) = validate(unknown_method) else {
        panic!("client_secret_jwt must be refused");
    };
    assert_eq!(field, "token_endpoint_auth_method");
    assert!(reason.contains("stored hashed"), "{reason}");
}

#[test]
fn enforces_subject_type_and_algorithms() {
    let pairwise = ClientInput {
        subject_type: "pairwise".into(),
        ..input()
    };
    assert_eq!(invalid_field(validate(pairwise.clone())), "subject_type");
    let policy = ClientPolicy {
        subject_types: vec![SubjectType::Public, SubjectType::Pairwise],
        ..ClientPolicy::default()
    };
    assert!(
        pairwise
            .validate(None, &policy, Now::from_unix_secs(1))
            .is_ok()
    );
    let alg = ClientInput {
        userinfo_signed_response_alg: "HS256".into(),
        ..input()
    };
    assert_eq!(invalid_field(validate(alg)), "userinfo_signed_response_alg");
    for bad in ["HS256", "none", "XYZ", "rs256", "ES384"] {
        let alg = ClientInput {
            id_token_signed_response_alg: bad.into(),
            ..input()
        };
        assert_eq!(
            invalid_field(validate(alg)),
            "id_token_signed_response_alg",
            "{bad}"
        );
    }
    for good in ["", "RS256", "ES256", "EdDSA"] {
        let alg = ClientInput {
            id_token_signed_response_alg: good.into(),
            userinfo_signed_response_alg: good.into(),
            ..input()
        };
        let client = validate(alg).unwrap().client;
        assert_eq!(client.id_token_signed_response_alg, good);
        let userinfo = if good.is_empty() { "none" } else { good };
        assert_eq!(client.userinfo_signed_response_alg, userinfo);
    }
    let sector = ClientInput {
        sector_identifier_uri: "http://app.example/s.json".into(),
        ..input()
    };
    assert_eq!(invalid_field(validate(sector)), "sector_identifier_uri");
    let scope = ClientInput {
        scope: "openid \"quoted\"".into(),
        ..input()
    };
    assert_eq!(invalid_field(validate(scope)), "scope");
}

#[test]
fn generated_secrets_are_long_and_distinct() {
    let a = generate_secret().unwrap();
    let b = generate_secret().unwrap();
    assert_eq!(a.expose().len(), GENERATED_SECRET_LEN);
    assert!(
        a.expose()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.~".contains(&c))
    );
    assert_ne!(a, b);
}

#[test]
fn bcrypt_and_pbkdf2_hashes_verify_across_configurations() {
    let secret = Secret::new("correct horse".to_owned());
    let wrong = Secret::new("correct horsf".to_owned());
    let bcrypt = SecretHasher::new(HashAlgorithm::Bcrypt { cost: 4 });
    let pbkdf2 = SecretHasher::new(HashAlgorithm::Pbkdf2 {
        iterations: NonZeroU32::new(1000).unwrap(),
    });
    let bh = bcrypt.hash(&secret).unwrap();
    let ph = pbkdf2.hash(&secret).unwrap();
    assert!(bh.starts_with("$2"));
    assert!(ph.starts_with("$pbkdf2-sha256$i=1000$"));
    assert_ne!(ph, pbkdf2.hash(&secret).unwrap(), "salted");
    for hasher in [bcrypt, pbkdf2] {
        assert!(hasher.verify(&secret, &bh));
        assert!(hasher.verify(&secret, &ph));
        assert!(!hasher.verify(&wrong, &bh));
        assert!(!hasher.verify(&wrong, &ph));
        assert!(!hasher.verify(&secret, "garbage"));
        assert!(!hasher.verify(&secret, "$pbkdf2-sha256$i=0$AA$AA"));
    }
}

/// Issue 11 item 5: no script or local-content scheme in any registered URI.
#[test]
fn rejects_script_and_local_schemes_in_every_uri_field() {
    for scheme_uri in [
        "javascript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "blob:https://app.example/uuid",
    ] {
        let redirect = ClientInput {
            redirect_uris: vec![scheme_uri.into()],
            ..input()
        };
        assert_eq!(
            invalid_field(validate(redirect)),
            "redirect_uris",
            "{scheme_uri}"
        );
        let logo = ClientInput {
            logo_uri: scheme_uri.into(),
            ..input()
        };
        assert_eq!(invalid_field(validate(logo)), "logo_uri", "{scheme_uri}");
        let home = ClientInput {
            client_uri: scheme_uri.into(),
            ..input()
        };
        assert_eq!(invalid_field(validate(home)), "client_uri", "{scheme_uri}");
    }
    let native = ClientInput {
        redirect_uris: vec!["com.example.app:/oauth2redirect".into()],
        ..input()
    };
    assert!(validate(native).is_ok(), "private-use schemes stay allowed");
}

/// Issue 11 item 9: bcrypt reads 72 bytes; a longer secret is refused, not truncated.
#[test]
fn secrets_longer_than_72_bytes_are_refused() {
    let with_secret = |secret: String| ClientInput {
        client_secret: Some(Secret::new(secret)),
        ..input()
    };
    assert!(validate(with_secret("x".repeat(MAX_SECRET_LEN))).is_ok());
    assert_eq!(
        invalid_field(validate(with_secret("x".repeat(MAX_SECRET_LEN + 1)))),
        "client_secret"
    );
    // 25 three-byte characters: 25 characters, 75 bytes.
    assert_eq!(
        invalid_field(validate(with_secret("€".repeat(25)))),
        "client_secret"
    );
}

#[test]
fn bcrypt_refuses_to_truncate_but_old_long_hashes_still_verify() {
    let bcrypt = SecretHasher::new(HashAlgorithm::Bcrypt { cost: 4 });
    let pbkdf2 = SecretHasher::new(HashAlgorithm::Pbkdf2 {
        iterations: NonZeroU32::new(1000).unwrap(),
    });
    let long = Secret::new("y".repeat(MAX_SECRET_LEN + 8));
    assert!(matches!(
        bcrypt.hash(&long),
        Err(Error::Invalid {
            field: "client_secret",
            ..
        })
    ));
    let exactly = Secret::new("y".repeat(MAX_SECRET_LEN));
    let hash = bcrypt.hash(&exactly).unwrap();
    assert!(bcrypt.verify(&exactly, &hash));
    assert!(!bcrypt.verify(&Secret::new("y".repeat(MAX_SECRET_LEN - 1)), &hash));
    // PBKDF2 has no such limit at the hasher (registration still caps secrets at 72 bytes).
    let ph = pbkdf2.hash(&long).unwrap();
    assert!(pbkdf2.verify(&long, &ph));
    // A hash stored before the cap (bcrypt of a longer secret) keeps verifying.
    let legacy = bcrypt::hash(long.expose().as_bytes(), 4).unwrap();
    assert!(bcrypt.verify(&long, &legacy));
}

/// Issue 11 item 3: plain http sector documents only on loopback in development mode.
#[test]
fn sector_uri_scheme_follows_the_development_switch() {
    let sector = |uri: &str| ClientInput {
        sector_identifier_uri: uri.into(),
        ..input()
    };
    let dev = ClientPolicy {
        loopback_http_documents: true,
        ..ClientPolicy::default()
    };
    let now = Now::from_unix_secs(1);
    let loopback = sector("http://127.0.0.1:8080/sector.json");
    assert_eq!(
        invalid_field(validate(loopback.clone())),
        "sector_identifier_uri"
    );
    assert!(loopback.validate(None, &dev, now).is_ok());
    let remote_http = sector("http://sector.example/sector.json");
    assert_eq!(
        invalid_field(remote_http.validate(None, &dev, now)),
        "sector_identifier_uri"
    );
    assert!(validate(sector("https://sector.example/sector.json")).is_ok());
}

/// Issue 15: the logout URIs are absolute, without fragment; the back-channel one, which the
/// server calls itself, is https unless it is a loopback host in development mode.
#[test]
fn logout_uris_are_validated() {
    let with = |f: &dyn Fn(&mut ClientInput)| {
        let mut i = input();
        f(&mut i);
        i
    };
    let ok = with(&|i| {
        i.post_logout_redirect_uris = vec!["https://app.example/bye".into()];
        i.frontchannel_logout_uri = "https://app.example/fc".into();
        i.frontchannel_logout_session_required = true;
        i.backchannel_logout_uri = "https://app.example/bc".into();
    });
    let c = validate(ok).unwrap().client;
    assert_eq!(c.post_logout_redirect_uris, ["https://app.example/bye"]);
    assert!(c.frontchannel_logout_session_required);
    for bad in [
        "/relative",
        "https://app.example/bye#f",
        "javascript:alert(1)",
    ] {
        let post = with(&|i| i.post_logout_redirect_uris = vec![bad.into()]);
        assert_eq!(invalid_field(validate(post)), "post_logout_redirect_uris");
    }
    for bad in ["/fc", "ftp://app.example/fc", "https://app.example/fc#x"] {
        let front = with(&|i| i.frontchannel_logout_uri = bad.into());
        assert_eq!(invalid_field(validate(front)), "frontchannel_logout_uri");
    }
    let loopback = with(&|i| i.backchannel_logout_uri = "http://127.0.0.1:9/bc".into());
    assert_eq!(
        invalid_field(validate(loopback.clone())),
        "backchannel_logout_uri"
    );
    let dev = ClientPolicy {
        loopback_http_documents: true,
        ..ClientPolicy::default()
    };
    assert!(
        loopback
            .validate(None, &dev, Now::from_unix_secs(1))
            .is_ok()
    );
    let remote_http = with(&|i| i.backchannel_logout_uri = "http://app.example/bc".into());
    assert_eq!(
        invalid_field(remote_http.validate(None, &dev, Now::from_unix_secs(1))),
        "backchannel_logout_uri"
    );
}
