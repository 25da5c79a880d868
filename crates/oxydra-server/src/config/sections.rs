//! The sections of [`Config`](super::Config) that take more than one line to read.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use oxydra_core::Secret;
use oxydra_core::client::SubjectType;
use oxydra_core::client::secret::HashAlgorithm;
use url::Url;

use super::duration::parse_duration;
use super::env::{EnvSource, Reader, split_list};
use super::secrets::{
    MIN_COOKIE_SECRET_LEN, MIN_SYSTEM_SECRET_LEN, decode_pem, random_secret, sha256,
};
use super::urls::absolute_or_relative;
use super::{CorsConfig, DemoConfig, ListenConfig, OidcConfig, PemSource, TlsConfig};

pub(super) fn listen<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    host_key: &str,
    port_key: &str,
) -> ListenConfig {
    let host = r.parse(host_key, String::new(), |s| {
        if s.contains(|c: char| c.is_whitespace() || c == '/') {
            Err(format!("{s:?} is not a host name or IP address"))
        } else {
            Ok(s.to_owned())
        }
    });
    ListenConfig {
        host,
        port: r.port_documented(port_key),
    }
}

pub(super) fn tls<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> TlsConfig {
    let cert = pem(r, "HTTPS_TLS_CERT_PATH", "HTTPS_TLS_CERT");
    let key = pem(r, "HTTPS_TLS_KEY_PATH", "HTTPS_TLS_KEY");
    let allow_termination_from = r.parse("HTTPS_ALLOW_TERMINATION_FROM", Vec::new(), parse_cidrs);
    TlsConfig {
        cert,
        key,
        allow_termination_from,
    }
}

/// A PEM file path, else inline (possibly base64) PEM; the path wins when both are set.
fn pem<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    path_key: &str,
    inline_key: &str,
) -> Option<PemSource> {
    let path = r.raw(path_key);
    let inline = r.raw(inline_key);
    if let Some(path) = path {
        if let Some(inline) = inline {
            r.warnings.push(format!(
                "{} is ignored because {} is set",
                inline.source, path.source
            ));
        }
        return Some(PemSource::Path(PathBuf::from(path.text.trim())));
    }
    let inline = inline?;
    match decode_pem(&inline.text) {
        Ok(pem) => Some(PemSource::Inline(Secret::new(pem))),
        Err(e) => {
            r.problem(&inline.source, e);
            None
        }
    }
}

/// A comma list of CIDRs; a bare IP address stands for itself.
fn parse_cidrs(s: &str) -> Result<Vec<IpNet>, String> {
    let mut nets = Vec::new();
    let mut bad = Vec::new();
    for entry in split_list(s) {
        match entry.parse::<IpNet>() {
            Ok(net) => nets.push(net),
            Err(_) => match entry.parse::<IpAddr>() {
                Ok(ip) => nets.push(IpNet::from(ip)),
                Err(_) => bad.push(entry),
            },
        }
    }
    if bad.is_empty() {
        Ok(nets)
    } else {
        Err(format!("not a CIDR (e.g. 10.0.0.0/8): {}", bad.join(", ")))
    }
}

/// The current system secret first, then rotated ones; `true` when generated.
pub(super) fn system_secrets<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    dangerous: bool,
) -> (Vec<Secret<Vec<u8>>>, bool) {
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut generated = false;
    let mut alias_rest = Vec::new();
    match r.raw("SYSTEM_SECRET") {
        // Hydra 1.x's `SECRETS_SYSTEM` is a list: first = current, the rest = rotated.
        Some(v) if v.name == "SECRETS_SYSTEM" => {
            let mut list = split_list(&v.text).into_iter();
            if let Some(first) = list.next() {
                entries.push((v.source.clone(), first.into_bytes()));
            }
            alias_rest = list.map(|s| (v.source.clone(), s.into_bytes())).collect();
        }
        Some(v) => entries.push((v.source, v.text.into_bytes())),
        None if dangerous => match random_secret() {
            Ok(bytes) => {
                generated = true;
                r.warnings.push(
                    "SYSTEM_SECRET is not set: generated a random one for this process \
                     (development mode); tokens and encrypted keys will not survive a restart"
                        .to_owned(),
                );
                entries.push((String::new(), bytes));
            }
            Err(e) => r.problem("SYSTEM_SECRET", format!("not set, and generating one failed: {e}")),
        },
        None => r.problem(
            "SYSTEM_SECRET",
            format!(
                "not set; set a random string of at least {MIN_SYSTEM_SECRET_LEN} bytes \
                 (e.g. `openssl rand -hex 32`), or run with --dangerous-force-http to use a throwaway one"
            ),
        ),
    }
    if let Some(v) = r.raw("ROTATED_SYSTEM_SECRET") {
        entries.push((v.source, v.text.into_bytes()));
    }
    entries.extend(alias_rest);
    for (source, bytes) in &entries {
        if !source.is_empty() && bytes.len() < MIN_SYSTEM_SECRET_LEN {
            r.problem(
                source,
                format!(
                    "is {} bytes long; a system secret needs at least {MIN_SYSTEM_SECRET_LEN}",
                    bytes.len()
                ),
            );
        }
    }
    (
        entries.into_iter().map(|(_, b)| Secret::new(b)).collect(),
        generated,
    )
}

