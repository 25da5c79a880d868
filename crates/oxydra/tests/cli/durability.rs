//! Crash durability: a client whose create answered 201, and a token answered 200, survive
//! `kill -9` of the server mid-load (SQLite file; PostgreSQL with `TEST_DATABASE_URL`).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::mpsc;

use crate::migrate::sqlite_dsn;
use crate::support::{Server, postgres_schema};

const WORKERS: usize = 5;
const PER_WORKER: usize = 10;
/// Kill the server once this many creates have been acknowledged, so the rest are in flight.
const KILL_AFTER: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_creates_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let dsn = sqlite_dsn(&dir);
    let mut server = Server::start_with(&[("DATABASE_URL", &dsn)]);
    let clients_url = format!("{}/clients", server.admin);
    let http = reqwest::Client::new();

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut workers = Vec::new();
    for worker in 0..WORKERS {
        let (tx, http, url) = (tx.clone(), http.clone(), clients_url.clone());
        workers.push(tokio::spawn(async move {
            for n in 0..PER_WORKER {
                let id = format!("durable-{worker}-{n}");
                let sent = http.post(&url).json(&json!({"client_id": id})).send().await;
                let created = matches!(&sent, Ok(r) if r.status() == StatusCode::CREATED);
                let failed = sent.is_err();
                if tx.send((id, created)).is_err() || failed {
                    return;
                }
            }
        }));
    }
    drop(tx);

    let mut acknowledged = BTreeSet::new();
    let mut answered = 0;
    while let Some((id, created)) = rx.recv().await {
        answered += 1;
        if created {
            acknowledged.insert(id);
        }
        if acknowledged.len() == KILL_AFTER {
            server.kill();
            break;
        }
    }
    assert_eq!(
        acknowledged.len(),
        KILL_AFTER,
        "only {answered} answers before the workers ended"
    );
    // Whatever was in flight when the server died is drained; those creates may or may not
    // have been committed, so they are not asserted either way.
    for worker in workers {
        worker.await.unwrap();
    }
    while let Some((id, created)) = rx.recv().await {
        if created {
            acknowledged.insert(id);
        }
    }
    assert!(
        acknowledged.len() < WORKERS * PER_WORKER,
        "the kill came after every request"
    );

    let restarted = Server::start_with(&[("DATABASE_URL", &dsn)]);
    for id in &acknowledged {
        let response = http
            .get(format!("{}/clients/{id}", restarted.admin))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{id} was acknowledged but is gone"
        );
    }
    let listed: Vec<serde_json::Value> = http
        .get(format!("{}/clients?limit=500", restarted.admin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.len() >= acknowledged.len());
}

/// Kills per backend; each restarts on the same database and checks every token so far.
const KILLS: usize = 2;
/// Token requests in flight at once.
const TOKEN_WORKERS: usize = 8;
/// Kill once this many tokens were acknowledged in the round.
const TOKENS_BEFORE_KILL: usize = 150;

/// Issues client_credentials tokens from `TOKEN_WORKERS` tasks until `count` are answered
/// 200, then SIGKILLs the server mid-load. Returns every token answered 200 (including any
/// acknowledged while the kill landed).
async fn issue_then_kill(server: &mut Server, count: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let url = format!("{}/oauth2/token", server.public);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut workers = Vec::new();
    for _ in 0..TOKEN_WORKERS {
        let (tx, http, url) = (tx.clone(), http.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let sent = http
                    .post(&url)
                    .basic_auth("durable", Some("durable-secret"))
                    .form(&[("grant_type", "client_credentials")])
                    .send()
                    .await;
                let Ok(res) = sent else { return };
                let token = match res.status() {
                    StatusCode::OK => res
                        .json::<serde_json::Value>()
                        .await
                        .ok()
                        .and_then(|v| v["access_token"].as_str().map(str::to_owned)),
                    _ => None,
                };
                if tx.send(token).is_err() {
                    return;
                }
            }
        }));
    }
    drop(tx);
    let mut acknowledged = Vec::new();
    while let Some(token) = rx.recv().await {
        acknowledged.extend(token);
        if acknowledged.len() == count {
            server.kill();
            break;
        }
    }
    for worker in workers {
        worker.await.unwrap();
    }
    while let Some(token) = rx.recv().await {
        acknowledged.extend(token);
    }
    acknowledged
}

/// `KILLS` rounds of load + SIGKILL + restart on `dsn`; every token ever acknowledged must
/// still introspect as active. Returns (acknowledged, lost) per kill.
async fn tokens_survive_sigkill(dsn: &str) -> Vec<(usize, usize)> {
    let http = reqwest::Client::new();
    let mut server = Server::start_with(&[("DATABASE_URL", dsn)]);
    let created = http
        .post(format!("{}/clients", server.admin))
        .json(&json!({"client_id": "durable", "client_secret": "durable-secret", "grant_types": ["client_credentials"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let mut all = Vec::new();
    let mut figures = Vec::new();
    for _ in 0..KILLS {
        let round = issue_then_kill(&mut server, TOKENS_BEFORE_KILL).await;
        server = Server::start_with(&[("DATABASE_URL", dsn)]);
        let acknowledged = round.len();
        all.extend(round);
        let mut lost = 0;
        for token in &all {
            let info: serde_json::Value = http
                .post(format!("{}/oauth2/introspect", server.admin))
                .form(&[("token", token.as_str())])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if info["active"] != true {
                lost += 1;
            }
        }
        figures.push((acknowledged, lost));
    }
    assert!(
        figures.iter().all(|(_, lost)| *lost == 0),
        "acknowledged tokens lost to SIGKILL (acknowledged, lost) per kill: {figures:?}"
    );
    figures
}

/// Reproduce: `cargo test -p oxydra --test cli tokens_survive -- --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_tokens_survive_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let figures = tokens_survive_sigkill(&sqlite_dsn(&dir)).await;
    println!("kill -9 on a SQLite file: (acknowledged, lost) per kill: {figures:?}");
}

/// Reproduce: `TEST_DATABASE_URL=postgres://... cargo test -p oxydra --test cli tokens_survive -- --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_tokens_survive_sigkill_on_postgres() {
    let Some((store, url)) =
        postgres_schema("acknowledged_tokens_survive_sigkill_on_postgres").await
    else {
        return;
    };
    let figures = tokens_survive_sigkill(&url).await;
    println!("kill -9 on PostgreSQL: (acknowledged, lost) per kill: {figures:?}");
    store.cleanup().await;
}
