//! `TRACING_PROVIDER=otel`: a token request's spans (the HTTP request, the store calls, the
//! JWT signing) reach an OTLP/HTTP receiver started here, in one trace, under the configured
//! service name (inside the caller's trace when it sends a `traceparent`), and the JSON log
//! lines of that request carry its trace id.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use serde_json::{Value, json};

use crate::support::Server;

const SERVICE: &str = "oxydra-under-test";
const CLIENT_SECRET: &str = "a-secret-that-must-never-be-exported";
/// The W3C trace context of a (pretend) traced caller of the token endpoint.
const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

/// An OTLP/HTTP trace receiver on a free loopback port: every export request, decoded.
struct Receiver {
    /// `127.0.0.1:<port>`, Hydra's `host:port` form of the server URL.
    host_port: String,
    exports: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host_port = listener.local_addr().unwrap().to_string();
        let exports = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&exports);
        let app = Router::new().route(
            "/v1/traces",
            post(move |body: Bytes| async move {
                let request = ExportTraceServiceRequest::decode(body).unwrap();
                sink.lock().unwrap().push(request);
                // An empty ExportTraceServiceResponse: full success.
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/x-protobuf")],
                    Vec::new(),
                )
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { host_port, exports }
    }

    /// Every span received, with the `service.name` of its resource.
    fn spans(&self) -> Vec<(String, Span)> {
        let mut spans = Vec::new();
        for export in self.exports.lock().unwrap().iter() {
            for resource_spans in &export.resource_spans {
                let resource = resource_spans.resource.as_ref().unwrap();
                let service = string(&resource.attributes, "service.name").unwrap_or_default();
                for scope in &resource_spans.scope_spans {
                    for span in &scope.spans {
                        spans.push((service.clone(), span.clone()));
                    }
                }
            }
        }
        spans
    }
}

fn value(attributes: &[KeyValue], key: &str) -> Option<any_value::Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.clone())
        .and_then(|AnyValue { value }| value)
}

fn string(attributes: &[KeyValue], key: &str) -> Option<String> {
    match value(attributes, key)? {
        any_value::Value::StringValue(s) => Some(s),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Registers a client_credentials client and gets a (JWT) access token for it, as a caller
/// inside trace [`CALLER_TRACE`].
async fn token_request(server: &Server) -> String {
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{}/clients", server.admin))
        .json(&json!({
            "client_id": "traced",
            "client_secret": CLIENT_SECRET,
            "grant_types": ["client_credentials"],
            "response_types": ["token"],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    let token = http
        .post(format!("{}/oauth2/token", server.public))
        .basic_auth("traced", Some(CLIENT_SECRET))
        .header("traceparent", format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    let body: Value = token.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_request_spans_and_log_lines_share_a_trace() {
    let receiver = Receiver::start().await;
    let mut server = tokio::task::block_in_place(|| {
        Server::start_with(&[
            ("TRACING_PROVIDER", "otel"),
            ("TRACING_SERVICE_NAME", SERVICE),
            ("TRACING_PROVIDERS_OTLP_SERVER_URL", &receiver.host_port),
            ("TRACING_PROVIDERS_OTLP_INSECURE", "true"),
            ("TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO", "1.0"),
            ("OAUTH2_ACCESS_TOKEN_STRATEGY", "jwt"),
            ("LOG_FORMAT", "json"),
            // tower-http's per-response line is logged inside the request's span.
            ("RUST_LOG", "info,tower_http=debug"),
        ])
    });
    let access_token = token_request(&server).await;
    // A graceful stop flushes the batched spans before the process exits.
    let status = tokio::task::block_in_place(|| server.terminate());
    assert!(status.success(), "{status:?}; stderr:\n{}", server.stderr());

    let spans = receiver.spans();
    let (service, request) = spans
        .iter()
        .find(|(_, s)| s.name == "POST /oauth2/token")
        .unwrap_or_else(|| panic!("no token request span among {:?}", names(&spans)));
    assert_eq!(service, SERVICE);
    // A request without `traceparent` starts its own trace (sampled: ratio 1).
    assert!(
        spans
            .iter()
            .any(|(_, s)| s.name == "POST /clients" && s.parent_span_id.is_empty()),
        "no root span for the client registration in {:?}",
        names(&spans)
    );
    // The caller's `traceparent` makes the request span its child.
    assert_eq!(hex(&request.trace_id), CALLER_TRACE);
    assert_eq!(hex(&request.parent_span_id), CALLER_SPAN);
    assert_eq!(
        string(&request.attributes, "http.route").as_deref(),
        Some("/oauth2/token")
    );
    assert_eq!(
        value(&request.attributes, "http.response.status_code"),
        Some(any_value::Value::IntValue(200))
    );
    let trace: Vec<&Span> = spans
        .iter()
        .filter(|(_, s)| s.trace_id == request.trace_id)
        .map(|(_, s)| s)
        .collect();
    let in_trace = |prefix: &str| trace.iter().any(|s| s.name.starts_with(prefix));
    assert!(in_trace("store."), "no store span in {:?}", names(&spans));
    assert!(
        in_trace("jws.sign"),
        "no signing span in {:?}",
        names(&spans)
    );
    // One tree under the request: every other span's parent is in the trace.
    for span in trace.iter().filter(|s| s.span_id != request.span_id) {
        assert!(
            trace.iter().any(|p| p.span_id == span.parent_span_id),
            "{} is not inside the request",
            span.name
        );
    }
    assert_nothing_secret(&spans, &access_token);
    assert_log_line_names(&server.stderr(), &hex(&request.trace_id));
}

fn names(spans: &[(String, Span)]) -> Vec<&str> {
    spans.iter().map(|(_, s)| s.name.as_str()).collect()
}

/// No exported attribute holds the client secret or the issued token.
fn assert_nothing_secret(spans: &[(String, Span)], access_token: &str) {
    for (_, span) in spans {
        let text = format!("{:?}", span.attributes);
        assert!(
            !text.contains(CLIENT_SECRET),
            "{} exports the secret",
            span.name
        );
        assert!(
            !text.contains(access_token),
            "{} exports the token",
            span.name
        );
    }
}

/// Some JSON log line carries `trace_id` (and a `span_id`).
fn assert_log_line_names(stderr: &str, trace_id: &str) {
    let traced = stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["trace_id"] == trace_id);
    let Some(line) = traced else {
        panic!("no JSON log line carries trace {trace_id}:\n{stderr}");
    };
    assert_eq!(line["span_id"].as_str().map(str::len), Some(16), "{line}");
}
