//! The documented table of configuration keys: the single list `docs/configuration.md` mirrors,
//! which the loader reads from and the unknown-`OXYDRA_*` warning checks against.

/// One configuration key: its canonical environment variable, the aliases also read, the default
/// and a one-line meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDoc {
    /// Canonical environment variable (Hydra 1.0.0-beta's name where one exists).
    pub name: &'static str,
    /// Other names read when the canonical one is unset, in order (0.10 and Hydra 1.x names).
    pub aliases: &'static [&'static str],
    /// The default, as documented. Where it is a value, it is the one the loader uses: read
    /// with the key's own parser (`Reader::parse_documented`), so it must parse. Where it
    /// describes (`(none)`, `"" (all interfaces)`, `<issuer>/userinfo`), the reader keeps its
    /// own.
    pub default: &'static str,
    /// What the key does.
    pub meaning: &'static str,
}

const fn key(
    name: &'static str,
    aliases: &'static [&'static str],
    default: &'static str,
    meaning: &'static str,
) -> KeyDoc {
    KeyDoc {
        name,
        aliases,
        default,
        meaning,
    }
}

/// Environment variables Hydra reads (or documents) that Oxydra ignores; setting one is a warning.
pub const IGNORED_HYDRA_KEYS: &[(&str, &str)] = &[
    (
        "DATABASE_PLUGIN",
        "Go storage plugins do not exist in Oxydra",
    ),
    ("DISABLE_TELEMETRY", "Oxydra sends no telemetry"),
    ("PROFILING", "Go profiling does not apply to Oxydra"),
    (
        "PORT",
        "0.x single-port setting, read only with COMPAT_API_VERSION=0.10; use PUBLIC_PORT / ADMIN_PORT",
    ),
    (
        "HOST",
        "0.x single-port setting, read only with COMPAT_API_VERSION=0.10; use PUBLIC_HOST / ADMIN_HOST",
    ),
];

/// Aliases read only with `COMPAT_API_VERSION=0.10` (Hydra 0.x's single-port names); in
/// 1.0.0-beta mode they are ignored with a warning, as Hydra 1.0.0-beta ignores them.
pub const V010_ONLY_ALIASES: &[&str] = &["PORT", "HOST"];

/// `OXYDRA_*` variables that are not server configuration (command-line clients, test harness).
pub const NON_SERVER_OXYDRA_KEYS: &[&str] = &[
    "OXYDRA_ADMIN_URL",
    "OXYDRA_URL",
    "OXYDRA_ADMIN_CLIENT_ID",
    "OXYDRA_ADMIN_CLIENT_SECRET",
];

/// Prefix of test-harness variables (`OXYDRA_TEST_REQUIRE`, ...), never warned about.
pub const TEST_PREFIX: &str = "OXYDRA_TEST_";

