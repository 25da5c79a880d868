//! `oxydra policies create|get|list|delete`: manage access-control policies through a running
//! server's admin API (Hydra 0.x / 1.0.0-alpha1's `hydra policies`, same short flags). Every
//! command goes through `oxydra_api::client::AdminClient`, never the database.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use oxydra_api::{Policy, scopes};

use super::remote::{AdminEndpoint, ConnectionArgs, Format, print_json};

/// Help section of the flags every `policies` command accepts.
const HEADING: &str = "Admin API options";

/// Arguments of `oxydra policies`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
                  export HYDRA_ADMIN_URL=http://127.0.0.1:4445\n  \
                  oxydra policies create --id readers -s 'svc-<.*>' -r 'rn:hydra:clients:<.*>' -a get --allow\n  \
                  oxydra policies create -f policy.json\n  \
                  oxydra policies list --format json")]
pub struct PoliciesArgs {
    /// Where the admin API is, and how to authenticate to it.
    #[command(flatten, next_help_heading = HEADING)]
    pub endpoint: AdminEndpoint,
    /// TLS, proxy and output flags.
    #[command(flatten, next_help_heading = HEADING)]
    pub connection: ConnectionArgs,
    /// The operation.
    #[command(subcommand)]
    pub command: PoliciesCommand,
}

/// The policy operations.
#[derive(Debug, Subcommand)]
pub enum PoliciesCommand {
    /// Create a policy from flags, or one per JSON file with -f (POST /policies), and print it.
    Create(CreateArgs),
    /// Print one policy (GET /policies/{id}).
    Get(IdArgs),
    /// List policies (GET /policies), ordered by id.
    List(ListArgs),
    /// Delete one or more policies (DELETE /policies/{id}).
    Delete(DeleteArgs),
}

/// Arguments of `policies create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Policy id; a random UUID when omitted.
    #[arg(short = 'i', long, conflicts_with = "files")]
    pub id: Option<String>,
    /// Description.
    #[arg(short = 'd', long, conflicts_with = "files")]
    pub description: Option<String>,
    /// Subjects (literals or patterns with regex parts in `<…>`), comma-separated or repeated.
    #[arg(short = 's', long, value_delimiter = ',', conflicts_with = "files")]
    pub subjects: Vec<String>,
    /// Resources, e.g. `rn:hydra:clients:<.*>`.
    #[arg(short = 'r', long, value_delimiter = ',', conflicts_with = "files")]
    pub resources: Vec<String>,
    /// Actions, e.g. `get,delete` or `<.*>`.
    #[arg(short = 'a', long, value_delimiter = ',', conflicts_with = "files")]
    pub actions: Vec<String>,
    /// Make it an allow policy; without this flag it denies (as Hydra's CLI).
    #[arg(long, conflicts_with = "files")]
    pub allow: bool,
    /// JSON files, each one Policy document (`id`, `subjects`, `effect`, `conditions`, ...).
    #[arg(
        short = 'f',
        long = "files",
        value_name = "FILE",
        value_delimiter = ','
    )]
    pub files: Vec<PathBuf>,
}

/// Arguments of `policies get`.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// Policy id.
    pub id: String,
}

/// Arguments of `policies list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Page size (server default 100, maximum 500).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Number of policies to skip.
    #[arg(long)]
    pub offset: Option<u32>,
}

/// Arguments of `policies delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Ids of the policies to delete.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

impl CreateArgs {
    /// The policy the flags describe.
    fn to_policy(&self) -> Policy {
        Policy {
            id: self.id.clone().unwrap_or_default(),
            description: self.description.clone().unwrap_or_default(),
            subjects: self.subjects.clone(),
            effect: if self.allow { "allow" } else { "deny" }.to_owned(),
            resources: self.resources.clone(),
            actions: self.actions.clone(),
            ..Policy::default()
        }
    }
}

/// Runs one `policies` operation against the admin API.
pub async fn run(args: PoliciesArgs) -> anyhow::Result<()> {
    let api = args
        .endpoint
        .connect(args.connection.options(), scopes::POLICIES)
        .await?;
    let format = args.connection.format;
    match args.command {
        PoliciesCommand::Create(create) if create.files.is_empty() => {
            print_json(format, &api.create_policy(&create.to_policy()).await?)
        }
        PoliciesCommand::Create(create) => {
            let mut created = Vec::new();
            for file in &create.files {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let policy: Policy = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a Policy JSON document", file.display()))?;
                let saved = api
                    .create_policy(&policy)
                    .await
                    .with_context(|| format!("cannot create the policy of {}", file.display()))?;
                created.push(saved);
            }
            print_json(format, &created)
        }
        PoliciesCommand::Get(get) => print_json(format, &api.get_policy(&get.id).await?),
        PoliciesCommand::List(list) => {
            let page = api.list_policies(list.limit, list.offset).await?;
            match format {
                Format::Json => print_json(format, &page.policies)?,
                Format::Human => print!("{}", table(&page.policies)),
            }
            if page.has_next {
                let next = list
                    .offset
                    .unwrap_or(0)
                    .saturating_add(page.policies.len() as u32);
                eprintln!("more policies follow: add --offset {next}");
            }
            Ok(())
        }
        PoliciesCommand::Delete(delete) => {
            for id in &delete.ids {
                api.delete_policy(id)
                    .await
                    .with_context(|| format!("cannot delete policy {id}"))?;
                if format == Format::Human {
                    println!("Policy deleted: {id}");
                }
            }
            if format == Format::Json {
                print_json(format, &delete.ids)?;
            }
            Ok(())
        }
    }
}

/// One line per policy: id, effect, subjects, resources, actions.
fn table(policies: &[Policy]) -> String {
    let mut out = String::from("ID\tEFFECT\tSUBJECTS\tRESOURCES\tACTIONS\n");
    for p in policies {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            p.id,
            p.effect,
            p.subjects.join(","),
            p.resources.join(","),
            p.actions.join(",")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> PoliciesArgs {
        let mut argv = vec!["oxydra", "policies", "--endpoint", "http://127.0.0.1:1"];
        argv.extend(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Policies(args) => args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn create_flags_follow_hydra() {
        let PoliciesCommand::Create(create) = parse(&[
            "create", "-i", "p", "-s", "a,b", "-s", "c", "-r", "rn:x", "-a", "get", "--allow",
        ])
        .command
        else {
            panic!()
        };
        let p = create.to_policy();
        assert_eq!((p.id.as_str(), p.effect.as_str()), ("p", "allow"));
        assert_eq!(p.subjects, ["a", "b", "c"]);
        let PoliciesCommand::Create(deny) = parse(&["create"]).command else {
            panic!()
        };
        assert_eq!(deny.to_policy().effect, "deny");
        let both = Cli::try_parse_from(["oxydra", "policies", "create", "-i", "p", "-f", "x.json"]);
        assert!(both.is_err(), "flags and files are exclusive");
    }
}
