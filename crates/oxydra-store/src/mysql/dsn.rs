//! MySQL/MariaDB database URLs, in both spellings operators bring:
//!
//! - a URL, `mysql://user:pass@host:port/db?…` (user and password percent-encoded);
//! - Hydra's, which is Go's MySQL DSN behind the scheme:
//!   `mysql://user:pass@tcp(host:port)/db?parseTime=true&…`, also `unix(/path/to.sock)` and
//!   `@/db` (127.0.0.1:3306). As in Go, user and password are taken literally (not decoded);
//!   the password is everything after the first `:` up to the last `@` before the address.
//!
//! Query parameters: Hydra's pool parameters (see [`super::super::dsn`]) are taken by Oxydra;
//! the Go driver's parameters are dropped (see [`GO_DRIVER_PARAMS`]), except `tls`, which is
//! mapped to the equivalent `ssl-mode`; sqlx's TLS parameters are passed on; any other
//! parameter is refused, so a typo does not go unnoticed.

use std::borrow::Cow;

use sqlx::mysql::{MySqlConnectOptions, MySqlSslMode};

use crate::dsn::{Backend, DsnError, PoolParams, invalid, take_pool_params};

/// The port when a DSN names none.
const DEFAULT_PORT: u16 = 3306;

/// Parameters of Go's MySQL driver that Hydra DSNs carry and that mean nothing here: times are
/// BIGINT microseconds (`parseTime`, `loc`), the connection always speaks utf8mb4 and every
/// column has its own collation (`charset`, `collation`), timeouts are Oxydra's own, and the
/// rest tune Go's client.
pub(crate) const GO_DRIVER_PARAMS: &[&str] = &[
    "parseTime",
    "loc",
    "charset",
    "collation",
    "timeout",
    "readTimeout",
    "writeTimeout",
    "maxAllowedPacket",
    "multiStatements",
    "interpolateParams",
    "clientFoundRows",
    "columnsWithAlias",
    "allowNativePasswords",
    "allowOldPasswords",
    "allowCleartextPasswords",
    "allowFallbackToPlaintext",
    "allowAllFiles",
    "rejectReadOnly",
    "checkConnLiveness",
    "serverPubKey",
    "connectionAttributes",
];

/// A parsed MySQL DSN: driver options, Hydra's `max_conns`, and the text to show.
pub(crate) struct MySqlDsn {
    /// Driver options.
    pub(crate) options: MySqlConnectOptions,
    /// `max_conns` from the query, if given.
    pub(crate) max_conns: Option<u32>,
    /// The DSN with its password replaced by `***`.
    pub(crate) redacted: String,
}

/// Where the server is.
enum Address {
    /// Host and port.
    Tcp { host: String, port: u16 },
    /// A Unix socket path.
    Socket(String),
}

/// The parts of either spelling.
struct Parts<'a> {
    user: Cow<'a, str>,
    password: Option<Cow<'a, str>>,
    address: Address,
    /// The address as written, for the redacted text.
    shown_address: &'a str,
    database: Cow<'a, str>,
    /// The raw query string (without `?`).
    query: &'a str,
}

fn bad(reason: impl std::fmt::Display) -> DsnError {
    invalid(Backend::Mysql, reason)
}

/// Parses `mysql://…` or `mariadb://…` in either spelling.
pub(crate) fn parse(raw: &str) -> Result<MySqlDsn, DsnError> {
    let (scheme, rest) = raw.split_once("://").ok_or_else(|| {
        bad("expected `mysql://user:pass@tcp(host:port)/db` or `mysql://user:pass@host:port/db`")
    })?;
    let parts = match go_form(rest)? {
        Some(parts) => parts,
        None => url_form(rest)?,
    };
    if parts.database.is_empty() {
        return Err(bad(
            "no database name (e.g. `mysql://user@host:3306/oxydra`)",
        ));
    }
    let PoolParams { max_conns, kept } = take_pool_params(
        Backend::Mysql,
        url::form_urlencoded::parse(parts.query.as_bytes()),
    )?;
    let mut options = match &parts.address {
        Address::Tcp { host, port } => MySqlConnectOptions::new().host(host).port(*port),
        Address::Socket(path) => MySqlConnectOptions::new().socket(path),
    };
    options = options.username(&parts.user).database(&parts.database);
    if let Some(password) = &parts.password {
        options = options.password(password);
    }
    for (key, value) in &kept {
        options = driver_param(options, key, value)?;
    }
    Ok(MySqlDsn {
        options,
        max_conns,
        redacted: redacted(scheme, &parts),
    })
}

/// Go's spelling, recognised by its `tcp(…)` / `unix(…)` address or an empty one (`@/db`);
/// `None` for anything else.
fn go_form(rest: &str) -> Result<Option<Parts<'_>>, DsnError> {
    let at = ["@tcp(", "@unix("]
        .iter()
        .filter_map(|p| rest.rfind(p))
        .max()
        .or_else(|| rest.rfind("@/"));
    let (userinfo, address) = match at {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None if rest.starts_with("tcp(") || rest.starts_with("unix(") || rest.starts_with('/') => {
            (None, rest)
        }
        None => return Ok(None),
    };
    let (address, shown_address, after) = go_address(address)?;
    let path = after
        .strip_prefix('/')
        .ok_or_else(|| bad("expected `/database` after the address"))?;
    let (database, query) = path.split_once('?').unwrap_or((path, ""));
    let (user, password) = match userinfo {
        Some(info) => match info.split_once(':') {
            Some((user, password)) => (user, Some(Cow::Borrowed(password))),
            None => (info, None),
        },
        None => ("", None),
    };
    Ok(Some(Parts {
        user: Cow::Borrowed(user),
        password,
        address,
        shown_address,
        database: Cow::Borrowed(database),
        query,
    }))
}

