//! OpenID Connect end to end with a certified-style relying-party library (`openidconnect`):
//! discovery, the code flow with PKCE, the implicit and hybrid flows, ID-token validation
//! (signature from `/.well-known/jwks.json`, `iss`, `aud`, `nonce`, `at_hash`, `c_hash`) and
//! userinfo — nothing here trusts Oxydra's own code to check Oxydra's output.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata, CoreResponseType,
    CoreTokenResponse, CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthorizationCode, AuthorizationCodeHash, ClientId, ClientSecret,
    CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use oxydra_core::clock::Clock as _;
use oxydra_store::SqlStore;
use oxydra_testkit::browser::{Browser, param};
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::json;

use crate::flow::{CB, CONSENT, LOGIN, accept_consent, accept_login};
use crate::oauth2_client::{register, send};

const SECRET: &str = "rp-client-secret";

async fn start(store: SqlStore) -> TestServer {
    let server = TestServer::start(
        store,
        &[("OAUTH2_LOGIN_URL", LOGIN), ("OAUTH2_CONSENT_URL", CONSENT)],
    )
    .await;
    register(
        &server,
        "rp",
        SECRET,
        json!({
            "scope": "openid offline read",
            "grant_types": ["authorization_code", "refresh_token", "implicit"],
            "response_types": ["code", "id_token", "id_token token", "code id_token", "code id_token token"],
        }),
    )
    .await;
    server
}

/// The client type `from_provider_metadata` gives: authorization URL known, token and
/// userinfo URLs as discovered.
pub(crate) type Rp = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The relying party, configured from the provider's discovery document only.
async fn relying_party(server: &TestServer) -> Rp {
    relying_party_as(server, "rp", SECRET).await
}

/// The relying party `id` (with `secret`), configured from discovery only.
pub(crate) async fn relying_party_as(server: &TestServer, id: &str, secret: &str) -> Rp {
    let issuer = IssuerUrl::new(server.public("/")).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &send)
        .await
        .unwrap();
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(id.into()),
        Some(ClientSecret::new(secret.into())),
    )
    .set_redirect_uri(RedirectUrl::new(CB.into()).unwrap())
}

/// Walks the browser through login and consent; returns the redirect to the client.
pub(crate) async fn authorize(server: &TestServer, browser: &mut Browser, url: &str) -> String {
    let to_login = browser.get(url).await.location.unwrap();
    assert!(to_login.starts_with(LOGIN), "{to_login}");
    let challenge = param(&to_login, "login_challenge").unwrap();
    let (_, back) = accept_login(server, &challenge, "alice", false).await;
    let to_consent = browser.get(&back).await.location.unwrap();
    assert!(to_consent.starts_with(CONSENT), "{to_consent}");
    let challenge = param(&to_consent, "consent_challenge").unwrap();
    let (_, back) = accept_consent(server, &challenge, false).await;
    let to_client = browser.get(&back).await.location.unwrap();
    assert!(to_client.starts_with(CB), "{to_client}");
    to_client
}

/// Redeems the code of the client's redirect `back`, with its PKCE `verifier`.
pub(crate) async fn exchange(
    client: &Rp,
    back: &str,
    verifier: PkceCodeVerifier,
) -> CoreTokenResponse {
    let code = param(back, "code").unwrap_or_else(|| panic!("no code: {back}"));
    client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&send)
        .await
        .unwrap()
}

/// The UserInfo claims for the access token of `tokens`.
pub(crate) async fn userinfo(client: &Rp, tokens: &CoreTokenResponse) -> CoreUserInfoClaims {
    client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&send)
        .await
        .unwrap()
}

/// The server's fixed clock, as the verifier's "now" (the tokens' `iat` and `exp` use it).
pub(crate) fn clock(
    server: &TestServer,
) -> impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static {
    let now = server.clock.now().unix_secs();
    move || chrono::DateTime::from_timestamp(now, 0).unwrap()
}

