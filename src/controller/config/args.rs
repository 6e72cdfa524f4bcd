//! The flags of `ike-controller run`, as clap parses them: data only. Every rule between them
//! is in [`super::RunConfig::resolve`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::controller::notify::output::Output;
use crate::util::time::parse_duration;

/// `ike-controller run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Kubeconfig to use instead of the in-cluster config or KUBECONFIG.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Address for /healthz, /readyz and /metrics (plain HTTP).
    #[arg(long, default_value = "0.0.0.0:8080", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The cluster's client CA certificate (PEM): the account API signs with it.
    #[arg(long, env = "IKE_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// The cluster's client CA key (PKCS#8 PEM). Without --ca-cert/--ca-key no account API runs.
    #[arg(long, env = "IKE_CA_KEY", value_name = "FILE")]
    pub ca_key: Option<PathBuf>,
    /// Address of the account API (HTTPS).
    #[arg(long, default_value = "0.0.0.0:8443", value_name = "ADDR")]
    pub account_api_listen: SocketAddr,
    /// Names and IPs in the account API's serving certificate (repeatable).
    #[arg(long = "san", value_name = "NAME", default_values_t = ["127.0.0.1".to_string(), "localhost".to_string()])]
    pub sans: Vec<String>,
    /// Failed enrollment attempts one source address may make at once; afterwards one every 6 s.
    #[arg(long, default_value_t = crate::controller::account_api::ENROLL_RATE.burst, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub enroll_attempts: u32,
    /// Address of the admission webhooks (HTTPS, a listener of their own; needs --ca-cert).
    #[arg(long, default_value = "0.0.0.0:9443", value_name = "ADDR")]
    pub webhook_listen: SocketAddr,
    /// Names and IPs in the webhooks' serving certificate (repeatable; default: those of --san).
    #[arg(long = "webhook-san", value_name = "NAME")]
    pub webhook_sans: Vec<String>,
    /// Address of the notification relay Alertmanager calls (HTTPS, a listener of its own;
    /// served with --ca-cert and notifications on).
    #[arg(long, default_value = "0.0.0.0:9444", value_name = "ADDR")]
    pub relay_listen: SocketAddr,
    /// Names and IPs in the relay's serving certificate (repeatable; default: those of --san).
    #[arg(long = "relay-san", value_name = "NAME")]
    pub relay_sans: Vec<String>,
    /// This site's name, as `ike login --site` knows it.
    #[arg(long, default_value = "local", value_name = "SITE")]
    pub site: String,
    /// The kube-apiserver URL handed to clients; default: the one this controller uses.
    #[arg(long, value_name = "URL")]
    pub api_server_url: Option<String>,
    /// Certificate lifetime when a client asks for none (at most --max-ttl).
    #[arg(long, default_value = "12h", value_parser = parse_duration, value_name = "DURATION")]
    pub default_ttl: Duration,
    /// The longest certificate lifetime; `ike login --ttl` may only shorten it.
    #[arg(long, default_value = "24h", value_parser = parse_duration, value_name = "DURATION")]
    pub max_ttl: Duration,
    /// The URL kube-apiserver calls the admission webhooks at (the --webhook-listen listener;
    /// needs --ca-cert).
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Create this platform admin with a one-time enrollment token if it does not exist (needs
    /// --bootstrap-token-file).
    #[arg(long, value_name = "ACCOUNT")]
    pub bootstrap_admin: Option<String>,
    /// The controller's own namespace: its leader-election Lease (created if missing), the
    /// platform admins' notification configs, the base Alertmanager configuration, Office's
    /// TSIG key and name registry.
    #[arg(
        long,
        visible_alias = "lease-namespace",
        default_value = "ike-system",
        value_name = "NAMESPACE"
    )]
    pub controller_namespace: String,
    /// Let every account create tenants (it becomes their owner); otherwise only admins can.
    #[arg(long)]
    pub self_service_tenants: bool,
    /// A ServiceAccount the Tenant webhook counts as a platform admin (repeatable): the
    /// controller's own. No other ServiceAccount is one. Default: ike-controller in
    /// --controller-namespace.
    #[arg(
        long = "admin-service-account",
        value_name = "NS:NAME",
        value_parser = crate::api::names::service_account_user
    )]
    pub admin_service_accounts: Vec<String>,
    /// Write the bootstrap admin's token here (0600); it is never logged.
    #[arg(long, value_name = "FILE")]
    pub bootstrap_token_file: Option<PathBuf>,
    #[command(flatten)]
    pub notify: NotifyArgs,
}

/// Tenant notifications: on when Alertmanager's configuration has somewhere to go.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Notifications")]
pub struct NotifyArgs {
    /// Write Alertmanager's configuration into this Secret (key alertmanager.yaml), the one a
    /// prometheus-operator Alertmanager names in configSecret.
    #[arg(long, value_name = "NAMESPACE/NAME", value_parser = Output::parse_secret)]
    pub alertmanager_config_secret: Option<Output>,
    /// Write Alertmanager's configuration into this file (a plain Alertmanager's
    /// --config.file) and reload Alertmanager after each change.
    #[arg(long, value_name = "FILE")]
    pub alertmanager_config_file: Option<PathBuf>,
    /// Alertmanager's URL: to reload it, confirm receivers and send `ike notify test` alerts.
    #[arg(long, value_name = "URL")]
    pub alertmanager_url: Option<String>,
    /// The Secret in --controller-namespace holding the platform's base configuration (key
    /// alertmanager.yaml): global settings, the platform's routes and receivers.
    #[arg(long, default_value = "alertmanager-base", value_name = "NAME")]
    pub alertmanager_base_secret: String,
    /// Create the base Secret from this file when it does not exist.
    #[arg(long, value_name = "FILE")]
    pub alertmanager_base_seed: Option<PathBuf>,
    /// The relay's URL as Alertmanager reaches it: the --relay-listen listener + /relay.
    #[arg(long, value_name = "URL")]
    pub relay_url: Option<String>,
    /// A file holding the token Alertmanager must present to the relay.
    #[arg(long, value_name = "FILE")]
    pub relay_token_file: Option<PathBuf>,
    /// Where Alertmanager reads that token (its credentials_file); without it the token is
    /// written into Alertmanager's configuration.
    #[arg(long, value_name = "PATH")]
    pub relay_credentials_file: Option<String>,
    /// The CA Alertmanager trusts for the relay's certificate, as a path Alertmanager reads.
    #[arg(long, value_name = "PATH")]
    pub relay_ca_file: Option<String>,
    /// Barry's base URL; without it BarryConfigs say BarryNotConfigured.
    #[arg(long, value_name = "URL")]
    pub barry_url: Option<String>,
    /// A CA certificate (PEM) to trust for Barry besides the system's.
    #[arg(long, value_name = "FILE")]
    pub barry_ca_file: Option<PathBuf>,
    /// Render Teams receivers as Alertmanager's msteamsv2_configs (Alertmanager 0.28 or
    /// later); the webhook URL is then copied into Alertmanager's configuration.
    #[arg(long)]
    pub teams_native: bool,
    /// How often Alertmanager's configuration is rendered again with nothing seen to change.
    #[arg(long, default_value = "5m", value_parser = parse_duration, value_name = "DURATION")]
    pub notify_resync: Duration,
    /// For the local IKE and tests only: tenants' URLs may be plain http and reach loopback
    /// addresses, and --barry-url may be plain http. Never on a real site.
    #[arg(long)]
    pub allow_insecure_destinations: bool,
}
