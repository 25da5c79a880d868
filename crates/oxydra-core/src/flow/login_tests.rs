//! Table-driven tests of the login decisions, with no store.

use super::*;
use crate::flow::{FlowId, OidcContext, Rejection};
use crate::model::ClientId;

const HOUR: i64 = 3600;
/// When the fixture authorization request was made.
const REQUESTED: i64 = 1_700_000_000;

fn at(secs: i64) -> Now {
    Now::from_unix_secs(secs)
}

fn session(authenticated: i64, expires: i64) -> LoginSession {
    LoginSession {
        id: "sid".into(),
        subject: "alice".into(),
        authenticated_at: at(authenticated),
        expires_at: at(expires),
    }
}

fn demands(none: bool, login: bool, max_age: Option<i64>) -> LoginDemands {
    LoginDemands {
        prompt: Prompt {
            none,
            login,
            consent: false,
        },
        max_age,
    }
}

#[test]
fn start_decides_between_the_login_app_and_a_remembered_session() {
    let now = REQUESTED;
    let fresh = session(now - HOUR, now + HOUR);
    let expired = session(now - 2 * HOUR, now - 1);
    // (case, demands, session, Some(remembered?) or None for login_required)
    let cases = [
        ("no session", demands(false, false, None), None, Some(false)),
        (
            "valid session",
            demands(false, false, None),
            Some(&fresh),
            Some(true),
        ),
        (
            "expired session",
            demands(false, false, None),
            Some(&expired),
            Some(false),
        ),
        (
            "max_age met",
            demands(false, false, Some(HOUR)),
            Some(&fresh),
            Some(true),
        ),
        (
            "max_age exceeded",
            demands(false, false, Some(HOUR - 1)),
            Some(&fresh),
            Some(false),
        ),
        (
            "prompt=login",
            demands(false, true, None),
            Some(&fresh),
            Some(false),
        ),
        (
            "prompt=none, session",
            demands(true, false, None),
            Some(&fresh),
            Some(true),
        ),
        (
            "prompt=none, no session",
            demands(true, false, None),
            None,
            None,
        ),
        (
            "prompt=none, expired",
            demands(true, false, None),
            Some(&expired),
            None,
        ),
        (
            "prompt=none, too old",
            demands(true, false, Some(60)),
            Some(&fresh),
            None,
        ),
        (
            "prompt=none+login",
            demands(true, true, None),
            Some(&fresh),
            None,
        ),
    ];
    for (case, demands, session, expected) in cases {
        let decided = start(demands, session.cloned(), at(now));
        match (expected, decided) {
            (Some(true), Ok(LoginStart::Remembered(s))) => assert_eq!(&s, session.unwrap()),
            (Some(false), Ok(LoginStart::Authenticate)) => {}
            (None, Err(e)) => assert_eq!(e.kind, OAuthErrorKind::LoginRequired, "{case}"),
            (expected, decided) => panic!("{case}: expected {expected:?}, got {decided:?}"),
        }
    }
}

/// `max_age` is measured in microseconds: a login 1.5 s old is too old for `max_age=1`, even
/// though whole seconds would call it 1 s old.
#[test]
fn max_age_counts_fractions_of_a_second() {
    let authenticated = Now::from_unix_micros(REQUESTED * 1_000_000);
    let s = LoginSession {
        authenticated_at: authenticated,
        ..session(REQUESTED, REQUESTED + HOUR)
    };
    let after = |micros: i64| Now::from_unix_micros(authenticated.unix_micros() + micros);
    let decide = |now| start(demands(false, false, Some(1)), Some(s.clone()), now);
    assert!(matches!(
        decide(after(1_000_000)),
        Ok(LoginStart::Remembered(_))
    ));
    assert!(matches!(
        decide(after(1_500_000)),
        Ok(LoginStart::Authenticate)
    ));
    assert!(matches!(
        start(demands(false, false, Some(0)), Some(s.clone()), after(1)),
        Ok(LoginStart::Authenticate)
    ));
}

