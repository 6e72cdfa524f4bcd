//! `ike-controller`: wiring only. The server side of ike, and the local IKE for development.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ike::controller::config::{ConfigError, RunArgs, RunConfig};

// The controller is a long-running service whose memory is a few long-lived stores written by a
// handful of tokio threads. glibc's malloc keeps what each thread's arena freed and leaves holes
// between the stores, even with two arenas; jemalloc, with two arenas, gives freed pages back at
// once instead of keeping them for ten seconds (its default) or handing them back lazily
// (MADV_FREE, still counted as resident until the kernel needs them). benches/tenants.sh at 500
// tenants, anonymous memory after a resync: glibc (2 arenas) 24.8 MiB; jemalloc keeping freed
// pages a second 24.3-26.1, handing them back lazily 23.6; with these options 21.2-21.5. Worth
// the few more madvise calls: the controller allocates at the pace of its watch events.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read at its first allocation (its prefixed `malloc_conf`).
#[cfg(target_os = "linux")]
#[unsafe(export_name = "_rjem_malloc_conf")]
static JEMALLOC_OPTIONS: &[u8; 44] = b"narenas:2,dirty_decay_ms:0,muzzy_decay_ms:0\0";

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
    tokio::runtime::Runtime::new()?.block_on(async {
        let connection = config.connect().await?;
        let options = config.load(&connection)?;
        ike::controller::run(connection.client, options).await?;
        anyhow::Ok(())
    })
}
