//! What `ike-controller run` is asked to do, resolved once: [`RunArgs`] are the flags as parsed,
//! [`RunConfig::resolve`] holds every rule between them (and nothing else does), and
//! [`RunConfig::load`] reads the files they name into the [`Options`](super::Options) the
//! controller runs with. The binary only parses and calls.

mod args;
#[cfg(test)]
mod tests;

pub use args::{NotifyArgs, RunArgs};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::notify::{self, alertmanager::TeamsDelivery, output::Output};
use super::options::{Bootstrap, HttpsListener, Options};
use super::runtime::{ApiRequests, counting_client};
use super::{account_api, listener};

/// The ServiceAccount the controller runs as, in its own namespace (examples/deploy.yaml).
pub const CONTROLLER_SERVICE_ACCOUNT: &str = "ike-controller";

/// `ike-controller run`, every flag checked against the others. Files are named, not read yet.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// Kubeconfig instead of the in-cluster config or `KUBECONFIG`.
    pub kubeconfig: Option<PathBuf>,
    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    pub listen: SocketAddr,
    /// The site's name.
    pub site: String,
    /// The controller's own namespace: its Lease, the platform admins' notification configs,
    /// the base Alertmanager configuration, Office's key and registry. `--controller-namespace`
    /// (alias `--lease-namespace`).
    pub controller_namespace: String,
    /// Any account may create tenants.
    pub self_service: bool,
    /// The ServiceAccount users the Tenant webhook counts as platform admins.
    pub admin_service_accounts: Vec<String>,
    /// The bootstrap admin and where its token goes.
    pub bootstrap: Option<Bootstrap>,
    /// What the account CA is needed for; `None` without `--ca-cert`/`--ca-key`.
    pub served: Option<Served>,
    /// Tenant notifications; `None`: off.
    pub notify: Option<Notifications>,
}

/// The servers that present certificates of the account CA: the account API, the webhooks and,
/// with notifications on, the relay.
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    /// The CA certificate (PEM).
    pub ca_cert: PathBuf,
    /// The CA key (PKCS#8 PEM).
    pub ca_key: PathBuf,
    /// The account API's listener.
    pub account_api: Endpoint,
    /// The kube-apiserver URL handed to clients; `None`: the one the controller uses.
    pub api_server_url: Option<String>,
    /// Certificate lifetime when a client asks for none (at most `max_ttl`).
    pub default_ttl: Duration,
    /// The longest certificate lifetime.
    pub max_ttl: Duration,
    /// Failed enrollment attempts one address may make at once.
    pub enroll_attempts: u32,
    /// The admission webhooks' listener.
    pub webhooks: Endpoint,
    /// Where kube-apiserver calls the webhooks; `None` leaves their configuration alone.
    pub webhook_url: Option<String>,
    /// The notification relay's listener: `Some` exactly when notifications are on.
    pub relay: Option<Endpoint>,
}

/// An HTTPS listener and the names in its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Where it listens.
    pub listen: SocketAddr,
    /// The names and IPs in its certificate.
    pub sans: Vec<String>,
}

/// Tenant notifications as the flags set them (see [`notify::Settings`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Notifications {
    /// Where Alertmanager's configuration is written (at least one).
    pub outputs: Vec<Output>,
    /// Alertmanager's URL.
    pub alertmanager_url: Option<String>,
    /// The base configuration's Secret, in the controller's namespace.
    pub base_secret: String,
    /// Create the base Secret from this file when there is none.
    pub base_seed: Option<PathBuf>,
    /// The relay's URL as Alertmanager reaches it.
    pub relay_url: String,
    /// The file holding the token Alertmanager presents to the relay.
    pub relay_token_file: PathBuf,
    /// Where Alertmanager reads that token.
    pub relay_credentials_file: Option<String>,
    /// The relay's CA as Alertmanager reads it.
    pub relay_ca_file: Option<String>,
    /// Barry's base URL.
    pub barry_url: Option<String>,
    /// An extra CA to trust for Barry.
    pub barry_ca: Option<PathBuf>,
    /// How Teams receivers are rendered.
    pub teams: TeamsDelivery,
    /// How often everything is rendered again.
    pub resync: Duration,
    /// For the local IKE and tests only.
    pub allow_insecure_destinations: bool,
}

