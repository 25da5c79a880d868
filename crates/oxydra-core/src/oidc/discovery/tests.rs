use super::*;
use crate::jwk::OIDC_SIGNING_ALGS;
use crate::oauth2::authorize;

fn id_token_algs() -> Vec<String> {
    OIDC_SIGNING_ALGS
        .iter()
        .map(|a| a.name().to_owned())
        .collect()
}

const PATHS: EndpointPaths = EndpointPaths {
    authorization: "/oauth2/auth",
    token: "/oauth2/token",
    jwks: "/.well-known/jwks.json",
    userinfo: "/userinfo",
    revocation: "/oauth2/revoke",
    registration: None,
    end_session: None,
    device_authorization: None,
    pushed_authorization_request: None,
};

fn settings(issuer: &str) -> DiscoverySettings {
    DiscoverySettings {
        issuer: Url::parse(issuer).unwrap(),
        paths: PATHS,
        userinfo_endpoint: None,
        subject_types: vec![SubjectType::Public],
        claims: Vec::new(),
        scopes: Vec::new(),
        id_token_algs: id_token_algs(),
        consent_app: ConsentAppClaims::default(),
        require_pushed_authorization_requests: false,
        jwt_bearer_grant: false,
        dpop: false,
    }
}

#[test]
fn dpop_algorithms_are_advertised_only_while_proofs_are_accepted() {
    let off = document(&settings("https://auth.example")).unwrap();
    assert_eq!(off.dpop_signing_alg_values_supported, None);
    let mut s = settings("https://auth.example");
    s.dpop = true;
    let algs = document(&s)
        .unwrap()
        .dpop_signing_alg_values_supported
        .unwrap();
    assert!(algs.iter().any(|a| a == "ES256"));
    assert!(!algs.iter().any(|a| a.starts_with("HS") || a == "none"));
}

#[test]
fn the_jwt_bearer_grant_is_advertised_only_when_served() {
    let jwt_bearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    let off = document(&settings("https://auth.example")).unwrap();
    assert!(!off.grant_types_supported.iter().any(|g| g == jwt_bearer));
    let mut s = settings("https://auth.example");
    s.jwt_bearer_grant = true;
    let on = document(&s).unwrap();
    assert!(on.grant_types_supported.iter().any(|g| g == jwt_bearer));
}

#[test]
fn signing_algorithms_are_those_the_id_token_set_keeps() {
    let doc = document(&settings("https://auth.example")).unwrap();
    assert_eq!(
        doc.id_token_signing_alg_values_supported,
        ["RS256", "ES256", "EdDSA"]
    );
    assert_eq!(
        doc.userinfo_signing_alg_values_supported,
        ["none", "RS256", "ES256", "EdDSA"]
    );
    let mut s = settings("https://auth.example");
    s.id_token_algs = vec!["ES256".into()];
    let doc = document(&s).unwrap();
    assert_eq!(doc.id_token_signing_alg_values_supported, ["ES256"]);
    assert_eq!(doc.userinfo_signing_alg_values_supported, ["none", "ES256"]);
}

#[test]
fn urls_hang_off_the_issuer_with_or_without_its_slash() {
    for issuer in ["https://auth.example", "https://auth.example/"] {
        let doc = document(&settings(issuer)).unwrap();
        assert_eq!(doc.issuer, "https://auth.example/");
        assert_eq!(
            doc.authorization_endpoint,
            "https://auth.example/oauth2/auth"
        );
        assert_eq!(doc.token_endpoint, "https://auth.example/oauth2/token");
        assert_eq!(doc.jwks_uri, "https://auth.example/.well-known/jwks.json");
        assert_eq!(doc.userinfo_endpoint, "https://auth.example/userinfo");
        assert_eq!(
            doc.revocation_endpoint,
            "https://auth.example/oauth2/revoke"
        );
        assert_eq!(doc.registration_endpoint, None);
        assert_eq!(doc.end_session_endpoint, None);
        assert!(!doc.frontchannel_logout_supported && !doc.backchannel_logout_supported);
    }
}

#[test]
fn registration_is_advertised_only_when_served() {
    let mut s = settings("https://auth.example");
    s.paths.registration = Some("/oauth2/register");
    let doc = document(&s).unwrap();
    assert_eq!(
        doc.registration_endpoint.as_deref(),
        Some("https://auth.example/oauth2/register")
    );
}

#[test]
fn the_device_flow_is_advertised_only_when_enabled() {
    let mut s = settings("https://auth.example");
    let doc = document(&s).unwrap();
    assert_eq!(doc.device_authorization_endpoint, None);
    assert!(
        !doc.grant_types_supported
            .iter()
            .any(|g| g.contains("device_code"))
    );
    s.paths.device_authorization = Some("/oauth2/device/auth");
    let doc = document(&s).unwrap();
    assert_eq!(
        doc.device_authorization_endpoint.as_deref(),
        Some("https://auth.example/oauth2/device/auth")
    );
    assert_eq!(
        doc.grant_types_supported.last().map(String::as_str),
        Some("urn:ietf:params:oauth:grant-type:device_code")
    );
}

#[test]
fn an_issuer_path_is_kept() {
    for issuer in ["https://example.com/auth", "https://example.com/auth/"] {
        let doc = document(&settings(issuer)).unwrap();
        assert_eq!(doc.issuer, "https://example.com/auth/");
        assert_eq!(doc.token_endpoint, "https://example.com/auth/oauth2/token");
    }
}

