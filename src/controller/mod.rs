//! The server side of ike: installs the CRDs and the platform RBAC, runs the account and tenant
//! reconcilers, serves the account API and the admission webhook over HTTPS, and health and
//! metrics over plain HTTP.

pub mod account_api;
pub mod accounts;
pub mod announce;
pub mod apply;
pub mod bootstrap;
pub mod config;
pub mod crds;
pub mod health;
pub mod leader;
pub mod listener;
pub mod metrics;
pub mod notify;
pub mod office;
pub mod platform;
pub mod requests;
pub mod runtime;
pub mod tenant_objects;
pub mod tenants;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::signal::unix::{SignalKind, signal};

/// What `ike-controller run` was asked to do, its files read ([`config::RunConfig::load`]).
pub struct Options {
    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    pub listen: SocketAddr,
    /// The account API (and, on their own listener, the admission webhooks: they need its CA);
    /// `None` runs without them.
    pub account_api: Option<account_api::AccountApiConfig>,
    /// The admission webhooks' own HTTPS listener; `None` serves no webhooks.
    pub webhooks: Option<HttpsListener>,
    /// The notification relay's own HTTPS listener (Alertmanager calls it); served only with
    /// the account API's CA and notifications on.
    pub relay: Option<HttpsListener>,
    /// The URL kube-apiserver calls the admission webhooks at (their listener); `None` leaves
    /// the webhook configuration alone.
    pub webhook_url: Option<String>,
    /// Create this admin account with a one-time token (written to a file, never logged) if it
    /// does not exist yet.
    pub bootstrap: Option<config::Bootstrap>,
    /// Any account may create tenants (it must own them); otherwise only platform admins.
    pub self_service: bool,
    /// The ServiceAccounts (user names, `system:serviceaccount:NS:NAME`) the Tenant webhook
    /// counts as platform admins: the controller's own, normally. No other one does.
    pub admin_service_accounts: Vec<String>,
    /// The controller's own namespace: its leader-election Lease (created if missing), the
    /// platform admins' notification configs, the Office TSIG key Secret and name registry.
    pub controller_namespace: String,
    /// The site's name: the owner written into Office DNS ownership claims.
    pub site: String,
    /// Tenant notifications (Alertmanager configuration, Barry, the relay); `None`: off.
    pub notify: Option<notify::Settings>,
}

/// Where and how the admission webhooks or the notification relay are served: each on a
/// listener of its own, so that a flood on the account API cannot stop pods cluster-wide (the
/// webhooks fail closed), nor a slow Barry hold the webhooks' connections.
pub struct HttpsListener {
    /// Where to listen for HTTPS. Port 0 picks a free port.
    pub listen: SocketAddr,
    /// IP addresses and DNS names of its serving certificate (signed by the account CA).
    pub sans: Vec<String>,
    /// What its clients may hold ([`listener::Limits::webhooks`], [`listener::Limits::relay`]).
    pub limits: listener::Limits,
    /// Its metrics.
    pub metrics: listener::Metrics,
}

/// Shared state of the running controller.
pub struct State {
    /// Prometheus metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// Set once the CRDs are installed and the controller serves.
    pub ready: AtomicBool,
    /// The site's name (see [`Options::site`]).
    pub site: String,
    /// Tenant notifications, when on.
    pub notify: Option<Arc<notify::Notify>>,
}

