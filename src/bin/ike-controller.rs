//! `ike-controller`: wiring only. The server side of ike, and the local IKE for development.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Run {
        /// Kubeconfig to use instead of the in-cluster config or KUBECONFIG.
        #[arg(long, value_name = "FILE")]
        kubeconfig: Option<PathBuf>,
        /// Address for /healthz, /readyz and /metrics.
        #[arg(long, default_value = "0.0.0.0:8080", value_name = "ADDR")]
        listen: SocketAddr,
    },
    /// Print the CRDs as YAML (what `run` installs; committed as examples/crds.yaml).
    Crds,
    /// A complete IKE on this machine, for development and tests.
    #[command(subcommand)]
    Local(ike::dev::LocalCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = ike::settings::Environment::from_process();
    // The controller logs at info by default: it is a service, not a quiet CLI.
    ike::logging::init(cli.verbose.max(1), &env);
    ike::install_crypto_provider();
    let result = match cli.command {
        Command::Run { kubeconfig, listen } => run(kubeconfig, listen),
        Command::Crds => {
            print!("{}", ike::api::crds_yaml());
            Ok(())
        }
        Command::Local(cmd) => ike::dev::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(kubeconfig: Option<PathBuf>, listen: SocketAddr) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let config = match kubeconfig {
            Some(path) => {
                let kc = kube::config::Kubeconfig::read_from(&path)?;
                kube::Config::from_custom_kubeconfig(kc, &Default::default()).await?
            }
            None => kube::Config::infer().await?,
        };
        let client = kube::Client::try_from(config)?;
        ike::controller::run(client, ike::controller::Options { listen }).await?;
        anyhow::Ok(())
    })
}
