//! Schema parity: the same tables, columns, types, nullability and primary keys on every
//! backend, read from the catalogues (`pragma_table_info`, `information_schema`). MySQL
//! spells `BOOLEAN` `tinyint` and needs `VARCHAR` for keys, which count as `text` here.

use std::collections::BTreeMap;

use oxydra_store::SqlStore;
use oxydra_testkit::{TestBackend, open_store};

/// `table -> column -> (type, nullable, part of the primary key)`.
type Schema = BTreeMap<String, BTreeMap<String, (String, bool, bool)>>;

/// One spelling per type across dialects.
fn normalise(ty: &str) -> String {
    match ty.to_ascii_lowercase().as_str() {
        "integer" | "int8" => "bigint".into(),
        "blob" => "bytea".into(),
        "text" | "character varying" | "varchar" | "longtext" => "text".into(),
        "tinyint" => "boolean".into(),
        other => other.to_owned(),
    }
}

async fn sqlite_schema(store: &SqlStore) -> Schema {
    let pool = store.sqlite_pool().unwrap();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'oxydra\\_%' ESCAPE '\\'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for (table,) in tables {
        let cols: Vec<(String, String, i64, i64)> =
            sqlx::query_as("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
        let cols = cols
            .into_iter()
            .map(|(name, ty, notnull, pk)| (name, (normalise(&ty), notnull == 0, pk > 0)))
            .collect();
        schema.insert(table, cols);
    }
    schema
}

async fn postgres_schema(store: &SqlStore) -> Schema {
    let pool = store.postgres_pool().unwrap();
    let cols: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
                c.is_nullable = 'YES' \
         FROM information_schema.columns c \
         WHERE c.table_schema = current_schema() AND c.table_name LIKE 'oxydra\\_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let pk: Vec<(String, String)> = sqlx::query_as(
        "SELECT k.table_name::text, k.column_name::text \
         FROM information_schema.table_constraints t \
         JOIN information_schema.key_column_usage k \
           ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema \
         WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for (table, column, ty, nullable) in cols {
        let is_pk = pk.iter().any(|(t, c)| *t == table && *c == column);
        schema
            .entry(table)
            .or_default()
            .insert(column, (normalise(&ty), nullable, is_pk));
    }
    schema
}

async fn mysql_schema(store: &SqlStore) -> Schema {
    let pool = store.mysql_pool().unwrap();
    let cols: Vec<(String, String, String, bool, bool)> = sqlx::query_as(
        "SELECT CAST(table_name AS CHAR), CAST(column_name AS CHAR), CAST(data_type AS CHAR), \
                is_nullable = 'YES', column_key = 'PRI' \
         FROM information_schema.columns \
         WHERE table_schema = DATABASE() AND table_name LIKE 'oxydra\\_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for (table, column, ty, nullable, is_pk) in cols {
        schema
            .entry(table)
            .or_default()
            .insert(column, (normalise(&ty), nullable, is_pk));
    }
    schema
}

