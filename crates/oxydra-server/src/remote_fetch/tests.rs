use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use super::*;

/// A document server on `127.0.0.1:0` (bound before spawning): `/doc` answers `[]`,
/// `/to-private` and `/to-http` redirect to places a fetch must not follow. Returns its base
/// URL (`http://127.0.0.1:<port>`) and the number of requests it served.
async fn doc_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    let app = Router::new()
        .route(
            "/doc",
            get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { "[]" }
            }),
        )
        .route(
            "/to-private",
            get(|| async { Redirect::temporary("http://10.0.0.1/doc") }),
        )
        .route(
            "/to-http",
            get(|| async { Redirect::temporary("http://docs.example/doc") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), hits)
}

fn fetcher(dev: bool) -> RemoteFetcher {
    RemoteFetcher::new(FetchPolicy {
        dev,
        ..FetchPolicy::default()
    })
    .unwrap()
}

#[test]
fn urls_are_https_and_public_unless_in_development_mode() {
    use FetchError::{NonPublicAddress as Private, NotAllowed as Scheme};
    let url = |raw: &str| Url::parse(raw).unwrap();
    for (raw, production, development) in [
        ("https://keys.example/jwks.json", Ok(()), Ok(())),
        ("https://93.184.216.34/jwks.json", Ok(()), Ok(())),
        ("https://127.0.0.1/jwks.json", Err(Private), Ok(())),
        ("https://10.0.0.1/jwks.json", Err(Private), Ok(())),
        (
            "https://169.254.169.254/latest/meta-data",
            Err(Private),
            Ok(()),
        ),
        ("https://[::1]/jwks.json", Err(Private), Ok(())),
        ("https://[fd00::1]/jwks.json", Err(Private), Ok(())),
        ("https://[::ffff:10.0.0.1]/jwks.json", Err(Private), Ok(())),
        ("https://0x7f.1/jwks.json", Err(Private), Ok(())),
        ("http://127.0.0.1:9/x", Err(Scheme), Ok(())),
        ("http://localhost/x", Err(Scheme), Ok(())),
        ("http://[::1]/x", Err(Scheme), Ok(())),
        ("http://evillocalhost/x", Err(Scheme), Err(Scheme)),
        ("http://keys.example/x", Err(Scheme), Err(Scheme)),
        ("ftp://keys.example/x", Err(Scheme), Err(Scheme)),
        ("file:///etc/passwd", Err(Scheme), Err(Scheme)),
    ] {
        assert_eq!(check_url(&url(raw), false), production, "{raw}");
        assert_eq!(check_url(&url(raw), true), development, "{raw}");
    }
}

/// Issue 11 item 10: outside development mode nothing on this host is reachable — not by
/// plain http, not by an IP literal, and not by a name that resolves to loopback.
#[tokio::test]
async fn production_mode_refuses_loopback_by_address() {
    let (base, hits) = doc_server().await;
    let port = base.rsplit(':').next().unwrap();
    let strict = fetcher(false);
    let refused = [
        (format!("{base}/doc"), FetchError::NotAllowed),
        (
            format!("https://127.0.0.1:{port}/doc"),
            FetchError::NonPublicAddress,
        ),
        (
            format!("https://[::1]:{port}/doc"),
            FetchError::NonPublicAddress,
        ),
        // A name: refused for the address it resolves to, before any connection.
        (
            format!("https://localhost:{port}/doc"),
            FetchError::NonPublicAddress,
        ),
    ];
    for (uri, want) in refused {
        assert_eq!(
            strict.get(&uri, "application/json").await,
            Err(want),
            "{uri}"
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no request reached the server"
    );
    // The same server is reachable in development mode.
    let dev = fetcher(true);
    assert_eq!(
        dev.get(&format!("{base}/doc"), "application/json").await,
        Ok(b"[]".to_vec())
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn redirects_are_checked_like_the_first_url() {
    let (base, _) = doc_server().await;
    let dev = fetcher(true);
    for path in ["/to-private", "/to-http"] {
        assert_eq!(
            dev.get(&format!("{base}{path}"), "application/json").await,
            Err(FetchError::NotAllowed),
            "{path}"
        );
    }
}

#[test]
fn errors_carry_no_remote_detail() {
    for e in [
        FetchError::NotAllowed,
        FetchError::NonPublicAddress,
        FetchError::Timeout,
        FetchError::Unreachable,
        FetchError::ErrorStatus,
        FetchError::TooLarge,
    ] {
        assert!(!e.reason().chars().any(|c| c.is_ascii_digit()), "{e:?}");
    }
}
