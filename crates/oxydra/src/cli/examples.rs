//! One example per command, shown at the end of its `--help`, kept in one table so that a test
//! can check that every command has one and that every example parses.

use clap::{Command, CommandFactory};

use super::Cli;

/// `(command path, example lines)`; each line is a whole `oxydra …` command line.
const EXAMPLES: &[(&[&str], &[&str])] = &[
    (&[], &["oxydra serve all --dev"]),
    (&["serve"], &["oxydra serve all --dev"]),
    (&["serve", "all"], &["oxydra serve all --dev --demo"]),
    (
        &["serve", "public"],
        &["oxydra serve public --https-tls-cert-path cert.pem --https-tls-key-path key.pem"],
    ),
    (
        &["serve", "admin"],
        &["oxydra serve admin --admin-host 127.0.0.1"],
    ),
    (&["migrate"], &["oxydra migrate sql -e"]),
    (&["migrate", "sql"], &["oxydra migrate sql -e"]),
    (&["migrate", "secret"], &["oxydra migrate secret -e"]),
    (
        &["import"],
        &["oxydra import hydra --from postgres://hydra@db/hydra -e"],
    ),
    (
        &["import", "hydra"],
        &["oxydra import hydra --from 'mysql://hydra:pw@tcp(db:3306)/hydra' -e --dry-run"],
    ),
    (
        &["clients", "create"],
        &[
            "oxydra clients create --id my-app -c https://app.example/cb -g authorization_code,refresh_token -a openid,offline",
        ],
    ),
    (&["clients", "get"], &["oxydra clients get my-app"]),
    (&["clients", "list"], &["oxydra clients list --format json"]),
    (
        &["clients", "update"],
        &["oxydra clients update my-app -a openid,offline,email"],
    ),
    (&["clients", "delete"], &["oxydra clients delete my-app"]),
    (
        &["clients", "import"],
        &["oxydra clients import clients.json"],
    ),
    (
        &["keys", "create"],
        &["oxydra keys create hydra.openid.id-token --alg ES256"],
    ),
    (&["keys", "get"], &["oxydra keys get hydra.openid.id-token"]),
    (
        &["keys", "delete"],
        &["oxydra keys delete hydra.openid.id-token public:old-key"],
    ),
    (&["keys", "import"], &["oxydra keys import my-set key.json"]),
    (
        &["token", "client"],
        &["oxydra token client --client-id svc --client-secret \"$SECRET\" --scope api"],
    ),
    (
        &["token", "introspect"],
        &["oxydra token introspect \"$TOKEN\""],
    ),
    (
        &["token", "revoke"],
        &["oxydra token revoke --client-id svc --client-secret \"$SECRET\" \"$TOKEN\""],
    ),
    (&["token", "flush"], &["oxydra token flush"]),
    (
        &["token", "user"],
        &["oxydra token user --client-id demo-app"],
    ),
    (
        &["token", "device"],
        &["oxydra token device --client-id tv --scope openid,offline"],
    ),
    (
        &["policies", "create"],
        &[
            "oxydra policies create -i readers -s 'team-<.*>' -r 'rn:hydra:clients:<.*>' -a get --allow",
        ],
    ),
    (&["policies", "get"], &["oxydra policies get readers"]),
    (&["policies", "list"], &["oxydra policies list --limit 50"]),
    (&["policies", "delete"], &["oxydra policies delete readers"]),
    (&["openapi"], &["oxydra openapi > docs/openapi.json"]),
    (&["version"], &["oxydra version"]),
    (
        &["completion"],
        &["oxydra completion bash > /etc/bash_completion.d/oxydra"],
    ),
];

/// The command line definition with every example added to the `--help` of its command
/// (after any examples the command already shows).
pub fn command() -> Command {
    EXAMPLES.iter().fold(Cli::command(), |cmd, (path, lines)| {
        with_example(cmd, path, lines)
    })
}

/// `cmd` with `lines` appended to the after-help of the subcommand at `path`.
fn with_example(cmd: Command, path: &[&str], lines: &[&str]) -> Command {
    match path.split_first() {
        Some((first, rest)) => cmd.mut_subcommand(*first, |sub| with_example(sub, rest, lines)),
        None => {
            let shown = lines
                .iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n");
            let text = match cmd.get_after_help() {
                Some(existing) => format!("{existing}\n  {}", shown.trim_start()),
                None => format!("Example:\n{shown}"),
            };
            cmd.after_help(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and subcommand, as its path of names.
    fn paths(cmd: &Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(prefix.clone());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = prefix.clone();
            path.push(sub.get_name().to_owned());
            paths(sub, path, out);
        }
    }

    /// Splits an example into words, honouring single and double quotes (enough for the table).
    fn words(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut word = String::new();
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, ' ') => {
                    if !word.is_empty() {
                        out.push(std::mem::take(&mut word));
                    }
                }
                (_, c) => word.push(c),
            }
        }
        out.push(word);
        out
    }

    #[test]
    fn every_command_shows_an_example_in_its_help() {
        let cmd = command();
        let mut all = Vec::new();
        paths(&cmd, Vec::new(), &mut all);
        for path in all {
            let mut node = &cmd;
            for name in &path {
                node = node.find_subcommand(name).unwrap();
            }
            let help = node.get_after_help().map(ToString::to_string);
            assert!(
                help.as_deref().is_some_and(|h| h.contains("oxydra ")),
                "`oxydra {}` has no example in its --help",
                path.join(" ")
            );
        }
    }

    #[test]
    fn every_example_parses() {
        for (path, lines) in EXAMPLES {
            for line in *lines {
                let argv: Vec<String> = words(line.split(" > ").next().unwrap());
                assert_eq!(argv[0], "oxydra", "{line}");
                if let Err(e) = command().try_get_matches_from(&argv) {
                    panic!(
                        "the example of `{}` does not parse: {line}: {e}",
                        path.join(" ")
                    );
                }
            }
        }
    }
}
