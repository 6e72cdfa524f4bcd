//! IKE Office DNS publishing, for sites without external-dns (Site `office.publish`, off by
//! default): the ready pod IPs of every headless Service annotated with
//! `external-dns.alpha.kubernetes.io/hostname` are published to the site's authoritative DNS
//! server by TSIG-signed RFC 2136 updates ([`crate::dns::Publisher`], owner = the site,
//! resource = `service/NS/NAME`), with the TTL of the `.../ttl` annotation (default 30 s).
//!
//! - Pods and Services are followed by watches: a pod IP change reaches DNS within the time of
//!   one reconcile (one update, no API call), and a Service is reconciled again every
//!   [`RESYNC`] to repair records changed behind ike's back.
//! - A name is written only when free or already ike's for this Service (the DNS claim): a name
//!   held by anything else is left alone and the Service's condition says NotOwned.
//! - A Service publishing names carries the finalizer `ike.dev/office-dns`: deleting it, taking
//!   a name off its annotation or the annotation itself removes those records. Names are
//!   recorded in [`registry`] first, so they are found again whatever happens to the Service;
//!   a periodic sweep removes the names of Services that disappeared without the finalizer.
//! - With publishing off the controller changes no DNS record: it only takes its finalizers
//!   off, so that no Service waits for it.
//! - A tenant beyond the site's name limits ([`crate::api::office::limits`]) gets its newest
//!   names left out, the Service's condition saying why (LimitReached); when names of the
//!   tenant go, its Services waiting for room are reconciled again. Nothing one tenant does
//!   makes another's publish fail.
//! - The sweep runs once the watches have listed at start, then every [`SWEEP`].

mod config;
mod limits;
mod publish;
mod registry;
mod status;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::core::v1::{Namespace, Pod, Secret, Service};
use kube::ResourceExt;
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::Recorder;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};

use super::metrics::Metrics;
use crate::api::Site;
use crate::api::consts::{OFFICE_FINALIZER, TENANT_LABEL};
use crate::api::office::{is_exposed, parse_resource, pod_ips, selects};
pub use config::Config;
pub use registry::Registry;

/// How often a published Service is reconciled again, rewriting its records if they changed
/// behind ike's back.
pub const RESYNC: Duration = Duration::from_secs(300);
/// How often the names of vanished Services are looked for.
const SWEEP: Duration = Duration::from_secs(60);
/// How soon a failed reconcile is tried again.
const RETRY: Duration = Duration::from_secs(5);

/// Errors of one reconcile.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request to the API server failed.
    #[error("{what} failed")]
    Kube {
        /// What was being done.
        what: String,
        /// Why.
        source: kube::Error,
    },
    /// A patch could not be encoded.
    #[error("cannot encode a patch: {0}")]
    Encode(String),
}

fn kube_err(what: impl Into<String>) -> impl FnOnce(kube::Error) -> Error {
    let what = what.into();
    move |source| Error::Kube { what, source }
}

/// What one name was last published as, so that a reconcile that changes nothing sends
/// nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The Service it belongs to (`service/NS/NAME`).
    pub resource: String,
    /// Its addresses.
    pub ips: Vec<IpAddr>,
    /// Its TTL.
    pub ttl: u32,
    /// When it was written or confirmed.
    pub at: Instant,
}

/// What every reconcile shares.
pub struct Context {
    /// The client.
    pub client: kube::Client,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// The site's settings and the publisher they make.
    pub config: Config,
    /// Every pod (metadata and status only).
    pub pods: Store<Pod>,
    /// Which names each Service may hold.
    pub registry: Registry,
    /// Events on Services.
    pub recorder: Recorder,
    /// Host name → what was last published there.
    pub published: Mutex<HashMap<String, Published>>,
    /// Every Service (the tenant's other Services, for its name limit).
    pub services: Store<Service>,
    /// The namespaces labelled with a tenant, metadata only: whose Services share a limit.
    pub namespaces: Store<PartialObjectMeta<Namespace>>,
    /// Services to reconcile again (those waiting for room under their tenant's limit).
    pub again: futures::channel::mpsc::UnboundedSender<ObjectRef<Service>>,
}

impl Context {
    fn published(&self) -> std::sync::MutexGuard<'_, HashMap<String, Published>> {
        self.published.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The Services a change of `pod` concerns: those selecting it now, and those publishing
    /// one of its IPs (it may have lost their labels, or be gone).
    fn services_of(&self, services: &Store<Service>, pod: &Pod) -> Vec<ObjectRef<Service>> {
        let mut refs: Vec<ObjectRef<Service>> = services
            .state()
            .iter()
            .filter(|s| is_exposed(s.metadata.annotations.as_ref()) && selects(s, pod))
            .map(|s| ObjectRef::from_obj(&**s))
            .collect();
        let ips = pod_ips(pod);
        for published in self.published().values() {
            if published.ips.iter().any(|ip| ips.contains(ip))
                && let Some((namespace, name)) = parse_resource(&published.resource)
            {
                refs.push(ObjectRef::new(name).within(namespace));
            }
        }
        refs.sort_by_key(|r| (r.namespace.clone(), r.name.clone()));
        refs.dedup();
        refs
    }
}

/// Whether the reconciler has anything to do with `service`.
fn concerns_us(service: &Service) -> bool {
    is_exposed(service.metadata.annotations.as_ref())
        || service.finalizers().iter().any(|f| f == OFFICE_FINALIZER)
        || status::current(service).is_some()
}