#[tokio::test]
async fn sqlite_schema_has_the_client_token_and_flow_tables() {
    let sqlite = open_store(TestBackend::Sqlite).await.unwrap();
    let schema = sqlite_schema(&sqlite).await;
    let clients = &schema["oxydra_client"];
    assert_eq!(clients.len(), 38, "{clients:#?}");
    assert_eq!(
        clients["require_pushed_authorization_requests"],
        ("boolean".into(), false, false)
    );
    assert_eq!(
        clients["dpop_bound_access_tokens"],
        ("boolean".into(), false, false)
    );
    assert_eq!(clients["audience"], ("text".into(), false, false));
    assert_eq!(clients["metadata"], ("text".into(), true, false));
    assert_eq!(clients["token_lifespans"], ("text".into(), false, false));
    assert_eq!(
        clients["frontchannel_logout_session_required"],
        ("boolean".into(), false, false)
    );
    assert_eq!(
        clients["id_token_signed_response_alg"],
        ("text".into(), false, false)
    );
    assert_eq!(clients["id"], ("text".into(), false, true));
    assert_eq!(clients["secret_hash"], ("text".into(), true, false));
    assert_eq!(clients["jwks"], ("text".into(), true, false));
    assert_eq!(clients["created_at"], ("bigint".into(), false, false));
    assert_eq!(clients["updated_at"], ("bigint".into(), false, false));
    let tokens = &schema["oxydra_token"];
    assert_eq!(tokens.len(), 14, "{tokens:#?}");
    assert_eq!(tokens["grace_sealed"], ("text".into(), true, false));
    assert_eq!(tokens["signature"], ("text".into(), false, true));
    assert_eq!(tokens["expires_at"], ("bigint".into(), true, false));
    assert_eq!(tokens["active"], ("boolean".into(), false, false));
    let jtis = &schema["oxydra_jti"];
    assert_eq!(jtis.len(), 3, "{jtis:#?}");
    assert_eq!(jtis["client_id"], ("text".into(), false, true));
    assert_eq!(jtis["jti"], ("text".into(), false, true));
    assert_eq!(jtis["expires_at"], ("bigint".into(), false, false));
    let logins = &schema["oxydra_login_request"];
    assert_eq!(logins.len(), 14, "{logins:#?}");
    assert_eq!(logins["challenge"], ("text".into(), false, true));
    assert_eq!(logins["verifier"], ("text".into(), false, false));
    assert_eq!(logins["skip"], ("boolean".into(), false, false));
    assert_eq!(logins["authenticated_at"], ("bigint".into(), true, false));
    assert_eq!(logins["outcome"], ("text".into(), true, false));
    let consents = &schema["oxydra_consent_request"];
    assert_eq!(consents.len(), 22, "{consents:#?}");
    assert_eq!(consents["amr"], ("text".into(), false, false));
    assert_eq!(consents["context"], ("text".into(), true, false));
    assert_eq!(consents["challenge"], ("text".into(), false, true));
    assert_eq!(
        consents["authenticated_at"],
        ("bigint".into(), false, false)
    );
    assert_eq!(consents["handled_at"], ("bigint".into(), true, false));
    assert_eq!(consents["remember"], ("boolean".into(), false, false));
    assert_eq!(consents["remember_for"], ("bigint".into(), false, false));
    let jwks = &schema["oxydra_jwk"];
    assert_eq!(jwks.len(), 6, "{jwks:#?}");
    assert_eq!(jwks["set_id"], ("text".into(), false, true));
    assert_eq!(jwks["kid"], ("text".into(), false, true));
    assert_eq!(jwks["created_at"], ("bigint".into(), false, false));
    assert_eq!(jwks["encrypted"], ("text".into(), false, false));
    let policies = &schema["oxydra_policy"];
    assert_eq!(policies.len(), 7, "{policies:#?}");
    assert_eq!(policies["id"], ("text".into(), false, true));
    assert_eq!(policies["conditions"], ("text".into(), false, false));
    let revision = &schema["oxydra_policy_revision"];
    assert_eq!(revision["id"], ("bigint".into(), false, true));
    assert_eq!(revision["revision"], ("bigint".into(), false, false));
    let sessions = &schema["oxydra_login_session"];
    assert_eq!(sessions.len(), 4, "{sessions:#?}");
    assert_eq!(sessions["expires_at"], ("bigint".into(), false, false));
    assert_eq!(sessions["id"], ("text".into(), false, true));
    assert_eq!(
        sessions["authenticated_at"],
        ("bigint".into(), false, false)
    );
    let legacy = &schema["oxydra_legacy_consent_request"];
    assert_eq!(legacy.len(), 10, "{legacy:#?}");
    assert_eq!(legacy["id"], ("text".into(), false, true));
    assert_eq!(legacy["expires_at"], ("bigint".into(), false, false));
    assert_eq!(legacy["outcome"], ("text".into(), true, false));
    assert_eq!(legacy["used"], ("boolean".into(), false, false));
    sqlite.cleanup().await;
}

#[tokio::test]
async fn schemas_match_across_backends() {
    let sqlite = open_store(TestBackend::Sqlite).await.unwrap();
    let Some(postgres) = open_store(TestBackend::Postgres).await else {
        return;
    };
    let (lite, pg) = (
        sqlite_schema(&sqlite).await,
        postgres_schema(&postgres).await,
    );
    assert!(!lite.is_empty());
    assert_eq!(lite, pg, "SQLite and PostgreSQL schemas differ");
    sqlite.cleanup().await;
    postgres.cleanup().await;
}

#[tokio::test]
async fn mysql_schema_matches_sqlite() {
    let sqlite = open_store(TestBackend::Sqlite).await.unwrap();
    let Some(mysql) = open_store(TestBackend::Mysql).await else {
        return;
    };
    let (lite, my) = (sqlite_schema(&sqlite).await, mysql_schema(&mysql).await);
    assert!(!lite.is_empty());
    assert_eq!(lite, my, "SQLite and MySQL schemas differ");
    sqlite.cleanup().await;
    mysql.cleanup().await;
}
