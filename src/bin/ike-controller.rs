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
    /// Address of the account API (HTTPS).
    #[arg(long, default_value = "0.0.0.0:8443", value_name = "ADDR")]
    account_api_listen: SocketAddr,
    /// Names and IPs in the account API's serving certificate (repeatable).
    #[arg(long = "san", value_name = "NAME", default_values_t = ["127.0.0.1".to_string(), "localhost".to_string()])]
    sans: Vec<String>,
    /// Failed enrollment attempts one source address may make at once; afterwards one every 6 s.
    #[arg(long, default_value_t = ike::controller::account_api::ENROLL_RATE.burst, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    enroll_attempts: u32,
    /// Address of the admission webhooks (HTTPS, a listener of their own; needs --ca-cert).
    #[arg(long, default_value = "0.0.0.0:9443", value_name = "ADDR")]
    webhook_listen: SocketAddr,
    /// Names and IPs in the webhooks' serving certificate (repeatable; default: those of --san).
    #[arg(long = "webhook-san", value_name = "NAME")]
    webhook_sans: Vec<String>,
    /// Address of the notification relay Alertmanager calls (HTTPS, a listener of its own;
    /// served with --ca-cert and notifications on).
    #[arg(long, default_value = "0.0.0.0:9444", value_name = "ADDR")]
    relay_listen: SocketAddr,
    /// Names and IPs in the relay's serving certificate (repeatable; default: those of --san).
    #[arg(long = "relay-san", value_name = "NAME")]
    relay_sans: Vec<String>,
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
    /// The URL kube-apiserver calls the admission webhooks at (the --webhook-listen listener).
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
    #[command(flatten)]
    notify: NotifyArgs,
}

/// Tenant notifications: on when Alertmanager's configuration has somewhere to go.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Notifications")]
struct NotifyArgs {
    /// Write Alertmanager's configuration into this Secret (key alertmanager.yaml), the one a
    /// prometheus-operator Alertmanager names in configSecret.
    #[arg(long, value_name = "NAMESPACE/NAME", value_parser = ike::controller::notify::output::Output::parse_secret)]
    alertmanager_config_secret: Option<ike::controller::notify::output::Output>,
    /// Write Alertmanager's configuration into this file (a plain Alertmanager's
    /// --config.file) and reload Alertmanager after each change.
    #[arg(long, value_name = "FILE")]
    alertmanager_config_file: Option<PathBuf>,
    /// Alertmanager's URL: to reload it, confirm receivers and send `ike notify test` alerts.
    #[arg(long, value_name = "URL")]
    alertmanager_url: Option<String>,
    /// The Secret in --lease-namespace holding the platform's base configuration (key
    /// alertmanager.yaml): global settings, the platform's routes and receivers.
    #[arg(long, default_value = "alertmanager-base", value_name = "NAME")]
    alertmanager_base_secret: String,
    /// Create the base Secret from this file when it does not exist.
    #[arg(long, value_name = "FILE")]
    alertmanager_base_seed: Option<PathBuf>,
    /// The relay's URL as Alertmanager reaches it: the --relay-listen listener + /relay.
    #[arg(long, value_name = "URL")]
    relay_url: Option<String>,
    /// A file holding the token Alertmanager must present to the relay.
    #[arg(long, value_name = "FILE")]
    relay_token_file: Option<PathBuf>,
    /// Where Alertmanager reads that token (its credentials_file); without it the token is
    /// written into Alertmanager's configuration.
    #[arg(long, value_name = "PATH")]
    relay_credentials_file: Option<String>,
    /// The CA Alertmanager trusts for the relay's certificate, as a path Alertmanager reads.
    #[arg(long, value_name = "PATH")]
    relay_ca_file: Option<String>,
    /// Barry's base URL; without it BarryConfigs say BarryNotConfigured.
    #[arg(long, value_name = "URL")]
    barry_url: Option<String>,
    /// A CA certificate (PEM) to trust for Barry besides the system's.
    #[arg(long, value_name = "FILE")]
    barry_ca_file: Option<PathBuf>,
    /// Render Teams receivers as Alertmanager's msteamsv2_configs (Alertmanager 0.28 or
    /// later); the webhook URL is then copied into Alertmanager's configuration.
    #[arg(long)]
    teams_native: bool,
    /// How often Alertmanager's configuration is rendered again with nothing seen to change.
    #[arg(long, default_value = "5m", value_parser = ike::util::time::parse_duration, value_name = "DURATION")]
    notify_resync: std::time::Duration,
    /// For the local IKE and tests only: tenants' URLs may be plain http and reach loopback
    /// addresses, and --barry-url may be plain http. Never on a real site.
    #[arg(long)]
    allow_insecure_destinations: bool,
}