/// An answered login request of `alice`, made at [`REQUESTED`].
fn login(skip: bool, outcome: Option<LoginOutcome>) -> LoginRequest {
    LoginRequest {
        challenge: FlowId::from_stored("challenge"),
        verifier: FlowId::from_stored("verifier"),
        csrf: FlowId::from_stored("csrf"),
        client_id: ClientId::parse("c1").unwrap(),
        subject: if skip { "alice".into() } else { String::new() },
        skip,
        requested_scope: vec!["openid".into()],
        request_url: "https://issuer.example/oauth2/auth".into(),
        oidc_context: OidcContext::default(),
        login_session_id: skip.then(|| "old-sid".to_owned()),
        requested_at: at(REQUESTED),
        authenticated_at: None,
        outcome,
        verifier_used: false,
    }
}

fn accepted(subject: &str, remember: bool, remember_for: i64, auth: i64) -> LoginOutcome {
    LoginOutcome::Accepted {
        subject: subject.into(),
        remember,
        remember_for,
        acr: "urn:acr:gold".into(),
        force_subject_identifier: String::new(),
        authenticated_at: at(auth).unix_micros(),
        amr: vec!["pwd".into(), "otp".into()],
        context: Some(serde_json::json!({"tenant": "t-1"})),
        extend_session_lifespan: false,
        identity_provider_session_id: String::new(),
    }
}

fn rejected() -> LoginOutcome {
    LoginOutcome::Rejected(Rejection {
        error: "access_denied".into(),
        ..Rejection::default()
    })
}

fn input(demands: LoginDemands, cookie: Option<&str>) -> LoginReturn {
    LoginReturn {
        demands,
        session_cookie: cookie.map(str::to_owned),
        browser_session: Duration::from_secs(86_400),
        new_session_id: "new-sid".into(),
    }
}

