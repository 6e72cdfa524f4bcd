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
pub mod error;
pub mod health;
pub mod leader;
pub mod listener;
pub mod metrics;
pub mod notify;
pub mod office;
pub mod options;
pub mod platform;
pub mod requests;
pub mod runtime;
pub mod state;
pub mod tenant_objects;
pub mod tenants;
pub mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::signal::unix::{SignalKind, signal};

use self::error::Error;
use self::options::{Bootstrap, Options};
use self::state::State;

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
    metrics.registry_mut().register(
        "api_requests",
        "Requests this process sent to the API server, by verb and resource",
        options.api_requests.clone(),
    );
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
        if let Some(Bootstrap { admin, token_file }) = &options.bootstrap {
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
