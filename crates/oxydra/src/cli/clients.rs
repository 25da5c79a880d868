//! `oxydra clients create|get|list|update|delete|import`: manage OAuth 2.0 clients through a
//! running server's admin API, with Hydra 1.0.0-beta's flag names (`shared/spec/behaviour.md`
//! §1.2). Every command goes through `oxydra_api::client::AdminClient`, never the database.

use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use oxydra_api::OAuth2Client;
use oxydra_api::client::{AdminClient, ClientOptions};

/// Help section of the flags every `clients` command accepts.
const HEADING: &str = "Admin API options";

/// Used when neither `--endpoint` nor `HYDRA_ADMIN_URL` is given.
const ENDPOINT_FALLBACK_ENV: &str = "OXYDRA_ADMIN_URL";

/// Arguments of `oxydra clients`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
                  export HYDRA_ADMIN_URL=http://127.0.0.1:4445\n  \
                  oxydra clients create -n 'My app' -c https://app.example/cb -a openid,offline\n  \
                  oxydra clients list --format json")]
pub struct ClientsArgs {
    /// Admin API base URL, e.g. http://127.0.0.1:4445. Falls back to OXYDRA_ADMIN_URL.
    #[arg(long, global = true, help_heading = HEADING, env = "HYDRA_ADMIN_URL", value_name = "URL")]
    pub endpoint: Option<String>,
    /// Accept any TLS certificate from the server (e.g. a self-signed development one).
    #[arg(long, global = true, help_heading = HEADING)]
    pub skip_tls_verify: bool,
    /// Send `X-Forwarded-Proto: https`, as a TLS-terminating proxy would.
    #[arg(long, global = true, help_heading = HEADING)]
    pub fake_tls_termination: bool,
    /// Output: `human` (readable) or `json` (the API's JSON, one document, for scripts).
    #[arg(long, global = true, help_heading = HEADING, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The operation.
    #[command(subcommand)]
    pub command: ClientsCommand,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text: id and secret lines, tables, pretty JSON.
    Human,
    /// The API's JSON, compact, on one line.
    Json,
}

/// The client operations.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register a new client (POST /clients) and print its id and secret. The secret is shown
    /// only this once; it is stored hashed.
    Create(CreateArgs),
    /// Print one client (GET /clients/{id}); secrets are never returned.
    Get(GetArgs),
    /// List clients (GET /clients), ordered by client id.
    List(ListArgs),
    /// Replace a client (PUT /clients/{id}) with exactly the given flags.
    #[command(
        long_about = "Replace a client (PUT /clients/{id}) with exactly the given flags.\n\n\
                            This is a full replacement, not a patch: every field not given is \
                            reset to the default `create` would use (grant type \
                            authorization_code, response type code, auth method \
                            client_secret_basic, empty name/URIs/scope). The secret is kept \
                            unless --secret is given."
    )]
    Update(UpdateArgs),
    /// Delete one or more clients (DELETE /clients/{id}).
    Delete(DeleteArgs),
    /// Register clients from JSON files, one OAuth2Client document per file (POST /clients).
    Import(ImportArgs),
}

/// Arguments of `clients create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Client id; a random UUID when omitted.
    #[arg(long)]
    pub id: Option<String>,
    /// The client's metadata.
    #[command(flatten)]
    pub fields: ClientFields,
}

/// Arguments of `clients update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Id of the client to replace.
    pub id: String,
    /// The client's new metadata.
    #[command(flatten)]
    pub fields: ClientFields,
}

/// Arguments of `clients get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Client id.
    pub id: String,
}

/// Arguments of `clients list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Page size (server default 100, maximum 500).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Number of clients to skip.
    #[arg(long)]
    pub offset: Option<u32>,
}

/// Arguments of `clients delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Ids of the clients to delete.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

/// Arguments of `clients import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON files, each holding one client as the API's OAuth2Client (`client_id`,
    /// `client_secret`, `redirect_uris`, ...).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Client metadata flags shared by `create` and `update`; list flags take comma-separated
