//! Tenant notifications (issue 10): a tenant declares in its namespace where alerts go
//! (`BarryConfig`, `EmailConfig`, `TeamsConfig`); ike-controller opens the Barry channels, adds
//! one receiver and route per config to Alertmanager's configuration, and relays Alertmanager's
//! webhooks to Barry and Teams with the tenant's Secret read at delivery time.
//!
//! ```text
//! configs ──► configs.rs (per kind: Barry channels, Teams URL check, tests) ──► status
//!        └──► publish.rs (plan.rs + alertmanager.rs: render, write, reload, observe) ──► status
//! Alertmanager ──webhook──► relay.rs ──► Barry / Teams                           ──► status
//! ```
//!
//! The reconcilers and the publisher run on the leader; the relay and the status queue run on
//! every replica, like the account API they are served with.

pub mod admins;
pub mod alertmanager;
pub mod alertmanager_api;
pub mod barry;
pub mod budget;
pub mod channels;
pub mod configs;
pub mod fair;
pub mod guard;
pub mod http;
pub mod metrics;
pub mod output;
pub mod payload;
pub mod plan;
pub mod publish;
pub mod relay;
pub mod secrets;
pub mod status;
pub mod teams;
pub mod test_alert;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::runtime::reflector::Store;
use serde_json::json;

use crate::api::{Destinations, NotificationPolicy, Site};
use alertmanager::TeamsDelivery;
use alertmanager_api::Alertmanager;
use barry::Barry;
use metrics::NotifyMetrics;
use output::Output;
use secrets::SecretValue;

/// How often the site's notification policy is compared with the one last used: a changed
/// Site (destinations, e-mail domains, budgets) counts within this for what is checked ahead
/// (WebhookReady, the rendered configuration); deliveries read it at once.
pub const POLICY_LOOK: Duration = Duration::from_secs(5);

/// The key of the base configuration in its Secret (as prometheus-operator names it).
pub const BASE_KEY: &str = "alertmanager.yaml";

/// What ike-controller is told about notifications, resolved once from its flags.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The namespace of the base Secret (the controller's own).
    pub controller_namespace: String,
    /// The name of the Secret holding the admin's base configuration (key
    /// `alertmanager.yaml`).
    pub base_secret: String,
    /// Create the base Secret from this file when it does not exist (the local IKE).
    pub base_seed: Option<PathBuf>,
    /// Where the rendered configuration goes (one or more).
    pub outputs: Vec<Output>,
    /// Alertmanager's URL: reload after a file write, confirm receivers, send test alerts.
    pub alertmanager_url: Option<String>,
    /// How Alertmanager reaches the relay.
    pub relay: RelaySettings,
    /// Barry's base URL; without it no channel is opened.
    pub barry_url: Option<String>,
    /// A CA certificate (PEM) to trust for Barry besides the system's.
    pub barry_ca: Option<PathBuf>,
    /// Teams through the relay (default) or Alertmanager's own `msteamsv2_configs` (0.28+).
    pub teams: TeamsDelivery,
    /// How often everything is rendered again although nothing was seen to change.
    pub resync: Duration,
    /// `--allow-insecure-destinations`, for the local IKE and tests only: tenant URLs may be
    /// plain http and reach loopback addresses, and Barry's URL may be plain http.
    pub allow_insecure_destinations: bool,
}

/// The controller's shared stores that notifications read (kept on every replica).
#[derive(Clone)]
pub struct Stores {
    /// The Site objects: the site's notification policy.
    pub sites: Store<Site>,
    /// Namespaces: the tenant each belongs to (the relay's fairness and the budgets are per
    /// tenant).
    pub namespaces: Store<Namespace>,
}

impl Stores {
    /// Stores that stay empty (the site's defaults, every namespace its own tenant).
    pub fn empty() -> Self {
        Self {
            sites: kube::runtime::reflector::store().0,
            namespaces: kube::runtime::reflector::store().0,
        }
    }
}

/// The relay as Alertmanager must call it.
#[derive(Clone)]
pub struct RelaySettings {
    /// The relay's base URL as Alertmanager reaches it, such as
    /// `https://ike-controller.ike-system.svc:8443/relay`.
    pub url: String,
    /// The bearer token Alertmanager must present.
    pub token: SecretValue,
    /// Where Alertmanager reads that token (`credentials_file`); without it the token is
    /// written into the configuration itself.
    pub credentials_file: Option<String>,
    /// The CA (PEM file, as Alertmanager sees it) that signed the relay's certificate.
    pub ca_file: Option<String>,
}

impl std::fmt::Debug for RelaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelaySettings")
            .field("url", &self.url)
            .field("credentials_file", &self.credentials_file)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

