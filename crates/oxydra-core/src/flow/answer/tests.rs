use super::*;
use crate::flow::OidcContext;
use crate::model::ClientId;

const NOW: Now = Now::from_unix_secs(2_000);
const REMEMBERED_AT: Now = Now::from_unix_secs(1_000);

fn login(skip: bool) -> LoginRequest {
    LoginRequest {
        challenge: FlowId::generate(),
        verifier: FlowId::generate(),
        csrf: FlowId::generate(),
        client_id: ClientId::parse("c").unwrap(),
        subject: if skip { "alice".into() } else { String::new() },
        skip,
        requested_scope: vec!["openid".into()],
        request_url: "https://op/oauth2/auth?client_id=c".into(),
        oidc_context: OidcContext::default(),
        login_session_id: skip.then(|| "sid".into()),
        requested_at: REMEMBERED_AT,
        authenticated_at: skip.then_some(REMEMBERED_AT),
        outcome: None,
        verifier_used: false,
    }
}

fn consent(skip: bool) -> ConsentRequest {
    ConsentRequest {
        challenge: FlowId::generate(),
        verifier: FlowId::generate(),
        csrf: FlowId::generate(),
        client_id: ClientId::parse("c").unwrap(),
        subject: "alice".into(),
        skip,
        requested_scope: vec!["openid".into()],
        request_url: "https://op/oauth2/auth?client_id=c".into(),
        oidc_context: OidcContext::default(),
        login_challenge: FlowId::generate(),
        login_session_id: None,
        requested_at: REMEMBERED_AT,
        authenticated_at: REMEMBERED_AT,
        acr: String::new(),
        amr: vec![],
        context: None,
        outcome: None,
        handled_at: None,
        verifier_used: false,
    }
}

fn alice() -> LoginAcceptance {
    LoginAcceptance {
        subject: "alice".into(),
        ..LoginAcceptance::default()
    }
}

fn status(err: Error) -> u16 {
    match err {
        Error::OAuth(e) => e.status(),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn fresh_login_is_authenticated_now() {
    let outcome = accept_login(
        &login(false),
        LoginAcceptance {
            remember: true,
            remember_for: 60,
            acr: "pwd".into(),
            ..alice()
        },
        NOW,
    )
    .unwrap();
    assert_eq!(
        outcome,
        LoginOutcome::Accepted {
            subject: "alice".into(),
            remember: true,
            remember_for: 60,
            acr: "pwd".into(),
            force_subject_identifier: String::new(),
            authenticated_at: NOW.unix_micros(),
            amr: vec![],
            context: None,
            extend_session_lifespan: false,
            identity_provider_session_id: String::new(),
        }
    );
}

#[test]
fn skipped_login_keeps_the_session_time_and_subject() {
    let LoginOutcome::Accepted {
        authenticated_at, ..
    } = accept_login(&login(true), alice(), NOW).unwrap()
    else {
        panic!("not accepted")
    };
    assert_eq!(authenticated_at, REMEMBERED_AT.unix_micros());
    let bob = LoginAcceptance {
        subject: "bob".into(),
        ..LoginAcceptance::default()
    };
    assert_eq!(
        status(accept_login(&login(true), bob, NOW).unwrap_err()),
        400
    );
    let remember = LoginAcceptance {
        remember: true,
        ..alice()
    };
    assert_eq!(
        status(accept_login(&login(true), remember, NOW).unwrap_err()),
        400
    );
}

#[test]
fn login_needs_a_subject_and_non_negative_remember_for() {
    let empty = LoginAcceptance::default();
    assert_eq!(
        status(accept_login(&login(false), empty, NOW).unwrap_err()),
        400
    );
    let negative = LoginAcceptance {
        remember_for: -1,
        ..alice()
    };
    assert_eq!(
        status(accept_login(&login(false), negative, NOW).unwrap_err()),
        400
    );
}

#[test]
fn answered_requests_conflict() {
    let mut request = login(false);
    request.outcome = Some(LoginOutcome::Rejected(Rejection::default()));
    assert_eq!(
        status(accept_login(&request, alice(), NOW).unwrap_err()),
        409
    );
    let mut request = consent(false);
    request.outcome = Some(ConsentOutcome::Rejected(Rejection::default()));
    assert_eq!(
        status(accept_consent(&request, ConsentAcceptance::default()).unwrap_err()),
        409
    );
}

#[test]
fn consent_rules() {
    let grant = ConsentAcceptance {
        grant_scope: vec!["openid".into(), "not-requested".into()],
        remember: true,
        ..ConsentAcceptance::default()
    };
    let ConsentOutcome::Accepted { grant_scope, .. } =
        accept_consent(&consent(false), grant.clone()).unwrap()
    else {
        panic!("not accepted")
    };
    assert_eq!(grant_scope, ["openid", "not-requested"]);
    assert_eq!(
        status(accept_consent(&consent(true), grant).unwrap_err()),
        400
    );
    let spaced = ConsentAcceptance {
        grant_scope: vec!["a b".into()],
        ..ConsentAcceptance::default()
    };
    assert_eq!(
        status(accept_consent(&consent(false), spaced).unwrap_err()),
        400
    );
    let negative = ConsentAcceptance {
        remember_for: -5,
        ..ConsentAcceptance::default()
    };
    assert_eq!(
        status(accept_consent(&consent(false), negative).unwrap_err()),
        400
    );
}

#[test]
fn rejections_get_defaults() {
    let r = complete_rejection(Rejection::default()).unwrap();
    assert_eq!(r.error, "invalid_request");
    assert_eq!(r.status_code, 400);
    assert_eq!(
        r.error_description,
        OAuthErrorKind::InvalidRequest.default_description()
    );
    let denied = complete_rejection(Rejection {
        error: "access_denied".into(),
        ..Rejection::default()
    })
    .unwrap();
    assert_eq!(denied.status_code, 403);
    assert_eq!(
        denied.error_description,
        OAuthErrorKind::AccessDenied.default_description()
    );
    let custom = complete_rejection(Rejection {
        error: "org_policy".into(),
        error_description: "Not on weekends".into(),
        status_code: 451,
        ..Rejection::default()
    })
    .unwrap();
    assert_eq!(
        (custom.error.as_str(), custom.status_code),
        ("org_policy", 451)
    );
    assert_eq!(custom.error_description, "Not on weekends");
    for bad in [200, 302, 600] {
        let r = Rejection {
            status_code: bad,
            ..Rejection::default()
        };
        assert_eq!(status(complete_rejection(r).unwrap_err()), 400);
    }
}

#[test]
fn verifier_is_appended_to_the_query() {
    let v = FlowId::from_stored("abc");
    assert_eq!(
        redirect_with_verifier("https://op/oauth2/auth?a=1", "login_verifier", &v),
        "https://op/oauth2/auth?a=1&login_verifier=abc"
    );
    assert_eq!(
        redirect_with_verifier("https://op/oauth2/auth", "consent_verifier", &v),
        "https://op/oauth2/auth?consent_verifier=abc"
    );
    assert_eq!(
        redirect_with_verifier("https://op/oauth2/auth?", "login_verifier", &v),
        "https://op/oauth2/auth?login_verifier=abc"
    );
}
