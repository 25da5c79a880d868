//! Hydra-shaped source databases for the import tests: a fresh database per test on the
//! PostgreSQL or MySQL/MariaDB server of the test environment, its tables as Hydra's
//! migrations leave them (0.10/0.11 or 1.0.0-beta, with the `sql-migrate` bookkeeping tables
//! the generation is detected from) and rows as Hydra writes them — a bcrypt-hashed client, an
//! encrypted RSA key pair, a login session, a remembered consent, access and refresh tokens
//! minted with Hydra's HMAC derivation.

use oxydra_core::import::hydra::aead::HydraKeyCipher;
use oxydra_core::jwk::{GenerateOptions, Jwk, JwkAlgorithm, KeyPair, generate_with, sign_compact};
use oxydra_core::token::hydra::HydraTokenKey;
use serde_json::{Map, Value, json};
use sqlx::{Connection, Executor};

/// The SYSTEM_SECRET the fixture "Hydra" ran with.
pub const HYDRA_SECRET: &str = "the-hydra-system-secret-of-the-fixture";
/// The imported client, its secret and redirect URI.
pub const CLIENT_ID: &str = "legacy-app";
/// The secret `CLIENT_ID` authenticates with (only its bcrypt hash is in the database).
pub const CLIENT_SECRET: &str = "legacy-app-secret";
/// The registered redirect URI.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/cb";
/// The user of the remembered login and consent.
pub const SUBJECT: &str = "alice";

/// Hydra's backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL (`TEST_DATABASE_URL`).
    Postgres,
    /// MySQL/MariaDB (`TEST_MYSQL_URL`).
    Mysql,
}

/// Hydra's schema generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// 1.0.0-beta.
    Beta,
    /// 0.10/0.11.
    V0x,
}

/// A Hydra database made for one test; drop it with [`HydraDb::drop_database`] (or it is
/// dropped when the value is, e.g. after a failed assertion).
pub struct HydraDb {
    dropped: bool,
    backend: Backend,
    base_url: String,
    name: String,
    /// The URL of the database (Hydra's DATABASE_URL).
    pub url: String,
    /// An ID token "Hydra" signed before the import (kid `public:<id>`).
    pub id_token: String,
    /// Its key id.
    pub kid: String,
    /// An unexpired access token "Hydra" issued.
    pub access_token: String,
    /// The refresh token of the same grant.
    pub refresh_token: String,
    /// An unexpired access token of another grant.
    pub other_access_token: String,
}

