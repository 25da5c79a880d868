//! Serving: open (and when appropriate migrate) the database, bind the listeners, announce the
//! bound addresses on stdout, serve until SIGTERM/SIGINT, then drain gracefully.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use oxydra_store::{Dsn, OpenOptions, SqlStore};

use crate::app::{admin_router, public_router};
use crate::config::Config;
use crate::conn::{CappedListener, Caps, PeerAddr, Timeouts, TrackingAcceptor};
use crate::state::AppState;
use crate::{conn, telemetry, tls};

/// Which listeners `oxydra serve` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeMode {
    /// Public and admin.
    All,
    /// Public only.
    Public,
    /// Admin only.
    Admin,
}

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(String),
    /// A listener could not be bound or failed.
    #[error("listener: {0}")]
    Listen(String),
    /// Token keys could not be derived from the system secret.
    #[error("keys: {0}")]
    Keys(String),
    /// TLS material could not be loaded.
    #[error("tls: {0}")]
    Tls(String),
    /// The demo login app cannot run in this mode.
    #[error("demo: {0}")]
    Demo(String),
    /// Start-up provisioning (the root client) failed.
    #[error("bootstrap: {0}")]
    Bootstrap(String),
    /// The span exporter (`TRACING_PROVIDER`) could not be started.
    #[error("tracing: {0}")]
    Tracing(String),
}

/// How long in-flight requests may take to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the server until a shutdown signal arrives.
pub async fn serve(config: Config, mode: ServeMode) -> Result<(), ServeError> {
    let telemetry = telemetry::init(&config.log, &config.tracing).map_err(ServeError::Tracing)?;
    let result = serve_with(config, mode).await;
    // After the listeners drained: the last requests' spans are sent before the process ends.
    telemetry.shutdown().await;
    result
}

/// [`serve`] once logging and span export are set up.
async fn serve_with(config: Config, mode: ServeMode) -> Result<(), ServeError> {
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    if config.demo.enabled && mode != ServeMode::All {
        return Err(ServeError::Demo(
            "the demo login app (--demo) needs `serve all`: it calls the admin API of its own process"
                .into(),
        ));
    }
    let store = open_store(&config, mode).await?;
    let rustls = tls::rustls_config(&config).await.map_err(ServeError::Tls)?;
    let scheme = if rustls.is_some() { "https" } else { "http" };
    let state =
        AppState::new(config, store.clone()).map_err(|e| ServeError::Keys(e.to_string()))?;
    state
        .ensure_signing_keys()
        .await
        .map_err(|e| signing_keys_error(&state, &e))?;
    if state
        .load_imported_token_key()
        .await
        .map_err(|e| signing_keys_error(&state, &e))?
    {
        tracing::info!("tokens imported from Hydra verify with the imported Hydra token key");
    }
    if state
        .load_imported_cookie_key()
        .await
        .map_err(|e| signing_keys_error(&state, &e))?
    {
        tracing::info!("login cookies Hydra signed are read with the imported Hydra cookie key");
    }
    crate::bootstrap::ensure_root_client(&state)
        .await
        .map_err(|e| ServeError::Bootstrap(e.to_string()))?;
    let handle = Handle::new();
    let limits = connection_limits(&state.config);
    let bound = bind_listeners(&state, mode, scheme).await?;
    let servers = spawn_servers(&state, bound, limits, rustls, &handle)?;
    let janitor = crate::tasks::spawn_janitor(&state);
    tokio::spawn(shutdown_on_signal(handle));
    let result = wait_for(servers).await;
    if let Some(janitor) = janitor {
        janitor.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    result
}

/// Why the signing key sets cannot be used, with what to do about it.
fn signing_keys_error(state: &AppState, e: &oxydra_core::Error) -> ServeError {
    let detail = match e {
        oxydra_core::Error::OAuth(o) => o.debug.clone().unwrap_or_else(|| e.to_string()),
        other => other.to_string(),
    };
    let dev_hint = match crate::config::dev_secret_file(state.config.database_url.expose()) {
        Some(file) if state.config.dangerous_force_http => format!(
            "; in development mode the secret is kept in {}: a database made without it \
             (or by an older version) can be deleted to start afresh",
            file.display()
        ),
        _ => String::new(),
    };
    ServeError::Keys(format!(
        "the signing key sets ({}) cannot be used: {detail}; if SYSTEM_SECRET changed, \
         set the previous one as ROTATED_SYSTEM_SECRET (then run `oxydra migrate secret`)\
         {dev_hint}",
        state.signing_set_names().join(", ")
    ))
}

/// Binds every listener `mode` serves before serving any, so the admin URL the demo app calls
/// is known before the first request reaches it; announces each bound address.
async fn bind_listeners(
    state: &AppState,
    mode: ServeMode,
    scheme: &str,
) -> Result<Vec<(ServeMode, std::net::TcpListener)>, ServeError> {
    let listeners = [
        (ServeMode::Public, "public", &state.config.public),
        (ServeMode::Admin, "admin", &state.config.admin),
    ];
    let mut bound = Vec::new();
    for (side, name, listen) in listeners {
        if mode != ServeMode::All && mode != side {
            continue;
        }
        let listener = bind(&listen.bind_addr()).await?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError::Listen(e.to_string()))?;
        announce(name, scheme, addr);
        if side == ServeMode::Admin {
            let _ = state
                .admin_url
                .set(format!("{scheme}://{}", reachable(addr)));
        }
        bound.push((side, listener));
    }
    Ok(bound)
}

