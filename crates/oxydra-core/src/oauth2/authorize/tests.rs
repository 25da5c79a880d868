use super::*;
use crate::client::AuthMethod;
use crate::oauth2::grant::tests_support::client;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn params(pairs: &[(&str, &str)]) -> AuthorizeParams {
    let mut p: AuthorizeParams = [
        ("client_id", "c"),
        ("response_type", "code"),
        ("scope", "read"),
        ("state", "state-123"),
        ("redirect_uri", "https://app.example/cb"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in pairs {
        p.insert((*k).to_owned(), (*v).to_owned());
    }
    p
}

fn validate(p: &AuthorizeParams, c: &Client) -> Result<ValidAuthorizeRequest, AuthorizeError> {
    let redirect = check_redirect_uri(p, c)?;
    check_request(p, c, redirect, ScopeStrategy::Wildcard)
}

fn error_kind(p: &AuthorizeParams, c: &Client) -> (OAuthErrorKind, bool) {
    let e = validate(p, c).unwrap_err();
    (e.error.kind, e.redirect.is_some())
}

#[test]
fn a_valid_request_passes_with_its_parameters() {
    let c = client("c", "read write");
    let v = validate(
        &params(&[
            ("scope", "read write read"),
            ("nonce", "nonce-1234"),
            ("prompt", "login consent"),
            ("max_age", "60"),
            ("login_hint", "alice"),
            ("ui_locales", "de en"),
        ]),
        &c,
    )
    .unwrap();
    assert_eq!(v.scope, vec!["read", "write"]);
    assert_eq!(v.state, "state-123");
    assert!(v.prompt.login && v.prompt.consent && !v.prompt.none);
    assert_eq!(v.max_age, Some(60));
    assert_eq!(v.oidc_context.ui_locales, vec!["de", "en"]);
    assert_eq!(v.redirect.mode, ResponseMode::Query);
    assert!(v.redirect_uri_sent);
}

#[test]
fn redirect_uri_errors_are_never_redirected() {
    let c = client("c", "read");
    assert_eq!(
        error_kind(&params(&[("redirect_uri", "https://evil.example/cb")]), &c),
        (OAuthErrorKind::InvalidRequest, false)
    );
    assert_eq!(
        error_kind(&params(&[("redirect_uri", "https://app.example/cb/")]), &c),
        (OAuthErrorKind::InvalidRequest, false)
    );
    let mut two = client("c", "read");
    two.redirect_uris.push("https://app.example/other".into());
    let mut p = params(&[]);
    p.remove("redirect_uri");
    assert_eq!(
        error_kind(&p, &two),
        (OAuthErrorKind::InvalidRequest, false)
    );
    // With exactly one registered URI it may be omitted.
    let v = validate(&p, &c).unwrap();
    assert!(!v.redirect_uri_sent);
    assert_eq!(v.redirect.url().as_str(), "https://app.example/cb");
}

#[test]
fn errors_after_the_redirect_check_go_to_the_client_with_state() {
    let c = client("c", "read");
    let cases: &[(&[(&str, &str)], OAuthErrorKind)] = &[
        (
            &[("response_type", "")],
            OAuthErrorKind::UnsupportedResponseType,
        ),
        (
            &[("response_type", "token")],
            OAuthErrorKind::UnsupportedResponseType,
        ),
        (&[("scope", "read admin")], OAuthErrorKind::InvalidScope),
        (&[("state", "short")], OAuthErrorKind::InvalidState),
        (
            &[("registration", "{}")],
            OAuthErrorKind::RegistrationNotSupported,
        ),
        (
            &[("request", "eyJ...")],
            OAuthErrorKind::RequestNotSupported,
        ),
        (
            &[
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "plain"),
            ],
            OAuthErrorKind::InvalidRequest,
        ),
        (&[("prompt", "none login")], OAuthErrorKind::InvalidRequest),
        (&[("prompt", "sometimes")], OAuthErrorKind::InvalidRequest),
        (&[("max_age", "-1")], OAuthErrorKind::InvalidRequest),
        (&[("nonce", "short")], OAuthErrorKind::InsufficientEntropy),
        (
            &[("response_mode", "web_message")],
            OAuthErrorKind::InvalidRequest,
        ),
    ];
    for (extra, kind) in cases {
        let e = validate(&params(extra), &c).unwrap_err();
        assert_eq!(e.error.kind, *kind, "{extra:?}");
        assert!(e.redirect.is_some(), "{extra:?}");
    }
    let e = validate(&params(&[("scope", "admin")]), &c).unwrap_err();
    assert_eq!(e.state.as_deref(), Some("state-123"));
}

#[test]
fn public_clients_need_pkce_and_http_needs_loopback() {
    let mut public = client("c", "read");
    public.token_endpoint_auth_method = AuthMethod::None;
    assert_eq!(
        error_kind(&params(&[]), &public),
        (OAuthErrorKind::InvalidRequest, true)
    );
    let v = validate(
        &params(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]),
        &public,
    )
    .unwrap();
    assert_eq!(v.code_challenge.unwrap().as_str(), CHALLENGE);

    let mut http = client("c", "read");
    http.redirect_uris = vec![
        "http://app.example/cb".into(),
        "http://127.0.0.1:8080/cb".into(),
    ];
    assert_eq!(
        error_kind(&params(&[("redirect_uri", "http://app.example/cb")]), &http),
        (OAuthErrorKind::InvalidRequest, true)
    );
    assert!(
        validate(
            &params(&[("redirect_uri", "http://127.0.0.1:8080/cb")]),
            &http
        )
        .is_ok()
    );
}

