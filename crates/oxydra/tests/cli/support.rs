//! Test support: run the real `oxydra` binary, as a server and as a CLI, with bounded waits.
//!
//! The server is started on port 0 and tells us where it listens on stdout, so there are no
//! fixed ports and no sleeping until it is ready.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_oxydra");
/// A valid system secret for test servers.
pub const SYSTEM_SECRET: &str = "a-test-system-secret-of-32-chars";
/// How long a server may take to announce its listeners, or a CLI call to finish.
pub const TIMEOUT: Duration = Duration::from_secs(90);

/// The environment every test server starts from: loopback only, OS-chosen ports, fast bcrypt.
pub fn server_env() -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", "memory".to_owned()),
        ("PUBLIC_HOST", "127.0.0.1".to_owned()),
        ("ADMIN_HOST", "127.0.0.1".to_owned()),
        ("PUBLIC_PORT", "0".to_owned()),
        ("ADMIN_PORT", "0".to_owned()),
        ("SYSTEM_SECRET", SYSTEM_SECRET.to_owned()),
        ("BCRYPT_COST", "4".to_owned()),
        // RSA 2048 signing keys: generating a 4096-bit key per server start costs ~1 s.
        ("OXYDRA_RSA_KEY_BITS", "2048".to_owned()),
    ]
}

/// A running `oxydra serve all --dev`, killed when dropped.
pub struct Server {
    child: Child,
    /// Base URL of the public listener, e.g. `http://127.0.0.1:43567`.
    pub public: String,
    /// Base URL of the admin listener.
    pub admin: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// An in-memory server.
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// A server with `overrides` applied on top of [`server_env`].
    pub fn start_with(overrides: &[(&str, &str)]) -> Server {
        Server::start_args(&[], overrides)
    }

    /// `oxydra serve all --dev <args>` with `overrides` applied on top of [`server_env`].
    pub fn start_args(args: &[&str], overrides: &[(&str, &str)]) -> Server {
        Server::launch(Command::new(BIN), args, overrides, &[])
    }

    /// [`Server::start_args`] run in `dir` (the default `./oxydra.db` is then created there),
    /// with the keys in `unset` left out of [`server_env`], as a user's shell would.
    pub fn start_in(
        dir: Option<&std::path::Path>,
        args: &[&str],
        overrides: &[(&str, &str)],
        unset: &[&str],
    ) -> Server {
        let mut command = Command::new(BIN);
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        Server::launch(command, args, overrides, unset)
    }

    /// [`Server::start_with`] under an open-file limit (`ulimit -n nofile`).
    pub fn start_with_file_limit(nofile: u32, overrides: &[(&str, &str)]) -> Server {
        let mut command = Command::new("/bin/sh");
        command.args([
            "-c",
            &format!("ulimit -n {nofile} && exec \"$0\" \"$@\""),
            BIN,
        ]);
        Server::launch(command, &[], overrides, &[])
    }

