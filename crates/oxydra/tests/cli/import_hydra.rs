//! `oxydra import hydra` end to end: a Hydra-shaped database of each generation on each of
//! Hydra's backends is imported into a SQLite file or a PostgreSQL schema, then a real server on
//! that database is driven over HTTP: the client authenticates with its old secret, an ID token
//! Hydra signed verifies against the JWKS, the remembered consent skips, the old access token
//! introspects active, the old refresh token refreshes (rotating into Oxydra's format), and a
//! second import changes nothing. A wrong Hydra system secret writes nothing.

use oxydra_core::import::hydra::session_cookie::{HYDRA_SESSION_COOKIE, HydraCookieKey};
use oxydra_core::jwk::{Jwk, KeyPair, verify_compact};
use serde_json::Value;

use crate::hydra_fixture::{
    Backend, CLIENT_ID, CLIENT_SECRET, Generation, HYDRA_SECRET, HydraDb, REDIRECT_URI, SUBJECT,
};
use crate::support::{SYSTEM_SECRET, Server, oxydra, postgres_schema};

/// Where the import writes: a migrated SQLite file or PostgreSQL schema.
enum Target {
    /// The directory lives as long as the target.
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres(Box<oxydra_testkit::TestStore>, String),
}

impl Target {
    async fn sqlite() -> Target {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("oxydra.db").display());
        oxydra(&["migrate", "sql", &url], &[]).ok();
        Target::Sqlite { _dir: dir, url }
    }

    async fn postgres(test: &str) -> Option<Target> {
        let (store, url) = postgres_schema(test).await?;
        Some(Target::Postgres(Box::new(store), url))
    }

    fn url(&self) -> &str {
        match self {
            Target::Sqlite { url, .. } | Target::Postgres(_, url) => url,
        }
    }

    async fn cleanup(self) {
        if let Target::Postgres(store, _) = self {
            store.cleanup().await;
        }
    }
}

/// `oxydra import hydra --from <hydra> <target>` with the right secrets.
fn import(
    hydra: &HydraDb,
    target: &Target,
    hydra_secret: &str,
    extra: &[&str],
) -> crate::support::Run {
    let mut args = vec![
        "import",
        "hydra",
        "--from",
        hydra.url.as_str(),
        target.url(),
    ];
    args.extend_from_slice(extra);
    oxydra(
        &args,
        &[
            ("SYSTEM_SECRET", SYSTEM_SECRET),
            ("HYDRA_SYSTEM_SECRET", hydra_secret),
        ],
    )
}

/// Which target a scenario imports into.
#[derive(Debug, Clone, Copy)]
enum To {
    Sqlite,
    Postgres,
}