/// What [`after_login`] should decide in one case.
#[derive(Debug)]
enum Expect {
    Fail(OAuthErrorKind),
    Keep,
    Remember { max_age: Option<i64>, lifetime: i64 },
    Forget(Option<&'static str>),
}

#[test]
fn after_login_checks_the_answer_and_decides_the_session() {
    let plain = demands(false, false, None);
    let back = REQUESTED + 60;
    let fresh = REQUESTED + 30;
    let old = REQUESTED - HOUR;
    let cases = [
        (
            "rejected",
            login(false, Some(rejected())),
            plain,
            None,
            Expect::Fail(OAuthErrorKind::AccessDenied),
        ),
        (
            "unanswered",
            login(false, None),
            plain,
            None,
            Expect::Fail(OAuthErrorKind::AccessDenied),
        ),
        (
            "skip, same subject",
            login(true, Some(accepted("alice", true, 0, old))),
            plain,
            Some("old-sid"),
            Expect::Keep,
        ),
        (
            "skip, other subject",
            login(true, Some(accepted("bob", false, 0, old))),
            plain,
            None,
            Expect::Fail(OAuthErrorKind::ServerError),
        ),
        (
            "remember for an hour",
            login(false, Some(accepted("alice", true, HOUR, fresh))),
            plain,
            None,
            Expect::Remember {
                max_age: Some(HOUR),
                lifetime: HOUR,
            },
        ),
        (
            "remember for the browser session",
            login(false, Some(accepted("alice", true, 0, fresh))),
            plain,
            None,
            Expect::Remember {
                max_age: None,
                lifetime: 86_400,
            },
        ),
        (
            "remember, negative",
            login(false, Some(accepted("alice", true, -5, fresh))),
            plain,
            None,
            Expect::Remember {
                max_age: None,
                lifetime: 86_400,
            },
        ),
        (
            "do not remember, cookie",
            login(false, Some(accepted("alice", false, 0, fresh))),
            plain,
            Some("sid"),
            Expect::Forget(Some("sid")),
        ),
        (
            "do not remember, no cookie",
            login(false, Some(accepted("alice", false, 0, fresh))),
            plain,
            None,
            Expect::Forget(None),
        ),
        (
            "max_age met",
            login(false, Some(accepted("alice", false, 0, old))),
            demands(false, false, Some(HOUR)),
            None,
            Expect::Forget(None),
        ),
        (
            "max_age exceeded",
            login(false, Some(accepted("alice", false, 0, old))),
            demands(false, false, Some(HOUR - 1)),
            None,
            Expect::Fail(OAuthErrorKind::LoginRequired),
        ),
        (
            "max_age=0, login for this request",
            login(false, Some(accepted("alice", false, 0, REQUESTED))),
            demands(false, false, Some(0)),
            None,
            Expect::Forget(None),
        ),
        (
            "prompt=login, fresh",
            login(false, Some(accepted("alice", false, 0, fresh))),
            demands(false, true, None),
            None,
            Expect::Forget(None),
        ),
        (
            "prompt=login, stale",
            login(false, Some(accepted("alice", false, 0, old))),
            demands(false, true, None),
            None,
            Expect::Fail(OAuthErrorKind::LoginRequired),
        ),
        (
            "skip, max_age exceeded",
            login(true, Some(accepted("alice", false, 0, old))),
            demands(false, false, Some(60)),
            None,
            Expect::Fail(OAuthErrorKind::LoginRequired),
        ),
    ];
    for (case, login, demands, cookie, expect) in cases {
        let decided = after_login(&login, &input(demands, cookie), at(back));
        match (&expect, decided) {
            (Expect::Fail(kind), Err(e)) => assert_eq!(e.kind, *kind, "{case}"),
            (Expect::Keep, Ok(l)) => {
                assert_eq!(l.session, SessionChange::Keep, "{case}");
                assert_eq!(l.session_id.as_deref(), Some("old-sid"), "{case}");
                assert!(l.cookies.is_empty(), "{case}");
            }
            (Expect::Remember { max_age, lifetime }, Ok(l)) => {
                let SessionChange::Remember(s) = &l.session else {
                    panic!("{case}: {l:?}")
                };
                assert_eq!(s.id, "new-sid", "{case}");
                assert_eq!(s.subject, "alice", "{case}");
                assert_eq!(s.authenticated_at, at(fresh), "{case}");
                assert_eq!(s.expires_at, at(back + lifetime), "{case}");
                assert_eq!(l.session_id.as_deref(), Some("new-sid"), "{case}");
                let cookie = CookieChange::Session {
                    id: "new-sid".into(),
                    max_age: *max_age,
                };
                assert_eq!(l.cookies, vec![cookie], "{case}");
            }
            (Expect::Forget(sid), Ok(l)) => {
                let sid = sid.map(str::to_owned);
                assert_eq!(l.session, SessionChange::Forget(sid), "{case}");
                assert_eq!(l.session_id, None, "{case}");
                assert_eq!(l.cookies, vec![CookieChange::ClearSession], "{case}");
                assert_eq!(l.subject, "alice", "{case}");
                assert_eq!(l.acr, "urn:acr:gold", "{case}");
                assert_eq!(l.amr, ["pwd", "otp"], "{case}");
                assert_eq!(l.context, Some(serde_json::json!({"tenant": "t-1"})));
            }
            (expect, decided) => panic!("{case}: expected {expect:?}, got {decided:?}"),
        }
    }
}

/// Hydra 2.x `extend_session_lifespan`: a remembered session accepted again starts a new
/// lifetime (`remember_for`, else the browser-session maximum) and its cookie is set again;
/// without the flag, or on a fresh login, nothing is extended.
#[test]
fn extend_session_lifespan_renews_a_remembered_session_only() {
    let back = REQUESTED + 60;
    let old = REQUESTED - HOUR;
    let extend = |remember_for| {
        let mut outcome = accepted("alice", false, remember_for, old);
        if let LoginOutcome::Accepted {
            extend_session_lifespan,
            ..
        } = &mut outcome
        {
            *extend_session_lifespan = true;
        }
        outcome
    };
    let plain = demands(false, false, None);
    for (remember_for, lifetime) in [(600, 600), (0, 86_400)] {
        let request = login(true, Some(extend(remember_for)));
        let l = after_login(&request, &input(plain, Some("old-sid")), at(back)).unwrap();
        let expected = SessionChange::Extend {
            id: "old-sid".into(),
            expires_at: at(back + lifetime),
        };
        assert_eq!(l.session, expected, "remember_for {remember_for}");
        assert_eq!(l.session_id.as_deref(), Some("old-sid"));
        let max_age = (remember_for > 0).then_some(remember_for);
        let cookie = CookieChange::Session {
            id: "old-sid".into(),
            max_age,
        };
        assert_eq!(l.cookies, vec![cookie]);
    }
    // A fresh login with the flag is remembered (or not) as usual.
    let l = after_login(
        &login(false, Some(extend(0))),
        &input(plain, None),
        at(back),
    )
    .unwrap();
    assert_eq!(l.session, SessionChange::Forget(None));
}