impl HydraDb {
    /// Creates the database with its tables and rows; `None` (a skip) when the backend's test
    /// URL is not set.
    pub async fn create(backend: Backend, generation: Generation, test: &str) -> Option<HydraDb> {
        let var = match backend {
            Backend::Postgres => "TEST_DATABASE_URL",
            Backend::Mysql => "TEST_MYSQL_URL",
        };
        let base_url = match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                let required = std::env::var("OXYDRA_TEST_REQUIRE").unwrap_or_default();
                let name = match backend {
                    Backend::Postgres => "postgres",
                    Backend::Mysql => "mysql",
                };
                assert!(
                    !required.contains(name),
                    "{test}: OXYDRA_TEST_REQUIRE={required} but {var} is not set"
                );
                println!("skipped: {test}: {var} is not set");
                return None;
            }
        };
        let name = format!("hydra_import_{}", uuid::Uuid::new_v4().simple());
        admin(backend, &base_url, &format!("CREATE DATABASE {name}")).await;
        let mut url = url::Url::parse(&base_url).unwrap();
        url.set_path(&name);
        url.set_query(None);
        let mut db = HydraDb {
            dropped: false,
            backend,
            base_url,
            name,
            url: url.to_string(),
            id_token: String::new(),
            kid: String::new(),
            access_token: String::new(),
            refresh_token: String::new(),
            other_access_token: String::new(),
        };
        let statements = db.fill(generation);
        run(backend, &db.url, &statements).await;
        Some(db)
    }

    /// Drops the database.
    pub async fn drop_database(mut self) {
        self.dropped = true;
        admin(self.backend, &self.base_url, &self.drop_sql()).await;
    }

    fn drop_sql(&self) -> String {
        match self.backend {
            Backend::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            Backend::Mysql => format!("DROP DATABASE IF EXISTS {}", self.name),
        }
    }

    /// The DDL and rows, and the tokens the rows stand for.
    fn fill(&mut self, generation: Generation) -> Vec<String> {
        let now = unix_now();
        let mut sql = match generation {
            Generation::Beta => beta_tables(),
            Generation::V0x => v0x_tables(),
        };
        sql.extend(self.rows(generation, now));
        sql
    }

    fn rows(&mut self, generation: Generation, now: i64) -> Vec<String> {
        let b = self.backend;
        let mut rows = Vec::new();
        let hash = bcrypt::hash_with_result(CLIENT_SECRET, 4)
            .unwrap()
            .format_for_version(bcrypt::Version::TwoA);
        match generation {
            Generation::Beta => {
                rows.push(format!(
                    "INSERT INTO hydra_client (id, client_name, client_secret, redirect_uris, \
                     grant_types, response_types, scope, owner, policy_uri, tos_uri, client_uri, \
                     logo_uri, contacts, client_secret_expires_at, sector_identifier_uri, jwks, \
                     jwks_uri, request_uris, token_endpoint_auth_method, \
                     request_object_signing_alg, userinfo_signed_response_alg, subject_type, \
                     allowed_cors_origins) VALUES ({}, 'Legacy app', {}, {}, \
                     'authorization_code|refresh_token|client_credentials', 'code', \
                     'openid offline', '', '', '', '', '', 'ops@example.com', 0, '', '', '', '', \
                     'client_secret_basic', '', '', 'public', 'https://app.example')",
                    lit(CLIENT_ID),
                    lit(&hash),
                    lit(REDIRECT_URI)
                ));
                // Oxydra refuses a redirect URI that is not a URL: reported, not imported.
                rows.push(
                    "INSERT INTO hydra_client (id, client_name, client_secret, redirect_uris, \
                     grant_types, response_types, scope, owner, policy_uri, tos_uri, client_uri, \
                     logo_uri, contacts, sector_identifier_uri, jwks, jwks_uri, request_uris, \
                     allowed_cors_origins) VALUES ('broken-app', '', '', 'not a url', '', '', '', \
                     '', '', '', '', '', '', '', '', '', '', '')"
                        .to_owned(),
                );
            }
            Generation::V0x => rows.push(format!(
                "INSERT INTO hydra_client (id, client_name, client_secret, redirect_uris, \
                 grant_types, response_types, scope, owner, policy_uri, tos_uri, client_uri, \
                 logo_uri, contacts, public) VALUES ({}, 'Legacy app', {}, {}, \
                 'authorization_code|refresh_token|client_credentials', 'code', 'openid offline', \
                 '', '', '', '', '', '', FALSE)",
                lit(CLIENT_ID),
                lit(&hash),
                lit(REDIRECT_URI)
            )),
        }

        // The ID-token key pair, stored encrypted as Hydra did, and an ID token it signed.
        let id = uuid::Uuid::new_v4().to_string();
        let pair = generate_with(
            JwkAlgorithm::Rs256,
            &id,
            "sig",
            GenerateOptions { rsa_bits: 2048 },
        )
        .unwrap();
        let cipher = HydraKeyCipher::new(HYDRA_SECRET.as_bytes()).unwrap();
        for jwk in &pair {
            let sealed = cipher.seal(&serde_json::to_vec(jwk).unwrap()).unwrap();
            rows.push(match generation {
                Generation::Beta => format!(
                    "INSERT INTO hydra_jwk (sid, kid, version, keydata, created_at) VALUES \
                     ('hydra.openid.id-token', {}, 0, {}, {})",
                    lit(&jwk.kid),
                    lit(&sealed),
                    ts(b, now - 86_400)
                ),
                Generation::V0x => format!(
                    "INSERT INTO hydra_jwk (sid, kid, version, keydata) VALUES \
                     ('hydra.openid.id-token', {}, 0, {})",
                    lit(&jwk.kid),
                    lit(&sealed)
                ),
            });
        }
        let private: &Jwk = pair.iter().find(|k| k.is_private()).unwrap();
        self.kid = format!("public:{id}");
        let claims: Map<String, Value> = json!({
            "iss": "https://hydra.example/", "sub": SUBJECT, "aud": [CLIENT_ID],
            "iat": now - 600, "exp": now + 3000,
        })
        .as_object()
        .unwrap()
        .clone();
        self.id_token = sign_compact(
            &KeyPair::from_jwk(private).unwrap(),
            &self.kid,
            "JWT",
            &claims,
        )
        .unwrap();

        // Tokens of one grant, minted as fosite's HMAC strategy does.
        let key = HydraTokenKey::from_system_secret(HYDRA_SECRET.as_bytes()).unwrap();
        let (access, access_sig) = key.mint(&rand32());
        let (refresh, refresh_sig) = key.mint(&rand32());
        let (_, expired_sig) = key.mint(&rand32());
        let (other, other_sig) = key.mint(&rand32());
        self.access_token = access;
        self.refresh_token = refresh;
        self.other_access_token = other;
        let session = |expires: i64| {
            json!({
                "idToken": {
                    "Claims": {"Nonce": "n-1", "AuthTime": rfc3339(now - 3600),
                               "RequestedAt": rfc3339(now - 3600), "Extra": {}},
                    "Headers": {"Extra": {}},
                    "ExpiresAt": {"access_token": rfc3339(expires)},
                    "Username": "", "Subject": SUBJECT
                },
                "Audience": [], "extra": {"tier": "gold"}, "KID": "", "ClientID": CLIENT_ID
            })
            .to_string()
        };
        let token = |table: &str, sig: &str, request: &str, expires: i64| {
            let (cols, vals) = match generation {
                Generation::Beta => (", active", ", TRUE"),
                Generation::V0x => ("", ""),
            };
            format!(
                "INSERT INTO hydra_oauth2_{table} (signature, request_id, requested_at, client_id, \
                 scope, granted_scope, form_data, session_data, subject{cols}) VALUES ({}, {}, \
                 {}, {}, 'openid|offline', 'openid|offline', \
                 'grant_type=authorization_code&code=x', {}, {}{vals})",
                lit(sig),
                lit(request),
                ts(b, now - 600),
                lit(CLIENT_ID),
                lit(&session(expires)),
                lit(SUBJECT)
            )
        };
        rows.push(token("access", &access_sig, "req-live", now + 3000));
        rows.push(token("refresh", &refresh_sig, "req-live", now + 3000));
        rows.push(token("access", &expired_sig, "req-old", now - 60));
        rows.push(token("access", &other_sig, "req-other", now + 3000));

        if generation == Generation::Beta {
            rows.push(format!(
                "INSERT INTO hydra_oauth2_authentication_session (id, authenticated_at, subject) \
                 VALUES ('session-1', {}, {})",
                ts(b, now - 3600),
                lit(SUBJECT)
            ));
            rows.push(format!(
                "INSERT INTO hydra_oauth2_consent_request (challenge, verifier, client_id, \
                 subject, request_url, skip, requested_scope, csrf, authenticated_at, \
                 requested_at, oidc_context, forced_subject_identifier, login_session_id, \
                 login_challenge) VALUES ('consent-1', 'verifier-1', {}, {}, \
                 'https://hydra.example/oauth2/auth?client_id=legacy-app', FALSE, \
                 'openid|offline', 'csrf-1', {}, {}, '{{}}', '', 'session-1', 'login-1')",
                lit(CLIENT_ID),
                lit(SUBJECT),
                ts(b, now - 3600),
                ts(b, now - 3600)
            ));
            rows.push(format!(
                "INSERT INTO hydra_oauth2_consent_request_handled (challenge, granted_scope, \
                 remember, remember_for, error, requested_at, session_access_token, \
                 session_id_token, authenticated_at, was_used) VALUES ('consent-1', \
                 'openid|offline', TRUE, 0, '{{}}', {}, '{{}}', '{{}}', {}, TRUE)",
                ts(b, now - 3600),
                ts(b, now - 3600)
            ));
            // An unfinished flow: dropped.
            rows.push(format!(
                "INSERT INTO hydra_oauth2_consent_request (challenge, verifier, client_id, \
                 subject, request_url, skip, requested_scope, csrf, requested_at, oidc_context) \
                 VALUES ('consent-2', 'verifier-2', {}, {}, 'https://hydra.example/x', FALSE, \
                 'openid', 'csrf-2', {}, '{{}}')",
                lit(CLIENT_ID),
                lit(SUBJECT),
                ts(b, now - 60)
            ));
        } else {
            rows.push(format!(
                "INSERT INTO hydra_consent_request (id, requested_scopes, client_id, expires_at, \
                 redirect_url, csrf, granted_scopes, access_token_extra, id_token_extra, \
                 consent, deny_reason, subject) VALUES ('legacy-1', 'openid', {}, {}, \
                 'https://hydra.example/oauth2/auth', 'csrf', '', '', '', '', '', '')",
                lit(CLIENT_ID),
                ts(b, now + 600)
            ));
            rows.extend(ladon_policy());
        }
        rows
    }
}