impl RelaySettings {
    /// Builds the relay settings, reading the token from `token_file`.
    pub fn new(
        url: String,
        token_file: &std::path::Path,
        credentials_file: Option<String>,
        ca_file: Option<String>,
    ) -> std::io::Result<Self> {
        let token = std::fs::read_to_string(token_file)?.trim().to_string();
        if token.len() < 16 {
            return Err(std::io::Error::other(format!(
                "{} holds no relay token of at least 16 characters",
                token_file.display()
            )));
        }
        Ok(Self {
            url,
            token: SecretValue::from_trusted(token),
            credentials_file,
            ca_file,
        })
    }

    /// The `http_config` of every relay webhook in Alertmanager's configuration.
    pub fn http_config(&self) -> serde_json::Value {
        let mut config = match &self.credentials_file {
            Some(file) => json!({ "authorization": { "credentials_file": file } }),
            None => json!({ "authorization": { "credentials": self.token.expose() } }),
        };
        if let Some(ca) = &self.ca_file {
            config["tls_config"] = json!({ "ca_file": ca });
        }
        config
    }
}

/// Errors setting notifications up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A CA file could not be read.
    #[error("cannot read the CA certificate {}", path.display())]
    Ca {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Creating the base Secret from the seed file failed.
    #[error("cannot create the base configuration Secret from {}", path.display())]
    Seed {
        /// The seed file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Notifications as one running controller has them; shared by the reconcilers, the publisher
/// and the relay.
pub struct Notify {
    /// The client.
    pub client: kube::Client,
    /// The settings.
    pub settings: Settings,
    /// Notification metrics.
    pub metrics: Arc<NotifyMetrics>,
    /// The controller's reconcile metrics.
    pub controller_metrics: Arc<super::metrics::Metrics>,
    /// Barry, when the site has one.
    pub barry: Option<Arc<dyn Barry>>,
    /// Alertmanager's API, when its URL is known.
    pub alertmanager: Option<Alertmanager>,
    /// The HTTP client for Teams webhooks.
    pub teams_client: http::Client,
    /// Status changes of the publisher and the relay, written in the background.
    pub statuses: status::Queue,
    /// Teams URLs for native delivery, by (namespace, name), from the config reconciler.
    native_urls: Mutex<HashMap<(String, String), SecretValue>>,
    /// Woken when something only the config reconciler sees asks for a render.
    pub render_now: tokio::sync::Notify,
    /// The Sites and namespaces.
    pub stores: Stores,
}

fn system_roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        tracing::warn!("no system CA certificates found: only extra CAs are trusted");
    }
    roots
}

fn add_ca(roots: &mut rustls::RootCertStore, path: &std::path::Path) -> Result<(), Error> {
    use rustls_pki_types::pem::PemObject as _;
    let ca = |source| Error::Ca {
        path: path.to_path_buf(),
        source,
    };
    let pem = std::fs::read(path).map_err(ca)?;
    let certs = rustls_pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ca(std::io::Error::other(e.to_string())))?;
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(ca(std::io::Error::other("no certificate in it")));
    }
    Ok(())
}

impl Notify {
    /// The platform admins, as features announce to them: `None` without Alertmanager's URL.
    pub fn announcer(&self) -> Option<Arc<dyn crate::controller::announce::Announcer>> {
        let admins = admins::Admins {
            alertmanager: self.alertmanager.clone()?,
            controller_namespace: self.settings.controller_namespace.clone(),
        };
        Some(Arc::new(admins))
    }

    /// Sets notifications up and starts the status queue's writer (on every replica).
    pub fn new(
        client: kube::Client,
        settings: Settings,
        metrics: Arc<NotifyMetrics>,
        controller_metrics: Arc<super::metrics::Metrics>,
        stores: Stores,
    ) -> Result<Arc<Self>, Error> {
        let insecure = settings.allow_insecure_destinations;
        let barry = match &settings.barry_url {
            // Plain http only with --allow-insecure-destinations: `RunConfig::resolve` refuses
            // it up front, the client below at every send.
            Some(url) => {
                let mut roots = system_roots();
                if let Some(path) = &settings.barry_ca {
                    add_ca(&mut roots, path)?;
                }
                let reach = http::Reach::Admin {
                    plain_http: insecure,
                };
                let client = http::Client::new(roots, http::RetryPolicy::default(), reach);
                Some(Arc::new(barry::HttpBarry::new(url, client)) as Arc<dyn Barry>)
            }
            None => None,
        };
        let rules: guard::Rules = {
            let sites = stores.sites.clone();
            Arc::new(move || {
                let policy = crate::controller::runtime::site_policy(&sites).notifications;
                Destinations::new(&policy, insecure)
            })
        };
        let alertmanager = settings
            .alertmanager_url
            .as_deref()
            .map(|url| Alertmanager::new(url, system_roots()));
        let statuses = status::Queue::new(client.clone(), metrics.clone());
        tokio::spawn(statuses.clone().run(Duration::from_millis(200)));
        Ok(Arc::new(Self {
            teams_client: http::Client::new(
                system_roots(),
                http::RetryPolicy::default(),
                http::Reach::Tenant(rules),
            ),
            client,
            settings,
            metrics,
            controller_metrics,
            barry,
            alertmanager,
            statuses,
            native_urls: Mutex::default(),
            render_now: tokio::sync::Notify::new(),
            stores,
        }))
    }