impl NotifyArgs {
    /// The settings, or `None` when no output is given.
    fn settings(
        &self,
        namespace: &str,
    ) -> anyhow::Result<Option<ike::controller::notify::Settings>> {
        use ike::controller::notify::{
            RelaySettings, Settings, alertmanager::TeamsDelivery, output::Output,
        };
        let mut outputs: Vec<Output> = self.alertmanager_config_secret.iter().cloned().collect();
        outputs.extend(self.alertmanager_config_file.clone().map(Output::File));
        if outputs.is_empty() {
            return Ok(None);
        }
        let (Some(url), Some(token_file)) = (&self.relay_url, &self.relay_token_file) else {
            anyhow::bail!(
                "notifications need the relay: pass --relay-url (how Alertmanager reaches the --relay-listen listener, + /relay) and --relay-token-file"
            );
        };
        if self.alertmanager_config_file.is_some() && self.alertmanager_url.is_none() {
            anyhow::bail!(
                "--alertmanager-config-file needs --alertmanager-url, to reload Alertmanager after each change"
            );
        }
        let relay = RelaySettings::new(
            url.clone(),
            token_file,
            self.relay_credentials_file.clone(),
            self.relay_ca_file.clone(),
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot read the relay token from {}: {e}",
                token_file.display()
            )
        })?;
        Ok(Some(Settings {
            base_namespace: namespace.to_string(),
            base_secret: self.alertmanager_base_secret.clone(),
            base_seed: self.alertmanager_base_seed.clone(),
            outputs,
            alertmanager_url: self.alertmanager_url.clone(),
            relay,
            barry_url: self.barry_url.clone(),
            barry_ca: self.barry_ca_file.clone(),
            teams: if self.teams_native {
                TeamsDelivery::Native
            } else {
                TeamsDelivery::Relay
            },
            resync: self.notify_resync,
            allow_insecure_destinations: self.allow_insecure_destinations,
        }))
    }
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
        let notify = args.notify.settings(&args.lease_namespace)?;
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
                config.enroll_rate.burst = args.enroll_attempts;
                Some(config)
            }
            _ => None,
        };
        let listener = |listen, sans: &Vec<String>, limits| ike::controller::HttpsListener {
            listen,
            sans: if sans.is_empty() {
                args.sans.clone()
            } else {
                sans.clone()
            },
            limits,
            metrics: Default::default(),
        };
        let webhooks = listener(
            args.webhook_listen,
            &args.webhook_sans,
            ike::controller::listener::Limits::webhooks(),
        );
        let relay = listener(
            args.relay_listen,
            &args.relay_sans,
            ike::controller::listener::Limits::relay(),
        );
        ike::controller::run(
            client,
            ike::controller::Options {
                listen: args.listen,
                webhooks: account_api.is_some().then_some(webhooks),
                relay: (account_api.is_some() && notify.is_some()).then_some(relay),
                account_api,
                webhook_url: args.webhook_url,
                bootstrap_admin: args.bootstrap_admin,
                bootstrap_token_file: args.bootstrap_token_file,
                self_service: args.self_service_tenants,
                admin_service_accounts: args.admin_service_accounts,
                lease_namespace: args.lease_namespace,
                site: args.site.clone(),
                notify,
            },
        )
        .await?;
        anyhow::Ok(())
    })
}