/// Every pod, without what publishing never reads (spec, container statuses, annotations,
/// managed fields): at thousands of pods that is most of the memory.
fn reflect_pods(
    client: &kube::Client,
) -> (
    Store<Pod>,
    impl futures::Stream<Item = Result<Pod, watcher::Error>> + Send + 'static,
) {
    let (store, writer) = kube::runtime::reflector::store::<Pod>();
    let events = kube::runtime::reflector::reflector(
        writer,
        watcher(Api::<Pod>::all(client.clone()), watcher::Config::default()).modify(|pod| {
            pod.metadata.managed_fields = None;
            pod.metadata.annotations = None;
            pod.spec = None;
            if let Some(status) = &mut pod.status {
                status.container_statuses = None;
                status.init_container_statuses = None;
                status.ephemeral_container_statuses = None;
            }
        }),
    )
    .default_backoff()
    .touched_objects();
    (store, events)
}

/// The Secrets of the controller's namespace.
fn reflect_secrets(
    client: &kube::Client,
    namespace: &str,
) -> (
    Store<Secret>,
    impl futures::Stream<Item = Result<Secret, watcher::Error>> + Send + 'static,
) {
    let (store, writer) = kube::runtime::reflector::store::<Secret>();
    let events = kube::runtime::reflector::reflector(
        writer,
        watcher(
            Api::<Secret>::namespaced(client.clone(), namespace),
            watcher::Config::default(),
        )
        .modify(|s| s.metadata.managed_fields = None),
    )
    .default_backoff()
    .touched_objects();
    (store, events)
}

/// A mapper for changes of the site's settings: every Service we have to do with.
fn everything<T>(store: Store<Service>) -> impl Fn(T) -> Vec<ObjectRef<Service>> {
    move |_changed| {
        store
            .state()
            .iter()
            .filter(|s| concerns_us(s))
            .map(|s| ObjectRef::from_obj(&**s))
            .collect()
    }
}

/// Retries failed reconciles soon.
pub fn error_policy(service: Arc<Service>, error: &Error, ctx: Arc<Context>) -> Action {
    let name = format!(
        "{}/{}",
        service.namespace().unwrap_or_default(),
        service.name_any()
    );
    super::retry_after("office", &name, error, &ctx.metrics, RETRY)
}

/// Runs the publisher until `shutdown` resolves. `controller_namespace` holds the TSIG key
/// Secret and the registry; `site` is the owner written into every claim.
pub async fn run(
    client: kube::Client,
    metrics: Arc<Metrics>,
    controller_namespace: String,
    site: String,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let shutdown = shutdown.shared();
    let registry = loop {
        match Registry::load(&client, &controller_namespace).await {
            Ok(registry) => break registry,
            Err(e) => {
                tracing::warn!(error = %super::chain(&e), "cannot read the Office name registry; retrying")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(RETRY) => {}
            () = shutdown.clone() => return,
        }
    };
    let (services, service_events) = super::watch::reflect::<Service>(&client);
    let (pods, pod_events) = reflect_pods(&client);
    let (sites, site_events) = super::watch::reflect::<Site>(&client);
    let (secrets, secret_events) = reflect_secrets(&client, &controller_namespace);
    let (namespaces, namespace_writer) = kube::runtime::reflector::store();
    let namespace_events = kube::runtime::reflector::reflector(
        namespace_writer,
        watcher(
            Api::<PartialObjectMeta<Namespace>>::all(client.clone()),
            watcher::Config::default().labels(TENANT_LABEL),
        ),
    )
    .default_backoff()
    .touched_objects()
    .for_each(|_| async {});
    let (again, again_rx) = futures::channel::mpsc::unbounded();
    let ctx = Arc::new(Context {
        client: client.clone(),
        metrics,
        config: Config::new(sites, secrets, &controller_namespace, &site),
        pods,
        registry,
        recorder: super::event_recorder(&client),
        published: Mutex::new(HashMap::new()),
        services: services.clone(),
        namespaces,
        again,
    });
    let by_pod = {
        let ctx = ctx.clone();
        let services = services.clone();
        move |pod: Pod| ctx.services_of(&services, &pod)
    };
    let controller = Controller::for_stream(service_events, services.clone())
        .watches_stream(pod_events, by_pod)
        .watches_stream(site_events, everything::<Site>(services.clone()))
        .watches_stream(secret_events, everything::<Secret>(services.clone()))
        .reconcile_on(again_rx)
        .with_config(
            kube::runtime::controller::Config::default().concurrency(super::RECONCILE_CONCURRENCY),
        )
        .graceful_shutdown_on(shutdown.clone())
        .run(publish::reconcile, error_policy, ctx.clone())
        .for_each(|_| async {});
    let sweeper = async {
        // At start too: names orphaned while no controller ran go at once, not a minute later.
        let listed = async {
            let _ = services.wait_until_ready().await;
            let _ = ctx.config.sites.wait_until_ready().await;
            let _ = ctx.config.secrets.wait_until_ready().await;
        };
        tokio::select! {
            () = listed => {}
            () = shutdown.clone() => return,
        }
        loop {
            publish::sweep(&ctx, &services).await;
            tokio::select! {
                () = tokio::time::sleep(SWEEP) => {}
                () = shutdown.clone() => return,
            }
        }
    };
    let namespaces = async {
        tokio::select! {
            () = namespace_events => {}
            () = shutdown.clone() => {}
        }
    };
    futures::future::join3(controller, sweeper, namespaces).await;
}
