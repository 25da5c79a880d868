//! Table-driven tests of the consent decisions, with no store.

use super::*;
use crate::flow::{FlowId, OidcContext, Rejection};
use crate::model::{ClientId, Now};

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn prompt(none: bool, consent: bool) -> Prompt {
    Prompt {
        none,
        login: false,
        consent,
    }
}

fn consent(outcome: Option<ConsentOutcome>) -> ConsentRequest {
    ConsentRequest {
        challenge: FlowId::from_stored("challenge"),
        verifier: FlowId::from_stored("verifier"),
        csrf: FlowId::from_stored("csrf"),
        client_id: ClientId::parse("c1").unwrap(),
        subject: "alice".into(),
        skip: false,
        requested_scope: words("openid photos"),
        request_url: "https://issuer.example/oauth2/auth".into(),
        oidc_context: OidcContext::default(),
        login_challenge: FlowId::from_stored("login"),
        login_session_id: None,
        requested_at: Now::from_unix_secs(1_700_000_000),
        authenticated_at: Now::from_unix_secs(1_700_000_000),
        acr: String::new(),
        amr: vec![],
        context: None,
        outcome,
        handled_at: None,
        verifier_used: false,
    }
}

fn accepted(scope: &str) -> ConsentOutcome {
    let mut extra = Map::new();
    extra.insert("k".into(), Value::from("v"));
    ConsentOutcome::Accepted {
        grant_scope: words(scope),
        remember: true,
        remember_for: 0,
        access_extra: extra.clone(),
        id_token_extra: extra,
    }
}

fn rejected(error: &str) -> ConsentOutcome {
    ConsentOutcome::Rejected(Rejection {
        error: error.into(),
        ..Rejection::default()
    })
}

#[test]
fn a_remembered_consent_skips_the_app_unless_something_forbids_it() {
    let remembered = [
        consent(Some(rejected("access_denied"))),
        consent(Some(accepted("openid photos.*"))),
    ];
    // (case, prompt, public client, redirect scheme, remembered, requested, skip?, asked (Ok) or consent_required)
    let cases = [
        (
            "covered",
            prompt(false, false),
            false,
            "https",
            &remembered[..],
            "openid photos.read",
            true,
            true,
        ),
        (
            "not covered",
            prompt(false, false),
            false,
            "https",
            &remembered[..],
            "openid email",
            false,
            true,
        ),
        (
            "nothing remembered",
            prompt(false, false),
            false,
            "https",
            &[][..],
            "openid",
            false,
            true,
        ),
        (
            "only a rejection",
            prompt(false, false),
            false,
            "https",
            &remembered[..1],
            "openid",
            false,
            true,
        ),
        (
            "prompt=consent",
            prompt(false, true),
            false,
            "https",
            &remembered[..],
            "openid",
            false,
            true,
        ),
        (
            "public client, http",
            prompt(false, false),
            true,
            "http",
            &remembered[..],
            "openid",
            false,
            true,
        ),
        (
            "public client, custom scheme",
            prompt(false, false),
            true,
            "com.example.app",
            &remembered[..],
            "openid",
            false,
            true,
        ),
        (
            "public client, https",
            prompt(false, false),
            true,
            "https",
            &remembered[..],
            "openid",
            true,
            true,
        ),
        (
            "confidential client, http",
            prompt(false, false),
            false,
            "http",
            &remembered[..],
            "openid",
            true,
            true,
        ),
        (
            "prompt=none, covered",
            prompt(true, false),
            false,
            "https",
            &remembered[..],
            "openid",
            true,
            true,
        ),
        (
            "prompt=none, not covered",
            prompt(true, false),
            false,
            "https",
            &remembered[..],
            "email",
            false,
            false,
        ),
        (
            "prompt=none+consent",
            prompt(true, true),
            false,
            "https",
            &remembered[..],
            "openid",
            false,
            false,
        ),
    ];
    for (case, prompt, public, scheme, remembered, requested, skip, asked) in cases {
        let decided = may_skip(prompt, public, scheme)
            && covered(remembered, &words(requested), ScopeStrategy::Wildcard);
        assert_eq!(decided, skip, "{case}");
        match (asked, ask(decided, prompt)) {
            (true, Ok(())) => {}
            (false, Err(e)) => assert_eq!(e.kind, OAuthErrorKind::ConsentRequired, "{case}"),
            (asked, got) => panic!("{case}: expected asked={asked}, got {got:?}"),
        }
    }
}

#[test]
fn an_answered_consent_grants_what_the_client_may_have() {
    // (case, outcome, client scope, Ok(granted) or Err(kind))
    let cases = [
        (
            "all allowed",
            Some(accepted("openid photos")),
            "openid photos offline",
            Ok("openid photos"),
        ),
        (
            "restricted",
            Some(accepted("openid photos admin")),
            "openid photos",
            Ok("openid photos"),
        ),
        (
            "wildcard",
            Some(accepted("openid photos.read")),
            "openid photos.*",
            Ok("openid photos.read"),
        ),
        ("nothing", Some(accepted("")), "openid", Ok("")),
        (
            "rejected",
            Some(rejected("login_required")),
            "openid",
            Err(OAuthErrorKind::LoginRequired),
        ),
        (
            "rejected, unknown code",
            Some(rejected("nope")),
            "openid",
            Err(OAuthErrorKind::AccessDenied),
        ),
        (
            "unanswered",
            None,
            "openid",
            Err(OAuthErrorKind::AccessDenied),
        ),
    ];
    for (case, outcome, client_scope, expected) in cases {
        let decided = granted(&consent(outcome), client_scope, ScopeStrategy::Wildcard);
        match (expected, decided) {
            (Ok(scope), Ok(g)) => {
                assert_eq!(g.scope, words(scope), "{case}");
                assert_eq!(g.access_extra.get("k"), Some(&Value::from("v")), "{case}");
                assert_eq!(g.id_token_extra, g.access_extra, "{case}");
            }
            (Err(kind), Err(e)) => assert_eq!(e.kind, kind, "{case}"),
            (expected, decided) => panic!("{case}: expected {expected:?}, got {decided:?}"),
        }
    }
}

#[test]
fn the_response_type_picks_the_parts_and_an_id_token_needs_openid() {
    let parts = |code, token, id_token| ResponseParts {
        code,
        token,
        id_token,
    };
    let cases = [
        ("code", "openid", Ok(parts(true, false, false))),
        ("code", "", Ok(parts(true, false, false))),
        ("token", "photos", Ok(parts(false, true, false))),
        ("id_token token", "openid", Ok(parts(false, true, true))),
        (
            "code id_token",
            "openid photos",
            Ok(parts(true, false, true)),
        ),
        ("code id_token token", "openid", Ok(parts(true, true, true))),
        ("id_token", "photos", Err(OAuthErrorKind::AccessDenied)),
        ("code id_token", "", Err(OAuthErrorKind::AccessDenied)),
    ];
    for (response_type, scope, expected) in cases {
        let decided = response_parts(&words(response_type), &words(scope)).map_err(|e| e.kind);
        assert_eq!(decided, expected, "{response_type} / {scope}");
    }
}

#[test]
fn acr_is_the_reported_one_else_zero_when_asked_for() {
    let cases = [
        ("urn:gold", "", Some("urn:gold")),
        ("urn:gold", "urn:silver", Some("urn:gold")),
        ("", "urn:silver", Some("0")),
        ("", "", None),
    ];
    for (reported, asked, expected) in cases {
        let decided = acr(reported, &words(asked));
        assert_eq!(decided.as_deref(), expected, "{reported} / {asked}");
    }
}
