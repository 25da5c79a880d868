//! [`CappedListener`]: a TCP listener that accepts only while it holds fewer than its cap of
//! connections. The permit is taken *before* `accept`, so connections beyond the cap wait in
//! the kernel's backlog and cost this process no file descriptor.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::connect_info::Connected;
use axum_server::{AddrListener, Address};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::stream::{TimedStream, Timeouts};

/// A peer address as seen through a [`CappedListener`] (axum-server types listeners by their
/// address type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

impl Address for PeerAddr {
    type Stream = TimedStream<TcpStream>;
    type Listener = CappedListener;
}

impl Connected<PeerAddr> for SocketAddr {
    fn connect_info(peer: PeerAddr) -> Self {
        peer.0
    }
}

/// A bound listener with a connection cap and the connection timeouts.
#[derive(Debug)]
pub struct CappedListener {
    inner: TcpListener,
    permits: Arc<Semaphore>,
    timeouts: Timeouts,
}

impl CappedListener {
    /// Wraps a bound std listener: at most `max_connections` open at once.
    pub fn new(
        listener: std::net::TcpListener,
        max_connections: usize,
        timeouts: Timeouts,
    ) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Ok(Self {
            inner: TcpListener::from_std(listener)?,
            permits: Arc::new(Semaphore::new(max_connections)),
            timeouts,
        })
    }
}

impl AddrListener<TimedStream<TcpStream>, PeerAddr> for CappedListener {
    async fn bind_to(_: PeerAddr) -> io::Result<Self> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a CappedListener is built from a bound listener",
        ))
    }

    async fn accept_stream(&self) -> io::Result<(TimedStream<TcpStream>, PeerAddr)> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(io::Error::other)?;
        let (stream, peer) = self.inner.accept().await?;
        Ok((
            TimedStream::new(stream, self.timeouts, permit),
            PeerAddr(peer),
        ))
    }

    fn get_local_addr(&self) -> io::Result<PeerAddr> {
        self.inner.local_addr().map(PeerAddr)
    }
}
