//! The `ike` command line: clap definitions shared by the binary, the completion scripts and the
//! man pages, plus one module per command noun.
//!
//! Conventions every command keeps: `--site` picks the site (kubeconfig context `ike-<site>`),
//! `-n` the namespace, reading commands take `-o table|json|yaml`, writing commands take
//! `--dry-run`, `-v` sends logs to stderr, results go to stdout only.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::output::Format;
use crate::settings::{Environment, Settings};

pub mod completion;
pub mod generate;
pub mod site;
pub mod version;

/// The command-line tool of the IKE multi-tenant Kubernetes platform.
#[derive(Debug, Parser)]
#[command(
    name = "ike",
    version,
    about = "The command-line tool of the IKE multi-tenant Kubernetes platform",
    long_about = None,
    propagate_version = true,
    after_help = "Start with 'ike login --site SITE'. Every site is one kubeconfig context named ike-SITE,\nso kubectl works with it too: kubectl --context ike-SITE get pods."
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The site to use (kubeconfig context ike-SITE); defaults to the current context.
    #[arg(long, global = true, env = "IKE_SITE", value_name = "SITE")]
    pub site: Option<String>,
    /// The namespace to use instead of the context's default.
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Log more to stderr (-v info, -vv debug, -vvv trace).
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `-o`, taken by every command that reads.
#[derive(Debug, Clone, Copy, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `--dry-run`, taken by every command that writes.
#[derive(Debug, Clone, Copy, Args)]
pub struct WriteArgs {
    /// Show what would change and change nothing (server-side dry run where the server is asked).
    #[arg(long)]
    pub dry_run: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a shell completion script.
    Completion(completion::CompletionArgs),
    /// Show the sites in your kubeconfig.
    #[command(subcommand)]
    Site(site::SiteCommand),
    /// Show the versions of ike and of the site's Kubernetes API server.
    Version(version::VersionArgs),
}

impl Cli {
    /// Runs the parsed command line; results go to stdout.
    pub fn run(self, env: &Environment) -> anyhow::Result<ExitCode> {
        let settings = Settings::resolve(&self.global, env);
        match self.command {
            Command::Completion(args) => completion::run(args),
            Command::Site(cmd) => site::run(cmd, &settings),
            Command::Version(args) => version::run(args, &settings),
        }
    }
}

/// A tokio runtime for commands that talk to a server; commands that do not never pay for one.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Writes a result to stdout, treating a closed pipe (`ike ... | head`) as success.
pub(crate) fn print<T: serde::Serialize + crate::output::Tabular>(
    format: Format,
    value: &T,
    settings: &Settings,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match crate::output::write(&mut out, format, value, settings.color) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Writes raw bytes to stdout, treating a closed pipe as success.
pub(crate) fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
