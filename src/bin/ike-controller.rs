//! `ike-controller`: wiring only. The server side of ike, and the local IKE for development.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ike::controller::config::{ConfigError, RunArgs, RunConfig};

/// The server side of the IKE platform: CRDs, reconcilers, the account API, health and metrics.
#[derive(Debug, Parser)]
#[command(name = "ike-controller", version, propagate_version = true)]
struct Cli {
    /// Log more to stderr (-v info, -vv debug, -vvv trace).
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the controller against the cluster (in-cluster config, or --kubeconfig / KUBECONFIG).
    Run(Box<RunArgs>),
    /// Print the CRDs as YAML (what `run` installs; committed as examples/crds.yaml).
    Crds,
    /// A complete IKE on this machine, for development and tests.
    #[command(subcommand)]
    Local(ike::local::LocalCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    // The controller logs at info by default: it is a service, not a quiet CLI.
    ike::util::logging::init(cli.verbose.max(1), no_color);
    ike::install_crypto_provider();
    let result = match cli.command {
        Command::Run(args) => run(*args),
        Command::Crds => {
            print!("{}", ike::api::crds_yaml());
            Ok(())
        }
        Command::Local(cmd) => ike::local::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            // Flags that do not go together are a usage error, as clap's own (ike's exit
            // statuses: README).
            if err.downcast_ref::<ConfigError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let config = RunConfig::resolve(args)?;
    ike::util::memory::few_malloc_arenas();
    tokio::runtime::Runtime::new()?.block_on(async {
        let (client, cluster_url) = config.connect().await?;
        let options = config.load(&cluster_url)?;
        ike::controller::run(client, options).await?;
        anyhow::Ok(())
    })
}
