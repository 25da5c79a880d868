//! The machine's ceiling: a minimal axum `GET /` → `Hello, World!` served by the benchmark itself
//! on `127.0.0.1:0`, in its own multi-threaded tokio runtime on its own OS thread, so it is loaded
//! by the same wrk settings as the server and shares nothing with the benchmark's own runtime.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, anyhow};
use axum::Router;
use axum::routing::get;
use tokio::sync::oneshot;

/// How long the hello-world server may take to bind.
const BIND_TIMEOUT: Duration = Duration::from_secs(10);

/// A running hello-world server; [`HelloWorld::stop`] (or dropping it) shuts it down.
#[derive(Debug)]
pub struct HelloWorld {
    /// The address it listens on.
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

/// The route: the smallest response axum can give.
async fn hello() -> &'static str {
    "Hello, World!"
}

impl HelloWorld {
    /// Starts the server on a new thread with a multi-threaded runtime (one worker per core).
    pub fn start() -> anyhow::Result<HelloWorld> {
        let (ready_tx, ready_rx) = mpsc::channel::<anyhow::Result<SocketAddr>>();
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("hello-world".to_owned())
            .spawn(move || serve(&ready_tx, shutdown_rx))
            .context("cannot spawn the hello-world thread")?;
        let addr = ready_rx.recv_timeout(BIND_TIMEOUT).map_err(|_| {
            anyhow!("the hello-world server did not start within {BIND_TIMEOUT:?}")
        })??;
        Ok(HelloWorld {
            addr,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }

    /// The URL of the route.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Shuts the server down and joins its thread.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown_now()
    }

    fn shutdown_now(&mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow!("the hello-world thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for HelloWorld {
    fn drop(&mut self) {
        let _ = self.shutdown_now();
    }
}

/// The thread's body: build the runtime, bind, report the address, serve until told to stop.
fn serve(
    ready: &mpsc::Sender<anyhow::Result<SocketAddr>>,
    shutdown: oneshot::Receiver<()>,
) -> anyhow::Result<()> {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("hello-world-worker")
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(anyhow!("cannot build the hello-world runtime: {e}")));
            return Ok(());
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(e) => {
                let _ = ready.send(Err(anyhow!("cannot bind 127.0.0.1:0: {e}")));
                return Ok(());
            }
        };
        let _ = ready.send(listener.local_addr().context("local address"));
        let app = Router::new().route("/", get(hello));
        // Not a graceful shutdown: open connections must not keep the thread alive. Dropping the
        // runtime below cancels the connection tasks.
        tokio::select! {
            result = axum::serve(listener, app) => result.context("the hello-world server failed"),
            _ = shutdown => Ok(()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_hello_world() {
        let server = HelloWorld::start().unwrap();
        let body = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(server.url())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(body, "Hello, World!");
        server.stop().unwrap();
    }
}