store_test! {
    async fn code_flow_with_pkce_validates_and_reads_userinfo(store: SqlStore) {
        let server = start(store).await;
        let client = relying_party(&server).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, csrf, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("offline".into()))
            .add_scope(Scope::new("read".into()))
            .set_pkce_challenge(challenge)
            .url();
        let mut browser = Browser::new();
        let back = authorize(&server, &mut browser, url.as_str()).await;
        assert_eq!(param(&back, "state").as_deref(), Some(csrf.secret().as_str()));
        let tokens = exchange(&client, &back, verifier).await;
        let id_token = tokens.id_token().expect("an ID token for the openid scope");
        let id_verifier = client.id_token_verifier().set_time_fn(clock(&server));
        let claims = id_token.claims(&id_verifier, &nonce).unwrap();
        assert_eq!(claims.subject().as_str(), "alice");
        assert_eq!(claims.issuer().as_str(), server.public("/"));
        assert_eq!(claims.audiences()[0].as_str(), "rp");
        let alg = id_token.signing_alg().unwrap();
        let key = id_token.signing_key(&id_verifier).unwrap();
        let expected = AccessTokenHash::from_token(tokens.access_token(), alg, key).unwrap();
        assert_eq!(claims.access_token_hash(), Some(&expected));
        assert_eq!(
            claims.email().map(|e| e.as_str()),
            Some("alice@example.com"),
            "session.id_token claims reach the ID token"
        );

        let info = userinfo(&client, &tokens).await;
        assert_eq!(info.subject().as_str(), "alice");

        // A refresh re-issues an ID token for the same user, without the nonce.
        let refreshed = client
            .exchange_refresh_token(tokens.refresh_token().unwrap())
            .unwrap()
            .request_async(&send)
            .await
            .unwrap();
        let again = refreshed.id_token().unwrap();
        let claims = again
            .claims(&id_verifier, |n: Option<&Nonce>| match n {
                None => Ok(()),
                Some(_) => Err("a refreshed ID token repeats the nonce".to_owned()),
            })
            .unwrap();
        assert_eq!(claims.subject().as_str(), "alice");
    }

    async fn implicit_and_hybrid_flows_validate(store: SqlStore) {
        let server = start(store).await;
        let client = relying_party(&server).await;
        let id_verifier = client.id_token_verifier().set_time_fn(clock(&server));

        // Implicit `id_token token`: both in the fragment, at_hash binds the access token.
        let (url, _, nonce) = client
            .authorize_url(CoreAuthenticationFlow::Implicit(true), CsrfToken::new_random, Nonce::new_random)
            .url();
        let back = authorize(&server, &mut Browser::new(), url.as_str()).await;
        assert!(url::Url::parse(&back).unwrap().query().is_none(), "tokens never in the query: {back}");
        let raw: CoreIdToken = param(&back, "id_token").unwrap().parse().unwrap();
        let claims = raw.claims(&id_verifier, &nonce).unwrap();
        let access = AccessToken::new(param(&back, "access_token").unwrap());
        let alg = raw.signing_alg().unwrap();
        let key = raw.signing_key(&id_verifier).unwrap();
        assert_eq!(claims.access_token_hash(), Some(&AccessTokenHash::from_token(&access, alg, key).unwrap()));
        assert_eq!(param(&back, "token_type").as_deref(), Some("bearer"));
        assert!(param(&back, "refresh_token").is_none(), "no refresh token from the front channel");

        // Implicit `id_token` alone.
        let (url, _, nonce) = client
            .authorize_url(CoreAuthenticationFlow::Implicit(false), CsrfToken::new_random, Nonce::new_random)
            .url();
        let back = authorize(&server, &mut Browser::new(), url.as_str()).await;
        assert!(param(&back, "access_token").is_none());
        let raw: CoreIdToken = param(&back, "id_token").unwrap().parse().unwrap();
        raw.claims(&id_verifier, &nonce).unwrap();

        // Hybrid `code id_token`: c_hash binds the code, which is then redeemed.
        let flow = CoreAuthenticationFlow::Hybrid(vec![CoreResponseType::Code, CoreResponseType::IdToken]);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _, nonce) = client
            .authorize_url(flow, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let back = authorize(&server, &mut Browser::new(), url.as_str()).await;
        let raw: CoreIdToken = param(&back, "id_token").unwrap().parse().unwrap();
        let claims = raw.claims(&id_verifier, &nonce).unwrap();
        let code = AuthorizationCode::new(param(&back, "code").unwrap());
        let alg = raw.signing_alg().unwrap();
        let key = raw.signing_key(&id_verifier).unwrap();
        assert_eq!(claims.code_hash(), Some(&AuthorizationCodeHash::from_code(&code, alg, key).unwrap()));
        let tokens = client.exchange_code(code).unwrap().set_pkce_verifier(verifier).request_async(&send).await.unwrap();
        tokens.id_token().unwrap().claims(&id_verifier, &nonce).unwrap();
    }
}
