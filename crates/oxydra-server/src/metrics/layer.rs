//! The tower layer that counts every request into [`Metrics`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::Response;
use tower::{Layer, Service};

use super::{InFlight, Metrics};

/// The tower layer that feeds [`Metrics`]; added once per router in `middleware::wrap`.
#[derive(Debug, Clone)]
pub struct MetricsLayer {
    metrics: Arc<Metrics>,
}

impl MetricsLayer {
    /// A layer counting into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service [`MetricsLayer`] wraps each route in.
#[derive(Debug, Clone)]
pub struct MetricsService<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, B> Service<Request> for MetricsService<S>
where
    S: Service<Request, Response = Response<B>>,
    B: HttpBody,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = MetricsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let in_flight = self.metrics.arrive(&request);
        MetricsFuture {
            inner: self.inner.call(request),
            metrics: Some(self.metrics.clone()),
            in_flight,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`MetricsService`]: the route's own future, then one count of its
    /// response. No allocation: it is the inner future plus a few words.
    pub struct MetricsFuture<F> {
        #[pin]
        inner: F,
        metrics: Option<Arc<Metrics>>,
        in_flight: InFlight,
    }
}

impl<F, B, E> Future for MetricsFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: HttpBody,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        if let (Ok(response), Some(metrics)) = (&result, this.metrics.take()) {
            let size = response.body().size_hint().exact();
            metrics.depart(*this.in_flight, response.status(), size);
        }
        Poll::Ready(result)
    }
}
