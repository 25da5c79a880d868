//! [`TimedStream`]: a connection that closes itself when its client dawdles.
//!
//! The connection knows (through its [`Tracker`], which the per-connection service updates)
//! whether a request is being served. When none is, it allows [`Timeouts::idle`] without a
//! byte, and once a byte of the next request arrived, [`Timeouts::header_read`] until that
//! request's headers are complete (the service is called). While a request is served the read
//! side has no deadline (the body has its own, see `service.rs`). A write that makes no
//! progress for [`Timeouts::idle`] fails too, so a client that stops reading cannot pin a
//! connection. This sits under TLS and HTTP/1 or HTTP/2 alike, including hyper's protocol
//! sniffing, which has no timeout of its own.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};

/// The connection timeouts (see `OXYDRA_*_TIMEOUT` in `docs/configuration.md`).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From the first byte of a request until its headers are complete.
    pub header_read: Duration,
    /// From a request's headers until its body is read.
    pub body_read: Duration,
    /// Without a request, or a write without progress.
    pub idle: Duration,
}

/// What the connection is doing, shared between the stream and its service.
#[derive(Debug)]
pub struct Tracker {
    timeouts: Timeouts,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    in_flight: usize,
    idle_since: Instant,
    first_byte: Option<Instant>,
}

impl Tracker {
    fn new(timeouts: Timeouts) -> Self {
        Self {
            timeouts,
            state: Mutex::new(State {
                in_flight: 0,
                idle_since: Instant::now(),
                first_byte: None,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The configured timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// A request's headers were read: the service is called.
    pub fn request_started(&self) {
        let mut state = self.state();
        state.in_flight += 1;
        state.first_byte = None;
    }

    /// A request's response was produced (or abandoned).
    pub fn request_finished(&self) {
        let mut state = self.state();
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight == 0 {
            state.idle_since = Instant::now();
            state.first_byte = None;
        }
    }

    fn bytes_read(&self) {
        let mut state = self.state();
        if state.in_flight == 0 && state.first_byte.is_none() {
            state.first_byte = Some(Instant::now());
        }
    }

    /// When a pending read fails: `None` while a request is served.
    fn read_deadline(&self) -> Option<Instant> {
        let state = self.state();
        if state.in_flight > 0 {
            return None;
        }
        Some(match state.first_byte {
            Some(first) => first + self.timeouts.header_read,
            None => state.idle_since + self.timeouts.idle,
        })
    }
}

/// A socket with the deadlines above, holding its listener's connection permit.
#[derive(Debug)]
pub struct TimedStream<S> {
    io: S,
    tracker: Arc<Tracker>,
    read_timer: Pin<Box<Sleep>>,
    write_timer: Option<Pin<Box<Sleep>>>,
    _permit: OwnedSemaphorePermit,
}

impl<S> TimedStream<S> {
    /// Wraps an accepted socket; the permit is released when the connection closes.
    pub fn new(io: S, timeouts: Timeouts, permit: OwnedSemaphorePermit) -> Self {
        Self {
            io,
            tracker: Arc::new(Tracker::new(timeouts)),
            read_timer: Box::pin(tokio::time::sleep(timeouts.idle)),
            write_timer: None,
            _permit: permit,
        }
    }

    /// The tracker the connection's service reports requests to.
    pub fn tracker(&self) -> Arc<Tracker> {
        self.tracker.clone()
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, format!("client {what} timed out"))
}

impl<S: AsyncRead + Unpin> AsyncRead for TimedStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.tracker.bytes_read();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => {
                let Some(deadline) = this.tracker.read_deadline() else {
                    return Poll::Pending;
                };
                this.read_timer.as_mut().reset(deadline);
                match this.read_timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out("read"))),
                    Poll::Pending => Poll::Pending,
                }
            }
            ready => ready,
        }
    }
}

impl<S> TimedStream<S> {
    /// Runs a write-side poll; no progress for the idle timeout is an error.
    fn write_with_deadline<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: impl FnOnce(Pin<&mut S>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>>
    where
        S: Unpin,
    {
        match poll(Pin::new(&mut self.io), cx) {
            Poll::Pending => {
                let idle = self.tracker.timeouts.idle;
                let timer = self
                    .write_timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out("write"))),
                    Poll::Pending => Poll::Pending,
                }
            }
            ready => {
                self.write_timer = None;
                ready
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for TimedStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .write_with_deadline(cx, |io, cx| io.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut()
            .write_with_deadline(cx, |io, cx| io.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut()
            .write_with_deadline(cx, |io, cx| io.poll_shutdown(cx))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .write_with_deadline(cx, |io, cx| io.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