/// values or can be repeated.
#[derive(Debug, Clone, Args)]
pub struct ClientFields {
    /// Human-readable client name.
    #[arg(short = 'n', long)]
    pub name: Option<String>,
    /// Client secret (at least 6 characters); generated by the server when omitted on create.
    #[arg(long)]
    pub secret: Option<String>,
    /// Allowed redirect URIs (exact match).
    #[arg(short = 'c', long, value_delimiter = ',', value_name = "URI")]
    pub callbacks: Vec<String>,
    /// Allowed grant types: authorization_code, refresh_token, client_credentials, implicit.
    #[arg(
        short = 'g',
        long,
        value_delimiter = ',',
        default_value = "authorization_code"
    )]
    pub grant_types: Vec<String>,
    /// Allowed response types, each a space-separated combination such as `code id_token`.
    #[arg(short = 'r', long, value_delimiter = ',', default_value = "code")]
    pub response_types: Vec<String>,
    /// Scopes the client may request (comma- or space-separated), e.g. `openid,offline`.
    #[arg(short = 'a', long, value_delimiter = ',')]
    pub scope: Vec<String>,
    /// How the client authenticates at the token endpoint: client_secret_basic,
    /// client_secret_post, private_key_jwt or none (a public client, which gets no secret).
    #[arg(long, default_value = "client_secret_basic", value_name = "METHOD")]
    pub token_endpoint_auth_method: String,
    /// URL of the client's JSON Web Key Set (for private_key_jwt).
    #[arg(long, value_name = "URL")]
    pub jwks_uri: Option<String>,
    /// URL of the client's privacy policy.
    #[arg(long, value_name = "URL")]
    pub policy_uri: Option<String>,
    /// URL of the client's terms of service.
    #[arg(long, value_name = "URL")]
    pub tos_uri: Option<String>,
    /// URL of the client's home page.
    #[arg(long, value_name = "URL")]
    pub client_uri: Option<String>,
    /// URL of the client's logo.
    #[arg(long, value_name = "URL")]
    pub logo_uri: Option<String>,
    /// Subject identifier type: public or pairwise (server default: public).
    #[arg(long, value_name = "TYPE")]
    pub subject_type: Option<String>,
    /// Free-text owner of the client.
    #[arg(long)]
    pub owner: Option<String>,
    /// Contact addresses of the people responsible for the client.
    #[arg(long, value_delimiter = ',', value_name = "CONTACT")]
    pub contacts: Vec<String>,
}

impl ClientFields {
    /// The request body these flags describe.
    pub fn to_client(&self, client_id: String) -> OAuth2Client {
        let scope = self
            .scope
            .iter()
            .flat_map(|s| s.split_whitespace())
            .collect::<Vec<_>>();
        OAuth2Client {
            client_id,
            client_name: self.name.clone().unwrap_or_default(),
            client_secret: self.secret.clone(),
            redirect_uris: self.callbacks.clone(),
            grant_types: self.grant_types.clone(),
            response_types: self.response_types.clone(),
            scope: scope.join(" "),
            owner: self.owner.clone().unwrap_or_default(),
            policy_uri: self.policy_uri.clone().unwrap_or_default(),
            tos_uri: self.tos_uri.clone().unwrap_or_default(),
            client_uri: self.client_uri.clone().unwrap_or_default(),
            logo_uri: self.logo_uri.clone().unwrap_or_default(),
            contacts: self.contacts.clone(),
            subject_type: self.subject_type.clone().unwrap_or_default(),
            jwks_uri: self.jwks_uri.clone(),
            token_endpoint_auth_method: Some(self.token_endpoint_auth_method.clone()),
            ..OAuth2Client::default()
        }
    }
}

/// Runs one `clients` operation against the admin API.
pub async fn run(args: ClientsArgs) -> anyhow::Result<()> {
    let endpoint = match args.endpoint.filter(|e| !e.trim().is_empty()) {
        Some(endpoint) => endpoint,
        None => std::env::var(ENDPOINT_FALLBACK_ENV)
            .ok()
            .filter(|e| !e.trim().is_empty())
            .ok_or_else(|| {
                anyhow!("no admin endpoint: pass --endpoint or set HYDRA_ADMIN_URL (e.g. http://127.0.0.1:4445)")
            })?,
    };
    let options = ClientOptions {
        skip_tls_verify: args.skip_tls_verify,
        fake_tls_termination: args.fake_tls_termination,
    };
    let api = AdminClient::new(&endpoint, options)?;
    let format = args.format;
    match args.command {
        ClientsCommand::Create(create) => {
            let body = create.fields.to_client(create.id.unwrap_or_default());
            let client = api.create_client(&body).await?;
            print_saved(format, &client)
        }
        ClientsCommand::Get(get) => {
            let client = api.get_client(&get.id).await?;
            print_json(format, &client)
        }
        ClientsCommand::List(list) => {
            let page = api.list_clients(list.limit, list.offset).await?;
            match format {
                Format::Json => print_json(format, &page.clients)?,
                Format::Human => print!("{}", table(&page.clients)),
            }
            if page.has_next {
                let next = list
                    .offset
                    .unwrap_or(0)
                    .saturating_add(page.clients.len() as u32);
                eprintln!("more clients follow: add --offset {next}");
            }
            Ok(())
        }
        ClientsCommand::Update(update) => {
            let body = update.fields.to_client(update.id.clone());
            let client = api.update_client(&update.id, &body).await?;
            print_saved(format, &client)
        }
        ClientsCommand::Delete(delete) => {
            let deleted = each(&delete.ids, "deleted", async |id: &String| {
                api.delete_client(id).await?;
                if format == Format::Human {
                    println!("OAuth 2.0 Client deleted: {id}");
                }
                Ok(id.clone())
            })
            .await?;
            if format == Format::Json {
                print_json(format, &deleted)?;
            }
            Ok(())
        }
        ClientsCommand::Import(import) => {
            let imported = each(&import.files, "imported", async |file: &PathBuf| {
                import_one(&api, format, file).await
            })
            .await?;
            if format == Format::Json {
                print_json(format, &imported)?;
            }
            Ok(())
        }
    }
}