/// A combination of flags `ike-controller run` refuses: nothing has started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// One of `--ca-cert` and `--ca-key` without the other.
    #[error(
        "--ca-cert and --ca-key go together: the account API needs the CA's certificate and its key"
    )]
    HalfCa,
    /// One of `--bootstrap-admin` and `--bootstrap-token-file` without the other.
    #[error(
        "--bootstrap-admin and --bootstrap-token-file go together: the token is never logged, only written to that file"
    )]
    HalfBootstrap,
    /// `--default-ttl` above `--max-ttl`.
    #[error(
        "--default-ttl ({default}) is longer than --max-ttl ({max}): shorten it or raise --max-ttl"
    )]
    TtlOrder {
        /// `--default-ttl`, readable.
        default: String,
        /// `--max-ttl`, readable.
        max: String,
    },
    /// A webhook flag without the account CA: the webhooks present its certificate.
    #[error(
        "{flag} needs --ca-cert and --ca-key: the webhooks present a certificate the account CA signs"
    )]
    WebhooksWithoutCa {
        /// The flag.
        flag: &'static str,
    },
    /// Notifications without the relay's URL and token.
    #[error(
        "notifications need the relay: pass --relay-url (how Alertmanager reaches the --relay-listen listener, + /relay) and --relay-token-file"
    )]
    NoRelay,
    /// Notifications without the account CA: the relay Alertmanager calls presents its
    /// certificate.
    #[error(
        "notifications need --ca-cert and --ca-key: the relay Alertmanager calls presents a certificate the account CA signs"
    )]
    NotifyWithoutCa,
    /// A file output that Alertmanager could not be told to reload.
    #[error(
        "--alertmanager-config-file needs --alertmanager-url, to reload Alertmanager after each change"
    )]
    FileWithoutReload,
    /// A notification flag while notifications are off: it would be ignored.
    #[error(
        "{flag} has no effect with notifications off: add --alertmanager-config-secret or --alertmanager-config-file, or drop it"
    )]
    NotifyOff {
        /// The flag.
        flag: &'static str,
    },
    /// Barry over plain http on a real site: it gets tenants' tokens.
    #[error(
        "--barry-url is not an https:// URL: Barry gets tenants' tokens, so ike-controller sends to it over https only (--allow-insecure-destinations is for the local IKE and tests)"
    )]
    InsecureBarry,
}