    /// The site's notification policy now.
    pub fn policy(&self) -> NotificationPolicy {
        crate::controller::runtime::site_policy(&self.stores.sites).notifications
    }

    /// The site's rules for tenant URLs now.
    pub fn destinations(&self) -> Destinations {
        Destinations::new(&self.policy(), self.settings.allow_insecure_destinations)
    }

    /// Yields each time the site's notification policy has changed (looked at every
    /// [`POLICY_LOOK`]).
    pub fn policy_changes(self: &Arc<Self>) -> impl futures::Stream<Item = ()> + Send + 'static {
        let first = self.policy();
        futures::stream::unfold((self.clone(), first), |(notify, last)| async move {
            loop {
                tokio::time::sleep(POLICY_LOOK).await;
                let now = notify.policy();
                if now != last {
                    return Some(((), (notify, now)));
                }
            }
        })
    }

    /// The tenant `namespace` belongs to, as the controller recorded it (the namespace's
    /// `ike.dev/tenant` label): `tenant/<name>`, or `namespace/<namespace>` for a namespace
    /// of no tenant.
    pub fn tenant_of(&self, namespace: &str) -> String {
        tenant_key(&self.stores.namespaces, namespace)
    }

    /// Records a Teams URL for native delivery (or its absence), asking for a render when it
    /// changed. Relay delivery keeps no URL.
    pub fn set_native_url(&self, key: &(String, String), url: Option<SecretValue>) {
        if self.settings.teams != TeamsDelivery::Native {
            return;
        }
        let mut urls = self
            .native_urls
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let changed = match url {
            Some(url) => urls.insert(key.clone(), url.clone()) != Some(url),
            None => urls.remove(key).is_some(),
        };
        drop(urls);
        if changed {
            self.render_now.notify_one();
        }
    }

    /// The Teams URL recorded for native delivery.
    pub fn native_url(&self, namespace: &str, name: &str) -> Option<SecretValue> {
        self.native_urls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
    }

    /// The relay's routes, to merge into the controller's HTTPS router.
    pub fn relay_routes(self: &Arc<Self>) -> axum::Router {
        relay::routes(relay::Relay::new(self.clone(), fair::Limits::default()))
    }

    /// Creates the base Secret from the seed file when there is none (it never overwrites one).
    pub async fn seed_base(&self) -> Result<(), Error> {
        let Some(path) = &self.settings.base_seed else {
            return Ok(());
        };
        let seed = |source: Box<dyn std::error::Error + Send + Sync>| Error::Seed {
            path: path.clone(),
            source,
        };
        let yaml = std::fs::read_to_string(path).map_err(|e| seed(e.into()))?;
        let secret: k8s_openapi::api::core::v1::Secret = serde_json::from_value(json!({
            "metadata": {
                "name": self.settings.base_secret,
                "namespace": self.settings.controller_namespace,
            },
            "stringData": { BASE_KEY: yaml },
        }))
        .map_err(|e| seed(e.into()))?;
        let api: kube::Api<k8s_openapi::api::core::v1::Secret> =
            kube::Api::namespaced(self.client.clone(), &self.settings.controller_namespace);
        let params = kube::api::PostParams {
            field_manager: Some(crate::api::consts::CONTROLLER_MANAGER.into()),
            ..Default::default()
        };
        match api.create(&params, &secret).await {
            Ok(_) => {
                tracing::info!(secret = %self.settings.base_secret, "base Alertmanager configuration created from {}", path.display());
                Ok(())
            }
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
            Err(e) => Err(seed(e.into())),
        }
    }
}

/// The tenant of `namespace` in `namespaces` (see [`Notify::tenant_of`]).
pub fn tenant_key(namespaces: &Store<Namespace>, namespace: &str) -> String {
    match crate::controller::runtime::namespace_tenant(namespaces, namespace) {
        Some(tenant) => format!("tenant/{tenant}"),
        None => format!("namespace/{namespace}"),
    }
}

/// Runs the config reconcilers and the publisher until `stop` turns true (on the leader).
pub async fn run(notify: Arc<Notify>, floor: crate::controller::runtime::Floor) {
    futures::future::join4(
        configs::run::<crate::api::BarryConfig>(notify.clone(), floor.clone()),
        configs::run::<crate::api::EmailConfig>(notify.clone(), floor.clone()),
        configs::run::<crate::api::TeamsConfig>(notify.clone(), floor.clone()),
        publish::run(notify, floor.stores, floor.shutdown),
    )
    .await;
}