/// Go's `net(addr)` (or nothing, meaning 127.0.0.1:3306): the address, how it was written,
/// and the text after it.
fn go_address(text: &str) -> Result<(Address, &str, &str), DsnError> {
    if text.starts_with('/') {
        let address = Address::Tcp {
            host: "127.0.0.1".into(),
            port: DEFAULT_PORT,
        };
        return Ok((address, "", text));
    }
    let close = text
        .find(')')
        .ok_or_else(|| bad("unclosed `(` in the address"))?;
    let (shown, after) = text.split_at(close + 1);
    let address = if let Some(inner) = shown.strip_prefix("tcp(") {
        tcp_address(&inner[..inner.len() - 1])?
    } else if let Some(inner) = shown.strip_prefix("unix(") {
        Address::Socket(inner[..inner.len() - 1].to_owned())
    } else {
        return Err(bad("the address must be `tcp(host:port)` or `unix(/path)`"));
    };
    Ok((address, shown, after))
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn tcp_address(text: &str) -> Result<Address, DsnError> {
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port))
            if !host.ends_with(':') && (!host.contains(':') || host.ends_with(']')) =>
        {
            let port = port
                .parse()
                .map_err(|_| bad(format!("bad port `{port}`")))?;
            (host, port)
        }
        _ => (text, DEFAULT_PORT),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("no host in `tcp()`"));
    }
    Ok(Address::Tcp {
        host: host.to_owned(),
        port,
    })
}

/// The URL spelling; user and password are percent-decoded.
fn url_form(rest: &str) -> Result<Parts<'_>, DsnError> {
    let url = url::Url::parse(&format!("mysql://{rest}")).map_err(bad)?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("no host"))?;
    if host.contains('(') {
        return Err(bad("the address must be `tcp(host:port)` or `unix(/path)`"));
    }
    let decode = |s: &str| -> Result<Cow<'static, str>, DsnError> {
        let text = percent_decode(s)?;
        Ok(Cow::Owned(text))
    };
    let start = rest.rfind('@').map_or(0, |i| i + 1);
    let end = rest[start..]
        .find(['/', '?'])
        .map_or(rest.len(), |i| start + i);
    let path = url.path().trim_start_matches('/');
    if path.contains('/') {
        return Err(bad("the database name must not contain `/`"));
    }
    Ok(Parts {
        user: decode(url.username())?,
        password: url.password().map(decode).transpose()?,
        address: Address::Tcp {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port: url.port().unwrap_or(DEFAULT_PORT),
        },
        shown_address: &rest[start..end],
        database: decode(path)?,
        query: rest.split_once('?').map_or("", |(_, q)| q),
    })
}

fn percent_decode(text: &str) -> Result<String, DsnError> {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| bad("bad percent-encoding"))
}

/// Applies one query parameter that is not a pool parameter: sqlx's TLS settings, Go's `tls`
/// (mapped), Go-only ones (dropped); anything else is refused.
fn driver_param(
    options: MySqlConnectOptions,
    key: &str,
    value: &str,
) -> Result<MySqlConnectOptions, DsnError> {
    Ok(match key {
        "ssl-mode" | "sslmode" => options.ssl_mode(value.parse().map_err(bad)?),
        "ssl-ca" | "sslca" => options.ssl_ca(value),
        "ssl-cert" | "sslcert" => options.ssl_client_cert(value),
        "ssl-key" | "sslkey" => options.ssl_client_key(value),
        "statement-cache-capacity" => options.statement_cache_capacity(value.parse().map_err(bad)?),
        "tls" => options.ssl_mode(go_tls(value)?),
        _ if GO_DRIVER_PARAMS.contains(&key) => options,
        _ => return Err(bad(format!("unknown parameter `{key}`"))),
    })
}

/// Go's `tls` values as sqlx SSL modes.
fn go_tls(value: &str) -> Result<MySqlSslMode, DsnError> {
    Ok(match value.to_ascii_lowercase().as_str() {
        "true" => MySqlSslMode::VerifyIdentity,
        "skip-verify" => MySqlSslMode::Required,
        "preferred" => MySqlSslMode::Preferred,
        "false" => MySqlSslMode::Disabled,
        other => return Err(bad(format!("unsupported tls value `{other}`"))),
    })
}

/// The DSN as written, with the password replaced by `***`.
fn redacted(scheme: &str, parts: &Parts<'_>) -> String {
    let password = if parts.password.is_some() { ":***" } else { "" };
    let userinfo = if parts.user.is_empty() && parts.password.is_none() {
        String::new()
    } else {
        format!("{}{password}@", parts.user)
    };
    let query = if parts.query.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.query)
    };
    format!(
        "{scheme}://{userinfo}{}/{}{query}",
        parts.shown_address, parts.database
    )
}

#[cfg(test)]
mod tests;
