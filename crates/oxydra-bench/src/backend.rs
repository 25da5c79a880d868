//! One backend's benchmark: start the server on it, create the client, obtain a token, check
//! each scenario's request once, then measure each scenario with wrk.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use base64::Engine as _;

use crate::report::Scenario;
use crate::selection::ScenarioName;
use crate::server::{Server, ServerOptions};
use crate::wrk::{self, Request};

/// How long one request of the benchmark itself (setup, checks) may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long creating the PostgreSQL or MySQL database may take.
const CREATE_DATABASE_TIMEOUT: Duration = Duration::from_secs(30);
/// The scope the benchmark client is registered for and requests.
pub(crate) const SCOPE: &str = "bench";
/// The discovery document.
const DISCOVERY: &str = "/.well-known/openid-configuration";
/// The published signing keys.
const JWKS: &str = "/.well-known/jwks.json";
/// The cheapest route: its CPU per request is the yardstick the others are divided by.
const HEALTH: &str = "/health/alive";

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
    /// Rows the `growth` and `flush` scenarios seed.
    pub volumes: crate::growth::Volumes,
}

/// One side of a measurement: what is requested, and whose CPU time is read.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The row label, e.g. `sqlite` or `peer`.
    pub backend: &'a str,
    /// The process serving the requests, when known (its CPU per request is reported).
    pub pid: Option<u32>,
    /// The request wrk sends.
    pub request: &'a Request,
}

impl Plan {
    /// One warm-up run per target (not reported), then `runs` measured rounds in which every
    /// target runs once, in turn, so that each is measured under the same machine conditions.
    pub async fn measure(
        &self,
        name: &str,
        targets: &[Target<'_>],
    ) -> anyhow::Result<Vec<Scenario>> {
        for target in targets {
            eprintln!("{}: {name}: warm-up {:?}", target.backend, self.warmup);
            let warm =
                wrk::run(&self.settings, target.request, self.warmup, &self.work_dir).await?;
            if warm.errors() > 0 {
                eprintln!(
                    "{}: {name}: {} errors in the warm-up",
                    target.backend,
                    warm.errors()
                );
            }
        }
        let mut scenarios: Vec<Scenario> = targets
            .iter()
            .map(|t| Scenario {
                backend: t.backend.to_owned(),
                name: name.to_owned(),
                runs: Vec::new(),
                versus: None,
            })
            .collect();
        for i in 1..=self.runs {
            for (target, scenario) in targets.iter().zip(scenarios.iter_mut()) {
                eprintln!(
                    "{}: {name}: run {i}/{} ({})",
                    target.backend,
                    self.runs,
                    crate::load_average()
                );
                scenario.runs.push(self.run_once(target).await?);
            }
        }
        Ok(scenarios)
    }

    /// One measured wrk run, with the target's CPU time sampled around it.
    pub(crate) async fn run_once(&self, target: &Target<'_>) -> anyhow::Result<wrk::Measurement> {
        let before = target.pid.map(crate::cpu::used).transpose()?;
        let mut m = wrk::run(
            &self.settings,
            target.request,
            self.duration,
            &self.work_dir,
        )
        .await?;
        if let (Some(pid), Some(before)) = (target.pid, before) {
            let spent = crate::cpu::used(pid)?.saturating_sub(before);
            m.cpu_us_per_request = crate::cpu::per_request_us(spent, m.requests);
        }
        Ok(m)
    }
}

/// What a scenario measures, so that Oxydra's request can be paired with the peer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `client_credentials` token issuance.
    Token,
    /// The same with a DPoP proof in every request.
    TokenDpop,
    /// Introspection of a valid access token.
    Introspect,
    /// The discovery document.
    Discovery,
    /// The published signing keys.
    Jwks,
    /// `GET /health/alive` (the peer has no such route).
    Health,
}

impl Kind {
    /// The `--scenario` name that selects this kind.
    fn scenario(self) -> ScenarioName {
        match self {
            Self::Token => ScenarioName::Token,
            Self::TokenDpop => ScenarioName::TokenDpop,
            Self::Introspect => ScenarioName::Introspect,
            Self::Discovery => ScenarioName::Discovery,
            Self::Jwks => ScenarioName::Jwks,
            Self::Health => ScenarioName::Health,
        }
    }
}

