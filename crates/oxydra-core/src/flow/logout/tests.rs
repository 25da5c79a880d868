use super::*;
use crate::client::ClientInput;
use crate::config::ClientPolicy;

fn client(post_logout: &[&str], front: &str, session_required: bool) -> Client {
    ClientInput {
        client_id: "rp".into(),
        post_logout_redirect_uris: post_logout.iter().map(|s| (*s).to_owned()).collect(),
        frontchannel_logout_uri: front.into(),
        frontchannel_logout_session_required: session_required,
        ..ClientInput::default()
    }
    .validate(None, &ClientPolicy::default(), Now::from_unix_secs(1))
    .unwrap()
    .client
}

fn default() -> Url {
    Url::parse("https://op.example/oauth2/fallbacks/logout").unwrap()
}

#[test]
fn only_a_registered_post_logout_uri_is_a_target_and_it_carries_state() {
    let c = client(&["https://rp.example/bye?x=1"], "", false);
    let to = post_logout_target(
        Some(&c),
        Some("https://rp.example/bye?x=1"),
        Some("s 1"),
        &default(),
    );
    assert_eq!(to.unwrap(), "https://rp.example/bye?x=1&state=s+1");
    for other in ["https://rp.example/bye", "https://evil.example/bye?x=1"] {
        let refused = post_logout_target(Some(&c), Some(other), None, &default()).unwrap_err();
        assert_eq!(refused.kind, OAuthErrorKind::InvalidRequest);
    }
    assert!(
        post_logout_target(None, Some("https://rp.example/bye?x=1"), None, &default()).is_err()
    );
    assert_eq!(
        post_logout_target(Some(&c), None, Some("ignored"), &default()).unwrap(),
        default().to_string()
    );
}

#[test]
fn op_initiated_logout_takes_no_target_or_state() {
    assert!(check_op_initiated(None, None).is_ok());
    assert!(check_op_initiated(Some("https://rp.example/"), None).is_err());
    assert!(check_op_initiated(None, Some("s")).is_err());
}

#[test]
fn the_hint_names_one_client() {
    let claims = |aud: serde_json::Value| {
        let mut m = serde_json::Map::new();
        m.insert("aud".into(), aud);
        m
    };
    assert_eq!(
        hinted_client(&claims(serde_json::json!(["rp"])))
            .unwrap()
            .as_str(),
        "rp"
    );
    assert_eq!(
        hinted_client(&claims(serde_json::json!("rp")))
            .unwrap()
            .as_str(),
        "rp"
    );
    assert!(hinted_client(&claims(serde_json::json!(["rp", "other"]))).is_err());
    assert!(hinted_client(&claims(serde_json::json!([]))).is_err());
}

#[test]
fn frontchannel_urls_carry_iss_and_sid_when_the_client_asks() {
    let with = client(&[], "https://rp.example/fc?a=b", true);
    assert_eq!(
        frontchannel_url(&with, "https://op.example/", "sid-1").unwrap(),
        "https://rp.example/fc?a=b&iss=https%3A%2F%2Fop.example%2F&sid=sid-1"
    );
    let without = client(&[], "https://rp.example/fc", false);
    assert_eq!(
        frontchannel_url(&without, "https://op.example/", "sid-1").unwrap(),
        "https://rp.example/fc"
    );
    assert_eq!(frontchannel_url(&client(&[], "", true), "i", "s"), None);
}

#[test]
fn requests_expire_with_the_round_trip() {
    let r = LogoutRequest {
        challenge: FlowId::generate(),
        verifier: FlowId::generate(),
        subject: "alice".into(),
        session_id: "sid".into(),
        client_id: None,
        request_url: String::new(),
        rp_initiated: false,
        redirect_to: String::new(),
        requested_at: Now::from_unix_secs(100),
        accepted: false,
        verifier_used: false,
    };
    let round_trip = Duration::from_secs(60);
    assert!(!r.is_expired_at(Now::from_unix_secs(159), round_trip));
    assert!(r.is_expired_at(Now::from_unix_secs(160), round_trip));
}
