//! A PostgreSQL outage under load (`TEST_DATABASE_URL`): a TCP proxy in the test cuts the
//! server off the database (the shared PostgreSQL server is never touched). Every request must
//! answer a JSON 503 within 1 s, `/health/ready` must report not ready within 1 s, and service
//! must come back by itself once the proxy forwards again.
//!
//! Reproduce (figures on stdout):
//! `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo test -p oxydra --test cli outage -- --nocapture`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, postgres_schema};
use crate::tcp_proxy::{Mode, Proxy};

const CLIENT: &str = "outage-client";
const SECRET: &str = "outage-secret";
/// What the outage may cost a request, and the detection.
const FAST: Duration = Duration::from_secs(1);

/// One token request: when it started (relative to the test), how long it took, its status.
#[derive(Debug)]
struct Sample {
    started: Instant,
    took: Duration,
    status: u16,
    body: Value,
}

async fn token(http: &reqwest::Client, public: &str) -> Sample {
    let started = Instant::now();
    let res = http
        .post(format!("{public}/oauth2/token"))
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("token request failed at the transport level: {e}"));
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(Value::Null);
    Sample {
        started,
        took: started.elapsed(),
        status,
        body,
    }
}

async fn ready(http: &reqwest::Client, admin: &str) -> (u16, Duration) {
    let started = Instant::now();
    let res = http
        .get(format!("{admin}/health/ready"))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), started.elapsed())
}

/// Polls readiness until it reports `want`; returns how long that took after `since`.
async fn until_ready_is(
    http: &reqwest::Client,
    admin: &str,
    want: u16,
    since: Instant,
) -> Duration {
    loop {
        let (status, took) = ready(http, admin).await;
        assert!(took < FAST, "/health/ready took {took:?}");
        if status == want {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < Duration::from_secs(20),
            "/health/ready never became {want}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_answers_503_fast_and_recovers_by_itself() {
    let Some((store, url)) = postgres_schema("a_database_outage_answers_503_fast").await else {
        return;
    };
    let mut proxied = url::Url::parse(&url).unwrap();
    let upstream = format!(
        "{}:{}",
        proxied.host_str().unwrap(),
        proxied.port().unwrap_or(5432)
    );
    let proxy = Proxy::start(upstream).await;
    proxied.set_host(Some("127.0.0.1")).unwrap();
    proxied.set_port(Some(proxy.addr.port())).unwrap();
    let server = Server::start_with(&[("DATABASE_URL", proxied.as_str())]);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let created = http
        .post(format!("{}/clients", server.admin))
        .json(&json!({"client_id": CLIENT, "client_secret": SECRET, "grant_types": ["client_credentials"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(token(&http, &server.public).await.status, 200);

    // Load: four clients issuing tokens back to back through the outage.
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (http, public, stop) = (http.clone(), server.public.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                samples.push(token(&http, &public).await);
            }
            samples
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    proxy.set(Mode::Blackhole);
    let cut = Instant::now();
    let detected = until_ready_is(&http, &server.admin, 503, cut).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let healed_at = Instant::now();
    proxy.set(Mode::Forward);
    let recovered = until_ready_is(&http, &server.admin, 200, healed_at).await;
    let token_back = loop {
        if token(&http, &server.public).await.status == 200 {
            break healed_at.elapsed();
        }
        assert!(
            healed_at.elapsed() < Duration::from_secs(20),
            "tokens never came back"
        );
    };
    stop.store(true, Ordering::Relaxed);
    let mut samples = Vec::new();
    for worker in workers {
        samples.extend(worker.await.unwrap());
    }

    let during: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.started >= cut && s.started < healed_at)
        .collect();
    let unavailable = during.iter().filter(|s| s.status == 503).count();
    for s in &during {
        assert!(
            s.took < FAST,
            "a request during the outage took {:?}",
            s.took
        );
        assert!(matches!(s.status, 200 | 503), "{} {}", s.status, s.body);
        if s.status == 503 {
            assert_eq!(s.body["error"], "temporarily_unavailable", "{}", s.body);
        }
    }
    assert!(
        unavailable > 10,
        "only {unavailable} requests saw the outage"
    );
    let slowest = during.iter().map(|s| s.took).max().unwrap_or_default();
    assert!(
        detected < FAST,
        "readiness noticed the outage after {detected:?}"
    );
    assert!(
        token_back < Duration::from_secs(5),
        "tokens came back after {token_back:?}"
    );
    println!(
        "outage: {} requests during a {:.1} s outage, {unavailable} answered 503, slowest {:.3} s; \
         /health/ready not ready after {:.3} s; ready again {:.3} s and tokens {:.3} s after the \
         database returned",
        during.len(),
        (healed_at - cut).as_secs_f64(),
        slowest.as_secs_f64(),
        detected.as_secs_f64(),
        recovered.as_secs_f64(),
        token_back.as_secs_f64(),
    );
    drop(server);
    store.cleanup().await;
}