/// Reads one client file and registers it.
async fn import_one(
    api: &AdminClient,
    format: Format,
    file: &PathBuf,
) -> anyhow::Result<OAuth2Client> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let body: OAuth2Client = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an OAuth2Client JSON document", file.display()))?;
    let client = api.create_client(&body).await?;
    if format == Format::Human {
        println!("Imported OAuth 2.0 Client from {}", file.display());
        print_saved(format, &client)?;
    }
    Ok(client)
}

/// Runs `op` on every item, continuing past failures. A single item's error is returned as
/// is; with several, each error is printed as it happens and a summary error names the items
/// that failed.
async fn each<T, R>(
    items: &[T],
    verb: &str,
    mut op: impl AsyncFnMut(&T) -> anyhow::Result<R>,
) -> anyhow::Result<Vec<R>>
where
    T: std::fmt::Debug,
{
    if let [only] = items {
        return Ok(vec![op(only).await?]);
    }
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for item in items {
        match op(item).await {
            Ok(result) => done.push(result),
            Err(error) => {
                eprintln!("error: {error:#}");
                failed.push(format!("{item:?}"));
            }
        }
    }
    if !failed.is_empty() {
        bail!(
            "{} of {} not {verb}: {}",
            failed.len(),
            items.len(),
            failed.join(", ")
        );
    }
    Ok(done)
}

/// Prints a created or updated client: id and (when returned) secret, or the JSON.
fn print_saved(format: Format, client: &OAuth2Client) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(format, client);
    }
    println!("OAuth 2.0 Client ID: {}", client.client_id);
    if let Some(secret) = &client.client_secret {
        println!("OAuth 2.0 Client Secret: {secret}");
    }
    Ok(())
}

/// Prints a value as JSON: compact for `json`, pretty for `human`.
fn print_json<T: serde::Serialize>(format: Format, value: &T) -> anyhow::Result<()> {
    let text = match format {
        Format::Json => serde_json::to_string(value)?,
        Format::Human => serde_json::to_string_pretty(value)?,
    };
    println!("{text}");
    Ok(())
}

/// A plain-text table of clients: id, name, grant types and token endpoint auth method.
fn table(clients: &[OAuth2Client]) -> String {
    let mut rows = vec![[
        "CLIENT ID".to_owned(),
        "NAME".to_owned(),
        "GRANT TYPES".to_owned(),
        "AUTH METHOD".to_owned(),
    ]];
    for c in clients {
        rows.push([
            c.client_id.clone(),
            c.client_name.clone(),
            c.grant_types.join(","),
            c.token_endpoint_auth_method.clone().unwrap_or_default(),
        ]);
    }
    let mut widths = [0usize; 4];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> ClientsArgs {
        let mut argv = vec!["oxydra", "clients", "--endpoint", "http://127.0.0.1:1"];
        argv.extend(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Clients(args) => *args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn create_defaults_match_hydra() {
        let ClientsCommand::Create(create) = parse(&["create"]).command else {
            panic!()
        };
        let body = create.fields.to_client(String::new());
        assert_eq!(body.grant_types, ["authorization_code"]);
        assert_eq!(body.response_types, ["code"]);
        assert_eq!(
            body.token_endpoint_auth_method.as_deref(),
            Some("client_secret_basic")
        );
        assert_eq!(body.client_secret, None);
        assert_eq!(body.subject_type, "");
    }

    #[test]
    fn lists_accept_commas_and_repetition() {
        let args = parse(&[
            "create",
            "-c",
            "https://a/cb,https://b/cb",
            "-c",
            "https://c/cb",
            "-g",
            "authorization_code,refresh_token",
            "-a",
            "openid,offline",
            "-a",
            "email profile",
            "--format",
            "json",
        ]);
        assert_eq!(args.format, Format::Json);
        let ClientsCommand::Create(create) = args.command else {
            panic!()
        };
        let body = create.fields.to_client("x".into());
        assert_eq!(
            body.redirect_uris,
            ["https://a/cb", "https://b/cb", "https://c/cb"]
        );
        assert_eq!(body.grant_types, ["authorization_code", "refresh_token"]);
        assert_eq!(body.scope, "openid offline email profile");
    }

    #[test]
    fn table_aligns_columns() {
        let clients = vec![OAuth2Client {
            client_id: "a".into(),
            client_name: "Name".into(),
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            token_endpoint_auth_method: Some("none".into()),
            ..OAuth2Client::default()
        }];
        let text = table(&clients);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "CLIENT ID  NAME  GRANT TYPES                       AUTH METHOD"
        );
        assert_eq!(
            lines[1],
            "a          Name  authorization_code,refresh_token  none"
        );
    }
}
