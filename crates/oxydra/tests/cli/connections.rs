//! Slow and silent clients against the real listeners: raw TCP sockets, short configured
//! timeouts, and the server must close them; a flood of silent sockets on the public port,
//! under a low open-file limit, must leave the admin port answering.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::Server;

/// The timeouts the test server runs with.
const SHORT: [(&str, &str); 3] = [
    ("OXYDRA_IDLE_TIMEOUT", "1s"),
    ("OXYDRA_HEADER_READ_TIMEOUT", "1s"),
    ("OXYDRA_BODY_READ_TIMEOUT", "1s"),
];
/// How long past its timeout the server may take to close a connection.
const GRACE: Duration = Duration::from_secs(3);

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (EOF or reset), or `within` passes.
/// Returns what was read and when the close came, `None` if it never did.
async fn read_until_closed(socket: &mut TcpStream, within: Duration) -> (String, Option<Duration>) {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, socket.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (
                    String::from_utf8_lossy(&seen).into_owned(),
                    Some(started.elapsed()),
                );
            }
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&seen).into_owned(), None),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_slow_clients_are_disconnected() {
    let server = Server::start_with(&SHORT);
    let public = host_port(&server.public);

    // A connection that never sends a byte.
    let mut silent = TcpStream::connect(&public).await.unwrap();
    // Headers trickled a byte at a time (slowloris): each byte comes well within the idle
    // timeout, but the headers never complete.
    let mut trickle = TcpStream::connect(&public).await.unwrap();
    trickle
        .write_all(b"GET /health/alive HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut trickle_writer = {
        let (mut reader, mut writer) = trickle.into_split();
        let feeder = tokio::spawn(async move {
            for _ in 0..40 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if writer.write_all(b"X").await.is_err() {
                    return;
                }
            }
        });
        let closed = tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            let started = Instant::now();
            let outcome =
                tokio::time::timeout(Duration::from_secs(1) + GRACE, reader.read(&mut buf)).await;
            (
                outcome.map(|r| r.map(|n| buf[..n].to_vec())),
                started.elapsed(),
            )
        });
        (feeder, closed)
    };
    // A body shorter than its Content-Length.
    let mut short_body = TcpStream::connect(&public).await.unwrap();
    short_body
        .write_all(
            b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\ngrant_type=client",
        )
        .await
        .unwrap();
    // A keep-alive connection left idle after one request.
    let mut keep_alive = TcpStream::connect(&public).await.unwrap();
    keep_alive
        .write_all(b"GET /health/alive HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();

    let (_, closed) = read_until_closed(&mut silent, Duration::from_secs(1) + GRACE).await;
    assert!(closed.is_some(), "a silent connection stayed open");

    let (answer, closed) = read_until_closed(&mut short_body, Duration::from_secs(1) + GRACE).await;
    assert!(
        closed.is_some(),
        "a short body kept its connection open; read {answer:?}"
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("invalid_request"), "{answer}");

    let (answer, closed) = read_until_closed(&mut keep_alive, Duration::from_secs(1) + GRACE).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        closed.is_some(),
        "an idle keep-alive connection stayed open"
    );

    let (feeder, closed) = &mut trickle_writer;
    let (outcome, after) = closed.await.unwrap();
    feeder.abort();
    match outcome {
        Ok(Ok(bytes)) => assert!(
            bytes.is_empty(),
            "trickled headers got an answer: {}",
            String::from_utf8_lossy(&bytes)
        ),
        Ok(Err(_)) => {}
        Err(_) => panic!("trickled headers kept the connection open for {after:?}"),
    }

    // The server is still healthy.
    let alive = reqwest::get(format!("{}/health/alive", server.public))
        .await
        .unwrap();
    assert_eq!(alive.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooded_public_port_leaves_the_admin_port_answering() {
    // Under this limit, 400 silent sockets used to exhaust the descriptors: both ports, and
    // the database, stopped answering until the client went away.
    let server = Server::start_with_file_limit(256, &[]);
    let public = host_port(&server.public);
    let mut flood = Vec::new();
    // Beyond the cap, connections complete in the kernel's backlog (until it is full). On a
    // loaded machine the server may accept its share late, so a connect that times out is
    // retried until 250 are open or the deadline passes (a full backlog drops SYNs).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while flood.len() < 250 && std::time::Instant::now() < deadline {
        if let Ok(Ok(socket)) =
            tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(&public)).await
        {
            flood.push(socket);
        }
    }
    // More than the descriptors the server has: the cap (144 here) plus a full backlog.
    assert!(
        flood.len() >= 250,
        "only {} flood sockets connected",
        flood.len()
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    for path in ["/health/ready", "/clients", "/health/alive"] {
        let started = Instant::now();
        let res = http.get(format!("{}{path}", server.admin)).send().await;
        let res = res.unwrap_or_else(|e| panic!("admin {path} while flooded: {e}"));
        assert_eq!(res.status(), 200, "admin {path}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    assert!(
        server.stderr().contains("connection caps lowered"),
        "{}",
        server.stderr()
    );
    drop(flood);
    // Once the flood is gone, the public port serves again.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let res = http
        .get(format!(
            "{}/.well-known/openid-configuration",
            server.public
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
