//! Crash durability: a client whose create answered 201 survives `kill -9` of the server.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::mpsc;

use crate::migrate::sqlite_dsn;
use crate::support::Server;

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