impl Drop for HydraDb {
    fn drop(&mut self) {
        // Only reached without `drop_database` (the test panicked): drop it from a separate
        // thread and runtime, since `drop` cannot await.
        if self.dropped {
            return;
        }
        let (backend, url, sql) = (self.backend, self.base_url.clone(), self.drop_sql());
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(admin(backend, &url, &sql));
            }
        })
        .join();
    }
}

/// One statement on the server (not in the test's database): create or drop it.
async fn admin(backend: Backend, base_url: &str, sql: &str) {
    run(backend, base_url, &[sql.to_owned()]).await;
}

async fn run(backend: Backend, url: &str, statements: &[String]) {
    match backend {
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            for s in statements {
                c.execute(s.as_str())
                    .await
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
            }
            let _ = c.close().await;
        }
        Backend::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(url).await.unwrap();
            for s in statements {
                c.execute(s.as_str())
                    .await
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
            }
            let _ = c.close().await;
        }
    }
}

/// A SQL string literal (the fixture's values hold no backslash, which MySQL would read).
fn lit(value: &str) -> String {
    assert!(!value.contains('\\'), "{value}");
    format!("'{}'", value.replace('\'', "''"))
}

/// A UTC wall-clock `timestamp` for Unix seconds, as Hydra wrote them.
fn ts(backend: Backend, secs: i64) -> String {
    match backend {
        Backend::Postgres => {
            format!("(TIMESTAMP '1970-01-01 00:00:00' + INTERVAL '{secs} seconds')")
        }
        Backend::Mysql => format!("TIMESTAMPADD(SECOND, {secs}, '1970-01-01 00:00:00')"),
    }
}

