//! Distributed tracing (`TRACING_*`), named as Hydra 1.x names it: `TRACING_PROVIDER=otel`
//! exports spans over OTLP (HTTP/protobuf) to `TRACING_PROVIDERS_OTLP_SERVER_URL`. Off by
//! default; Hydra's other providers (`jaeger`, `zipkin`, ...) are refused at start-up.

use url::Url;

use super::env::{EnvSource, Reader};

/// The keys read only when a provider is set; setting one without it is a warning.
const PROVIDER_KEYS: &[&str] = &[
    "TRACING_PROVIDERS_OTLP_SERVER_URL",
    "TRACING_PROVIDERS_OTLP_INSECURE",
    "TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO",
];

/// The OTLP/HTTP path of trace export, added when the server URL names none.
const TRACES_PATH: &str = "/v1/traces";

/// Tracing settings: whether spans leave the process, and where to.
#[derive(Debug, Clone, PartialEq)]
pub struct TracingConfig {
    /// `service.name` of every exported span (`TRACING_SERVICE_NAME`).
    pub service_name: String,
    /// The OTLP exporter; `None` when `TRACING_PROVIDER` is unset (no spans are exported and
    /// none are built beyond what logging needs).
    pub otlp: Option<OtlpConfig>,
}

/// Where and how much the OTLP exporter sends.
#[derive(Debug, Clone, PartialEq)]
pub struct OtlpConfig {
    /// The collector's trace endpoint, e.g. `http://collector:4318/v1/traces`.
    pub endpoint: Url,
    /// Share of new traces sampled, 0 to 1 (a request carrying a sampled parent is not
    /// re-decided).
    pub sampling_ratio: f64,
}

pub(super) fn tracing_config<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> TracingConfig {
    let enabled = r.parse("TRACING_PROVIDER", false, parse_provider);
    let service_name = r.string_documented("TRACING_SERVICE_NAME");
    if !enabled {
        for key in PROVIDER_KEYS {
            if r.is_set(key) {
                r.warnings.push(format!(
                    "{key} is ignored because TRACING_PROVIDER is not set"
                ));
            }
        }
        return TracingConfig {
            service_name,
            otlp: None,
        };
    }
    let insecure = r.bool_documented("TRACING_PROVIDERS_OTLP_INSECURE");
    let endpoint = r.parse_documented("TRACING_PROVIDERS_OTLP_SERVER_URL", |s| {
        otlp_endpoint(s, insecure).map(Some)
    });
    let sampling_ratio = r.parse_documented(
        "TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO",
        parse_ratio,
    );
    TracingConfig {
        service_name,
        otlp: endpoint.map(|endpoint| OtlpConfig {
            endpoint,
            sampling_ratio,
        }),
    }
}

/// `otel` (Hydra's name for OTLP) or `otlp`: on. Any other provider is an error rather than
/// silently no tracing.
fn parse_provider(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "otel" | "otlp" => Ok(true),
        _ => Err(format!(
            "{s:?} is not a supported tracing provider (otel, alias otlp; Hydra's jaeger, \
             zipkin, datadog, elastic-apm and instana are not supported: export OTLP to a \
             collector instead)"
        )),
    }
}

/// Hydra's form `host:port` (https, or http with `TRACING_PROVIDERS_OTLP_INSECURE=true`), or
/// a whole `http(s)://` URL whose scheme wins; `/v1/traces` is added when no path is given.
fn otlp_endpoint(s: &str, insecure: bool) -> Result<Url, String> {
    let scheme = if insecure { "http" } else { "https" };
    let text = if s.contains("://") {
        s.to_owned()
    } else {
        format!("{scheme}://{s}")
    };
    let mut url = Url::parse(&text).map_err(|e| format!("{s:?} is not host:port or a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(format!("{s:?} must be host:port or an http(s) URL"));
    }
    if url.path().is_empty() || url.path() == "/" {
        url.set_path(TRACES_PATH);
    }
    Ok(url)
}

/// A sampling ratio between 0 (none) and 1 (every trace).
fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(ratio),
        _ => Err(format!(
            "{s:?} is not a sampling ratio (a number from 0 to 1)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> (TracingConfig, Vec<String>, Vec<String>) {
        let env: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut r = Reader::new(&env, &[]);
        let config = tracing_config(&mut r);
        (config, r.problems, r.warnings)
    }

    #[test]
    fn off_by_default_and_provider_keys_alone_are_a_warning() {
        let (config, problems, warnings) = read(&[]);
        assert_eq!(config.otlp, None);
        assert_eq!(config.service_name, "oxydra");
        assert!(problems.is_empty() && warnings.is_empty());
        let (config, _, warnings) = read(&[("TRACING_PROVIDERS_OTLP_SERVER_URL", "c:4318")]);
        assert_eq!(config.otlp, None);
        assert!(
            warnings[0].contains("TRACING_PROVIDER is not set"),
            "{warnings:?}"
        );
    }

    #[test]
    fn otel_reads_hydras_keys() {
        let (config, problems, _) = read(&[
            ("TRACING_PROVIDER", "otel"),
            ("TRACING_SERVICE_NAME", "auth"),
            ("TRACING_PROVIDERS_OTLP_SERVER_URL", "collector:4318"),
            ("TRACING_PROVIDERS_OTLP_INSECURE", "true"),
            ("TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO", "0.5"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.service_name, "auth");
        let otlp = config.otlp.unwrap();
        assert_eq!(otlp.endpoint.as_str(), "http://collector:4318/v1/traces");
        assert_eq!(otlp.sampling_ratio, 0.5);
        let (config, problems, _) = read(&[("TRACING_PROVIDER", "otlp")]);
        assert!(problems.is_empty(), "{problems:?}");
        let otlp = config.otlp.unwrap();
        assert_eq!(otlp.endpoint.as_str(), "https://localhost:4318/v1/traces");
        assert_eq!(otlp.sampling_ratio, 1.0);
    }

    #[test]
    fn bad_values_are_problems_naming_the_key() {
        let (_, problems, _) = read(&[
            ("TRACING_PROVIDER", "otel"),
            ("TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO", "2"),
        ]);
        assert!(problems[0].starts_with("TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO"));
        let (_, problems, _) = read(&[("TRACING_PROVIDER", "zipkin")]);
        assert!(problems[0].starts_with("TRACING_PROVIDER:"), "{problems:?}");
    }

    #[test]
    fn endpoints_follow_hydra_and_take_urls() {
        let url = |s, insecure| otlp_endpoint(s, insecure).unwrap().to_string();
        assert_eq!(
            url("collector:4318", false),
            "https://collector:4318/v1/traces"
        );
        assert_eq!(
            url("collector:4318", true),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(url("http://c:4318", false), "http://c:4318/v1/traces");
        assert_eq!(
            url("https://c/otlp/v1/traces", true),
            "https://c/otlp/v1/traces"
        );
        assert!(otlp_endpoint("ftp://c:1", false).is_err());
        assert!(otlp_endpoint("http://", false).is_err());
    }

    #[test]
    fn ratios_and_providers() {
        assert_eq!(parse_ratio("0.25"), Ok(0.25));
        assert!(parse_ratio("1.5").is_err());
        assert!(parse_ratio("-0.1").is_err());
        assert!(parse_ratio("all").is_err());
        assert_eq!(parse_provider("OTEL"), Ok(true));
        assert_eq!(parse_provider("otlp"), Ok(true));
        assert!(
            parse_provider("jaeger")
                .unwrap_err()
                .contains("not a supported")
        );
    }
}