/// Serves each bound listener with its router, under its connection cap, on its own task.
fn spawn_servers(
    state: &AppState,
    bound: Vec<(ServeMode, std::net::TcpListener)>,
    (caps, timeouts): (Caps, Timeouts),
    rustls: Option<axum_server::tls_rustls::RustlsConfig>,
    handle: &Handle<PeerAddr>,
) -> Result<Vec<tokio::task::JoinHandle<std::io::Result<()>>>, ServeError> {
    let mut servers = Vec::new();
    for (side, listener) in bound {
        let (router, cap) = if side == ServeMode::Public {
            (public_router(state.clone()), caps.public)
        } else {
            (admin_router(state.clone()), caps.admin)
        };
        let listener = CappedListener::new(listener, cap, timeouts)
            .map_err(|e| ServeError::Listen(e.to_string()))?;
        servers.push(tokio::spawn(run_listener(
            listener,
            router,
            rustls.clone(),
            handle.clone(),
        )));
    }
    Ok(servers)
}

/// Waits for every server task; the last failure, if any, is the result.
async fn wait_for(
    servers: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
) -> Result<(), ServeError> {
    let mut result = Ok(());
    for server in servers {
        match server.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => result = Err(ServeError::Listen(e.to_string())),
            Err(e) => result = Err(ServeError::Listen(e.to_string())),
        }
    }
    result
}

async fn open_store(config: &Config, mode: ServeMode) -> Result<SqlStore, ServeError> {
    let dsn = Dsn::parse(config.database_url.expose())
        .map_err(|e| ServeError::Database(e.to_string()))?;
    if dsn.is_memory() && mode != ServeMode::All {
        return Err(ServeError::Database(
            "DATABASE_URL=memory works only with `serve all`: separate processes cannot share an in-memory database".into(),
        ));
    }
    let opts = OpenOptions {
        client_cache_refresh: Some(config.client_cache_refresh),
        token_cache_refresh: Some(config.token_cache_refresh),
        ..OpenOptions::default()
    };
    let opened = SqlStore::open(&dsn, &opts)
        .await
        .map_err(|e| ServeError::Database(format!("cannot open {dsn}: {e}")))?;
    let store = opened.store;
    if dsn.is_memory() || opened.newly_created || config.auto_migrate {
        let applied = store
            .migrate()
            .await
            .map_err(|e| ServeError::Database(e.to_string()))?;
        for m in applied {
            tracing::info!(version = m.version, description = %m.description, "applied migration");
        }
    } else {
        let pending = store
            .pending_migrations()
            .await
            .map_err(|e| ServeError::Database(e.to_string()))?;
        if !pending.is_empty() {
            return Err(ServeError::Database(format!(
                "{dsn} has {} pending migration(s); run `oxydra migrate sql` or start with --auto-migrate",
                pending.len()
            )));
        }
    }
    // A database outage answers 503 at once instead of after the pool's acquire timeout.
    store.fail_fast_when_unreachable();
    Ok(store)
}

async fn bind(addr: &str) -> Result<std::net::TcpListener, ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| ServeError::Listen(format!("cannot bind {addr}: {e}")))?;
    listener
        .into_std()
        .map_err(|e| ServeError::Listen(e.to_string()))
}

/// An address this host can connect to: a wildcard bind (`0.0.0.0`, `::`) becomes loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// Tells operators and tests where we listen (port 0 picks a free port).
fn announce(name: &str, scheme: &str, addr: SocketAddr) {
    let mut stdout = std::io::stdout().lock();
    // A closed stdout must not stop the server; the address is also logged.
    let _ = writeln!(stdout, "{name} listening on {scheme}://{addr}");
    let _ = stdout.flush();
    tracing::info!(%addr, "{name} listening");
}

/// The listeners' connection caps (fitted to the open-file limit) and timeouts.
fn connection_limits(config: &Config) -> (Caps, Timeouts) {
    let c = &config.connections;
    let wanted = Caps {
        public: c.public_max_connections,
        admin: c.admin_max_connections,
    };
    let (caps, warning) = conn::fit_caps(wanted, conn::open_file_limit());
    if let Some(warning) = warning {
        tracing::warn!("{warning}");
    }
    let timeouts = Timeouts {
        header_read: c.header_read_timeout,
        body_read: c.body_read_timeout,
        idle: c.idle_timeout,
    };
    (caps, timeouts)
}

async fn run_listener(
    listener: CappedListener,
    router: Router,
    rustls: Option<axum_server::tls_rustls::RustlsConfig>,
    handle: Handle<PeerAddr>,
) -> std::io::Result<()> {
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let server = axum_server::Server::<PeerAddr>::from_listener(listener).handle(handle);
    match rustls {
        Some(tls) => {
            let acceptor =
                axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(TrackingAcceptor);
            server.acceptor(acceptor).serve(service).await
        }
        None => server.acceptor(TrackingAcceptor).serve(service).await,
    }
}

async fn shutdown_on_signal(handle: Handle<PeerAddr>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, draining");
    handle.graceful_shutdown(Some(DRAIN_TIMEOUT));
}