    fn launch(
        mut command: Command,
        args: &[&str],
        overrides: &[(&str, &str)],
        unset: &[&str],
    ) -> Server {
        command
            .args(["serve", "all", "--dev"])
            .args(args)
            .env_clear();
        for (key, value) in server_env() {
            if !unset.contains(&key) {
                command.env(key, value);
            }
        }
        for (key, value) in overrides {
            command.env(key, value);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn oxydra serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_pipe = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut text = sink.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        let (tx, rx) = mpsc::channel();
        let stdout_pipe = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            // Keep draining after the addresses are known so the server never blocks on stdout.
            for line in BufReader::new(stdout_pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            public: String::new(),
            admin: String::new(),
            stderr,
        };
        let deadline = Instant::now() + TIMEOUT;
        while server.public.is_empty() || server.admin.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("public listening on ") {
                        server.public = url.trim().to_owned();
                    } else if let Some(url) = line.strip_prefix("admin listening on ") {
                        server.admin = url.trim().to_owned();
                    }
                }
                Err(e) => panic!(
                    "server did not announce both listeners ({e}); stderr:\n{}",
                    server.stderr()
                ),
            }
        }
        server
    }

    /// What the server logged so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Stops the server with SIGTERM (its graceful shutdown) and waits for it to exit; after
    /// [`TIMEOUT`] it is killed instead.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "cannot signal the server");
        let (exited, watch) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if watch.recv_timeout(TIMEOUT) == Err(mpsc::RecvTimeoutError::Timeout) {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
            }
        });
        let status = self.child.wait().expect("wait for oxydra");
        let _ = exited.send(());
        status
    }

    /// Kills the server with SIGKILL (no graceful shutdown) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The result of one CLI run.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub status: ExitStatus,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(self) -> String {
        assert!(self.status.success(), "expected success, got {self:#?}");
        self.stdout
    }

    /// Asserts exit code 1 and returns stderr.
    pub fn fails(self) -> String {
        assert_eq!(
            self.status.code(),
            Some(1),
            "expected exit code 1, got {self:#?}"
        );
        self.stderr
    }
}

/// Spawns `oxydra <args>` with exactly the environment `env`, stdout and stderr piped.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut command = Command::new(BIN);
    command.args(args).env_clear();
    for (key, value) in env {
        command.env(key, value);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn oxydra")
}

/// A running `oxydra <args>` whose stdout is read line by line as it comes; killed when dropped.
pub struct Background {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// The stdout lines read so far.
    pub stdout: Vec<String>,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Starts `oxydra <args>` with exactly the environment `env`.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Background {
        let mut child = spawn(args, env);
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Background {
            child,
            lines,
            stdout: Vec::new(),
            stderr,
            stderr_reader: Some(stderr_reader),
        }
    }

    /// What the process wrote to stderr (complete once it has exited).
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The first new stdout line `pick` accepts (within [`TIMEOUT`]), e.g. a printed URL.
    pub fn wait_for<T>(&mut self, mut pick: impl FnMut(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = pick(&line);
                    self.stdout.push(line);
                    if let Some(found) = found {
                        return found;
                    }
                }
                Err(e) => panic!(
                    "no such line ({e}); stdout so far: {:#?}; stderr: {}",
                    self.stdout,
                    self.stderr()
                ),
            }
        }
    }

    /// The value of the `name: value` line read from stdout (a token the command printed).
    pub fn printed(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}: ");
        self.stdout
            .iter()
            .find_map(|l| l.strip_prefix(&prefix))
            .map(str::to_owned)
    }

    /// Waits (within [`TIMEOUT`]) for the process to close stdout and exit; its status.
    pub fn finish(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.stdout.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(e) => panic!("did not finish ({e}); stdout so far: {:#?}", self.stdout),
            }
        }
        let status = self.child.wait().expect("wait for oxydra");
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        status
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `oxydra <args>` with exactly the environment `env`, bounded by [`TIMEOUT`].
pub fn oxydra(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut child = spawn(args, env);
    let (tx, rx) = mpsc::channel();
    let pipes: [Box<dyn Read + Send>; 2] = [
        Box::new(child.stdout.take().expect("stdout")),
        Box::new(child.stderr.take().expect("stderr")),
    ];
    for (index, mut pipe) in pipes.into_iter().enumerate() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            let _ = tx.send((index, text));
        });
    }
    let deadline = Instant::now() + TIMEOUT;
    let mut out = [String::new(), String::new()];
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((index, text)) => out[index] = text,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`oxydra {}` did not finish within {TIMEOUT:?}",
                    args.join(" ")
                );
            }
        }
    }
    let status = child.wait().expect("wait for oxydra");
    let [stdout, stderr] = out;
    Run {
        status,
        stdout,
        stderr,
    }
}

/// Runs `oxydra clients --endpoint <admin> <args>`.
pub fn clients(server: &Server, args: &[&str]) -> Run {
    let mut full = vec!["clients", "--endpoint", server.admin.as_str()];
    full.extend(args);
    oxydra(&full, &[])
}

