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
    Run(Box<RunArgs>),
    /// Print the CRDs as YAML (what `run` installs; committed as examples/crds.yaml).
    Crds,
    /// A complete IKE on this machine, for development and tests.
    #[command(subcommand)]
    Local(ike::local::LocalCommand),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Kubeconfig to use instead of the in-cluster config or KUBECONFIG.
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// Address for /healthz, /readyz and /metrics (plain HTTP).
    #[arg(long, default_value = "0.0.0.0:8080", value_name = "ADDR")]
    listen: SocketAddr,
    /// The cluster's client CA certificate (PEM): the account API signs with it.
    #[arg(long, env = "IKE_CA_CERT", value_name = "FILE", requires = "ca_key")]
    ca_cert: Option<PathBuf>,
    /// The cluster's client CA key (PKCS#8 PEM). Without --ca-cert/--ca-key no account API runs.
    #[arg(long, env = "IKE_CA_KEY", value_name = "FILE", requires = "ca_cert")]
    ca_key: Option<PathBuf>,
    /// Address of the account API and admission webhook (HTTPS).
    #[arg(long, default_value = "0.0.0.0:8443", value_name = "ADDR")]
    account_api_listen: SocketAddr,
    /// Names and IPs in the account API's serving certificate (repeatable).
    #[arg(long = "san", value_name = "NAME", default_values_t = ["127.0.0.1".to_string(), "localhost".to_string()])]
    sans: Vec<String>,
    /// This site's name, as `ike login --site` knows it.
    #[arg(long, default_value = "local", value_name = "SITE")]
    site: String,
    /// The kube-apiserver URL handed to clients; default: the one this controller uses.
    #[arg(long, value_name = "URL")]
    api_server_url: Option<String>,
    /// Certificate lifetime when a client asks for none.
    #[arg(long, default_value = "12h", value_parser = ike::util::time::parse_duration, value_name = "DURATION")]
    default_ttl: std::time::Duration,
    /// The longest certificate lifetime; `ike login --ttl` may only shorten it.
    #[arg(long, default_value = "24h", value_parser = ike::util::time::parse_duration, value_name = "DURATION")]
    max_ttl: std::time::Duration,
    /// The URL kube-apiserver calls the admission webhook at (the account API's listener).
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,
    /// Create this platform admin with a one-time enrollment token if it does not exist.
    #[arg(long, value_name = "ACCOUNT", requires = "bootstrap_token_file")]
    bootstrap_admin: Option<String>,
    /// Namespace of the leader-election Lease (created if missing).
    #[arg(long, default_value = "ike-system", value_name = "NAMESPACE")]
    lease_namespace: String,
    /// Let every account create tenants (it becomes their owner); otherwise only admins can.
    #[arg(long)]
    self_service_tenants: bool,
    /// A ServiceAccount the Tenant webhook counts as a platform admin (repeatable): the
    /// controller's own. No other ServiceAccount is one.
    #[arg(
        long = "admin-service-account",
        value_name = "NS:NAME",
        default_value = "ike-system:ike-controller",
        value_parser = ike::api::names::service_account_user
    )]
    admin_service_accounts: Vec<String>,
    /// Write the bootstrap admin's token here (0600); it is never logged.
    #[arg(long, value_name = "FILE", requires = "bootstrap_admin")]
    bootstrap_token_file: Option<PathBuf>,
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
            ExitCode::FAILURE
        }
    }
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let config = match &args.kubeconfig {
            Some(path) => {
                let kc = kube::config::Kubeconfig::read_from(path)?;
                kube::Config::from_custom_kubeconfig(kc, &Default::default()).await?
            }
            None => kube::Config::infer().await?,
        };
        let api_server_url = args.api_server_url.clone().unwrap_or_else(|| {
            config
                .cluster_url
                .to_string()
                .trim_end_matches('/')
                .to_string()
        });
        let client = kube::Client::try_from(config)?;
        let account_api = match (&args.ca_cert, &args.ca_key) {
            (Some(cert), Some(key)) => {
                let read = |p: &PathBuf| {
                    std::fs::read_to_string(p)
                        .with_context(|| format!("cannot read {}", p.display()))
                };
                let ca = ike::pki::AccountCa::from_pem(&read(cert)?, &read(key)?)
                    .context("the account API's CA")?;
                let mut config = ike::controller::account_api::AccountApiConfig::new(
                    args.account_api_listen,
                    ca,
                    &api_server_url,
                    &args.site,
                );
                config.server_sans = args.sans.clone();
                config.default_ttl = args.default_ttl;
                config.max_ttl = args.max_ttl;
                Some(config)
            }
            _ => None,
        };
        ike::controller::run(
            client,
            ike::controller::Options {
                listen: args.listen,
                account_api,
                webhook_url: args.webhook_url,
                bootstrap_admin: args.bootstrap_admin,
                bootstrap_token_file: args.bootstrap_token_file,
                self_service: args.self_service_tenants,
                admin_service_accounts: args.admin_service_accounts,
                lease_namespace: args.lease_namespace,
                site: args.site.clone(),
            },
        )
        .await?;
        anyhow::Ok(())
    })
}
