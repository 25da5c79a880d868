//! The token service through the `oauth2` crate: client credentials, code exchange with PKCE,
//! refresh rotation and reuse detection, revocation.

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, RedirectUrl, RefreshToken, Scope, TokenResponse, TokenUrl,
};
use oxydra_core::store::TokenStore;
use oxydra_core::token::{RequestId, StoredToken, TokenKind, TokenSession, TokenSignature};
use oxydra_store::SqlStore;
use oxydra_testkit::server::TestServer;
use oxydra_testkit::store_test;
use serde_json::json;

use crate::oauth2_client::{introspect, register, send};

const SECRET: &str = "an e2e secret with spaces & symbols";

/// Stores a code as the authorization endpoint would, with an S256 challenge.
async fn mint_code(server: &TestServer, client: &str, challenge: &str) -> String {
    mint_code_keyed(server, client, challenge, RowKey::Current).await
}

/// The `oauth2` crate's client for a confidential client `web` registered with the code grant.
type WebClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Registers `web` and returns its `oauth2` client.
async fn web_client(server: &TestServer) -> WebClient {
    register(server, "web", SECRET, json!({})).await;
    BasicClient::new(ClientId::new("web".into()))
        .set_client_secret(ClientSecret::new(SECRET.into()))
        .set_token_uri(TokenUrl::new(server.public("/oauth2/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new("https://app.example/cb".into()).unwrap())
}

/// Which row key a token minted by a test is stored under.
#[derive(Clone, Copy)]
enum RowKey {
    /// Issue time then signature, as this version stores rows.
    Current,
    /// The signature alone, as versions before the time-ordered keys stored rows.
    Legacy,
}

impl RowKey {
    fn apply(self, signature: TokenSignature) -> TokenSignature {
        match self {
            RowKey::Current => signature,
            RowKey::Legacy => signature.legacy().unwrap(),
        }
    }
}

/// [`mint_code`] with the row stored under `key`.
async fn mint_code_keyed(
    server: &TestServer,
    client: &str,
    challenge: &str,
    key: RowKey,
) -> String {
    let now = oxydra_core::clock::Clock::now(server.clock.as_ref());
    let (code, signature) = server
        .state
        .token_keys
        .generate(TokenKind::AuthorizeCode, now)
        .unwrap();
    let signature = key.apply(signature);
    let row = StoredToken {
        signature,
        kind: TokenKind::AuthorizeCode,
        request_id: RequestId::generate(),
        client_id: oxydra_core::ClientId::parse(client).unwrap(),
        subject: "alice".into(),
        granted_scope: vec!["read".into(), "offline".into()],
        granted_audience: vec![],
        issued_at: now,
        expires_at: Some(now.plus(Duration::from_secs(600))),
        active: true,
        session: TokenSession {
            redirect_uri: Some("https://app.example/cb".into()),
            code_challenge: Some(challenge.into()),
            ..TokenSession::default()
        },
    };
    server.state.store.insert_tokens(&[row]).await.unwrap();
    code
}

store_test! {
    async fn client_credentials_with_the_oauth2_crate(store: SqlStore) {
        let server = TestServer::start(store, &[]).await;
        register(&server, "svc", SECRET, json!({})).await;
        // Basic auth (the crate form-URL-encodes id and secret, RFC 6749 §2.3.1) and body auth.
        for (auth, method) in [
            (AuthType::BasicAuth, "client_secret_basic"),
            (AuthType::RequestBody, "client_secret_post"),
        ] {
            let id = format!("svc-{method}");
            register(&server, &id, SECRET, json!({"token_endpoint_auth_method": method})).await;
            let client = BasicClient::new(ClientId::new(id.clone()))
                .set_client_secret(ClientSecret::new(SECRET.into()))
                .set_auth_type(auth)
                .set_token_uri(TokenUrl::new(server.public("/oauth2/token")).unwrap());
            let token = client
                .exchange_client_credentials()
                .add_scope(Scope::new("read".into()))
                .request_async(&send)
                .await
                .unwrap();
            assert_eq!(token.expires_in(), Some(Duration::from_secs(3600)));
            assert!(token.refresh_token().is_none());
            let info = introspect(&server, token.access_token().secret()).await;
            assert_eq!(info["active"], true);
            assert_eq!(info["sub"], id.as_str());
            assert_eq!(info["scope"], "read");
        }
        let wrong = BasicClient::new(ClientId::new("svc".into()))
            .set_client_secret(ClientSecret::new("wrong".into()))
            .set_token_uri(TokenUrl::new(server.public("/oauth2/token")).unwrap());
        let err = wrong.exchange_client_credentials().request_async(&send).await.unwrap_err();
        assert!(format!("{err:?}").contains("invalid_client"), "{err:?}");
    }

    async fn code_refresh_reuse_and_revocation_with_the_oauth2_crate(store: SqlStore) {
        let server = TestServer::start(store, &[]).await;
        let client = web_client(&server).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let code = mint_code(&server, "web", challenge.as_str()).await;
        let first = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .set_pkce_verifier(verifier)
            .request_async(&send)
            .await
            .unwrap();
        assert!(first.refresh_token().is_some());
        assert_eq!(introspect(&server, first.access_token().secret()).await["sub"], "alice");

        // The code is single use.
        let (_, verifier) = PkceCodeChallenge::new_random_sha256();
        let again = client.exchange_code(AuthorizationCode::new(code)).set_pkce_verifier(verifier).request_async(&send).await;
        assert!(format!("{:?}", again.unwrap_err()).contains("invalid_grant"));
        assert_eq!(introspect(&server, first.access_token().secret()).await, json!({"active": false}));

        // A fresh grant: rotate, then replay the rotated token.
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let code = mint_code(&server, "web", challenge.as_str()).await;
        let grant = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&send)
            .await
            .unwrap();
        let rt_a = grant.refresh_token().unwrap().clone();
        let rotated = client.exchange_refresh_token(&rt_a).request_async(&send).await.unwrap();
        let rt_b = rotated.refresh_token().unwrap().clone();
        assert_ne!(rt_a.secret(), rt_b.secret());
        let replay = client.exchange_refresh_token(&rt_a).request_async(&send).await;
        assert!(format!("{:?}", replay.unwrap_err()).contains("invalid_grant"));
        assert_eq!(introspect(&server, rotated.access_token().secret()).await, json!({"active": false}));
        assert!(client.exchange_refresh_token(&rt_b).request_async(&send).await.is_err());

        // Revocation (RFC 7009) kills access and refresh tokens of the grant. The crate refuses
        // a non-https revocation URL (RFC 7009 §2 requires TLS), so plain reqwest sends it.
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let code = mint_code(&server, "web", challenge.as_str()).await;
        let live = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&send)
            .await
            .unwrap();
        let refresh: RefreshToken = live.refresh_token().unwrap().clone();
        let res = reqwest::Client::new()
            .post(server.public("/oauth2/revoke"))
            .basic_auth("web", Some(SECRET))
            .form(&[("token", live.access_token().secret())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(introspect(&server, live.access_token().secret()).await, json!({"active": false}));
        assert_eq!(introspect(&server, refresh.secret()).await, json!({"active": false}));
    }

    async fn rows_stored_under_legacy_keys_keep_working(store: SqlStore) {
        // A database written before row keys began with the issue time holds codes and tokens
        // keyed by their signature alone; they must still redeem, refresh, introspect and
        // revoke after the upgrade.
        let server = TestServer::start(store, &[]).await;
        let client = web_client(&server).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let code = mint_code_keyed(&server, "web", challenge.as_str(), RowKey::Legacy).await;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .set_pkce_verifier(verifier)
            .request_async(&send)
            .await
            .unwrap();
        assert_eq!(introspect(&server, tokens.access_token().secret()).await["active"], true);
        // The legacy code was marked used: a replay fails and revokes what it issued.
        let (_, verifier) = PkceCodeChallenge::new_random_sha256();
        let replay = client.exchange_code(AuthorizationCode::new(code)).set_pkce_verifier(verifier).request_async(&send).await;
        assert!(format!("{:?}", replay.unwrap_err()).contains("invalid_grant"));

        // A legacy access and refresh token pair.
        let now = oxydra_core::clock::Clock::now(server.clock.as_ref());
        let keys = &server.state.token_keys;
        let (access, access_sig) = keys.generate(TokenKind::AccessToken, now).unwrap();
        let (refresh, refresh_sig) = keys.generate(TokenKind::RefreshToken, now).unwrap();
        let request_id = RequestId::generate();
        let row = |kind, signature: TokenSignature, expires_at| StoredToken {
            signature: RowKey::Legacy.apply(signature),
            kind,
            request_id: request_id.clone(),
            client_id: oxydra_core::ClientId::parse("web").unwrap(),
            subject: "alice".into(),
            granted_scope: vec!["read".into(), "offline".into()],
            granted_audience: vec![],
            issued_at: now,
            expires_at,
            active: true,
            session: TokenSession::default(),
        };
        let expiry = Some(now.plus(Duration::from_secs(600)));
        let rows = [
            row(TokenKind::AccessToken, access_sig, expiry),
            row(TokenKind::RefreshToken, refresh_sig, None),
        ];
        server.state.store.insert_tokens(&rows).await.unwrap();
        let info = introspect(&server, &access).await;
        assert_eq!((info["active"].as_bool(), info["sub"].as_str()), (Some(true), Some("alice")));
        assert_eq!(introspect(&server, &refresh).await["active"], true);
        let refresh = RefreshToken::new(refresh);
        let rotated = client.exchange_refresh_token(&refresh).request_async(&send).await.unwrap();
        // Rotation retired the legacy pair and issued rows under current keys.
        assert_eq!(introspect(&server, &access).await, json!({"active": false}));
        assert_eq!(introspect(&server, refresh.secret()).await, json!({"active": false}));
        assert_eq!(introspect(&server, rotated.access_token().secret()).await["active"], true);
        let replay = client.exchange_refresh_token(&refresh).request_async(&send).await;
        assert!(format!("{:?}", replay.unwrap_err()).contains("invalid_grant"));
    }
}
