//! Reads an ORY Hydra database (PostgreSQL or MySQL/MariaDB; Hydra 0.10/0.11 and 1.0.0-beta
//! never ran on SQLite) for `oxydra import hydra`. Only `SELECT`s: the source is never
//! changed. The generation is told by Hydra's own `sql-migrate` tables:
//! `hydra_oauth2_authentication_consent_migration` (1.0.0-beta) or
//! `hydra_consent_request_migration` (0.10/0.11), next to `hydra_client_migration`.

mod dialect;
mod rows;

use std::collections::BTreeSet;

use oxydra_core::import::hydra::{Generation, HydraDump, PolicyRow, TokenTable};
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Connection, FromRow};

use crate::dsn::{Dsn, DsnKind};
use dialect::Dialect;
use rows::{SrcClient, SrcConsent, SrcKey, SrcLoginSession, SrcPolicy, SrcToken};

/// Why a Hydra database cannot be read; `Display` says what to do.
#[derive(Debug, thiserror::Error)]
pub enum HydraSourceError {
    /// The URL names SQLite or memory.
    #[error(
        "Hydra 0.10/0.11 and 1.0.0-beta ran on PostgreSQL or MySQL only; give its DATABASE_URL"
    )]
    Backend,
    /// The database answered but is not a Hydra database of a supported generation.
    #[error("{0}")]
    NotHydra(String),
    /// Connecting or a query failed.
    #[error("reading the Hydra database failed: {0}")]
    Sql(#[from] sqlx::Error),
}

/// One connection to the source, on either backend.
enum Source {
    Postgres(PgConnection),
    Mysql(MySqlConnection),
}

impl Source {
    fn dialect(&self) -> Dialect {
        match self {
            Source::Postgres(_) => Dialect::Postgres,
            Source::Mysql(_) => Dialect::Mysql,
        }
    }

    /// Runs a parameterless query (every name in it is a constant of this module).
    async fn fetch<T>(&mut self, sql: &str) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, MySqlRow> + Send + Unpin,
    {
        match self {
            Source::Postgres(c) => sqlx::query_as::<_, T>(sql).fetch_all(c).await,
            Source::Mysql(c) => sqlx::query_as::<_, T>(sql).fetch_all(c).await,
        }
    }

    async fn count(&mut self, sql: &str) -> Result<i64, sqlx::Error> {
        let rows: Vec<(i64,)> = self.fetch(sql).await?;
        Ok(rows.first().map_or(0, |r| r.0))
    }

    /// The columns `table` has: Hydra added columns release by release, so a database that
    /// stopped at an earlier release lacks some; those read as their defaults.
    async fn columns(&mut self, table: &str) -> Result<Columns, sqlx::Error> {
        let sql = self.dialect().columns_of(table);
        let rows: Vec<(String,)> = self.fetch(&sql).await?;
        Ok(Columns(
            rows.into_iter().map(|r| r.0.to_lowercase()).collect(),
        ))
    }

    async fn has_table(&mut self, table: &str) -> Result<bool, sqlx::Error> {
        let sql = self.dialect().table_exists(table);
        Ok(self.count(&sql).await? > 0)
    }

    async fn close(self) {
        // Closing politely is best effort; the data is already read.
        let _ = match self {
            Source::Postgres(c) => c.close().await,
            Source::Mysql(c) => c.close().await,
        };
    }
}

/// The columns of one table.
struct Columns(BTreeSet<String>);

impl Columns {
    /// `present` when the table has `column`, else `absent`.
    fn or(&self, column: &str, present: String, absent: String) -> String {
        if self.0.contains(column) {
            present
        } else {
            absent
        }
    }
}

/// Connects to Hydra's database at `dsn` and reads everything the import uses.
pub async fn read_hydra(dsn: &Dsn) -> Result<HydraDump, HydraSourceError> {
    let mut source = match &dsn.kind {
        DsnKind::Postgres { options, .. } => {
            Source::Postgres(PgConnection::connect_with(options).await?)
        }
        DsnKind::Mysql { options, .. } => {
            Source::Mysql(MySqlConnection::connect_with(options).await?)
        }
        DsnKind::Memory | DsnKind::SqliteFile { .. } => return Err(HydraSourceError::Backend),
    };
    let result = read_all(&mut source).await;
    source.close().await;
    result
}

