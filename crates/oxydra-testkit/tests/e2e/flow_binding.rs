//! What binds the return of a browser to the flow it started (issue 11 items 7, 8, 14): a
//! verifier cannot be burned by someone who merely learned it, the returning authorization
//! request must be the one the login and consent were given for, and `max_age` is measured
//! at the authorization request.

use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::store_test;

use crate::flow::{
    CB, CONSENT, LOGIN, accept_consent, accept_login, auth_url, redeem, start, start_with,
};

/// `url` with query parameter `name` set to `value` (or removed when `None`).
fn with_param(url: &str, name: &str, value: Option<&str>) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut query = parsed.query_pairs_mut();
        query.clear();
        for (k, v) in &pairs {
            query.append_pair(k, v);
        }
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    parsed.to_string()
}

store_test! {
    async fn a_stranger_cannot_burn_the_victims_verifiers(store: SqlStore) {
        let server = start(store).await;
        let mut victim = Browser::new();
        let to_login = victim.get(&auth_url(&server, "")).await.location.unwrap();
        let (_, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;

        // Someone who learned the login verifier (no CSRF cookie, or another client) fails ...
        let mut stranger = Browser::new();
        let stolen = stranger.get(&back).await.location.unwrap();
        assert_eq!(param(&stolen, "error").as_deref(), Some("request_forbidden"), "{stolen}");
        // ... and the victim still finishes the login.
        let to_consent = victim.get(&back).await.location.unwrap();
        assert!(to_consent.starts_with(CONSENT), "{to_consent}");
        let replay = victim.get(&back).await.location.unwrap();
        assert_eq!(param(&replay, "error").as_deref(), Some("invalid_request"), "{replay}");

        // The same for the consent verifier.
        let (_, back) = accept_consent(&server, &param(&to_consent, "consent_challenge").unwrap(), false).await;
        let stolen = stranger.get(&back).await.location.unwrap();
        assert_eq!(param(&stolen, "error").as_deref(), Some("request_forbidden"), "{stolen}");
        let to_client = victim.get(&back).await.location.unwrap();
        assert!(to_client.starts_with(CB), "{to_client}");
        redeem(&server, &param(&to_client, "code").unwrap()).await;
    }

    async fn the_return_must_repeat_the_authorization_request(store: SqlStore) {
        // Every swapped value below is one this client may use: only the binding refuses it.
        let server = start_with(store, serde_json::json!({
            "redirect_uris": [CB, "https://app.example/other"],
            "grant_types": ["authorization_code", "refresh_token", "implicit"],
            "response_types": ["code", "code id_token"],
        }))
        .await;
        let mut browser = Browser::new();
        let start_url = auth_url(&server, "&nonce=nonce-original");
        let to_login = browser.get(&start_url).await.location.unwrap();
        let (_, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        let swaps = [
            ("response_type", Some("code id_token")),
            ("redirect_uri", Some("https://app.example/other")),
            ("code_challenge", None),
            ("code_challenge", Some("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU")),
            ("nonce", Some("nonce-swapped")),
            ("scope", Some("openid")),
        ];
        for (name, value) in swaps {
            let swapped = with_param(&back, name, value);
            let nav = browser.get(&swapped).await;
            let location = nav.location.unwrap_or_else(|| panic!("{name}: {}", nav.body));
            assert!(!location.starts_with(CONSENT), "{name}: {location}");
            assert_eq!(param(&location, "error").as_deref(), Some("invalid_request"), "{name}: {location}");
        }
        // The untouched return still works: nothing was burned.
        let to_consent = browser.get(&back).await.location.unwrap();
        assert!(to_consent.starts_with(CONSENT), "{to_consent}");
        let (_, back) = accept_consent(&server, &param(&to_consent, "consent_challenge").unwrap(), false).await;
        for (name, value) in swaps {
            let location = browser.get(&with_param(&back, name, value)).await.location.unwrap();
            assert!(param(&location, "code").is_none(), "{name}: {location}");
            assert_eq!(param(&location, "error").as_deref(), Some("invalid_request"), "{name}: {location}");
        }
        let to_client = browser.get(&back).await.location.unwrap();
        assert!(to_client.starts_with(CB), "{to_client}");
        let tokens = redeem(&server, &param(&to_client, "code").unwrap()).await;
        let id_token = tokens["id_token"].as_str().unwrap();
        let claims = id_token.split('.').nth(1).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap(),
        )
        .unwrap();
        assert_eq!(claims["nonce"], "nonce-original");
    }

    async fn max_age_is_measured_at_the_authorization_request(store: SqlStore) {
        let server = start(store).await;
        let mut browser = Browser::new();
        let to_login = browser.get(&auth_url(&server, "&max_age=0")).await.location.unwrap();
        assert!(to_login.starts_with(LOGIN), "{to_login}");
        // The user takes a while to log in, and the browser a while to come back.
        server.clock.advance_secs(5);
        let (_, back) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", true).await;
        server.clock.advance_secs(2);
        let to_consent = browser.get(&back).await.location.unwrap();
        assert!(to_consent.starts_with(CONSENT), "{to_consent}");
        server.clock.advance_secs(2);
        let (_, back) = accept_consent(&server, &param(&to_consent, "consent_challenge").unwrap(), false).await;
        let to_client = browser.get(&back).await.location.unwrap();
        assert!(param(&to_client, "code").is_some(), "{to_client}");

        // A remembered login older than max_age is not used: the login app is asked again.
        server.clock.advance_secs(60);
        let to_login = browser.get(&auth_url(&server, "&max_age=30")).await.location.unwrap();
        let (login, _) = accept_login(&server, &param(&to_login, "login_challenge").unwrap(), "alice", false).await;
        assert_eq!(login["skip"], false);
    }
}