#[test]
fn configured_values_are_used() {
    let mut s = settings("https://auth.example");
    s.userinfo_endpoint = Some(Url::parse("https://profile.example/me").unwrap());
    s.subject_types = vec![SubjectType::Pairwise, SubjectType::Public];
    s.claims = vec!["sub".into(), "email".into(), "".into(), "email".into()];
    s.scopes = vec!["openid".into(), "photos".into()];
    s.paths.end_session = Some("/oauth2/sessions/logout");
    let doc = document(&s).unwrap();
    assert_eq!(doc.userinfo_endpoint, "https://profile.example/me");
    assert_eq!(doc.subject_types_supported, ["pairwise", "public"]);
    assert_eq!(doc.claims_supported.last().unwrap(), "email");
    assert_eq!(doc.claims_supported.len(), BASE_CLAIMS.len() + 1);
    assert_eq!(
        doc.scopes_supported,
        ["offline_access", "offline", "openid", "photos"]
    );
    assert_eq!(
        doc.end_session_endpoint.as_deref(),
        Some("https://auth.example/oauth2/sessions/logout")
    );
    assert!(doc.frontchannel_logout_supported && doc.frontchannel_logout_session_supported);
    assert!(doc.backchannel_logout_supported && doc.backchannel_logout_session_supported);
}

#[test]
fn a_consent_apps_scopes_and_claims_come_before_the_configured_ones() {
    let mut s = settings("https://auth.example");
    s.consent_app = ConsentAppClaims {
        scopes: vec!["profile".into(), "email".into()],
        claims: vec!["name".into(), "email".into()],
    };
    s.scopes = vec!["photos".into(), "email".into()];
    s.claims = vec!["groups".into(), "name".into()];
    let doc = document(&s).unwrap();
    assert_eq!(
        doc.scopes_supported,
        [
            "offline_access",
            "offline",
            "openid",
            "profile",
            "email",
            "photos"
        ]
    );
    assert_eq!(
        &doc.claims_supported[BASE_CLAIMS.len()..],
        ["name", "email", "groups"]
    );
}

/// The words of a response type, sorted: discovery spells them in any order.
fn sorted_words(response_type: &str) -> Vec<&str> {
    let mut words: Vec<&str> = response_type.split(' ').collect();
    words.sort_unstable();
    words
}

#[test]
fn advertised_response_types_are_exactly_the_served_ones() {
    let doc = document(&settings("https://auth.example")).unwrap();
    let mut advertised: Vec<Vec<&str>> = doc
        .response_types_supported
        .iter()
        .map(|t| sorted_words(t))
        .collect();
    let mut served: Vec<Vec<&str>> = authorize::RESPONSE_TYPES
        .iter()
        .map(|t| t.to_vec())
        .collect();
    advertised.sort();
    served.sort();
    assert_eq!(advertised, served);
}

#[test]
fn advertised_capabilities_are_what_the_domain_implements() {
    let doc = document(&settings("https://auth.example")).unwrap();
    for method in &doc.token_endpoint_auth_methods_supported {
        assert!(method.parse::<AuthMethod>().is_ok(), "{method}");
    }
    for grant in &doc.grant_types_supported {
        assert!(grant.parse::<GrantType>().is_ok(), "{grant}");
    }
    assert_eq!(
        doc.token_endpoint_auth_methods_supported,
        [
            "client_secret_post",
            "client_secret_basic",
            "private_key_jwt",
            "none"
        ]
    );
    assert!(
        !doc.token_endpoint_auth_methods_supported
            .iter()
            .any(|m| m == "client_secret_jwt"),
        "client secrets are stored hashed: client_secret_jwt cannot be verified"
    );
    assert_eq!(
        doc.grant_types_supported,
        [
            "authorization_code",
            "implicit",
            "client_credentials",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:token-exchange"
        ]
    );
    assert_eq!(
        doc.token_endpoint_auth_signing_alg_values_supported,
        client_assertion::SUPPORTED_ALGORITHMS
    );
    assert!(
        !doc.token_endpoint_auth_signing_alg_values_supported
            .iter()
            .any(|a| a == "none" || a.starts_with("HS")),
        "OIDC Discovery §3 forbids none here, and HMAC would be client_secret_jwt"
    );
    assert_eq!(doc.code_challenge_methods_supported, ["S256"]);
    assert_eq!(doc.claims_supported, BASE_CLAIMS);
    assert!(doc.claims_parameter_supported);
    assert_eq!(
        doc.scopes_supported,
        ["offline_access", "offline", "openid"]
    );
    assert_eq!(doc.subject_types_supported, ["public"]);
    assert!(doc.request_parameter_supported && doc.request_uri_parameter_supported);
    assert!(doc.require_request_uri_registration);
    assert_eq!(
        doc.request_object_signing_alg_values_supported,
        request_object::ACCEPTED_ALGORITHMS
    );
}

#[test]
fn base_claims_are_the_ones_id_tokens_carry() {
    use crate::oidc::id_token::RESERVED_CLAIMS;
    for claim in BASE_CLAIMS {
        assert!(RESERVED_CLAIMS.contains(claim), "{claim}");
    }
}

#[test]
fn pushed_requests_are_advertised_only_while_served() {
    let doc = document(&settings("https://auth.example")).unwrap();
    assert_eq!(doc.pushed_authorization_request_endpoint, None);
    assert_eq!(doc.require_pushed_authorization_requests, None);
    let mut s = settings("https://auth.example/");
    s.paths.pushed_authorization_request = Some("/oauth2/par");
    let doc = document(&s).unwrap();
    assert_eq!(
        doc.pushed_authorization_request_endpoint.as_deref(),
        Some("https://auth.example/oauth2/par")
    );
    assert_eq!(doc.require_pushed_authorization_requests, Some(false));
    s.require_pushed_authorization_requests = true;
    let doc = document(&s).unwrap();
    assert_eq!(doc.require_pushed_authorization_requests, Some(true));
}