async fn read_all(source: &mut Source) -> Result<HydraDump, HydraSourceError> {
    let generation = detect(source).await?;
    let d = source.dialect();
    let cols = source.columns("hydra_client").await?;
    let clients: Vec<SrcClient> = source.fetch(&client_query(d, &cols)).await?;
    let cols = source.columns("hydra_jwk").await?;
    let keys: Vec<SrcKey> = source.fetch(&key_query(d, &cols)).await?;
    let mut tokens = Vec::new();
    for (table, name) in [
        (TokenTable::Access, "hydra_oauth2_access"),
        (TokenTable::Refresh, "hydra_oauth2_refresh"),
    ] {
        let cols = source.columns(name).await?;
        let rows: Vec<SrcToken> = source.fetch(&token_query(d, &cols, name)).await?;
        tokens.extend(rows.into_iter().map(|r| r.into_row(table)));
    }
    let mut flow_state_rows = 0;
    for table in [
        "hydra_oauth2_code",
        "hydra_oauth2_oidc",
        "hydra_oauth2_pkce",
    ] {
        if source.has_table(table).await? {
            let sql = format!("SELECT {} FROM {table}", d.int("COUNT(*)"));
            flow_state_rows += source.count(&sql).await?;
        }
    }
    let (login_sessions, consents, legacy_consents) = match generation {
        Generation::V1Beta => {
            let sessions: Vec<SrcLoginSession> = source.fetch(&login_session_query(d)).await?;
            let cols = source.columns("hydra_oauth2_consent_request").await?;
            let consents: Vec<SrcConsent> = source.fetch(&consent_query(d, &cols)).await?;
            (
                sessions.into_iter().map(Into::into).collect(),
                consents.into_iter().map(Into::into).collect(),
                0,
            )
        }
        Generation::V0x => {
            let sql = format!("SELECT {} FROM hydra_consent_request", d.int("COUNT(*)"));
            (Vec::new(), Vec::new(), source.count(&sql).await?)
        }
    };
    let policies = if source.has_table("ladon_policy").await? {
        read_policies(source).await?
    } else {
        Vec::new()
    };
    Ok(HydraDump {
        policies,
        generation,
        clients: clients.into_iter().map(Into::into).collect(),
        keys: keys.into_iter().map(Into::into).collect(),
        tokens,
        flow_state_rows: usize::try_from(flow_state_rows).unwrap_or(0),
        login_sessions,
        consents,
        legacy_consents: usize::try_from(legacy_consents).unwrap_or(0),
    })
}

/// Ladon's policies (0.10/0.11, `hydra_policy_migration`) with their templates, which Ladon
/// keeps in `ladon_{subject,action,resource}` joined through `ladon_policy_*_rel`.
async fn read_policies(source: &mut Source) -> Result<Vec<PolicyRow>, sqlx::Error> {
    let d = source.dialect();
    let sql = format!(
        "SELECT {} AS id, {} AS description, {} AS effect, {} AS conditions FROM ladon_policy \
         ORDER BY id",
        d.text("id"),
        d.text("description"),
        d.text("effect"),
        d.text("conditions")
    );
    let rows: Vec<SrcPolicy> = source.fetch(&sql).await?;
    let mut policies: Vec<PolicyRow> = rows.into_iter().map(Into::into).collect();
    for part in ["subject", "action", "resource"] {
        let sql = format!(
            "SELECT {} AS policy, {} AS template FROM ladon_policy_{part}_rel r \
             JOIN ladon_{part} t ON t.id = r.{part} ORDER BY r.policy, t.template",
            d.text("r.policy"),
            d.text("t.template")
        );
        let templates: Vec<(String, String)> = source.fetch(&sql).await?;
        for (policy, template) in templates {
            if let Some(p) = policies.iter_mut().find(|p| p.id == policy) {
                match part {
                    "subject" => p.subjects.push(template),
                    "action" => p.actions.push(template),
                    _ => p.resources.push(template),
                }
            }
        }
    }
    Ok(policies)
}

/// Tells the generation from Hydra's migration tables.
async fn detect(source: &mut Source) -> Result<Generation, HydraSourceError> {
    if !source.has_table("hydra_client_migration").await? {
        return Err(HydraSourceError::NotHydra(
            "no hydra_client_migration table: this is not a Hydra database (or `hydra migrate \
             sql` never ran on it)"
                .into(),
        ));
    }
    if source
        .has_table("hydra_oauth2_authentication_consent_migration")
        .await?
    {
        return Ok(Generation::V1Beta);
    }
    if source.has_table("hydra_consent_request_migration").await? {
        return Ok(Generation::V0x);
    }
    Err(HydraSourceError::NotHydra(
        "neither hydra_oauth2_authentication_consent_migration (1.0.0-beta) nor \
         hydra_consent_request_migration (0.10/0.11) exists: an unsupported Hydra version"
            .into(),
    ))
}