/// A database to run the server on.
#[derive(Debug, Clone)]
pub struct Backend {
    /// `sqlite`, `postgres` or `mysql`.
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
    /// Why some selected scenarios were not measured (the others were).
    pub incomplete: Option<anyhow::Error>,
    /// Summary lines of the volume scenarios (ratios to the empty table, targets).
    pub notes: Vec<String>,
}

impl Backend {
    /// Runs the backend's `selected` scenarios; the server is killed on return, also on
    /// error.
    pub async fn run(
        &self,
        plan: &Plan,
        peer: Option<&PeerSide>,
        selected: &[ScenarioName],
    ) -> anyhow::Result<Outcome> {
        println!("\n{}: {}", self.name, self.shown);
        let created =
            tokio::time::timeout(CREATE_DATABASE_TIMEOUT, ensure_database(&self.database_url))
                .await
                .map_err(|_| {
                    anyhow!("creating the database took over {CREATE_DATABASE_TIMEOUT:?}")
                })??;
        if created {
            println!("{}: created the database", self.name);
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
        let prepared = crate::setup::prepare(&server, &http).await;
        let mut scenarios = match &prepared {
            Ok(p) => {
                self.scenarios(&server, &http, plan, peer, selected, p)
                    .await
            }
            Err(e) => Err(anyhow!("{e:#}")),
        };
        let (mut incomplete, mut notes) = (None, Vec::new());
        if let (Ok(measured), Ok(p)) = (&mut scenarios, &prepared) {
            (incomplete, notes) = self.more(&server, &http, plan, selected, p, measured).await;
        }
        let peak_rss_kib = server.peak_rss_kib();
        server.stop().await?;
        Ok(Outcome {
            scenarios: scenarios?,
            peak_rss_kib,
            incomplete,
            notes,
        })
    }

    /// The driven and volume scenarios, added to `measured` (the wrk scenarios); returns why
    /// some could not be measured, and the volume scenarios' summary lines.
    async fn more(
        &self,
        server: &Server,
        http: &reqwest::Client,
        plan: &Plan,
        selected: &[ScenarioName],
        prepared: &crate::setup::Prepared,
        measured: &mut Vec<Scenario>,
    ) -> (Option<anyhow::Error>, Vec<String>) {
        let mut incomplete = None;
        match crate::driven::scenarios(plan, server, http, self.name, selected).await {
            Ok(driven) => measured.extend(driven),
            Err(e) => {
                eprintln!("{}: driven scenarios NOT MEASURED: {e:#}", self.name);
                incomplete = Some(e);
            }
        }
        let setup = crate::growth::Setup {
            backend: self.name,
            database_url: &self.database_url,
            pid: server.pid(),
            admin: &server.admin,
            client_id: &prepared.client_id,
            token: &prepared.token,
            introspect: &prepared.introspect,
        };
        match crate::growth::scenarios(plan, setup, http, selected, measured).await {
            Ok((volume, notes)) => {
                measured.extend(volume);
                (incomplete, notes)
            }
            Err(e) => {
                eprintln!("{}: volume scenarios NOT MEASURED: {e:#}", self.name);
                let e = match incomplete {
                    Some(before) => anyhow!("{before:#}; {e:#}"),
                    None => e,
                };
                (Some(e), Vec::new())
            }
        }
    }

    async fn scenarios(
        &self,
        server: &Server,
        http: &reqwest::Client,
        plan: &Plan,
        peer: Option<&PeerSide>,
        selected: &[ScenarioName],
        prepared: &crate::setup::Prepared,
    ) -> anyhow::Result<Vec<Scenario>> {
        let get = |path: &str| Request::Get {
            url: format!("{}{path}", server.public),
        };
        let rows = [
            (Kind::Health, "health: GET /health/alive", get(HEALTH)),
            (
                Kind::Token,
                "token: POST /oauth2/token",
                prepared.token.clone(),
            ),
            (
                Kind::TokenDpop,
                "token-dpop: POST /oauth2/token + DPoP proof",
                prepared.token_dpop.clone(),
            ),
            (
                Kind::Introspect,
                "introspect: POST /oauth2/introspect",
                prepared.introspect.clone(),
            ),
            (
                Kind::Discovery,
                "discovery: GET /.well-known/openid-configuration",
                get(DISCOVERY),
            ),
            (Kind::Jwks, "jwks: GET /.well-known/jwks.json", get(JWKS)),
        ];
        let peer_label = format!("peer@{}", self.name);
        let mut scenarios = Vec::new();
        for (kind, name, request) in rows {
            if !selected.contains(&kind.scenario()) {
                continue;
            }
            let answer = check(http, &request, None).await?;
            let peer_request = peer.and_then(|p| p.request(kind));
            if kind == Kind::TokenDpop {
                size_dpop(&scenarios, &request, peer_request);
                println!(
                    "{}: token-dpop: the server answers a DPoP request with token_type {} (DPoP once it binds tokens to the proof's key)",
                    self.name,
                    crate::dpop::token_type(&answer)
                );
            }
            let mut targets = vec![Target {
                backend: self.name,
                pid: Some(server.pid()),
                request: &request,
            }];
            if let Some(request) = peer_request {
                targets.push(Target {
                    backend: &peer_label,
                    pid: peer.map(|p| p.pid),
                    request,
                });
            }
            let mut measured = plan.measure(name, &targets).await?;
            if let [ours, theirs] = measured.as_mut_slice() {
                ours.versus = Some(theirs.median());
            }
            scenarios.extend(measured);
        }
        Ok(scenarios)
    }
}

/// Sizes the DPoP runs for the rates the plain `token` scenario just measured, ours and the
/// peer's (`scenarios` holds it when it was selected).
fn size_dpop(scenarios: &[Scenario], ours: &Request, theirs: Option<&Request>) {
    let Some(token) = scenarios.iter().find(|s| s.name.starts_with("token:")) else {
        return;
    };
    let pairs = [
        (Some(ours), Some(token.median().per_second)),
        (theirs, token.versus.as_ref().map(|m| m.per_second)),
    ];
    for (request, rate) in pairs {
        if let (Some(Request::Dpop { prover, .. }), Some(rate)) = (request, rate) {
            prover.expect(rate);
        }
    }
}

/// The peer's side of the benchmark, measured alongside each backend.
#[derive(Debug)]
pub struct PeerSide {
    /// The peer's process id.
    pub pid: u32,
    /// The peer's request for each kind of scenario it serves.
    pub requests: Vec<(Kind, Request)>,
}

impl PeerSide {
    /// The peer's request for `kind`, if it has one.
    fn request(&self, kind: Kind) -> Option<&Request> {
        self.requests
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, r)| r)
    }
}

