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

use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use kube::ResourceExt;
use kube::runtime::controller::Controller;
use kube::runtime::events::Recorder;
use kube::runtime::reflector::{ObjectRef, Store};

use super::runtime::{self, Failure, Floor, KubeError, Listed, Reconciler};
use crate::api::consts::OFFICE_FINALIZER;
use crate::api::office::{is_exposed, parse_resource, pod_ips, selects};
use crate::api::{Site, Tenant};
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
    #[error(transparent)]
    Kube(#[from] KubeError),
    /// A patch could not be encoded.
    #[error("cannot encode a patch: {0}")]
    Encode(String),
}

impl Failure for Error {
    fn kind(&self) -> &'static str {
        match self {
            Error::Kube(_) => "kube",
            Error::Encode(_) => "encode",
        }
    }
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
    /// Every Tenant: whose namespace a Service is in (its Services share a limit).
    pub tenants: Store<Tenant>,
    /// Whether the stores above hold their first full list.
    pub listed: Listed,
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

/// A mapper for changes of the site's settings: every Service we have to do with.
fn everything<T>(store: Store<Service>) -> impl Fn(Arc<T>) -> Vec<ObjectRef<Service>> {
    move |_changed| {
        store
            .state()
            .iter()
            .filter(|s| concerns_us(s))
            .map(|s| ObjectRef::from_obj(&**s))
            .collect()
    }
}

/// Runs the publisher until `shutdown` resolves. Claims are written for `site` (the owner of
/// every name); the TSIG key Secret and the registry live in the controller's namespace.
pub async fn run(floor: Floor, site: String) {
    let stores = &floor.stores;
    let shutdown = floor.shutdown.clone();
    let client = stores.client().clone();
    let namespace = stores.controller_namespace().to_string();
    let registry = loop {
        match Registry::load(&client, &namespace).await {
            Ok(registry) => break registry,
            Err(e) => {
                tracing::warn!(error = %crate::controller::runtime::chain(&e), "cannot read the Office name registry; retrying")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(RETRY) => {}
            () = shutdown.clone() => return,
        }
    };
    let services = stores.services().store();
    let (again, again_rx) = futures::channel::mpsc::unbounded();
    let ctx = Arc::new(Context {
        client: client.clone(),
        config: Config::new(
            stores.sites().store(),
            stores.own_secrets().store(),
            &namespace,
            &site,
        ),
        pods: stores.pods().store(),
        registry,
        recorder: crate::controller::runtime::event_recorder(&client),
        published: Mutex::new(HashMap::new()),
        services: services.clone(),
        tenants: stores.tenants().store(),
        listed: stores
            .services()
            .listed()
            .and(stores.pods().listed())
            .and(stores.sites().listed())
            .and(stores.own_secrets().listed())
            .and(stores.tenants().listed()),
        again,
    });
    let by_pod = {
        let ctx = ctx.clone();
        let services = services.clone();
        move |pod: Arc<Pod>| ctx.services_of(&services, &pod)
    };
    let controller = Controller::for_shared_stream(stores.services().subscribe(), services.clone())
        .watches_shared_stream(stores.pods().subscribe(), by_pod)
        .watches_shared_stream(
            stores.sites().subscribe(),
            everything::<Site>(services.clone()),
        )
        .watches_shared_stream(
            stores.own_secrets().subscribe(),
            everything::<Secret>(services.clone()),
        )
        .reconcile_on(again_rx);
    let reconciler = Reconciler {
        name: "office",
        retry: RETRY,
    };
    let controller = runtime::reconcile::run(
        &floor,
        reconciler,
        controller,
        publish::reconcile,
        ctx.clone(),
    );
    let sweeper = async {
        // At start too: names orphaned while no controller ran go at once, not a minute later.
        let listed = ctx.listed.wait();
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
    futures::future::join(controller, sweeper).await;
}
