use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::get;
use oxydra_core::client::ClientInput;
use oxydra_core::config::ClientPolicy;
use oxydra_core::model::Now;
use serde_json::json;

use super::*;
use crate::remote_fetch::FetchPolicy;

/// What the fake key server answers, and how often it was asked.
#[derive(Default)]
struct Served {
    hits: AtomicUsize,
    response: Mutex<(u16, String)>,
}

impl Served {
    fn set(&self, status: u16, body: impl Into<String>) {
        *self.response.lock().unwrap() = (status, body.into());
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn serve_jwks(State(served): State<Arc<Served>>) -> (StatusCode, String) {
    served.hits.fetch_add(1, Ordering::SeqCst);
    let (status, body) = served.response.lock().unwrap().clone();
    (StatusCode::from_u16(status).unwrap(), body)
}

/// A key server on `127.0.0.1:0` (bound before spawning, so no waiting) serving `body`.
async fn key_server(body: &Value) -> (String, Arc<Served>) {
    let served = Arc::new(Served::default());
    served.set(200, body.to_string());
    let app = Router::new()
        .route("/jwks.json", get(serve_jwks))
        .route("/hop", get(|| async { Redirect::temporary("/jwks.json") }))
        .route(
            "/insecure",
            get(|| async { Redirect::temporary("http://keys.example/jwks.json") }),
        )
        .with_state(Arc::clone(&served));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/jwks.json"), served)
}

fn set(kids: &[&str]) -> Value {
    let keys: Vec<Value> = kids
        .iter()
        .map(|kid| json!({"kty": "oct", "kid": kid, "k": "AAAA"}))
        .collect();
    json!({ "keys": keys })
}

/// A development-mode downloader (the key servers here are plain http on loopback).
fn dev_remote(max_bytes: usize) -> RemoteFetcher {
    RemoteFetcher::new(FetchPolicy {
        dev: true,
        max_bytes,
        ..FetchPolicy::default()
    })
    .unwrap()
}

fn fetcher(config: JwksFetchConfig) -> JwksFetcher {
    JwksFetcher::new(config, dev_remote(FetchPolicy::default().max_bytes))
}

#[track_caller]
fn hint_of(result: Result<Arc<Value>, OAuthError>) -> String {
    let e = result.expect_err("fetch must fail");
    assert_eq!(e.kind, OAuthErrorKind::InvalidClient, "{e:?}");
    e.hint.expect("a hint").into_owned()
}

#[tokio::test]
async fn fetches_then_serves_from_the_cache() {
    let (uri, served) = key_server(&set(&["a"])).await;
    let f = fetcher(JwksFetchConfig::default());
    assert_eq!(*f.get(&uri, Some("a")).await.unwrap(), set(&["a"]));
    assert_eq!(*f.get(&uri, None).await.unwrap(), set(&["a"]));
    // A clone shares the cache.
    assert_eq!(*f.clone().get(&uri, Some("a")).await.unwrap(), set(&["a"]));
    assert_eq!(served.hits(), 1);
}

#[tokio::test]
async fn refetches_after_the_ttl() {
    let (uri, served) = key_server(&set(&["a"])).await;
    let f = fetcher(JwksFetchConfig {
        ttl: Duration::ZERO,
        refetch_interval: Duration::ZERO,
        ..JwksFetchConfig::default()
    });
    f.get(&uri, None).await.unwrap();
    served.set(200, set(&["b"]).to_string());
    assert_eq!(*f.get(&uri, None).await.unwrap(), set(&["b"]));
    assert_eq!(served.hits(), 2);
}

#[tokio::test]
async fn refetches_once_for_an_unknown_kid() {
    let (uri, served) = key_server(&set(&["a"])).await;
    let f = fetcher(JwksFetchConfig {
        refetch_interval: Duration::ZERO,
        ..JwksFetchConfig::default()
    });
    f.get(&uri, Some("a")).await.unwrap();
    // The client rotated its keys: the unknown kid forces a fetch, which finds it.
    served.set(200, set(&["a", "b"]).to_string());
    assert_eq!(*f.get(&uri, Some("b")).await.unwrap(), set(&["a", "b"]));
    assert_eq!(served.hits(), 2);
    // Now cached.
    f.get(&uri, Some("b")).await.unwrap();
    assert_eq!(served.hits(), 2);
}

#[tokio::test]
async fn unknown_kid_refetches_are_rate_limited() {
    let (uri, served) = key_server(&set(&["a"])).await;
    let f = fetcher(JwksFetchConfig::default());
    f.get(&uri, Some("a")).await.unwrap();
    for _ in 0..5 {
        // The cached set comes back (verification then reports the unknown kid).
        assert_eq!(*f.get(&uri, Some("nope")).await.unwrap(), set(&["a"]));
    }
    assert_eq!(served.hits(), 1);
}

#[tokio::test]
async fn refuses_bad_responses() {
    let (uri, served) = key_server(&set(&["a"])).await;
    let f = || JwksFetcher::new(JwksFetchConfig::default(), dev_remote(1024));
    let cases = [
        (200, "not json".to_owned(), "JSON"),
        (200, json!({"no": "keys"}).to_string(), "'keys'"),
        (200, json!({"keys": {}}).to_string(), "'keys'"),
        (404, set(&["a"]).to_string(), "success status"),
        (500, "oops".to_owned(), "success status"),
        (
            200,
            format!("{{\"keys\": [], \"pad\": \"{}\"}}", "x".repeat(2048)),
            "larger than this server accepts",
        ),
    ];
    for (status, body, want) in cases {
        served.set(status, body);
        let e = f().get(&uri, None).await.unwrap_err();
        let shown = format!("{e} {:?} {:?}", e.hint, e.debug);
        let hint = hint_of(Err(e));
        assert!(hint.contains(want), "{want}: {hint}");
        // Issue 11 item 10: neither the remote status nor its body is echoed.
        assert!(
            !shown.contains(&status.to_string()) && !shown.contains("oops"),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn failures_are_not_retried_at_once() {
    let (uri, served) = key_server(&set(&["a"])).await;
    served.set(503, "down");
    let f = fetcher(JwksFetchConfig::default());
    assert!(hint_of(f.get(&uri, Some("a")).await).contains("success status"));
    assert!(hint_of(f.get(&uri, Some("a")).await).contains("success status"));
    assert_eq!(served.hits(), 1);
    // With no re-fetch interval the next call tries again and succeeds.
    let eager = fetcher(JwksFetchConfig {
        refetch_interval: Duration::ZERO,
        ..JwksFetchConfig::default()
    });
    assert!(eager.get(&uri, None).await.is_err());
    served.set(200, set(&["a"]).to_string());
    assert_eq!(*eager.get(&uri, None).await.unwrap(), set(&["a"]));
}

#[tokio::test]
async fn requires_https_except_for_loopback() {
    let f = fetcher(JwksFetchConfig::default());
    for uri in [
        "http://keys.example/jwks.json",
        "http://10.0.0.1/jwks.json",
        "ftp://keys.example/jwks.json",
        "file:///etc/passwd",
        "/relative",
        "",
    ] {
        assert!(hint_of(f.get(uri, None).await).contains("https"), "{uri}");
    }
}

#[tokio::test]
async fn follows_only_safe_redirects() {
    let (uri, served) = key_server(&set(&["a"])).await;
    let f = fetcher(JwksFetchConfig::default());
    let hop = uri.replace("/jwks.json", "/hop");
    assert_eq!(*f.get(&hop, None).await.unwrap(), set(&["a"]));
    assert_eq!(served.hits(), 1);
    let insecure = uri.replace("/jwks.json", "/insecure");
    // Refused by the redirect policy, not by a failed lookup of keys.example.
    assert!(hint_of(f.get(&insecure, None).await).contains("must be an https URL"));
}

#[tokio::test]
async fn unreachable_uri_is_invalid_client() {
    // A port that was just free: nothing listens there now.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let f = fetcher(JwksFetchConfig::default());
    let hint = hint_of(f.get(&format!("http://{addr}/jwks.json"), None).await);
    assert!(hint.contains("could not be fetched"), "{hint}");
}

#[tokio::test]
async fn client_keys_follows_the_key_source() {
    let (uri, served) = key_server(&set(&["a"])).await;
    let mut client = ClientInput {
        client_id: "c".into(),
        token_endpoint_auth_method: "private_key_jwt".into(),
        jwks_uri: uri,
        ..ClientInput::default()
    }
    .validate(None, &ClientPolicy::default(), Now::from_unix_secs(1))
    .unwrap()
    .client;
    let f = fetcher(JwksFetchConfig::default());
    // header {"kid":"a"}; the payload and signature do not matter for key lookup.
    let assertion = "eyJraWQiOiJhIn0.e30.c2ln";
    assert_eq!(
        *f.client_keys(&client, assertion).await.unwrap(),
        set(&["a"])
    );
    assert_eq!(served.hits(), 1);

    client.jwks_uri.clear();
    client.jwks = Some(set(&["inline"]));
    assert_eq!(
        *f.client_keys(&client, assertion).await.unwrap(),
        set(&["inline"])
    );
    client.jwks = None;
    assert!(hint_of(f.client_keys(&client, assertion).await).contains("jwks_uri"));
    assert_eq!(served.hits(), 1);
}