#[test]
fn response_types_compare_as_sets_and_default_to_code() {
    let mut c = client("c", "read");
    c.response_types = vec![];
    assert!(validate(&params(&[]), &c).is_ok());
    c.response_types = vec!["token".into()];
    assert_eq!(
        error_kind(&params(&[]), &c),
        (OAuthErrorKind::UnsupportedResponseType, true)
    );
}

#[test]
fn missing_client_id_is_untrusted() {
    let mut p = params(&[]);
    p.remove("client_id");
    assert!(client_id(&p).unwrap_err().redirect.is_none());
    assert!(unknown_client().redirect.is_none());
}

/// A client registered for every flow, with `openid` allowed.
fn oidc_client() -> Client {
    let mut c = client("c", "openid read");
    c.grant_types = vec![GrantType::AuthorizationCode, GrantType::Implicit];
    c.response_types = [
        "code",
        "token",
        "id_token",
        "id_token token",
        "code id_token",
        "code token",
        "code id_token token",
    ]
    .map(str::to_owned)
    .to_vec();
    c
}

fn oidc_params(response_type: &str, extra: &[(&str, &str)]) -> AuthorizeParams {
    let mut p = params(&[
        ("response_type", response_type),
        ("scope", "openid read"),
        ("nonce", "nonce-1234"),
    ]);
    for (k, v) in extra {
        p.insert((*k).to_owned(), (*v).to_owned());
    }
    p
}

#[test]
fn implicit_and_hybrid_types_default_to_the_fragment() {
    let c = oidc_client();
    for rt in [
        "token",
        "id_token",
        "token id_token",
        "code id_token",
        "code token",
        "id_token code token",
    ] {
        let v = validate(&oidc_params(rt, &[]), &c).unwrap();
        assert_eq!(v.redirect.mode, ResponseMode::Fragment, "{rt}");
    }
    let v = validate(&oidc_params("code", &[]), &c).unwrap();
    assert_eq!(v.redirect.mode, ResponseMode::Query);
    assert!(v.responds_with("code") && !v.responds_with("token"));
    let v = validate(
        &oidc_params("id_token token", &[("response_mode", "form_post")]),
        &c,
    )
    .unwrap();
    assert_eq!(v.redirect.mode, ResponseMode::FormPost);
    assert!(v.responds_with("id_token") && v.responds_with("token"));
}

#[test]
fn tokens_never_travel_in_the_query() {
    let c = oidc_client();
    let e = validate(
        &oidc_params("id_token token", &[("response_mode", "query")]),
        &c,
    )
    .unwrap_err();
    assert_eq!(e.error.kind, OAuthErrorKind::InvalidRequest);
    // The error itself goes to the fragment, not the query.
    assert_eq!(e.redirect.unwrap().mode, ResponseMode::Fragment);
    assert!(validate(&oidc_params("code", &[("response_mode", "query")]), &c).is_ok());
}

#[test]
fn oidc_front_channel_flows_need_a_nonce_and_openid() {
    let c = oidc_client();
    for rt in [
        "id_token",
        "id_token token",
        "code id_token",
        "code token",
        "code id_token token",
    ] {
        let mut p = oidc_params(rt, &[]);
        p.remove("nonce");
        assert_eq!(
            error_kind(&p, &c),
            (OAuthErrorKind::InvalidRequest, true),
            "{rt}"
        );
    }
    // The code flow and a plain OAuth 2.0 implicit grant need none.
    let mut p = oidc_params("code", &[]);
    p.remove("nonce");
    assert!(validate(&p, &c).is_ok());
    let p = params(&[("response_type", "token")]);
    assert!(validate(&p, &c).is_ok());
    // An ID token needs the openid scope.
    let p = params(&[("response_type", "id_token"), ("nonce", "nonce-1234")]);
    assert_eq!(error_kind(&p, &c), (OAuthErrorKind::InvalidRequest, true));
}

#[test]
fn front_channel_tokens_need_the_implicit_grant() {
    let mut c = oidc_client();
    c.grant_types = vec![GrantType::AuthorizationCode];
    for rt in [
        "token",
        "id_token",
        "id_token token",
        "code token",
        "code id_token token",
    ] {
        assert_eq!(
            error_kind(&oidc_params(rt, &[]), &c),
            (OAuthErrorKind::UnauthorizedClient, true),
            "{rt}"
        );
    }
    assert!(validate(&oidc_params("code id_token", &[]), &c).is_ok());
    c.grant_types = vec![GrantType::Implicit];
    assert_eq!(
        error_kind(&oidc_params("code id_token", &[]), &c),
        (OAuthErrorKind::UnauthorizedClient, true)
    );
    assert!(validate(&oidc_params("id_token token", &[]), &c).is_ok());
}