/// The fields every returned 1.0.0-beta OAuth2Client has.
pub const REQUIRED_CLIENT_FIELDS: [&str; 14] = [
    "client_id",
    "client_name",
    "redirect_uris",
    "grant_types",
    "response_types",
    "scope",
    "owner",
    "policy_uri",
    "tos_uri",
    "client_uri",
    "logo_uri",
    "contacts",
    "client_secret_expires_at",
    "subject_type",
];

/// The fields a returned 1.0.0-beta OAuth2Client may add when set (`client_secret` separately).
pub const OPTIONAL_CLIENT_FIELDS: [&str; 13] = [
    "jwks_uri",
    "jwks",
    "token_endpoint_auth_method",
    "sector_identifier_uri",
    "request_uris",
    "request_object_signing_alg",
    "userinfo_signed_response_alg",
    "id_token_signed_response_alg",
    "post_logout_redirect_uris",
    "frontchannel_logout_uri",
    "frontchannel_logout_session_required",
    "backchannel_logout_uri",
    "backchannel_logout_session_required",
];

/// Asserts that `client` has exactly the 1.0.0-beta field names: all required ones, optional
/// ones only from the allowed set, and `client_secret` exactly when `with_secret`.
pub fn assert_client_fields(client: &serde_json::Value, with_secret: bool) -> BTreeSet<String> {
    let keys: BTreeSet<String> = client
        .as_object()
        .expect("a client is a JSON object")
        .keys()
        .cloned()
        .collect();
    for required in REQUIRED_CLIENT_FIELDS {
        assert!(keys.contains(required), "missing {required} in {client}");
    }
    assert_eq!(
        keys.contains("client_secret"),
        with_secret,
        "client_secret presence in {client}"
    );
    for key in &keys {
        assert!(
            REQUIRED_CLIENT_FIELDS.contains(&key.as_str())
                || OPTIONAL_CLIENT_FIELDS.contains(&key.as_str())
                || key == "client_secret",
            "unexpected field {key} in {client}"
        );
    }
    keys
}

/// Whether `TEST_DATABASE_URL` is set; prints `skipped:` (or fails, when `OXYDRA_TEST_REQUIRE`
/// names postgres) when it is not.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let required = std::env::var("OXYDRA_TEST_REQUIRE").unwrap_or_default();
            assert!(
                !required.contains("postgres"),
                "{test}: OXYDRA_TEST_REQUIRE={required} but TEST_DATABASE_URL is not set"
            );
            println!("skipped: {test}: TEST_DATABASE_URL is not set");
            None
        }
    }
}

/// A fresh PostgreSQL schema of its own (migrated), and the `TEST_DATABASE_URL` that selects
/// it; `None` (a skip) without `TEST_DATABASE_URL`. Whatever other runs left in the shared
/// database cannot interfere. Call `cleanup` on the store when done.
pub async fn postgres_schema(test: &str) -> Option<(oxydra_testkit::TestStore, String)> {
    postgres_url(test)?;
    let store = oxydra_testkit::open_store(oxydra_testkit::TestBackend::Postgres)
        .await
        .unwrap();
    let schema = store.schema().unwrap().to_owned();
    let mut parsed = url::Url::parse(&std::env::var("TEST_DATABASE_URL").unwrap()).unwrap();
    parsed
        .query_pairs_mut()
        .append_pair("options", &format!("-c search_path={schema}"));
    Some((store, parsed.to_string()))
}

/// A browser that resolves `host` (a test issuer's name) to the server's public listener
/// `public`, as `/etc/hosts` would, so the issuer is known before the server picks its port.
pub fn browser_for(host: &str, public: &str) -> oxydra_testkit::browser::Browser {
    let public: std::net::SocketAddr = public.trim_start_matches("http://").parse().unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(host, public)
        .build()
        .unwrap();
    oxydra_testkit::browser::Browser::with_client(http)
}