#[rustfmt::skip]
static KEYS: &[KeyDoc] = &[
    key("DATABASE_URL", &["DSN"], "sqlite://oxydra.db", "Database: `sqlite://<file>`, `memory` (in-memory SQLite, `serve all` only), `postgres://user:pass@host:port/db` or `mysql://user:pass@tcp(host:port)/db` (also `mysql://user:pass@host:port/db`; see \"MySQL/MariaDB\")."),
    key("OXYDRA_AUTO_MIGRATE", &[], "false", "Apply pending migrations at start-up instead of refusing to start."),
    key("OXYDRA_CLIENT_CACHE_REFRESH", &[], "1s", "How long cached client records are used before the client revision (one row) is re-read, i.e. how late one instance sees another's client writes; writes through this instance are seen at once (duration; `0` = every lookup)."),
    key("OXYDRA_TOKEN_CACHE_REFRESH", &[], "1s", "How long a looked-up access-token row is answered from memory (introspection, `/userinfo`) before it is read again, i.e. how late one instance sees a revocation made through another; revocations through this instance are seen at once (duration; `0` = no cache)."),
    key("SYSTEM_SECRET", &["SECRETS_SYSTEM"], "(required; generated in dev mode)", "Key material for token HMACs and stored-key encryption, at least 16 bytes. `SECRETS_SYSTEM` is a comma list, first = current, rest = rotated. In dev mode on a SQLite file it is generated once and kept in `<database file>.dev-secret` (mode 0600)."),
    key("ROTATED_SYSTEM_SECRET", &[], "(none)", "The previous system secret (one value, as in Hydra): opaque tokens issued under it stay valid, and keys it encrypted stay readable, while it is set. `oxydra migrate secret` re-encrypts the stored keys under `SYSTEM_SECRET`."),
    key("COOKIE_SECRET", &["SECRETS_COOKIE"], "SHA-256 of the system secret", "Key that signs session cookies, at least 16 bytes (`SECRETS_COOKIE`: a comma list, the first entry signs and every entry verifies)."),
    key("PUBLIC_HOST", &["SERVE_PUBLIC_HOST", "HOST"], "\"\" (all interfaces)", "Interface of the public listener (`HOST`: 0.10 mode only)."),
    key("PUBLIC_PORT", &["SERVE_PUBLIC_PORT", "PORT"], "4444", "Port of the public listener (0 = any free port; `PORT`: 0.10 mode only)."),
    key("ADMIN_HOST", &["SERVE_ADMIN_HOST"], "\"\" (all interfaces)", "Interface of the admin listener."),
    key("ADMIN_PORT", &["SERVE_ADMIN_PORT"], "4445", "Port of the admin listener (0 = any free port)."),
    key("OXYDRA_DANGEROUS_FORCE_HTTP", &[], "false", "Development only: plain HTTP, non-https issuer and a generated system secret allowed (flag `--dangerous-force-http`/`--dev`)."),
    key("HTTPS_TLS_CERT_PATH", &["SERVE_TLS_CERT_PATH"], "(none)", "PEM certificate chain file; wins over `HTTPS_TLS_CERT`."),
    key("HTTPS_TLS_KEY_PATH", &["SERVE_TLS_KEY_PATH"], "(none)", "PEM private key file; wins over `HTTPS_TLS_KEY`."),
    key("HTTPS_TLS_CERT", &["SERVE_TLS_CERT_BASE64"], "(none)", "Inline certificate chain: PEM text or base64-encoded PEM."),
    key("HTTPS_TLS_KEY", &["SERVE_TLS_KEY_BASE64"], "(none)", "Inline private key: PEM text or base64-encoded PEM."),
    key("HTTPS_ALLOW_TERMINATION_FROM", &["SERVE_TLS_ALLOW_TERMINATION_FROM"], "(none)", "Comma list of CIDRs of TLS-terminating proxies; plain HTTP is then served to them only, with `X-Forwarded-Proto: https`."),
    key("OAUTH2_ISSUER_URL", &["ISSUER", "URLS_SELF_ISSUER"], "http://localhost:<PUBLIC_PORT>", "Public base URL and `iss` of tokens; must be https unless in dev mode, where the default follows `PUBLIC_PORT` (`http://localhost:4444` when it is 0)."),
    key("OAUTH2_LOGIN_URL", &["URLS_LOGIN"], "/oauth2/fallbacks/consent", "Login provider; relative values are resolved against the issuer."),
    key("OAUTH2_CONSENT_URL", &["CONSENT_URL", "URLS_CONSENT"], "/oauth2/fallbacks/consent", "Consent provider; relative values are resolved against the issuer."),
    key("OAUTH2_ERROR_URL", &["URLS_ERROR"], "/oauth2/fallbacks/error", "Where unrecoverable authorization errors are shown."),
    key("OAUTH2_LOGOUT_REDIRECT_URL", &["URLS_POST_LOGOUT_REDIRECT"], "/oauth2/fallbacks/logout", "Target after a login session is revoked, and after an OIDC logout without a registered `post_logout_redirect_uri`."),
    key("OAUTH2_LOGOUT_URL", &["URLS_LOGOUT"], "/oauth2/fallbacks/consent", "Logout app: `/oauth2/sessions/logout` sends the browser here with a `logout_challenge` to accept or reject (`<issuer>/demo/logout` with `OXYDRA_DEMO`); relative values are resolved against the issuer."),
    key("ACCESS_TOKEN_LIFESPAN", &["TTL_ACCESS_TOKEN"], "1h", "Lifetime of access tokens (duration)."),
    key("ID_TOKEN_LIFESPAN", &["TTL_ID_TOKEN"], "1h", "Lifetime of ID tokens (duration)."),
    key("AUTH_CODE_LIFESPAN", &["TTL_AUTH_CODE"], "10m", "Lifetime of authorization codes (duration)."),
    key("CHALLENGE_TOKEN_LIFESPAN", &["TTL_LOGIN_CONSENT_REQUEST"], "10m", "Lifetime of login/consent challenges (duration)."),
    key("OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD", &[], "0", "How long a rotated refresh token may be presented again by its client for the same new token pair, instead of the grant being revoked as a replay (duration, at most `5m`; `0` = off). See \"Refresh-token rotation grace period\"."),
    key("OAUTH2_TOKEN_HOOK_URL", &["OAUTH2_TOKEN_HOOK"], "(none)", "URL POSTed to before the token endpoint issues tokens (every grant); its answer may set the access token's and ID token's extra claims. https, or http to a loopback host (any http in development mode). See \"Token hook\"."),
    key("OXYDRA_TOKEN_HOOK_TIMEOUT", &[], "5s", "Timeout of one token-hook call; a hook that does not answer in time fails the token request (duration, more than 0)."),
    key("OAUTH2_TOKEN_HOOK_AUTH_TYPE", &[], "(none)", "`api_key` to send `OAUTH2_TOKEN_HOOK_AUTH_CONFIG_VALUE` with every token-hook call (the only type)."),
    key("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_NAME", &[], "(none)", "Header (or cookie) name of the token hook's API key."),
    key("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_VALUE", &[], "(none)", "The token hook's API key. Redacted in logs."),
    key("OAUTH2_TOKEN_HOOK_AUTH_CONFIG_IN", &[], "header", "Where the token hook's API key goes: `header` or `cookie`."),
    key("OAUTH2_ACCESS_TOKEN_STRATEGY", &["STRATEGIES_ACCESS_TOKEN"], "opaque", "Access-token format: `opaque` or `jwt`; a client's own `access_token_strategy` (Hydra 2.x) overrides it."),
    key("SCOPE_STRATEGY", &["STRATEGIES_SCOPE"], "wildcard", "Scope matching: `wildcard` or `DEPRECATED_HIERARCHICAL_SCOPE_STRATEGY`."),
    key("OAUTH2_SHARE_ERROR_DEBUG", &["OAUTH2_EXPOSE_INTERNAL_ERRORS"], "false", "Include `error_debug` in OAuth 2.0 error responses and redirects."),
    key("BCRYPT_COST", &["OAUTH2_HASHERS_BCRYPT_COST"], "10", "bcrypt cost of client-secret hashes, 4 to 31."),
    key("OXYDRA_SECRET_HASHER", &[], "bcrypt", "Hash of new client secrets: `bcrypt` or `pbkdf2` (PBKDF2-HMAC-SHA256); both verify."),
    key("OXYDRA_PBKDF2_ITERATIONS", &[], "600000", "PBKDF2 iterations when `OXYDRA_SECRET_HASHER=pbkdf2`."),
    key("OIDC_DISCOVERY_CLAIMS_SUPPORTED", &["WEBFINGER_OIDC_DISCOVERY_SUPPORTED_CLAIMS"], "\"\"", "Comma list of claims advertised in discovery after `sub`."),
    key("OIDC_DISCOVERY_SCOPES_SUPPORTED", &["WEBFINGER_OIDC_DISCOVERY_SUPPORTED_SCOPE"], "\"\"", "Comma list of scopes advertised in discovery after `offline`, `openid`."),
    key("OIDC_DISCOVERY_USERINFO_ENDPOINT", &["WEBFINGER_OIDC_DISCOVERY_USERINFO_URL"], "<issuer>/userinfo", "Userinfo URL advertised in discovery."),
    key("OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED", &[], "false", "Serve dynamic client registration (RFC 7591/7592, OIDC Registration 1.0) on the public port: `POST /oauth2/register` (unauthenticated: anyone who reaches the port may register a client) and `GET|PUT|DELETE /oauth2/register/{id}` with the registration access token, plus the `registration_endpoint` discovery entry. Fields reserved to operators are refused (see api-compat.md)."),
    key("OIDC_DYNAMIC_CLIENT_REGISTRATION_DEFAULT_SCOPE", &[], "\"\"", "Comma list: the scope of clients registered without one."),
    key("OIDC_SUBJECT_TYPES_SUPPORTED", &["OIDC_SUBJECT_IDENTIFIERS_ENABLED"], "public", "Comma list of `public`, `pairwise`; the first is the default of new clients."),
    key("OIDC_SUBJECT_TYPE_PAIRWISE_SALT", &["OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT"], "public", "Salt of pairwise subjects, at least 8 bytes when pairwise is enabled."),
    key("CORS_ENABLED", &["SERVE_PUBLIC_CORS_ENABLED"], "false", "Answer CORS requests (both listeners)."),
    key("CORS_ALLOWED_ORIGINS", &["SERVE_PUBLIC_CORS_ALLOWED_ORIGINS"], "*", "Comma list of origins; `*` inside an origin is a wildcard."),
    key("CORS_ALLOWED_METHODS", &["SERVE_PUBLIC_CORS_ALLOWED_METHODS"], "GET,POST", "Comma list of methods."),
    key("CORS_ALLOWED_HEADERS", &["SERVE_PUBLIC_CORS_ALLOWED_HEADERS"], "Origin,Accept,Content-Type", "Comma list of request headers; `Origin` is always added, and `DPoP` while `OXYDRA_DPOP=true`."),
    key("CORS_EXPOSED_HEADERS", &["SERVE_PUBLIC_CORS_EXPOSED_HEADERS"], "\"\"", "Comma list of response headers exposed to scripts; `DPoP-Nonce` is always added while `OXYDRA_DPOP=true`."),
    key("CORS_ALLOWED_CREDENTIALS", &["SERVE_PUBLIC_CORS_ALLOW_CREDENTIALS"], "false", "Allow credentialed CORS requests."),
    key("CORS_MAX_AGE", &["SERVE_PUBLIC_CORS_MAX_AGE"], "0", "Preflight cache time in seconds (a duration such as `10m` is accepted too)."),
    key("CORS_DEBUG", &["SERVE_PUBLIC_CORS_DEBUG"], "false", "Log CORS decisions."),
    key("LOG_LEVEL", &[], "info", "`trace`, `debug`, `info`, `warn`, `error` (`fatal`, `panic` mean `error`); `RUST_LOG` wins when set."),
    key("LOG_FORMAT", &[], "text", "`text` or `json`."),
    key("TRACING_PROVIDER", &[], "(off)", "`otel` (alias `otlp`): export spans of each HTTP request, store call and JWT signing over OTLP/HTTP (protobuf) to `TRACING_PROVIDERS_OTLP_SERVER_URL`, and add `trace_id`/`span_id` to JSON log lines. Hydra's other providers (`jaeger`, `zipkin`, ...) are refused; see \"Tracing\"."),
    key("TRACING_SERVICE_NAME", &[], "oxydra", "`service.name` of the exported spans."),
    key("TRACING_PROVIDERS_OTLP_SERVER_URL", &[], "localhost:4318", "The collector: Hydra's `host:port` form (https, or http with `TRACING_PROVIDERS_OTLP_INSECURE`), or an `http(s)://` URL whose scheme wins; `/v1/traces` is added when no path is given."),
    key("TRACING_PROVIDERS_OTLP_INSECURE", &[], "false", "Send to a `host:port` server URL over plain HTTP instead of HTTPS."),
    key("TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO", &[], "1", "Share of new traces exported, 0 to 1; a request with a sampled W3C `traceparent` is always exported."),
    key("OXYDRA_BODY_LIMIT", &[], "1048576", "Largest accepted request body in bytes (`1MiB`-style suffixes accepted)."),
    key("OXYDRA_JANITOR_INTERVAL", &[], "(off)", "How often expired tokens and requests are deleted (duration; `0` = off)."),
    key("OXYDRA_RSA_KEY_BITS", &[], "4096", "Size of generated RSA keys (the `hydra.openid.id-token` set at first start, `POST /keys` with `RS256`): `2048` or `4096`. Smaller keys start faster; 4096 is Hydra's."),
    key("OXYDRA_ID_TOKEN_SIGNING_ALG", &[], "RS256", "How ID tokens and signed userinfo responses are signed for clients registered without `id_token_signed_response_alg` (or `userinfo_signed_response_alg`): `RS256`, `ES256` or `EdDSA`. The `hydra.openid.id-token` set keeps a key of each (created at start when missing); ES256 and EdDSA sign far faster than RSA-4096."),
    key("COMPAT_API_VERSION", &[], "1.0.0-beta", "API generation served: `1.0.0-beta` or `0.10` (consent-by-id flow, admin API on the public port too, 0.10 client and introspection JSON, `PORT`/`HOST` read)."),
    key("RESOURCE_NAME_PREFIX", &[], "rn:hydra", "Prefix of resource names in 0.x access-control policies."),
    key("OXYDRA_DEMO", &[], "false", "Serve the built-in demo login and consent app at `<issuer>/demo/login` and `/demo/consent` (flag `--demo`); needs `--dangerous-force-http` and `serve all`. For trying Oxydra only."),
    key("OXYDRA_DEMO_USERS", &[], "alice:alice-password", "The demo app's accounts: a comma list of `user:password` (standard claims generated from the name), or a JSON array of `{\"username\", \"password\", \"claims\"}` objects whose `claims` (OIDC Core §5.1) the demo consent returns. Demo only: plain-text passwords in the environment, never for real users."),
    key("ADMIN_ACCESS_CONTROL", &[], "off", "`off` (the admin port is the trust boundary, Hydra 1.0.0-beta) or `policies` (Hydra 0.x: every admin call except health and version needs a bearer token of this server with the area's scope, allowed by an access-control policy)."),
    key("FORCE_ROOT_CLIENT_CREDENTIALS", &[], "(none)", "`id:secret` (each URL-encoded): at start-up, unless a client with that id exists, create it (client_credentials, every `hydra.*` admin scope) with an allow-all policy. Redacted in logs."),
    key("OXYDRA_BROWSER_SESSION_LIFESPAN", &[], "24h", "How long the server honours a login remembered with `remember_for: 0` (\"until the browser closes\"), which no cookie expiry bounds; longer `remember_for` values are honoured as given (duration)."),
    key("OXYDRA_POLICY_CACHE_TTL", &[], "5s", "How long compiled policies are used before the policy revision is re-read, i.e. how late one instance sees another's policy writes (duration; `0` = every request)."),
    key("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN", &[], "false", "Development and trusted networks only: lets `COMPAT_API_VERSION=0.10` serve the admin API on the public port without `ADMIN_ACCESS_CONTROL=policies` (start-up refuses that otherwise). Key answers on that port then carry public halves only."),
    key("OXYDRA_HEADER_READ_TIMEOUT", &[], "10s", "Both listeners: from a request's first byte until its headers are complete; a slower client is disconnected (duration, more than 0)."),
    key("OXYDRA_BODY_READ_TIMEOUT", &[], "30s", "Both listeners: from a request's headers until its whole body is read; a slower (or shorter than announced) body is answered 400 and the connection closed (duration, more than 0)."),
    key("OXYDRA_IDLE_TIMEOUT", &[], "30s", "Both listeners: how long a connection may sit without a request (new or keep-alive), or a response write without progress, before it is closed (duration, more than 0)."),
    key("OXYDRA_PUBLIC_MAX_CONNECTIONS", &[], "1024", "Connections the public listener holds at once; beyond it new ones wait in the kernel's backlog. Lowered at start-up (with a warning) to fit the open-file limit, so a flooded public port cannot starve the admin port or the database."),
    key("OXYDRA_ADMIN_MAX_CONNECTIONS", &[], "256", "Connections the admin listener holds at once (lowered like the public cap to fit the open-file limit)."),
    key("OXYDRA_AUTH_FAILURE_WINDOW", &[], "1m", "Window in which failed client authentications (token and revocation endpoints) are counted; a spent budget refills when it ends (duration, at least `1s`)."),
    key("OXYDRA_AUTH_FAILURES_PER_CLIENT", &[], "20", "Failed authentications per client id and window before `429` with `Retry-After`; then only a secret this instance verified before is still accepted (`0` = no limit)."),
    key("OXYDRA_AUTH_FAILURES_PER_IP", &[], "50", "Failed client authentications per client IP and window before `429` with `Retry-After` (`0` = no limit). Behind `HTTPS_ALLOW_TERMINATION_FROM` proxies the IP is read from `X-Forwarded-For`."),
    key("OXYDRA_DEVICE_FLOW", &[], "true", "Serve the device authorization grant (RFC 8628): `POST /oauth2/device/auth`, the verification page `/oauth2/device/verify`, the `urn:ietf:params:oauth:grant-type:device_code` grant, and their discovery entries. `false` removes all of them."),
    key("OXYDRA_DEVICE_CODE_LIFESPAN", &[], "10m", "How long a device code and its user code are valid (`expires_in`; duration, at least `1s`)."),
    key("OXYDRA_DEVICE_POLLING_INTERVAL", &[], "5s", "The minimum polling interval devices are told (`interval`); a device polling sooner gets `slow_down` and 5 more seconds (whole seconds, at least `1s`)."),
    key("OXYDRA_DEVICE_USER_CODE_LENGTH", &[], "8", "Characters of a user code, from 6 to 16, drawn from `BCDFGHJKLMNPQRSTVWXZ` and shown with a dash in the middle (8: about 34 bits)."),
    key("OXYDRA_DEVICE_VERIFICATION_URL", &[], "/oauth2/device/verify", "The `verification_uri` devices show the user (a short URL that redirects to `<issuer>/oauth2/device/verify`, say); relative values are resolved against the issuer."),
    key("OXYDRA_DEVICE_USER_CODE_FAILURE_WINDOW", &[], "1m", "Window in which wrong user codes at the verification page are counted; a spent budget refills when it ends (duration, at least `1s`)."),
    key("OXYDRA_DEVICE_USER_CODE_FAILURES_PER_IP", &[], "10", "Wrong user codes per client IP and window before the verification page answers `429` (`0` = no limit)."),
    key("OXYDRA_JWT_BEARER_GRANT", &[], "true", "Serve the JWT-bearer authorization grant (RFC 7523 §2.1, `urn:ietf:params:oauth:grant-type:jwt-bearer`) and advertise it in discovery; `false` answers it with `unsupported_grant_type`. The trust relationships it needs are managed at `/admin/trust/grants/jwt-bearer/issuers` either way."),
    key("OAUTH2_GRANT_JWT_MAX_TTL", &[], "720h", "How far in the future a JWT-bearer assertion's `exp` may be (duration, at least `1s`); it also bounds how long its `jti` is remembered."),
    key("OAUTH2_GRANT_JWT_JTI_OPTIONAL", &[], "false", "Accept JWT-bearer assertions without a `jti` claim (such assertions can be replayed until they expire); a `jti` that is present is still used once only."),
    key("OAUTH2_GRANT_JWT_IAT_OPTIONAL", &[], "false", "Accept JWT-bearer assertions without an `iat` claim."),
    key("OXYDRA_DEVICE_USER_CODE_FAILURES", &[], "1000", "Wrong user codes from all addresses together per window before the verification page answers `429` to everyone (`0` = no limit): the bound on a distributed guessing attack."),
    key("OXYDRA_PAR", &[], "true", "Serve pushed authorization requests (RFC 9126): `POST /oauth2/par` and the `pushed_authorization_request_endpoint` discovery entry. `false` removes both; a pushed `request_uri` is then unknown at `/oauth2/auth`."),
    key("OXYDRA_PAR_LIFESPAN", &[], "60s", "How long a pushed request's `request_uri` is valid (`expires_in`; duration from `1s` to `10m`). It is single-use either way."),
    key("OXYDRA_PAR_REQUIRED", &[], "false", "Refuse (`invalid_request`) every authorization request that was not pushed to `/oauth2/par` first, and advertise `require_pushed_authorization_requests: true`. A client can require it for itself alone with its `require_pushed_authorization_requests` field. Needs `OXYDRA_PAR=true`."),
    key("OXYDRA_DPOP", &[], "true", "Accept DPoP proofs (RFC 9449): a token request with a valid `DPoP` header gets tokens bound to the proof's key (`token_type: DPoP`, `cnf.jkt`), `/userinfo` accepts `Authorization: DPoP`, and discovery lists `dpop_signing_alg_values_supported`. `false` ignores the header (bearer tokens only) and refuses token requests of clients registered with `dpop_bound_access_tokens`."),
    key("OXYDRA_DPOP_PROOF_MAX_AGE", &[], "60s", "How old a DPoP proof's `iat` may be (duration from `5s` to `10m`; up to 5 s in the future is allowed for clock drift). Each proof's `jti` is remembered this long, so a proof works once."),
    key("OXYDRA_DPOP_NONCE", &[], "false", "Require a server nonce in every DPoP proof (RFC 9449 §8): a proof without a current one is refused with `use_dpop_nonce` and the `DPoP-Nonce` header to retry with. Nonces are MACs of the time window under the system secret, so every server of a fleet accepts each other's. Needs `OXYDRA_DPOP=true`."),
    key("OXYDRA_DPOP_NONCE_LIFESPAN", &[], "5m", "The window of DPoP server nonces (duration from `10s` to `1h`): a nonce is accepted in its window and the next."),
];

/// The documented key table (see `docs/configuration.md`).
pub fn keys() -> &'static [KeyDoc] {
    KEYS
}

/// The documentation of the canonical key `name`.
pub fn find(name: &str) -> Option<&'static KeyDoc> {
    KEYS.iter().find(|k| k.name == name)
}

/// Whether `name` is a canonical key or an alias of one.
pub fn is_known(name: &str) -> bool {
    KEYS.iter()
        .any(|k| k.name == name || k.aliases.contains(&name))
}
