//! One backend's benchmark: start the server on it, create the client, obtain a token, check
//! each scenario's request once, then measure each scenario with wrk.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use base64::Engine as _;

use crate::report::Scenario;
use crate::server::{Server, ServerOptions};
use crate::wrk::{self, Request};

/// How long one request of the benchmark itself (setup, checks) may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long creating the PostgreSQL database may take.
const CREATE_DATABASE_TIMEOUT: Duration = Duration::from_secs(30);
/// The scope the benchmark client is registered for and requests.
const SCOPE: &str = "bench";
/// The discovery document, measured instead of `/version` once the server serves it.
const DISCOVERY: &str = "/.well-known/openid-configuration";
/// The stand-in for discovery: a small static JSON document on the public port.
const VERSION: &str = "/version";

/// How every scenario is measured.
#[derive(Debug, Clone)]
pub struct Plan {
    /// wrk's settings.
    pub settings: wrk::Settings,
    /// The warm-up run's duration.
    pub warmup: Duration,
    /// Each measured run's duration.
    pub duration: Duration,
    /// Measured runs per scenario.
    pub runs: u32,
    /// Where generated Lua scripts go.
    pub work_dir: PathBuf,
}

impl Plan {
    /// One warm-up run (not reported), then `runs` measured runs of `request`.
    pub async fn measure(
        &self,
        backend: &str,
        name: &str,
        request: &Request,
    ) -> anyhow::Result<Scenario> {
        eprintln!("{backend}: {name}: warm-up {:?}", self.warmup);
        let warm = wrk::run(&self.settings, request, self.warmup, &self.work_dir).await?;
        if warm.errors() > 0 {
            eprintln!("{backend}: {name}: {} errors in the warm-up", warm.errors());
        }
        let mut runs = Vec::new();
        for i in 1..=self.runs {
            eprintln!(
                "{backend}: {name}: run {i}/{} ({})",
                self.runs,
                crate::load_average()
            );
            runs.push(wrk::run(&self.settings, request, self.duration, &self.work_dir).await?);
        }
        Ok(Scenario {
            backend: backend.to_owned(),
            name: name.to_owned(),
            runs,
        })
    }
}

/// A database to run the server on.
#[derive(Debug, Clone)]
pub struct Backend {
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    /// `DATABASE_URL` for the server.
    pub database_url: String,
    /// How the database is shown (no password).
    pub shown: String,
    /// The release `oxydra` binary.
    pub bin: PathBuf,
    /// `BCRYPT_COST` for the server.
    pub bcrypt_cost: u32,
    /// Where the server's log goes.
    pub log_path: PathBuf,
}

/// What one backend's benchmark measured.
#[derive(Debug)]
pub struct Outcome {
    /// The scenarios, in order.
    pub scenarios: Vec<Scenario>,
    /// The server's `VmHWM` in KiB, read just before it was killed.
    pub peak_rss_kib: anyhow::Result<u64>,
}

impl Backend {
    /// Runs the backend's scenarios; the server is killed on return, also on error.
    pub async fn run(&self, plan: &Plan) -> anyhow::Result<Outcome> {
        println!("\n{}: {}", self.name, self.shown);
        if self.database_url.starts_with("postgres") {
            let created = tokio::time::timeout(
                CREATE_DATABASE_TIMEOUT,
                crate::postgres::ensure_database(&self.database_url),
            )
            .await
            .map_err(|_| {
                anyhow!("creating the database took over {CREATE_DATABASE_TIMEOUT:?}")
            })??;
            if created {
                println!("{}: created the database", self.name);
            }
        }
        let http = http_client()?;
        let options = ServerOptions {
            bin: self.bin.clone(),
            database_url: self.database_url.clone(),
            bcrypt_cost: self.bcrypt_cost,
            log_path: self.log_path.clone(),
        };
        let server = Server::start(&options, &http).await?;
        println!(
            "{}: server pid {}, public {}, admin {}",
            self.name,
            server.pid(),
            server.public,
            server.admin
        );
        let scenarios = self.scenarios(&server, &http, plan).await;
        let peak_rss_kib = server.peak_rss_kib();
        server.stop().await?;
        Ok(Outcome {
            scenarios: scenarios?,
            peak_rss_kib,
        })
    }