fn client_query(d: Dialect, cols: &Columns) -> String {
    let text = |c: &str| format!("{} AS {c}", cols.or(c, d.text(c), "''".to_owned()));
    let columns: Vec<String> = [
        "id",
        "client_name",
        "client_secret",
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
        // 1.0.0-beta's additions.
        "sector_identifier_uri",
        "jwks",
        "jwks_uri",
        "token_endpoint_auth_method",
        "request_uris",
        "request_object_signing_alg",
        "userinfo_signed_response_alg",
        "subject_type",
        "allowed_cors_origins",
    ]
    .iter()
    .map(|c| text(c))
    .collect();
    format!(
        "SELECT {}, {} AS public, {} AS client_secret_expires_at FROM hydra_client ORDER BY id",
        columns.join(", "),
        // Dropped by 1.0.0-beta (made `token_endpoint_auth_method = none`).
        cols.or("public", d.flag("public"), d.int("-1")),
        cols.or(
            "client_secret_expires_at",
            d.int("client_secret_expires_at"),
            d.int("0")
        ),
    )
}

fn key_query(d: Dialect, cols: &Columns) -> String {
    format!(
        "SELECT {} AS sid, {} AS kid, {} AS created_at, {} AS keydata FROM hydra_jwk \
         ORDER BY sid, kid",
        d.text("sid"),
        d.text("kid"),
        // 0.10/0.11 kept no creation time.
        cols.or("created_at", d.micros("created_at"), d.int("NULL")),
        d.text("keydata")
    )
}

fn token_query(d: Dialect, cols: &Columns, table: &str) -> String {
    // `active` came with 1.0.0-beta (every row before it was active), `subject` with 0.10.
    let active = cols.or("active", d.flag("active"), d.int("1"));
    let subject = cols.or("subject", d.text("subject"), "''".to_owned());
    format!(
        "SELECT {} AS signature, {} AS request_id, {} AS requested_at, {} AS client_id, \
         {} AS scope, {} AS granted_scope, {} AS form_data, {} AS session_data, \
         {} AS subject, {active} AS active FROM {table} ORDER BY request_id, signature",
        d.text("signature"),
        d.text("request_id"),
        d.micros("requested_at"),
        d.text("client_id"),
        d.text("scope"),
        d.text("granted_scope"),
        d.text("form_data"),
        d.text("session_data"),
        subject,
    )
}

fn login_session_query(d: Dialect) -> String {
    format!(
        "SELECT {} AS id, {} AS subject, {} AS authenticated_at \
         FROM hydra_oauth2_authentication_session ORDER BY id",
        d.text("id"),
        d.text("subject"),
        d.micros("authenticated_at"),
    )
}

fn consent_query(d: Dialect, cols: &Columns) -> String {
    // The login challenge and session came with 1.0.0-beta's third consent migration.
    let text_or_empty = |c: &str| cols.or(c, d.text(&format!("r.{c}")), "''".to_owned());
    format!(
        "SELECT {} AS challenge, {} AS verifier, {} AS csrf, {} AS client_id, {} AS subject, \
         {} AS request_url, {} AS skip, {} AS requested_scope, {} AS oidc_context, \
         {} AS login_challenge, {} AS login_session_id, {} AS requested_at, \
         {} AS authenticated_at, {} AS handled, {} AS granted_scope, {} AS remember, \
         {} AS remember_for, {} AS error, {} AS session_access_token, \
         {} AS session_id_token, {} AS handled_at \
         FROM hydra_oauth2_consent_request r \
         LEFT JOIN hydra_oauth2_consent_request_handled h ON h.challenge = r.challenge \
         ORDER BY r.challenge",
        d.text("r.challenge"),
        d.text("r.verifier"),
        d.text("r.csrf"),
        d.text("r.client_id"),
        d.text("r.subject"),
        d.text("r.request_url"),
        d.flag("r.skip"),
        d.text("r.requested_scope"),
        d.text("r.oidc_context"),
        text_or_empty("login_challenge"),
        text_or_empty("login_session_id"),
        d.micros("r.requested_at"),
        d.micros("r.authenticated_at"),
        d.flag("h.challenge IS NOT NULL"),
        d.text("h.granted_scope"),
        d.flag("h.remember"),
        d.int("COALESCE(h.remember_for, 0)"),
        d.text("h.error"),
        d.text("h.session_access_token"),
        d.text("h.session_id_token"),
        d.micros("h.requested_at"),
    )
}