/// A file named by the flags could not be used, or the cluster not reached.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// `--ca-cert` or `--ca-key` could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CA files do not make an account CA.
    #[error("the account API's CA (--ca-cert, --ca-key)")]
    Ca(#[source] crate::pki::PkiError),
    /// The relay token file could not be read or holds too short a token.
    #[error("cannot read the relay token from {}", path.display())]
    RelayToken {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `--kubeconfig` could not be read.
    #[error("cannot read the kubeconfig {}", path.display())]
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// Why.
        source: kube::config::KubeconfigError,
    },
    /// Neither the in-cluster config nor `KUBECONFIG` works.
    #[error("no cluster to run against: pass --kubeconfig, or run in a pod")]
    Infer(#[source] kube::config::InferConfigError),
    /// The client could not be built from the configuration.
    #[error("cannot make a Kubernetes client")]
    Client(#[source] kube::Error),
}

impl RunConfig {
    /// Every rule between the flags of `ike-controller run`, in one place.
    pub fn resolve(args: RunArgs) -> Result<Self, ConfigError> {
        let bootstrap = match (args.bootstrap_admin, args.bootstrap_token_file) {
            (Some(admin), Some(token_file)) => Some(Bootstrap { admin, token_file }),
            (None, None) => None,
            _ => return Err(ConfigError::HalfBootstrap),
        };
        if args.default_ttl > args.max_ttl {
            return Err(ConfigError::TtlOrder {
                default: crate::util::time::human(args.default_ttl),
                max: crate::util::time::human(args.max_ttl),
            });
        }
        let notify = notifications(args.notify)?;
        let ca = match (args.ca_cert, args.ca_key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err(ConfigError::HalfCa),
        };
        let endpoint = |listen, sans: Vec<String>| Endpoint {
            listen,
            sans: if sans.is_empty() {
                args.sans.clone()
            } else {
                sans
            },
        };
        let served = match ca {
            Some((ca_cert, ca_key)) => Some(Served {
                ca_cert,
                ca_key,
                account_api: endpoint(args.account_api_listen, Vec::new()),
                api_server_url: args.api_server_url,
                default_ttl: args.default_ttl,
                max_ttl: args.max_ttl,
                enroll_attempts: args.enroll_attempts,
                webhooks: endpoint(args.webhook_listen, args.webhook_sans),
                webhook_url: args.webhook_url,
                relay: notify
                    .is_some()
                    .then(|| endpoint(args.relay_listen, args.relay_sans)),
            }),
            None if args.webhook_url.is_some() => {
                return Err(ConfigError::WebhooksWithoutCa {
                    flag: "--webhook-url",
                });
            }
            None if !args.webhook_sans.is_empty() => {
                return Err(ConfigError::WebhooksWithoutCa {
                    flag: "--webhook-san",
                });
            }
            None if notify.is_some() => return Err(ConfigError::NotifyWithoutCa),
            None => None,
        };
        let admin_service_accounts = if args.admin_service_accounts.is_empty() {
            vec![format!(
                "system:serviceaccount:{}:{CONTROLLER_SERVICE_ACCOUNT}",
                args.controller_namespace
            )]
        } else {
            args.admin_service_accounts
        };
        Ok(Self {
            kubeconfig: args.kubeconfig,
            listen: args.listen,
            site: args.site,
            controller_namespace: args.controller_namespace,
            self_service: args.self_service_tenants,
            admin_service_accounts,
            bootstrap,
            served,
            notify,
        })
    }

    /// A client for the cluster that counts its requests, and the API server's URL as this
    /// controller reaches it.
    pub async fn connect(&self) -> Result<Connection, LoadError> {
        let config = match &self.kubeconfig {
            Some(path) => {
                let kubeconfig = kube::config::Kubeconfig::read_from(path).map_err(|source| {
                    LoadError::Kubeconfig {
                        path: path.clone(),
                        source,
                    }
                })?;
                kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
                    .await
                    .map_err(|source| LoadError::Kubeconfig {
                        path: path.clone(),
                        source,
                    })?
            }
            None => kube::Config::infer().await.map_err(LoadError::Infer)?,
        };
        let url = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        let api_requests = ApiRequests::default();
        let client = counting_client(config, api_requests.clone()).map_err(LoadError::Client)?;
        Ok(Connection {
            client,
            cluster_url: url,
            api_requests,
        })
    }

    /// Reads the files the flags name into what the controller runs with; the connection's
    /// URL is handed to clients unless `--api-server-url` says otherwise.
    pub fn load(self, connection: &Connection) -> Result<Options, LoadError> {
        let cluster_url = connection.cluster_url.as_str();
        let notify = match self.notify {
            Some(n) => Some(n.load(&self.controller_namespace)?),
            None => None,
        };
        let (account_api, webhooks, webhook_url, relay) = match self.served {
            Some(served) => {
                let read = |path: &PathBuf| {
                    std::fs::read_to_string(path).map_err(|source| LoadError::Read {
                        path: path.clone(),
                        source,
                    })
                };
                let ca = crate::pki::AccountCa::from_pem(
                    &read(&served.ca_cert)?,
                    &read(&served.ca_key)?,
                )
                .map_err(LoadError::Ca)?;
                let url = served.api_server_url.as_deref().unwrap_or(cluster_url);
                let mut config = account_api::AccountApiConfig::new(
                    served.account_api.listen,
                    ca,
                    url,
                    &self.site,
                );
                config.server_sans = served.account_api.sans;
                config.default_ttl = served.default_ttl;
                config.max_ttl = served.max_ttl;
                config.enroll_rate.burst = served.enroll_attempts;
                let webhooks = https(served.webhooks, listener::Limits::webhooks());
                let relay = served.relay.map(|r| https(r, listener::Limits::relay()));
                (Some(config), Some(webhooks), served.webhook_url, relay)
            }
            None => (None, None, None, None),
        };
        Ok(Options {
            listen: self.listen,
            account_api,
            webhooks,
            relay,
            webhook_url,
            bootstrap: self.bootstrap,
            self_service: self.self_service,
            admin_service_accounts: self.admin_service_accounts,
            controller_namespace: self.controller_namespace,
            site: self.site,
            notify,
            api_requests: connection.api_requests.clone(),
        })
    }
}

/// The controller's way to the cluster ([`RunConfig::connect`]).
pub struct Connection {
    /// Counts every request in `api_requests`.
    pub client: kube::Client,
    /// The API server's URL as this controller reaches it.
    pub cluster_url: String,
    /// What `client` asked the API server, by verb and resource.
    pub api_requests: ApiRequests,
}

fn https(endpoint: Endpoint, limits: listener::Limits) -> HttpsListener {
    HttpsListener {
        listen: endpoint.listen,
        sans: endpoint.sans,
        limits,
        metrics: Default::default(),
    }
}

/// The notification settings, `None` when no output is given; the rules among the
/// notification flags themselves.
fn notifications(args: NotifyArgs) -> Result<Option<Notifications>, ConfigError> {
    let mut outputs: Vec<Output> = args.alertmanager_config_secret.into_iter().collect();
    outputs.extend(args.alertmanager_config_file.clone().map(Output::File));
    if outputs.is_empty() {
        // Flags that only notifications read would be ignored silently.
        let set = [
            ("--alertmanager-url", args.alertmanager_url.is_some()),
            (
                "--alertmanager-base-seed",
                args.alertmanager_base_seed.is_some(),
            ),
            ("--relay-url", args.relay_url.is_some()),
            ("--relay-token-file", args.relay_token_file.is_some()),
            (
                "--relay-credentials-file",
                args.relay_credentials_file.is_some(),
            ),
            ("--relay-ca-file", args.relay_ca_file.is_some()),
            ("--barry-url", args.barry_url.is_some()),
            ("--barry-ca-file", args.barry_ca_file.is_some()),
            ("--teams-native", args.teams_native),
        ];
        return match set.into_iter().find(|(_, given)| *given) {
            Some((flag, _)) => Err(ConfigError::NotifyOff { flag }),
            None => Ok(None),
        };
    }
    let (Some(relay_url), Some(relay_token_file)) = (args.relay_url, args.relay_token_file) else {
        return Err(ConfigError::NoRelay);
    };
    if args.alertmanager_config_file.is_some() && args.alertmanager_url.is_none() {
        return Err(ConfigError::FileWithoutReload);
    }
    if let Some(url) = &args.barry_url
        && !args.allow_insecure_destinations
        && !url.trim().to_ascii_lowercase().starts_with("https://")
    {
        return Err(ConfigError::InsecureBarry);
    }
    Ok(Some(Notifications {
        outputs,
        alertmanager_url: args.alertmanager_url,
        base_secret: args.alertmanager_base_secret,
        base_seed: args.alertmanager_base_seed,
        relay_url,
        relay_token_file,
        relay_credentials_file: args.relay_credentials_file,
        relay_ca_file: args.relay_ca_file,
        barry_url: args.barry_url,
        barry_ca: args.barry_ca_file,
        teams: if args.teams_native {
            TeamsDelivery::Native
        } else {
            TeamsDelivery::Relay
        },
        resync: args.notify_resync,
        allow_insecure_destinations: args.allow_insecure_destinations,
    }))
}

impl Notifications {
    /// The settings notifications run with, the relay token read.
    fn load(self, controller_namespace: &str) -> Result<notify::Settings, LoadError> {
        let relay = notify::RelaySettings::new(
            self.relay_url,
            &self.relay_token_file,
            self.relay_credentials_file,
            self.relay_ca_file,
        )
        .map_err(|source| LoadError::RelayToken {
            path: self.relay_token_file.clone(),
            source,
        })?;
        Ok(notify::Settings {
            controller_namespace: controller_namespace.to_string(),
            base_secret: self.base_secret,
            base_seed: self.base_seed,
            outputs: self.outputs,
            alertmanager_url: self.alertmanager_url,
            relay,
            barry_url: self.barry_url,
            barry_ca: self.barry_ca,
            teams: self.teams,
            resync: self.resync,
            allow_insecure_destinations: self.allow_insecure_destinations,
        })
    }
}