    async fn scenarios(
        &self,
        server: &Server,
        http: &reqwest::Client,
        plan: &Plan,
    ) -> anyhow::Result<Vec<Scenario>> {
        let client_id = format!("bench-{}", uuid::Uuid::new_v4().simple());
        let client_secret = uuid::Uuid::new_v4().simple().to_string();
        create_client(http, &server.admin, &client_id, &client_secret).await?;
        let token = Request::FormPost {
            url: format!("{}/oauth2/token", server.public),
            body: format!("grant_type=client_credentials&scope={SCOPE}"),
            headers: vec![(
                "Authorization".to_owned(),
                basic_auth(&client_id, &client_secret),
            )],
        };
        let access_token = issue_token(http, &token).await?;
        let introspect = Request::FormPost {
            url: format!("{}/oauth2/introspect", server.admin),
            body: url::form_urlencoded::Serializer::new(String::new())
                .append_pair("token", &access_token)
                .finish(),
            headers: Vec::new(),
        };
        check(http, &introspect, Some(r#""active":true"#)).await?;
        let discovery_url = format!("{}{DISCOVERY}", server.public);
        let (get, get_name) = if check(
            http,
            &Request::Get {
                url: discovery_url.clone(),
            },
            None,
        )
        .await
        .is_ok()
        {
            (discovery_url, format!("discovery: GET {DISCOVERY}"))
        } else {
            println!(
                "{}: {DISCOVERY} does not answer 200 (no discovery document yet); GET {VERSION} stands in for it",
                self.name
            );
            let url = format!("{}{VERSION}", server.public);
            check(http, &Request::Get { url: url.clone() }, None).await?;
            (url, format!("discovery-style: GET {VERSION}"))
        };
        let plan_rows = [
            ("token: POST /oauth2/token".to_owned(), token),
            ("introspect: POST /oauth2/introspect".to_owned(), introspect),
            (get_name, Request::Get { url: get }),
        ];
        let mut scenarios = Vec::new();
        for (name, request) in plan_rows {
            scenarios.push(plan.measure(self.name, &name, &request).await?);
        }
        Ok(scenarios)
    }
}

/// A client for setup and checks: HTTP/1.1, no proxy.
fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .http1_only()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("cannot build the HTTP client")
}

/// Sends `request` once with reqwest; an error unless it answers 200 (and contains `expect`).
/// Returns the body.
async fn check(
    http: &reqwest::Client,
    request: &Request,
    expect: Option<&str>,
) -> anyhow::Result<String> {
    let builder = match request {
        Request::Get { url } => http.get(url),
        Request::FormPost { url, body, headers } => {
            let mut builder = http
                .post(url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body.clone());
            for (name, value) in headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            builder
        }
    };
    let url = request.url();
    let response = builder.send().await.with_context(|| url.to_owned())?;
    let status = response.status();
    let text = response
        .text()
        .await
        .with_context(|| format!("{url}: body"))?;
    if status != reqwest::StatusCode::OK {
        bail!("{url} answered {status}: {text}");
    }
    if let Some(needle) = expect
        && !text.contains(needle)
    {
        bail!("{url} answered without {needle}: {text}");
    }
    Ok(text)
}

/// `Basic` credentials with the form-url-encoded id and secret (RFC 6749 §2.3.1).
fn basic_auth(client_id: &str, client_secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let credentials = format!("{}:{}", encode(client_id), encode(client_secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    )
}

/// `POST /clients` on the admin port: a confidential `client_credentials` client.
async fn create_client(
    http: &reqwest::Client,
    admin: &str,
    client_id: &str,
    client_secret: &str,
) -> anyhow::Result<()> {
    let body = serde_json::json!({
        "client_id": client_id,
        "client_name": "oxydra-bench",
        "client_secret": client_secret,
        "grant_types": ["client_credentials"],
        "response_types": ["token"],
        "scope": SCOPE,
        "token_endpoint_auth_method": "client_secret_basic",
    });
    let response = http
        .post(format!("{admin}/clients"))
        .json(&body)
        .send()
        .await
        .context("POST /clients")?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        bail!("POST /clients answered {status}: {text}");
    }
    Ok(())
}

/// One token request outside the measurement; its access token is the one introspected.
async fn issue_token(http: &reqwest::Client, token: &Request) -> anyhow::Result<String> {
    let text = check(http, token, None).await?;
    let json: serde_json::Value =
        serde_json::from_str(&text).context("the token response is not JSON")?;
    json.get("access_token")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("the token response has no access_token: {json}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_form_encodes_both_parts() {
        let value = basic_auth("my client", "s:e/c");
        let encoded = value.strip_prefix("Basic ").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert_eq!(decoded, b"my+client:s%3Ae%2Fc");
    }
}
