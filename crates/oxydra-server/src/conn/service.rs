//! The per-connection side of the timeouts: an acceptor that links each connection's service
//! to its [`Tracker`], and a request body that fails once its read deadline passes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::http::{Request, Response};
use axum_server::accept::Accept;
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use super::stream::{TimedStream, Tracker};

/// An axum-server acceptor: hands each connection's service the connection's tracker.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrackingAcceptor;

impl<I, S> Accept<TimedStream<I>, S> for TrackingAcceptor {
    type Stream = TimedStream<I>;
    type Service = Tracked<S>;
    type Future = std::future::Ready<io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: TimedStream<I>, service: S) -> Self::Future {
        let tracker = stream.tracker();
        std::future::ready(Ok((
            stream,
            Tracked {
                inner: service,
                tracker,
            },
        )))
    }
}

/// A connection's service: tells the tracker when a request is served and bounds the time
/// its body may take.
#[derive(Debug, Clone)]
pub struct Tracked<S> {
    inner: S,
    tracker: Arc<Tracker>,
}

/// Marks the request finished when the response is ready or abandoned.
struct InFlight(Arc<Tracker>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, ResBody> tower::Service<Request<B>> for Tracked<S>
where
    S: tower::Service<Request<DeadlineBody<B>>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        self.tracker.request_started();
        let guard = InFlight(self.tracker.clone());
        let deadline = Instant::now() + self.tracker.timeouts().body_read;
        let request = request.map(|body| DeadlineBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
        });
        let response = self.inner.call(request);
        Box::pin(async move {
            let _guard = guard;
            response.await
        })
    }
}

pin_project_lite::pin_project! {
    /// A request body that errors once its deadline passes without it being complete.
    pub struct DeadlineBody<B> {
        #[pin]
        inner: B,
        deadline: Pin<Box<Sleep>>,
    }
}

/// Why a body read failed at its deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received within the body read timeout")]
pub struct BodyTimedOut;

impl<B> Body for DeadlineBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        match this.inner.poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(Into::into))),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
