//! A TCP proxy in the test, between the server and PostgreSQL, that can cut the database off
//! without touching the shared PostgreSQL server: [`Mode::Blackhole`] closes every proxied
//! connection and leaves new ones hanging without a byte (a network partition), until
//! [`Mode::Forward`] again.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forward to the upstream.
    Forward,
    /// Cut live connections; accept new ones and never answer.
    Blackhole,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    mode: watch::Sender<Mode>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Starts forwarding `127.0.0.1:<port>` → `upstream`.
    pub async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (mode, watch) = watch::channel(Mode::Forward);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, upstream.clone(), watch.clone()));
            }
        });
        Proxy { addr, mode, task }
    }

    /// Switches the mode; `Blackhole` cuts the live connections at once.
    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut client: TcpStream, upstream: String, mut mode: watch::Receiver<Mode>) {
    if *mode.borrow_and_update() == Mode::Blackhole {
        // Hold the socket silently until the partition heals, then drop it.
        let _ = mode.wait_for(|m| *m == Mode::Forward).await;
        return;
    }
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = mode.wait_for(|m| *m == Mode::Blackhole) => {}
    }
}
