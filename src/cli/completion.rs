//! `ike completion`: shell completion scripts generated from the clap definitions.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Arguments of `ike completion`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ike completion bash > ~/.local/share/bash-completion/completions/ike\n  ike completion zsh > \"${fpath[1]}/_ike\"\n  ike completion fish > ~/.config/fish/completions/ike.fish"
)]
pub struct CompletionArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for the shell.
pub fn run(args: CompletionArgs) -> anyhow::Result<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut super::Cli::command(), "ike", &mut out);
    super::output::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
