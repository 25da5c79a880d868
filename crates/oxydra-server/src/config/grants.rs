//! The token endpoint's grant extensions: the refresh-token rotation grace period and the token
//! hook (Hydra 2.x's `oauth2.grant.refresh_token.rotation_grace_period` and
//! `oauth2.token_hook`, read under their environment forms).

use std::time::Duration;

use oxydra_core::Secret;
use oxydra_core::client::uri::is_loopback_host;
use oxydra_core::token::rotation::MAX_ROTATION_GRACE;
use url::Url;

use super::duration::parse_duration;
use super::env::{EnvSource, Reader};

/// How grants behave beyond RFC 6749's defaults.
#[derive(Debug, Clone, Default)]
pub struct GrantsConfig {
    /// How long a rotated refresh token may be presented again for the same successor pair
    /// (`OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD`); zero = off.
    pub refresh_token_rotation_grace: Duration,
    /// The token hook, when configured (`OAUTH2_TOKEN_HOOK_URL`).
    pub token_hook: Option<TokenHookConfig>,
}

/// Where and how the token hook is called.
#[derive(Debug, Clone)]
pub struct TokenHookConfig {
    /// The hook's URL (https, or http to a loopback host; any http in development mode).
    pub url: Url,
    /// The whole call's timeout (`OXYDRA_TOKEN_HOOK_TIMEOUT`).
    pub timeout: Duration,
    /// An API key sent with every call (`OAUTH2_TOKEN_HOOK_AUTH_*`), redacted in `Debug`.
    pub api_key: Option<HookApiKey>,
}

/// Hydra's `api_key` hook authentication: a named header or cookie carrying a secret value.
#[derive(Debug, Clone)]
pub struct HookApiKey {
    /// Header or cookie name.
    pub name: String,
    /// The secret value.
    pub value: Secret<String>,
    /// Whether it is sent as a cookie instead of a header.
    pub in_cookie: bool,
}

/// Reads the grant extensions; problems are recorded on `r`.
pub(super) fn grants<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>, dev: bool) -> GrantsConfig {
    let refresh_token_rotation_grace =
        r.parse_documented("OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD", |s| {
            match parse_duration(s)? {
                d if d > MAX_ROTATION_GRACE => Err(format!(
                    "{s:?} is longer than the {}s a rotated refresh token may be forgiven",
                    MAX_ROTATION_GRACE.as_secs()
                )),
                d => Ok(d),
            }
        });
    GrantsConfig {
        refresh_token_rotation_grace,
        token_hook: token_hook(r, dev),
    }
}

fn token_hook<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>, dev: bool) -> Option<TokenHookConfig> {
    let timeout = r.parse_documented("OXYDRA_TOKEN_HOOK_TIMEOUT", |s| match parse_duration(s)? {
        d if d.is_zero() => Err("must be more than 0".to_owned()),
        d => Ok(d),
    });
    let api_key = api_key(r);
    let value = r.raw("OAUTH2_TOKEN_HOOK_URL")?;
    let text = value.text.trim();
    let url = match Url::parse(text) {
        Ok(url) if hook_url_allowed(&url, dev) => url,
        _ => {
            r.problem(
                &value.source,
                format!(
                    "{text:?} is not an https URL (plain http only to a loopback host, or to \
                     any host in development mode)"
                ),
            );
            return None;
        }
    };
    Some(TokenHookConfig {
        url,
        timeout,
        api_key,
    })
}

/// https anywhere; http to a loopback host (a sidecar), or anywhere in development mode.
/// The operator chose the URL, so private and loopback addresses are not refused.
fn hook_url_allowed(url: &Url, dev: bool) -> bool {
    url.has_host()
        && url.username().is_empty()
        && url.password().is_none()
        && match url.scheme() {
            "https" => true,
            "http" => dev || is_loopback_host(url),
            _ => false,
        }
}

fn api_key<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> Option<HookApiKey> {
    let kind = r
        .raw("OAUTH2_TOKEN_HOOK_AUTH_TYPE")
        .map(|v| v.text.trim().to_owned())
        .unwrap_or_default();
    let in_cookie = r.parse_documented("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_IN", |s| match s {
        "header" => Ok(false),
        "cookie" => Ok(true),
        other => Err(format!("{other:?} is neither `header` nor `cookie`")),
    });
    let name = r.raw("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_NAME");
    let value = r.raw("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_VALUE");
    match (kind.as_str(), name, value) {
        ("", None, None) => None,
        ("api_key", Some(name), Some(value)) => {
            let name = name.text.trim().to_owned();
            let header_ok = axum::http::HeaderName::from_bytes(name.as_bytes()).is_ok();
            let value_ok = axum::http::HeaderValue::from_str(value.text.trim()).is_ok();
            if !header_ok || !value_ok {
                r.problem(
                    "OAUTH2_TOKEN_HOOK_AUTH_CONFIG_NAME",
                    "the name must be a header name and the value a header value",
                );
                return None;
            }
            Some(HookApiKey {
                name,
                value: Secret::new(value.text.trim().to_owned()),
                in_cookie,
            })
        }
        _ => {
            r.problem(
                "OAUTH2_TOKEN_HOOK_AUTH_TYPE",
                "hook authentication needs `api_key` with both a name and a value",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn read(pairs: &[(&str, &str)], dev: bool) -> (GrantsConfig, Vec<String>) {
        let env: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut r = Reader::new(&env, &[]);
        let config = grants(&mut r, dev);
        (config, r.problems)
    }

    #[test]
    fn defaults_are_off() {
        let (config, problems) = read(&[], false);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(config.refresh_token_rotation_grace.is_zero());
        assert!(config.token_hook.is_none());
    }

    #[test]
    fn the_grace_period_is_capped() {
        let key = "OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD";
        let (config, problems) = read(&[(key, "5m")], false);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.refresh_token_rotation_grace, MAX_ROTATION_GRACE);
        let (_, problems) = read(&[(key, "5m1s")], false);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn hook_urls_are_https_or_loopback_http() {
        let url = "OAUTH2_TOKEN_HOOK_URL";
        for ok in ["https://hook.example/token", "http://127.0.0.1:9000/hook"] {
            let (config, problems) = read(&[(url, ok)], false);
            assert!(problems.is_empty(), "{ok}: {problems:?}");
            assert_eq!(config.token_hook.unwrap().url.as_str(), ok);
        }
        let (_, problems) = read(&[(url, "http://hook.internal/token")], false);
        assert_eq!(problems.len(), 1);
        let (config, problems) = read(&[(url, "http://hook.internal/token")], true);
        assert!(problems.is_empty() && config.token_hook.is_some());
        let (_, problems) = read(&[("OAUTH2_TOKEN_HOOK", "ftp://x/")], false);
        assert_eq!(problems.len(), 1, "the alias is read too");
    }

    #[test]
    fn an_api_key_needs_type_name_and_value() {
        let (config, problems) = read(
            &[
                ("OAUTH2_TOKEN_HOOK_URL", "https://hook.example/"),
                ("OAUTH2_TOKEN_HOOK_AUTH_TYPE", "api_key"),
                ("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_NAME", "X-Hook-Key"),
                ("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_VALUE", "s3cret"),
            ],
            false,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let key = config.token_hook.unwrap().api_key.unwrap();
        assert_eq!((key.name.as_str(), key.in_cookie), ("X-Hook-Key", false));
        assert!(!format!("{key:?}").contains("s3cret"));
        let (_, problems) = read(
            &[("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_NAME", "X-Hook-Key")],
            false,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