#[test]
fn public_implicit_clients_need_no_pkce_but_https_off_loopback() {
    let mut c = oidc_client();
    c.token_endpoint_auth_method = AuthMethod::None;
    c.redirect_uris = vec![
        "http://app.example/cb".into(),
        "http://localhost:3000/cb".into(),
    ];
    let on_loopback = oidc_params(
        "id_token token",
        &[("redirect_uri", "http://localhost:3000/cb")],
    );
    assert!(validate(&on_loopback, &c).is_ok());
    for response_type in ["id_token token", "code id_token"] {
        let p = oidc_params(response_type, &[("redirect_uri", "http://app.example/cb")]);
        assert_eq!(
            error_kind(&p, &c),
            (OAuthErrorKind::InvalidRequest, true),
            "{response_type}"
        );
    }
}

/// Issue 11 item 6: `evillocalhost` is not loopback, and tokens (implicit) are held to the
/// same rule as codes.
#[test]
fn http_redirects_need_a_real_loopback_host_for_every_response_type() {
    let refused = [
        "http://evillocalhost/cb",
        "http://localhost.evil.example/cb",
        "http://app.example/cb",
        "http://10.0.0.1/cb",
    ];
    let allowed = [
        "http://localhost/cb",
        "http://LOCALHOST:8080/cb",
        "http://app.localhost/cb",
        "http://127.0.0.2:9/cb",
        "http://[::1]:9/cb",
        "https://evillocalhost/cb",
    ];
    let mut c = oidc_client();
    c.redirect_uris = refused
        .iter()
        .chain(&allowed)
        .map(|u| (*u).to_owned())
        .collect();
    for response_type in ["code", "token", "id_token", "id_token token", "code token"] {
        for uri in refused {
            let p = oidc_params(response_type, &[("redirect_uri", uri)]);
            assert_eq!(
                error_kind(&p, &c),
                (OAuthErrorKind::InvalidRequest, true),
                "{response_type} {uri}"
            );
        }
        for uri in allowed {
            let p = oidc_params(response_type, &[("redirect_uri", uri)]);
            assert!(validate(&p, &c).is_ok(), "{response_type} {uri}");
        }
    }
}

/// Issue 11 item 4: the token request repeats the URI as registered, not as `Url` prints it.
#[test]
fn the_trusted_redirect_keeps_the_registered_string() {
    let mut c = client("c", "read");
    c.redirect_uris = vec!["https://App.Example".into()];
    for p in [
        params(&[("redirect_uri", "https://App.Example")]),
        params(&[])
            .into_iter()
            .filter(|(k, _)| k != "redirect_uri")
            .collect(),
    ] {
        let v = validate(&p, &c).unwrap();
        assert_eq!(v.redirect.registered(), "https://App.Example");
        assert_eq!(v.redirect.url().as_str(), "https://app.example/");
    }
}

#[test]
fn unknown_response_types_are_unsupported() {
    let mut c = oidc_client();
    c.response_types.push("code none".into());
    assert_eq!(
        error_kind(&oidc_params("code none", &[]), &c),
        (OAuthErrorKind::UnsupportedResponseType, true)
    );
}

#[test]
fn the_claims_parameter_is_parsed_into_the_oidc_context() {
    let c = oidc_client();
    let claims = r#"{"userinfo":{"email":{"essential":true}},"id_token":{"name":null}}"#;
    let v = validate(&oidc_params("code", &[("claims", claims)]), &c).unwrap();
    let parsed = v.oidc_context.claims.unwrap();
    assert!(parsed.userinfo["email"].as_ref().unwrap().essential);
    assert_eq!(parsed.id_token["name"], None);
    let v = validate(&oidc_params("code", &[("claims", "{}")]), &c).unwrap();
    assert_eq!(v.oidc_context.claims, None, "nothing asked for");
}

#[test]
fn malformed_claims_are_redirected_invalid_requests() {
    let c = oidc_client();
    for claims in ["{not json", r#"{"id_token":["email"]}"#] {
        let e = validate(&oidc_params("code", &[("claims", claims)]), &c).unwrap_err();
        assert_eq!(e.error.kind, OAuthErrorKind::InvalidRequest, "{claims}");
        assert!(e.redirect.is_some(), "the client learns of its own mistake");
        assert_eq!(e.state.as_deref(), Some("state-123"));
    }
    // §5.5: userinfo claims need an access token to be fetched with.
    let userinfo = r#"{"userinfo":{"email":null}}"#;
    let (kind, _) = error_kind(&oidc_params("id_token", &[("claims", userinfo)]), &c);
    assert_eq!(kind, OAuthErrorKind::InvalidRequest);
    assert!(validate(&oidc_params("id_token token", &[("claims", userinfo)]), &c).is_ok());
}