async fn scenario(backend: Backend, generation: Generation, to: To, test: &str) {
    let target = match to {
        To::Sqlite => Some(Target::sqlite().await),
        To::Postgres => Target::postgres(test).await,
    };
    let Some(target) = target else { return };
    let Some(hydra) = HydraDb::create(backend, generation, test).await else {
        target.cleanup().await;
        return;
    };

    // A dry run reports and writes nothing.
    let dry = import(&hydra, &target, HYDRA_SECRET, &["--dry-run"]).ok();
    assert!(dry.contains("clients: would import 1"), "{dry}");
    assert!(dry.contains("dry run: nothing was written"), "{dry}");

    let out = import(&hydra, &target, HYDRA_SECRET, &[]).ok();
    assert!(
        out.contains("clients: imported 1, already present 0"),
        "{out}"
    );
    // The key pair and Hydra's token key; 1.0.0-beta also its login-cookie key.
    let keys = match generation {
        Generation::Beta => "keys: imported 4",
        Generation::V0x => "keys: imported 3",
    };
    assert!(out.contains(keys), "{out}");
    assert!(
        out.contains("tokens: imported 3, already present 0, skipped 1"),
        "{out}"
    );
    assert!(out.contains("expired"), "{out}");
    match generation {
        Generation::Beta => {
            assert!(out.contains("skipped client broken-app"), "{out}");
            assert!(out.contains("allowed_cors_origins"), "{out}");
            assert!(out.contains("consents: imported 1"), "{out}");
            assert!(out.contains("unfinished flow"), "{out}");
            // Session ids and flow challenges are credentials: never in the report.
            for secret in ["session-1", "consent-2", "verifier-2", "csrf-2"] {
                assert!(!out.contains(secret), "{secret} leaked: {out}");
            }
            assert!(out.contains("login sessions: imported 1"), "{out}");
        }
        Generation::V0x => {
            assert!(
                out.contains("policies: imported 1, already present 0"),
                "{out}"
            );
            assert!(
                out.contains("consent-by-id request(s) of Hydra 0.x dropped"),
                "{out}"
            );
        }
    }

    let server = Server::start_with(&[
        ("DATABASE_URL", target.url()),
        ("OAUTH2_LOGIN_URL", "http://127.0.0.1:9/login"),
        ("OAUTH2_CONSENT_URL", "http://127.0.0.1:9/consent"),
    ]);
    check_client_secret(&server).await;
    check_id_token(&server, &hydra).await;
    if generation == Generation::Beta {
        check_consent_skips(&server).await;
        check_hydra_login_cookie(&server).await;
    }
    check_tokens(&server, &hydra).await;
    if generation == Generation::V0x {
        check_policy(&server).await;
    }
    drop(server);

    // Everything is there already: nothing changes.
    let again = import(&hydra, &target, HYDRA_SECRET, &[]).ok();
    assert!(again.contains("nothing changed"), "{again}");
    assert!(
        again.contains("clients: imported 0, already present 1"),
        "{again}"
    );

    hydra.drop_database().await;
    target.cleanup().await;
}

