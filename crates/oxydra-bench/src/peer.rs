//! The peer OpenID provider (`shared/peer/`: Node's certified `oidc-provider` with its in-memory
//! store) started beside Oxydra, so that every Oxydra figure can be read as a ratio to the peer
//! measured in the same run, alternating with it.
//!
//! The peer's files are copied into a cache folder (`shared/` is read-only), `npm ci` runs there
//! when its lock file changed, and `node peer.mjs` listens on a free loopback port until the
//! benchmark ends (`kill_on_drop`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use tokio::process::{Child, Command};
use tokio::time::Instant;

use crate::backend::{Kind, basic_auth, check};
use crate::wrk::Request;

/// The files the peer needs; `npm ci` brings the rest.
const FILES: [&str; 3] = ["package.json", "package-lock.json", "peer.mjs"];
/// How long `npm ci` may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// How long the peer may take to answer its discovery document.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The peer's client, as `peer.mjs` registers it by default.
const CLIENT: (&str, &str) = ("bench-client", "bench-secret");
/// The scope the peer's client may request.
const SCOPE: &str = "api:read";

/// A running peer.
#[derive(Debug)]
pub struct Peer {
    child: Child,
    pid: u32,
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub base: String,
}

impl Peer {
    /// Installs (when needed) and starts the peer from `source`, working in `cache`.
    pub async fn start(
        source: &Path,
        cache: &Path,
        http: &reqwest::Client,
    ) -> anyhow::Result<Peer> {
        install(source, cache).await?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("cannot find a free port for the peer")?
            .port();
        let log = std::fs::File::create(cache.join("peer.log")).context("peer.log")?;
        let child = Command::new("node")
            .arg("peer.mjs")
            .current_dir(cache)
            .env("NODE_ENV", "production")
            .env("PEER_HOST", "127.0.0.1")
            .env("PEER_PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("peer.log")?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("cannot run node (the peer needs Node.js >= 20)")?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow!("the peer exited at once"))?;
        let mut peer = Peer {
            child,
            pid,
            base: format!("http://127.0.0.1:{port}"),
        };
        peer.wait_ready(http).await?;
        Ok(peer)
    }

    /// The peer's process id (its CPU time is read from `/proc`).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Polls the discovery document until it answers.
    async fn wait_ready(&mut self, http: &reqwest::Client) -> anyhow::Result<()> {
        let url = format!("{}/.well-known/openid-configuration", self.base);
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("the peer exited ({status}); see its peer.log");
            }
            if check(http, &Request::Get { url: url.clone() }, None)
                .await
                .is_ok()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the peer did not answer {url} within {START_TIMEOUT:?}")
    }

    /// The peer's request for each scenario kind it has (one token is issued for introspection).
    pub async fn requests(&self, http: &reqwest::Client) -> anyhow::Result<Vec<(Kind, Request)>> {
        let auth = vec![("Authorization".to_owned(), basic_auth(CLIENT.0, CLIENT.1))];
        let token = Request::FormPost {
            url: format!("{}/token", self.base),
            body: format!("grant_type=client_credentials&scope={SCOPE}"),
            headers: auth.clone(),
        };
        let access_token = crate::backend::issue_token(http, &token).await?;
        // oidc-provider validates DPoP proofs by default (`features.dPoP`): a token bound to
        // the proof's key proves the proofs are right before any is measured.
        let discovery = format!("{}/.well-known/openid-configuration", self.base);
        let token_dpop = crate::dpop::request(http, &token, &discovery).await?;
        check(http, &token_dpop, Some(r#""token_type":"DPoP""#))
            .await
            .context("the peer refused a DPoP proof")?;
        let introspect = Request::FormPost {
            url: format!("{}/token/introspection", self.base),
            body: url::form_urlencoded::Serializer::new(String::new())
                .append_pair("token", &access_token)
                .finish(),
            headers: auth,
        };
        check(http, &introspect, Some(r#""active":true"#)).await?;
        Ok(vec![
            (Kind::Token, token),
            (Kind::TokenDpop, token_dpop),
            (Kind::Introspect, introspect),
            (
                Kind::Discovery,
                Request::Get {
                    url: format!("{}/.well-known/openid-configuration", self.base),
                },
            ),
            (
                Kind::Jwks,
                Request::Get {
                    url: format!("{}/jwks", self.base),
                },
            ),
        ])
    }

    /// Kills the peer and reaps it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }
}

/// Copies the peer's files into `cache` and runs `npm ci` when they changed since the last run.
async fn install(source: &Path, cache: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(cache).with_context(|| format!("cannot create {}", cache.display()))?;
    let mut changed = !cache.join("node_modules").is_dir();
    for name in FILES {
        let from = source.join(name);
        let text = std::fs::read(&from)
            .with_context(|| format!("no peer at {} (pass --peer-dir)", from.display()))?;
        let to: PathBuf = cache.join(name);
        if std::fs::read(&to).ok().as_deref() != Some(text.as_slice()) {
            std::fs::write(&to, &text).with_context(|| format!("cannot write {}", to.display()))?;
            changed = true;
        }
    }
    if !changed {
        return Ok(());
    }
    eprintln!("peer: npm ci in {}", cache.display());
    let status = tokio::time::timeout(
        INSTALL_TIMEOUT,
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(cache)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .status(),
    )
    .await
    .map_err(|_| anyhow!("npm ci took over {INSTALL_TIMEOUT:?}"))?
    .context("cannot run npm (the peer needs Node.js >= 20 and npm)")?;
    if !status.success() {
        // A half-installed node_modules must not pass for a good one next time.
        let _ = std::fs::remove_dir_all(cache.join("node_modules"));
        bail!("npm ci failed ({status})");
    }
    Ok(())
}