/// Creates a server backend's database when missing; `true` when it did (never for SQLite,
/// whose file the server creates).
async fn ensure_database(url: &str) -> anyhow::Result<bool> {
    if url.starts_with("postgres") {
        crate::postgres::ensure_database(url).await
    } else if url.starts_with("mysql") {
        crate::mysql::ensure_database(url).await
    } else {
        Ok(false)
    }
}

/// A client for setup and checks: HTTP/1.1, no proxy.
pub(crate) fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .http1_only()
        // The flow journeys read each redirect's `Location` themselves.
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("cannot build the HTTP client")
}

/// Sends `request` once with reqwest; an error unless it answers 200 (and contains `expect`).
/// Returns the body.
pub(crate) async fn check(
    http: &reqwest::Client,
    request: &Request,
    expect: Option<&str>,
) -> anyhow::Result<String> {
    let builder = request_builder(http, request)?;
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

/// `request` for reqwest (a DPoP request with a proof signed now).
fn request_builder(
    http: &reqwest::Client,
    request: &Request,
) -> anyhow::Result<reqwest::RequestBuilder> {
    Ok(match request {
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
        Request::Dpop { post, prover } => {
            request_builder(http, post)?.header("DPoP", prover.proof_now()?)
        }
    })
}

/// `Basic` credentials with the form-url-encoded id and secret (RFC 6749 §2.3.1).
pub(crate) fn basic_auth(client_id: &str, client_secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let credentials = format!("{}:{}", encode(client_id), encode(client_secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    )
}

/// One token request outside the measurement; its access token is the one introspected.
pub(crate) async fn issue_token(http: &reqwest::Client, token: &Request) -> anyhow::Result<String> {
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