/// The client authenticates with the secret it had in Hydra.
async fn check_client_secret(server: &Server) {
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/oauth2/token", server.public))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", "openid")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let wrong = http
        .post(format!("{}/oauth2/token", server.public))
        .basic_auth(CLIENT_ID, Some("not-the-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}

/// An ID token Hydra signed before the import verifies against the published keys.
async fn check_id_token(server: &Server, hydra: &HydraDb) {
    let jwks: Value = reqwest::get(format!("{}/.well-known/jwks.json", server.public))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key: Jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == hydra.kid.as_str())
        .map(|k| serde_json::from_value(k.clone()).unwrap())
        .unwrap_or_else(|| panic!("{} is not published: {jwks}", hydra.kid));
    assert!(!key.is_private());
    let verified = verify_compact(
        &hydra.id_token,
        &[(hydra.kid.clone(), KeyPair::from_jwk(&key).unwrap())],
    )
    .unwrap();
    assert_eq!(verified.claims["sub"], SUBJECT);
}

/// An authorization request of the imported client for `scope` (form-encoded).
fn authorize_url(server: &Server, scope: &str) -> String {
    format!(
        "{}/oauth2/auth?client_id={CLIENT_ID}&response_type=code&scope={scope}\
         &redirect_uri={}&state=state-0123456789&nonce=nonce-0123456789",
        server.public,
        url::form_urlencoded::byte_serialize(REDIRECT_URI.as_bytes()).collect::<String>()
    )
}

/// The consent remembered in Hydra is skipped: after the login, the consent request says so.
async fn check_consent_skips(server: &Server) {
    let mut browser = oxydra_testkit::browser::Browser::new();
    let nav = browser.get(&authorize_url(server, "openid+offline")).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let login = nav.location.unwrap();
    let challenge = oxydra_testkit::browser::param(&login, "login_challenge").unwrap();
    let http = reqwest::Client::new();
    let accepted: Value = http
        .put(format!(
            "{}/oauth2/auth/requests/login/{challenge}/accept",
            server.admin
        ))
        .json(&serde_json::json!({ "subject": SUBJECT }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let back = rebase(accepted["redirect_to"].as_str().unwrap(), &server.public);
    let nav = browser.get(&back).await;
    assert_eq!(nav.status, 302, "{}", nav.body);
    let consent = nav.location.unwrap();
    let challenge = oxydra_testkit::browser::param(&consent, "consent_challenge")
        .unwrap_or_else(|| panic!("no consent challenge in {consent}"));
    let request: Value = http
        .get(format!(
            "{}/oauth2/auth/requests/consent/{challenge}",
            server.admin
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(request["skip"], true, "{request}");
    assert_eq!(request["subject"], SUBJECT);
}

/// The browser still holding Hydra's login cookie is not asked to log in again: the login
/// request is a `skip` for the remembered subject. A cookie signed with another key is not.
async fn check_hydra_login_cookie(server: &Server) {
    let hydra_key = HydraCookieKey::from_system_secret(HYDRA_SECRET.as_bytes()).unwrap();
    let forged_key = HydraCookieKey::from_system_secret(b"not-the-hydra-secret-at-all").unwrap();
    let signed_at = crate::hydra_fixture::unix_now() - 600;
    for (key, remembered) in [(hydra_key, true), (forged_key, false)] {
        let mut browser = oxydra_testkit::browser::Browser::new();
        browser.cookies.insert(
            HYDRA_SESSION_COOKIE.into(),
            key.mint(HYDRA_SESSION_COOKIE, signed_at, "session-1"),
        );
        let nav = browser.get(&authorize_url(server, "openid")).await;
        assert_eq!(nav.status, 302, "{}", nav.body);
        let login = nav.location.unwrap();
        let challenge = oxydra_testkit::browser::param(&login, "login_challenge").unwrap();
        let request: Value = reqwest::get(format!(
            "{}/oauth2/auth/requests/login/{challenge}",
            server.admin
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(request["skip"], remembered, "{request}");
        if remembered {
            assert_eq!(request["subject"], SUBJECT, "{request}");
        }
    }
}

/// The old access token introspects active; the old refresh token refreshes into Oxydra's
/// format and cannot be used twice.
async fn check_tokens(server: &Server, hydra: &HydraDb) {
    let http = reqwest::Client::new();
    let introspect = |token: String| {
        let http = http.clone();
        let url = format!("{}/oauth2/introspect", server.admin);
        async move {
            http.post(url)
                .form(&[("token", token.as_str())])
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let info = introspect(hydra.access_token.clone()).await;
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(info["sub"], SUBJECT);
    assert_eq!(info["client_id"], CLIENT_ID);
    assert_eq!(info["ext"]["tier"], "gold", "{info}");
    // The stored signature alone, or a token under another secret, is not a token.
    let (key_part, sig_part) = hydra.access_token.split_once('.').unwrap();
    let first = if key_part.starts_with('A') { 'B' } else { 'A' };
    let forged = format!("{first}{}.{sig_part}", &key_part[1..]);
    assert_eq!(introspect(forged).await["active"], false);

    // Userinfo takes the old access token.
    let userinfo = http
        .get(format!("{}/userinfo", server.public))
        .bearer_auth(&hydra.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 200);
    assert_eq!(userinfo.json::<Value>().await.unwrap()["sub"], SUBJECT);

    // Revocation takes an old token: its grant dies.
    let other = hydra.other_access_token.clone();
    assert_eq!(introspect(other.clone()).await["active"], true);
    let revoked = http
        .post(format!("{}/oauth2/revoke", server.public))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("token", other.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(introspect(other).await["active"], false);

    // Hydra used one format for both kinds; the row decides: an access token does not refresh.
    let wrong_kind = refresh(&http, server, &hydra.access_token).await;
    assert_eq!(wrong_kind.status(), 400);
    let refreshed = refresh(&http, server, &hydra.refresh_token).await;
    assert_eq!(
        refreshed.status(),
        200,
        "{}",
        refreshed.text().await.unwrap()
    );
    let body: Value = refreshed.json().await.unwrap();
    let new_refresh = body["refresh_token"].as_str().unwrap();
    assert!(new_refresh.starts_with("oxy_rt_"), "{body}");
    assert!(
        body["access_token"]
            .as_str()
            .unwrap()
            .starts_with("oxy_at_")
    );
    let info = introspect(body["access_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(
        (info["active"].clone(), info["sub"].clone()),
        (Value::Bool(true), Value::from(SUBJECT))
    );

    let replay = refresh(&http, server, &hydra.refresh_token).await;
    assert_eq!(replay.status(), 400);
}

/// The Ladon policy of Hydra 0.x is served as it was.
async fn check_policy(server: &Server) {
    let policy: Value = reqwest::get(format!("{}/policies/owners", server.admin))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(policy["effect"], "allow", "{policy}");
    assert_eq!(policy["subjects"], serde_json::json!(["team-<.*>"]));
    assert_eq!(policy["actions"], serde_json::json!(["delete", "get"]));
    assert_eq!(
        policy["conditions"]["owner"]["type"],
        "EqualsSubjectCondition"
    );
}

/// A refresh-token grant with the client's old secret.
async fn refresh(http: &reqwest::Client, server: &Server, token: &str) -> reqwest::Response {
    http.post(format!("{}/oauth2/token", server.public))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", token)])
        .send()
        .await
        .unwrap()
}

/// `url` with its origin replaced by `base` (the issuer's host name differs from the
/// loopback address the server was reached at).
fn rebase(url: &str, base: &str) -> String {
    let parsed = url::Url::parse(url).unwrap();
    let query = parsed.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("{base}{}{query}", parsed.path())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beta_on_postgres_into_sqlite() {
    scenario(
        Backend::Postgres,
        Generation::Beta,
        To::Sqlite,
        "beta_pg_to_sqlite",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beta_on_mysql_into_postgres() {
    scenario(
        Backend::Mysql,
        Generation::Beta,
        To::Postgres,
        "beta_mysql_to_pg",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v0x_on_postgres_into_postgres() {
    scenario(
        Backend::Postgres,
        Generation::V0x,
        To::Postgres,
        "v0x_pg_to_pg",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v0x_on_mysql_into_sqlite() {
    scenario(
        Backend::Mysql,
        Generation::V0x,
        To::Sqlite,
        "v0x_mysql_to_sqlite",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_hydra_secret_is_caught_before_anything_is_written() {
    let test = "a_wrong_hydra_secret_is_caught_before_anything_is_written";
    let Some(hydra) = HydraDb::create(Backend::Postgres, Generation::Beta, test).await else {
        return;
    };
    let target = Target::sqlite().await;
    let err = import(&hydra, &target, "not-the-secret-hydra-ran-with", &[]).fails();
    assert!(err.contains("does not decrypt Hydra's key"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(
        !err.contains("not-the-secret-hydra-ran-with"),
        "the secret leaked: {err}"
    );
    // Nothing was written: a dry run with the right secret would still import everything.
    let dry = import(&hydra, &target, HYDRA_SECRET, &["--dry-run"]).ok();
    assert!(
        dry.contains("clients: would import 1, already present 0"),
        "{dry}"
    );
    assert!(
        dry.contains("tokens: would import 3, already present 0"),
        "{dry}"
    );
    hydra.drop_database().await;
    target.cleanup().await;
}

#[test]
fn import_help_lists_its_flags_and_hides_the_hydra_secret() {
    let secret = "a-hydra-secret-that-must-not-show";
    let cookie_secret = "a-hydra-cookie-secret-that-must-not-show";
    let help = oxydra(
        &["import", "hydra", "--help"],
        &[
            ("HYDRA_SYSTEM_SECRET", secret),
            ("HYDRA_COOKIE_SECRET", cookie_secret),
        ],
    )
    .ok();
    for flag in [
        "--from",
        "--hydra-system-secret",
        "--hydra-cookie-secret",
        "--dry-run",
        "HYDRA_SYSTEM_SECRET",
        "HYDRA_COOKIE_SECRET",
    ] {
        assert!(help.contains(flag), "{flag} missing:\n{help}");
    }
    assert!(!help.contains(secret), "{help}");
    assert!(!help.contains(cookie_secret), "{help}");
}
