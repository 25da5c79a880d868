//! `oxydra completion bash|zsh|fish|…`: prints a shell completion script for every command and
//! flag, generated from the same command-line definition the binary parses with.

use clap::Args;
use clap_complete::Shell;

/// Arguments of `oxydra completion`.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `args.shell` to stdout.
pub fn run(args: &CompletionArgs) -> anyhow::Result<()> {
    let mut command = super::examples::command();
    clap_complete::generate(args.shell, &mut command, "oxydra", &mut std::io::stdout());
    Ok(())
}