/// Errors that stop the controller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Installing or upgrading a CRD failed.
    #[error("cannot install the CRDs")]
    Crds(#[from] crds::Error),
    /// The health/metrics listener could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the health/metrics server failed")]
    Serve(#[source] std::io::Error),
    /// The account API failed to start or stopped.
    #[error("the account API failed")]
    AccountApi(#[from] account_api::Error),
    /// The admission webhooks' listener could not start.
    #[error("the admission webhooks cannot serve HTTPS")]
    Webhooks(#[from] listener::Error),
    /// Platform RBAC or the webhook configuration could not be applied.
    #[error("cannot apply {what}")]
    Apply {
        /// What.
        what: &'static str,
        /// Why.
        source: kube::Error,
    },
    /// Leader election could not start.
    #[error("leader election failed")]
    Lease(#[source] kube_lease_manager::LeaseManagerError),
    /// The bootstrap token could not be written.
    #[error("cannot write the bootstrap token to {path}")]
    BootstrapToken {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The signal handlers could not be installed.
    #[error("cannot install signal handlers")]
    Signals(#[source] std::io::Error),
    /// Notifications could not be set up.
    #[error("cannot set up notifications")]
    Notify(#[from] notify::Error),
}

/// Runs the controller until SIGTERM or SIGINT, then shuts down cleanly.
pub async fn run(client: kube::Client, mut options: Options) -> Result<(), Error> {
    // The defaults webhook sets AppArmor as this API server takes it; an unknown version gets
    // the annotation, which every version reads.
    let apparmor = match client.apiserver_version().await {
        Ok(v) => webhooks::mutate::AppArmorForm::of(&v.major, &v.minor),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the API server's version: AppArmor defaults as annotations");
            webhooks::mutate::AppArmorForm::Annotation
        }
    };
    let mut metrics = metrics::Metrics::new();
    // One watch per kind for the whole process: the webhooks' view, kept current on every
    // replica, and the reconcilers' while this replica leads.
    let stores = runtime::Stores::new(
        client.clone(),
        &options.controller_namespace,
        metrics.watches(),
    );
    if let Some(config) = &mut options.account_api {
        config.metrics.register(metrics.registry_mut());
    }
    if let Some(hooks) = &options.webhooks {
        hooks.metrics.register(metrics.registry_mut(), "webhooks");
    }
    let webhook_metrics = webhooks::WebhookMetrics::default();
    webhook_metrics.register(metrics.registry_mut());
    let policy = webhooks::Policy {
        accounts: stores.accounts().store(),
        sites: stores.sites().store(),
        tenants: stores.tenants().store(),
        ingresses: stores.ingresses().store(),
        nodes: stores.nodes().store(),
        client: client.clone(),
        self_service: options.self_service,
        controller_namespace: options.controller_namespace.clone(),
        metrics: webhook_metrics,
        admin_service_accounts: options.admin_service_accounts.clone(),
        office: webhooks::hostnames::Holders {
            services: stores.services().store(),
            namespaces: stores.namespaces().store(),
            listed: stores.services().listed().and(stores.namespaces().listed()),
        },
        requests: stores.requests().store(),
        apparmor,
    };
    if let Some(relay) = &options.relay {
        relay.metrics.register(metrics.registry_mut(), "relay");
    }
    let notify_metrics = Arc::new(notify::metrics::NotifyMetrics::default());
    notify_metrics.register(metrics.registry_mut());
    let metrics = Arc::new(metrics);
    let notify = match options.notify.take() {
        Some(settings) => Some(notify::Notify::new(
            client.clone(),
            settings,
            notify_metrics,
            metrics.clone(),
            notify::Stores {
                sites: stores.sites().store(),
                namespaces: stores.namespaces().store(),
            },
        )?),
        None => None,
    };
    let state = Arc::new(State {
        metrics,
        ready: AtomicBool::new(false),
        site: options.site.clone(),
        notify,
    });
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| Error::Listen {
            addr: options.listen,
            source,
        })?;
    tracing::info!(addr = %listener.local_addr().map_err(Error::Serve)?, "serving /healthz, /readyz and /metrics");

    let mut sigterm = signal(SignalKind::terminate()).map_err(Error::Signals)?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(Error::Signals)?;
    let mut signalled = async move || {
        tokio::select! {
            _ = sigterm.recv() => tracing::info!("SIGTERM: shutting down"),
            _ = sigint.recv() => tracing::info!("SIGINT: shutting down"),
        }
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let server = tokio::spawn(health::serve(
        listener,
        state.clone(),
        stopped(stop_rx.clone()),
    ));

    let setup = async {
        crds::install(&client, &state.metrics).await?;
        stores.open();
        platform::install(&client, options.self_service, &options.controller_namespace)
            .await
            .map_err(|source| Error::Apply {
                what: "the platform RBAC",
                source,
            })?;
        let account_api = match options.account_api.take() {
            Some(config) => {
                let ca = config.ca.clone();
                let hooks = match options.webhooks.take() {
                    Some(hooks) => Some(listener::Listener::start(
                        listener::Spec {
                            name: "webhooks",
                            listen: hooks.listen,
                            tls: listener::ServingTls::new(
                                ca.clone(),
                                hooks.sans,
                                listener::ClientCertificates::None,
                            ),
                            limits: hooks.limits,
                            metrics: hooks.metrics,
                        },
                        webhooks::routes(policy.clone()),
                    )?),
                    None => None,
                };
                let relay = match (options.relay.take(), &state.notify) {
                    (Some(relay), Some(notify)) => Some(listener::Listener::start(
                        listener::Spec {
                            name: "relay",
                            listen: relay.listen,
                            tls: listener::ServingTls::new(
                                ca.clone(),
                                relay.sans,
                                listener::ClientCertificates::None,
                            ),
                            limits: relay.limits,
                            metrics: relay.metrics,
                        },
                        notify.relay_routes(),
                    )?),
                    _ => None,
                };
                let accounts = stores.accounts();
                let api =
                    account_api::start(client.clone(), config, accounts.store(), accounts.listed())
                        .await?;
                if let Some(url) = &options.webhook_url {
                    webhooks::install(&client, url, ca.cert_pem())
                        .await
                        .map_err(|source| Error::Apply {
                            what: "the admission webhook configuration",
                            source,
                        })?;
                }
                Some((api, hooks, relay))
            }
            None => None,
        };
        if let Some(notify) = &state.notify {
            notify.seed_base().await?;
        }
        if let Some(config::Bootstrap { admin, token_file }) = &options.bootstrap {
            let published = bootstrap::published_token(token_file);
            let token =
                bootstrap::bootstrap_admin(client.clone(), admin, published.as_deref()).await?;
            bootstrap::publish_bootstrap_token(admin, token.as_deref(), token_file)?;
        }
        Ok::<_, Error>(account_api)
    };
    let installed = tokio::select! {
        r = setup => Some(r),
        () = signalled() => None,
    };
    let result = match installed {
        None => Ok(()),
        Some(Err(e)) => Err(e),
        Some(Ok(account_api)) => {
            state.ready.store(true, Ordering::SeqCst);
            tracing::info!("CRDs installed; account API and webhooks serving; ready");
            let led = leader::lead(
                &client,
                options.listen,
                &options.controller_namespace,
                &state,
                &stores,
                &mut signalled,
            )
            .await;
            let stopped_api = match account_api {
                Some((api, hooks, relay)) => {
                    for listener in [hooks, relay].into_iter().flatten() {
                        listener.shutdown(std::time::Duration::from_secs(5)).await;
                    }
                    api.shutdown().await.map_err(Error::AccountApi)
                }
                None => Ok(()),
            };
            led.and(stopped_api)
        }
    };
    let _ = stop_tx.send(true);
    match server.await {
        Ok(Ok(())) => result,
        Ok(Err(e)) => result.and(Err(Error::Serve(e))),
        Err(join) => result.and(Err(Error::Serve(std::io::Error::other(join)))),
    }
}

/// The Event recorder of the controller's reconcilers (`reportingController` ike-controller,
/// the instance its pod's name).
pub fn event_recorder(client: &kube::Client) -> kube::runtime::events::Recorder {
    kube::runtime::events::Recorder::new(
        client.clone(),
        kube::runtime::events::Reporter {
            controller: "ike-controller".into(),
            instance: std::env::var("POD_NAME").ok(),
        },
    )
}

/// An error and its sources on one line, for logs.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