/// Go's JSON form of a time (RFC 3339, UTC).
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn rand32() -> [u8; 32] {
    let a = uuid::Uuid::new_v4().into_bytes();
    let b = uuid::Uuid::new_v4().into_bytes();
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(&a);
    out[16..].copy_from_slice(&b);
    out
}

pub fn unix_now() -> i64 {
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now();
    now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The sql-migrate bookkeeping table `name` with migrations `ids` applied.
fn migration_table(name: &str, ids: &[&str]) -> Vec<String> {
    let mut sql = vec![format!(
        "CREATE TABLE {name} (id VARCHAR(255) NOT NULL PRIMARY KEY, applied_at TIMESTAMP NULL)"
    )];
    for id in ids {
        sql.push(format!(
            "INSERT INTO {name} (id, applied_at) VALUES ('{id}', NULL)"
        ));
    }
    sql
}

/// The fosite tables (`oauth2/fosite_store_sql.go`): `active` from the 1.0.0-beta's fourth
/// migration on.
fn token_tables(beta: bool) -> Vec<String> {
    let active = if beta {
        ",\n active BOOL NOT NULL DEFAULT TRUE"
    } else {
        ""
    };
    ["access", "refresh", "code", "oidc", "pkce"]
        .iter()
        .map(|t| {
            format!(
                "CREATE TABLE hydra_oauth2_{t} (signature varchar(255) NOT NULL PRIMARY KEY, \
                 request_id varchar(255) NOT NULL, requested_at timestamp NOT NULL DEFAULT now(), \
                 client_id text NOT NULL, scope text NOT NULL, granted_scope text NOT NULL, \
                 form_data text NOT NULL, session_data text NOT NULL, \
                 subject varchar(255) NOT NULL DEFAULT ''{active})"
            )
        })
        .collect()
}

/// 1.0.0-beta's tables after all of its migrations.
fn beta_tables() -> Vec<String> {
    let mut sql = vec![
        "CREATE TABLE hydra_client (id varchar(255) NOT NULL PRIMARY KEY, client_name text NOT NULL, \
         client_secret text NOT NULL, redirect_uris text NOT NULL, grant_types text NOT NULL, \
         response_types text NOT NULL, scope text NOT NULL, owner text NOT NULL, \
         policy_uri text NOT NULL, tos_uri text NOT NULL, client_uri text NOT NULL, \
         logo_uri text NOT NULL, contacts text NOT NULL, \
         client_secret_expires_at INTEGER NOT NULL DEFAULT 0, sector_identifier_uri TEXT NOT NULL, \
         jwks TEXT NOT NULL, jwks_uri TEXT NOT NULL, request_uris TEXT NOT NULL, \
         token_endpoint_auth_method VARCHAR(25) NOT NULL DEFAULT '', \
         request_object_signing_alg VARCHAR(10) NOT NULL DEFAULT '', \
         userinfo_signed_response_alg VARCHAR(10) NOT NULL DEFAULT '', \
         subject_type VARCHAR(15) NOT NULL DEFAULT '', allowed_cors_origins TEXT NOT NULL)"
            .to_owned(),
        "CREATE TABLE hydra_jwk (sid varchar(255) NOT NULL, kid varchar(255) NOT NULL, \
         version int NOT NULL DEFAULT 0, keydata text NOT NULL, \
         created_at TIMESTAMP NOT NULL DEFAULT NOW(), PRIMARY KEY (sid, kid))"
            .to_owned(),
        "CREATE TABLE hydra_oauth2_consent_request (challenge varchar(40) NOT NULL PRIMARY KEY, \
         verifier varchar(40) NOT NULL, client_id varchar(255) NOT NULL, \
         subject varchar(255) NOT NULL, request_url text NOT NULL, skip bool NOT NULL, \
         requested_scope text NOT NULL, csrf varchar(40) NOT NULL, \
         authenticated_at timestamp NULL, requested_at timestamp NOT NULL DEFAULT now(), \
         oidc_context text NOT NULL, forced_subject_identifier VARCHAR(255) NULL DEFAULT '', \
         login_session_id VARCHAR(40) NULL DEFAULT '', login_challenge VARCHAR(40) NULL DEFAULT '')"
            .to_owned(),
        "CREATE TABLE hydra_oauth2_authentication_request (challenge varchar(40) NOT NULL PRIMARY KEY, \
         requested_scope text NOT NULL, verifier varchar(40) NOT NULL, csrf varchar(40) NOT NULL, \
         subject varchar(255) NOT NULL, request_url text NOT NULL, skip bool NOT NULL, \
         client_id varchar(255) NOT NULL, requested_at timestamp NOT NULL DEFAULT now(), \
         authenticated_at timestamp NULL, oidc_context text NOT NULL, \
         login_session_id VARCHAR(40) NULL DEFAULT '')"
            .to_owned(),
        "CREATE TABLE hydra_oauth2_authentication_session (id varchar(40) NOT NULL PRIMARY KEY, \
         authenticated_at timestamp NOT NULL DEFAULT NOW(), subject varchar(255) NOT NULL)"
            .to_owned(),
        "CREATE TABLE hydra_oauth2_consent_request_handled (challenge varchar(40) NOT NULL PRIMARY KEY, \
         granted_scope text NOT NULL, remember bool NOT NULL, remember_for int NOT NULL, \
         error text NOT NULL, requested_at timestamp NOT NULL DEFAULT now(), \
         session_access_token text NOT NULL, session_id_token text NOT NULL, \
         authenticated_at timestamp NULL, was_used bool NOT NULL)"
            .to_owned(),
        "CREATE TABLE hydra_oauth2_authentication_request_handled (challenge varchar(40) NOT NULL PRIMARY KEY, \
         subject varchar(255) NOT NULL, remember bool NOT NULL, remember_for int NOT NULL, \
         error text NOT NULL, acr text NOT NULL, requested_at timestamp NOT NULL DEFAULT now(), \
         authenticated_at timestamp NULL, was_used bool NOT NULL, \
         forced_subject_identifier VARCHAR(255) NULL DEFAULT '')"
            .to_owned(),
        "CREATE TABLE hydra_oauth2_obfuscated_authentication_session (subject varchar(255) NOT NULL, \
         client_id varchar(255) NOT NULL, subject_obfuscated varchar(255) NOT NULL, \
         PRIMARY KEY(subject, client_id))"
            .to_owned(),
    ];
    sql.extend(token_tables(true));
    sql.extend(migration_table(
        "hydra_client_migration",
        &["1", "2", "3", "4", "5", "6", "7", "8"],
    ));
    sql.extend(migration_table("hydra_jwk_migration", &["1", "2", "3"]));
    sql.extend(migration_table(
        "hydra_oauth2_migration",
        &["1", "2", "3", "4"],
    ));
    sql.extend(migration_table(
        "hydra_oauth2_authentication_consent_migration",
        &["1", "2", "3"],
    ));
    sql
}

/// 0.10/0.11's tables (the 0.11 PKCE table included).
fn v0x_tables() -> Vec<String> {
    let mut sql = vec![
        "CREATE TABLE hydra_client (id varchar(255) NOT NULL PRIMARY KEY, client_name text NOT NULL, \
         client_secret text NOT NULL, redirect_uris text NOT NULL, grant_types text NOT NULL, \
         response_types text NOT NULL, scope text NOT NULL, owner text NOT NULL, \
         policy_uri text NOT NULL, tos_uri text NOT NULL, client_uri text NOT NULL, \
         logo_uri text NOT NULL, contacts text NOT NULL, public boolean NOT NULL)"
            .to_owned(),
        "CREATE TABLE hydra_jwk (sid varchar(255) NOT NULL, kid varchar(255) NOT NULL, \
         version int NOT NULL DEFAULT 0, keydata text NOT NULL, PRIMARY KEY (sid, kid))"
            .to_owned(),
        "CREATE TABLE hydra_consent_request (id varchar(36) NOT NULL PRIMARY KEY, \
         requested_scopes text NOT NULL, client_id text NOT NULL, expires_at timestamp NOT NULL, \
         redirect_url text NOT NULL, csrf text NOT NULL, granted_scopes text NOT NULL, \
         access_token_extra text NOT NULL, id_token_extra text NOT NULL, consent text NOT NULL, \
         deny_reason text NOT NULL, subject text NOT NULL)"
            .to_owned(),
    ];
    sql.extend(token_tables(false));
    sql.extend(migration_table("hydra_client_migration", &["1"]));
    sql.extend(migration_table("hydra_jwk_migration", &["1"]));
    sql.extend(migration_table("hydra_oauth2_migration", &["1", "2", "3"]));
    sql.extend(migration_table("hydra_consent_request_migration", &["1"]));
    sql.extend(ladon_tables());
    sql
}

/// Ladon's SQL manager tables (ladon v0.8 `manager/sql/databases.go`, migrations 1 and 2),
/// which Hydra 0.10/0.11 migrated under `hydra_policy_migration`.
fn ladon_tables() -> Vec<String> {
    let mut sql = vec![
        "CREATE TABLE ladon_policy (id varchar(255) NOT NULL PRIMARY KEY, description text NOT NULL, \
         effect text NOT NULL CHECK (effect='allow' OR effect='deny'), conditions text NOT NULL)"
            .to_owned(),
    ];
    for part in ["subject", "action", "resource"] {
        sql.push(format!(
            "CREATE TABLE ladon_{part} (id varchar(64) NOT NULL PRIMARY KEY, has_regex bool NOT NULL, \
             compiled varchar(511) NOT NULL UNIQUE, template varchar(511) NOT NULL UNIQUE)"
        ));
        sql.push(format!(
            "CREATE TABLE ladon_policy_{part}_rel (policy varchar(255) NOT NULL, \
             {part} varchar(64) NOT NULL, PRIMARY KEY (policy, {part}), \
             FOREIGN KEY (policy) REFERENCES ladon_policy(id) ON DELETE CASCADE, \
             FOREIGN KEY ({part}) REFERENCES ladon_{part}(id) ON DELETE CASCADE)"
        ));
    }
    sql.extend(migration_table("hydra_policy_migration", &["1", "2"]));
    sql
}

/// A Ladon policy row and its templates, as Ladon's SQL manager writes them (template ids are
/// the SHA-256 hex of the template).
fn ladon_policy() -> Vec<String> {
    let mut sql = vec![
        "INSERT INTO ladon_policy (id, description, effect, conditions) VALUES ('owners', \
         'Teams manage their own clients', 'allow', \
         '{\"owner\":{\"type\":\"EqualsSubjectCondition\",\"options\":{}}}')"
            .to_owned(),
    ];
    let templates = [
        ("subject", "team-<.*>", "^team-.*$"),
        ("action", "get", "^get$"),
        ("action", "delete", "^delete$"),
        ("resource", "rn:hydra:clients:<.*>", "^rn:hydra:clients:.*$"),
    ];
    for (part, template, compiled) in templates {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, template.as_bytes());
        let id: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        sql.push(format!(
            "INSERT INTO ladon_{part} (id, has_regex, compiled, template) VALUES ('{id}', TRUE, \
             {}, {})",
            lit(compiled),
            lit(template)
        ));
        sql.push(format!(
            "INSERT INTO ladon_policy_{part}_rel (policy, {part}) VALUES ('owners', '{id}')"
        ));
    }
    sql
}