/// `COOKIE_SECRET`, else SHA-256 of the current system secret, then the rotated cookie secrets
/// (the rest of the `SECRETS_COOKIE` list): the first signs, every one verifies. Each configured
/// entry must be at least [`MIN_COOKIE_SECRET_LEN`] bytes: a shorter HMAC key can be guessed.
pub(super) fn cookie_secrets<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    system: &[Secret<Vec<u8>>],
) -> (Secret<Vec<u8>>, Vec<Secret<Vec<u8>>>) {
    let Some(v) = r.raw("COOKIE_SECRET") else {
        let derived = sha256(system.first().map_or(&[][..], |s| s.expose()));
        return (Secret::new(derived), Vec::new());
    };
    let mut entries = if v.name == "SECRETS_COOKIE" {
        split_list(&v.text)
    } else {
        vec![v.text]
    };
    if entries.is_empty() {
        entries.push(String::new());
    }
    for (position, entry) in entries.iter().enumerate() {
        if entry.len() < MIN_COOKIE_SECRET_LEN {
            let which = match position {
                0 => String::new(),
                n => format!("entry {} ", n + 1),
            };
            r.problem(
                &v.source,
                format!(
                    "{which}is {} bytes long; a cookie secret needs at least \
                     {MIN_COOKIE_SECRET_LEN}",
                    entry.len()
                ),
            );
        }
    }
    let mut secrets = entries.into_iter().map(|e| Secret::new(e.into_bytes()));
    let current = secrets.next().unwrap_or_else(|| Secret::new(Vec::new()));
    (current, secrets.collect())
}

pub(super) fn hasher<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> HashAlgorithm {
    let cost = r.parse_documented("BCRYPT_COST", |s| match s.parse::<u32>() {
        Ok(cost) if (4..=31).contains(&cost) => Ok(cost),
        _ => Err(format!("{s:?} is not a bcrypt cost (4 to 31)")),
    });
    // Each `None` below only when a table default does not parse, already a problem; the
    // stand-ins are never used then.
    let iterations = r
        .parse_documented("OXYDRA_PBKDF2_ITERATIONS", |s| {
            s.parse::<NonZeroU32>()
                .map(Some)
                .map_err(|_| format!("{s:?} is not a positive iteration count"))
        })
        .unwrap_or(NonZeroU32::MIN);
    r.parse_documented("OXYDRA_SECRET_HASHER", |s| {
        match s.to_ascii_lowercase().as_str() {
            "bcrypt" => Ok(Some(HashAlgorithm::Bcrypt { cost })),
            "pbkdf2" => Ok(Some(HashAlgorithm::Pbkdf2 { iterations })),
            _ => Err(format!("{s:?} is not a secret hasher (bcrypt or pbkdf2)")),
        }
    })
    .unwrap_or(HashAlgorithm::Bcrypt { cost })
}

pub(super) fn oidc<E: EnvSource + ?Sized>(
    r: &mut Reader<'_, E>,
    issuer: Option<&Url>,
) -> OidcConfig {
    let with_base = |base: &[&str], extra: Option<Vec<String>>| {
        let mut all: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
        for item in extra.unwrap_or_default() {
            if !all.contains(&item) {
                all.push(item);
            }
        }
        all
    };
    let claims = r.list("OIDC_DISCOVERY_CLAIMS_SUPPORTED");
    let scopes = r.list("OIDC_DISCOVERY_SCOPES_SUPPORTED");
    OidcConfig {
        claims_supported: with_base(&["sub"], claims),
        scopes_supported: with_base(&["offline", "openid"], scopes),
        userinfo_endpoint: r.parse("OIDC_DISCOVERY_USERINFO_ENDPOINT", None, |s| {
            absolute_or_relative(issuer, s)
        }),
        default_client_scope: r
            .list("OIDC_DYNAMIC_CLIENT_REGISTRATION_DEFAULT_SCOPE")
            .unwrap_or_default()
            .join(" "),
        subject_types: r.parse_documented("OIDC_SUBJECT_TYPES_SUPPORTED", |s| {
            let mut types = Vec::new();
            for entry in split_list(s) {
                let parsed = entry
                    .parse::<SubjectType>()
                    .map_err(|()| format!("{entry:?} is not a subject type (public, pairwise)"))?;
                if !types.contains(&parsed) {
                    types.push(parsed);
                }
            }
            Ok(if types.is_empty() {
                vec![SubjectType::Public]
            } else {
                types
            })
        }),
        pairwise_salt: Secret::new(r.string_documented("OIDC_SUBJECT_TYPE_PAIRWISE_SALT")),
    }
}

pub(super) fn cors<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> CorsConfig {
    let mut allowed_headers = r.list_documented("CORS_ALLOWED_HEADERS");
    if !allowed_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("Origin"))
    {
        allowed_headers.insert(0, "Origin".to_owned());
    }
    CorsConfig {
        enabled: r.bool_documented("CORS_ENABLED"),
        allowed_origins: r.list_documented("CORS_ALLOWED_ORIGINS"),
        allowed_methods: r.list_documented("CORS_ALLOWED_METHODS"),
        allowed_headers,
        exposed_headers: r.list("CORS_EXPOSED_HEADERS").unwrap_or_default(),
        allow_credentials: r.bool_documented("CORS_ALLOWED_CREDENTIALS"),
        max_age: r.parse_documented("CORS_MAX_AGE", |s| match s.parse::<u64>() {
            Ok(secs) => Ok(Duration::from_secs(secs)),
            Err(_) => parse_duration(s),
        }),
        debug: r.bool_documented("CORS_DEBUG"),
    }
}

/// The demo login app's switch and accounts (`config::demo_users`).
pub(super) fn demo<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> DemoConfig {
    let enabled = r.bool_documented("OXYDRA_DEMO");
    let users = r.parse_documented("OXYDRA_DEMO_USERS", super::demo_users::parse);
    DemoConfig { enabled, users }
}
