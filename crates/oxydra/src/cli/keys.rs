//! `oxydra keys create|get|delete|import`: manage JSON Web Key sets through a running server's
//! admin API (Hydra 1.0.0-beta's `hydra keys`). Every command goes through
//! `oxydra_api::client::AdminClient`, never the database.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use oxydra_api::{JSONWebKey, JSONWebKeySet, JsonWebKeySetGeneratorRequest, scopes};

use super::remote::{AdminEndpoint, ConnectionArgs, print_json};

/// Help section of the flags every `keys` command accepts.
const HEADING: &str = "Admin API options";

/// Arguments of `oxydra keys`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
                  export HYDRA_ADMIN_URL=http://127.0.0.1:4445\n  \
                  oxydra keys create my-set --alg ES256\n  \
                  oxydra keys get my-set")]
pub struct KeysArgs {
    /// Where the admin API is.
    #[command(flatten, next_help_heading = HEADING)]
    pub endpoint: AdminEndpoint,
    /// TLS, proxy and output flags.
    #[command(flatten, next_help_heading = HEADING)]
    pub connection: ConnectionArgs,
    /// The operation.
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// The key operations.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a key pair (or an HMAC key) into a set (POST /keys/{set}) and print it.
    Create(CreateArgs),
    /// Print a set, or one key of it (GET /keys/{set}[/{kid}]); private keys included.
    Get(SetArgs),
    /// Delete a set, or one key of it (DELETE /keys/{set}[/{kid}]).
    Delete(SetArgs),
    /// Store keys from JSON files, each a JSON Web Key or a JSON Web Key Set, into a set
    /// (PUT /keys/{set}/{kid} per key).
    Import(ImportArgs),
}

/// Arguments of `keys create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The key set.
    pub set: String,
    /// Algorithm: RS256, ES256, ES384, ES512, EdDSA, HS256 or HS512.
    #[arg(short = 'a', long, default_value = "RS256")]
    pub alg: String,
    /// Key id; a random UUID when omitted.
    #[arg(long, default_value = "")]
    pub kid: String,
    /// Key use: sig or enc.
    #[arg(short = 'u', long = "use", default_value = "sig")]
    pub key_use: String,
}

/// Arguments of `keys get` and `keys delete`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The key set.
    pub set: String,
    /// One key id; the whole set when omitted.
    pub kid: Option<String>,
}

/// Arguments of `keys import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The key set.
    pub set: String,
    /// JSON files, each one JSON Web Key or one JSON Web Key Set.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Runs one `keys` operation against the admin API.
pub async fn run(args: KeysArgs) -> anyhow::Result<()> {
    let scope = match &args.command {
        KeysCommand::Create(_) => scopes::KEYS_CREATE,
        KeysCommand::Get(_) => scopes::KEYS_GET,
        KeysCommand::Delete(_) => scopes::KEYS_DELETE,
        KeysCommand::Import(_) => scopes::KEYS_UPDATE,
    };
    let api = args
        .endpoint
        .connect(args.connection.options(), scope)
        .await?;
    let format = args.connection.format;
    match args.command {
        KeysCommand::Create(create) => {
            let request = JsonWebKeySetGeneratorRequest {
                alg: create.alg,
                kid: create.kid,
                key_use: create.key_use,
            };
            print_json(format, &api.create_key_set(&create.set, &request).await?)
        }
        KeysCommand::Get(get) => {
            print_json(format, &api.get_keys(&get.set, get.kid.as_deref()).await?)
        }
        KeysCommand::Delete(delete) => {
            api.delete_keys(&delete.set, delete.kid.as_deref()).await?;
            eprintln!("Deleted {}", target(&delete));
            Ok(())
        }
        KeysCommand::Import(import) => {
            let mut stored = JSONWebKeySet::default();
            for file in &import.files {
                for key in read_keys(file)? {
                    stored.keys.push(api.update_key(&import.set, &key).await?);
                }
            }
            print_json(format, &stored)
        }
    }
}

fn target(args: &SetArgs) -> String {
    match &args.kid {
        Some(kid) => format!("key {kid} of set {}", args.set),
        None => format!("key set {}", args.set),
    }
}

/// The keys of one file: a JSONWebKeySet (`{"keys": [...]}`) or a single JSONWebKey.
fn read_keys(file: &PathBuf) -> anyhow::Result<Vec<JSONWebKey>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    if value.get("keys").is_some() {
        let set: JSONWebKeySet = serde_json::from_value(value)
            .with_context(|| format!("{} is not a JSON Web Key Set", file.display()))?;
        Ok(set.keys)
    } else {
        let key: JSONWebKey = serde_json::from_value(value)
            .with_context(|| format!("{} is not a JSON Web Key", file.display()))?;
        Ok(vec![key])
    }
}
