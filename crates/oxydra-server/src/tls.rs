//! TLS for both listeners (rustls on aws-lc-rs), from PEM files or inline PEM.

use axum_server::tls_rustls::RustlsConfig;

use crate::config::{Config, PemSource};

/// Whether the listeners terminate TLS themselves.
pub fn serves_tls(config: &Config) -> bool {
    !config.dangerous_force_http && config.tls.cert.is_some() && config.tls.key.is_some()
}

/// Whether plain HTTP is served behind a TLS-terminating proxy that must be checked per request.
pub fn guards_termination(config: &Config) -> bool {
    !config.dangerous_force_http
        && !serves_tls(config)
        && !config.tls.allow_termination_from.is_empty()
}

/// Loads the certificate chain and key; `None` when TLS is not served.
pub async fn rustls_config(config: &Config) -> Result<Option<RustlsConfig>, String> {
    if !serves_tls(config) {
        return Ok(None);
    }
    let (Some(cert), Some(key)) = (&config.tls.cert, &config.tls.key) else {
        return Ok(None);
    };
    let cert = read_pem(cert, "certificate").await?;
    let key = read_pem(key, "private key").await?;
    RustlsConfig::from_pem(cert, key)
        .await
        .map(Some)
        .map_err(|e| format!("HTTPS_TLS_CERT/HTTPS_TLS_KEY: cannot build a TLS configuration: {e}"))
}

async fn read_pem(source: &PemSource, what: &str) -> Result<Vec<u8>, String> {
    match source {
        PemSource::Path(path) => tokio::fs::read(path)
            .await
            .map_err(|e| format!("cannot read TLS {what} from {}: {e}", path.display())),
        PemSource::Inline(pem) => Ok(pem.expose().as_bytes().to_vec()),
    }
}
