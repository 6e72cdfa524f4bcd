//! The controller's view of the cluster: one watch per kind per process, started the first time
//! someone asks for the kind, read by the webhooks and every reconciler alike, and the views
//! derived from it that several features need (the site's policy, whose a namespace is).

use std::sync::{Arc, OnceLock};

use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Secret, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::Store;
use kube::runtime::watcher;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;

use super::shared::{Shared, Watched};
use crate::api::consts::{MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL};
use crate::api::{
    Account, BarryConfig, EmailConfig, ResourceRequest, Site, SiteSpec, TeamsConfig, Tenant,
    TenantObject,
};

/// Watches held, by kind: each is 1 while the process watches it (`ike_watches`).
pub type WatchGauge = Family<Vec<(&'static str, &'static str)>, Gauge>;

/// Every watched kind of the process. Cheap to clone: clones share the watches.
#[derive(Clone)]
pub struct Stores(Arc<Inner>);

struct Inner {
    client: kube::Client,
    opened: tokio::sync::watch::Sender<bool>,
    controller_namespace: String,
    watches: WatchGauge,
    accounts: OnceLock<Shared<Account>>,
    sites: OnceLock<Shared<Site>>,
    tenants: OnceLock<Shared<Tenant>>,
    requests: OnceLock<Shared<ResourceRequest>>,
    tenant_objects: OnceLock<Shared<TenantObject>>,
    barry: OnceLock<Shared<BarryConfig>>,
    email: OnceLock<Shared<EmailConfig>>,
    teams: OnceLock<Shared<TeamsConfig>>,
    namespaces: OnceLock<Shared<Namespace>>,
    nodes: OnceLock<Shared<PartialObjectMeta<Node>>>,
    ingresses: OnceLock<Shared<Ingress>>,
    services: OnceLock<Shared<Service>>,
    pods: OnceLock<Shared<Pod>>,
    own_secrets: OnceLock<Shared<Secret>>,
    secret_names: OnceLock<Shared<PartialObjectMeta<Secret>>>,
    role_bindings: OnceLock<Shared<RoleBinding>>,
    cluster_roles: OnceLock<Shared<ClusterRole>>,
    cluster_role_bindings: OnceLock<Shared<ClusterRoleBinding>>,
    network_policies: OnceLock<Shared<NetworkPolicy>>,
}

/// Managed fields are most of an object's bytes at hundreds of tenants, and nothing reads them.
fn lean<K: kube::Resource>(object: &mut K) {
    object.meta_mut().managed_fields = None;
}

/// For the kinds kept by the thousand that nothing reads the bookkeeping of (RoleBindings,
/// tenants' ClusterRoles and NetworkPolicies, Secrets' names, Namespaces): without managed
/// fields, UID, creation time and owners.
fn bare<K: kube::Resource>(object: &mut K) {
    let meta = object.meta_mut();
    meta.managed_fields = None;
    meta.uid = None;
    meta.creation_timestamp = None;
    meta.owner_references = None;
}

/// [`bare`], and without annotations (which none of those kinds' readers look at).
fn bare_unannotated<K: kube::Resource>(object: &mut K) {
    bare(object);
    object.meta_mut().annotations = None;
}

impl Stores {
    /// Stores of what `client` sees; `controller_namespace` is the controller's own (its
    /// Secrets are kept whole). Nothing is watched until asked for and [`Stores::open`].
    pub fn new(client: kube::Client, controller_namespace: &str, watches: WatchGauge) -> Self {
        Self(Arc::new(Inner {
            client,
            opened: tokio::sync::watch::channel(false).0,
            controller_namespace: controller_namespace.to_string(),
            watches,
            accounts: OnceLock::new(),
            sites: OnceLock::new(),
            tenants: OnceLock::new(),
            requests: OnceLock::new(),
            tenant_objects: OnceLock::new(),
            barry: OnceLock::new(),
            email: OnceLock::new(),
            teams: OnceLock::new(),
            namespaces: OnceLock::new(),
            nodes: OnceLock::new(),
            ingresses: OnceLock::new(),
            services: OnceLock::new(),
            pods: OnceLock::new(),
            own_secrets: OnceLock::new(),
            secret_names: OnceLock::new(),
            role_bindings: OnceLock::new(),
            cluster_roles: OnceLock::new(),
            cluster_role_bindings: OnceLock::new(),
            network_policies: OnceLock::new(),
        }))
    }

    fn watch<'a, K>(
        &'a self,
        cell: &'a OnceLock<Shared<K>>,
        name: &'static str,
        api: impl FnOnce(kube::Client) -> Api<K>,
        config: watcher::Config,
        trim: impl FnMut(&mut K) + Send + 'static,
    ) -> &'a Shared<K>
    where
        K: Watched,
    {
        cell.get_or_init(|| {
            tracing::debug!(kind = name, "watching");
            self.0.watches.get_or_create(&vec![("kind", name)]).inc();
            let mut opened = self.0.opened.subscribe();
            let opened = async move {
                let _ = opened.wait_for(|open| *open).await;
            };
            Shared::start(api(self.0.client.clone()), config, trim, opened)
        })
    }

    /// Lets the watches start (those asked for so far, and any asked for later): call it once
    /// the CRDs are installed, or a watch of a kind not served yet only backs off.
    pub fn open(&self) {
        self.0.opened.send_replace(true);
    }

    /// Accounts.
    pub fn accounts(&self) -> &Shared<Account> {
        self.watch(
            &self.0.accounts,
            "accounts",
            Api::all,
            Default::default(),
            lean,
        )
    }

    /// Sites (normally one, `default`).
    pub fn sites(&self) -> &Shared<Site> {
        self.watch(&self.0.sites, "sites", Api::all, Default::default(), lean)
    }

    /// Tenants.
    pub fn tenants(&self) -> &Shared<Tenant> {
        self.watch(
            &self.0.tenants,
            "tenants",
            Api::all,
            Default::default(),
            lean,
        )
    }

    /// ResourceRequests.
    pub fn requests(&self) -> &Shared<ResourceRequest> {
        let config = Default::default();
        self.watch(&self.0.requests, "resourcerequests", Api::all, config, lean)
    }

    /// TenantObjects (tenant-wide objects).
    pub fn tenant_objects(&self) -> &Shared<TenantObject> {
        let config = Default::default();
        self.watch(
            &self.0.tenant_objects,
            "tenantobjects",
            Api::all,
            config,
            lean,
        )
    }

    /// BarryConfigs.
    pub fn barry(&self) -> &Shared<BarryConfig> {
        self.watch(
            &self.0.barry,
            "barryconfigs",
            Api::all,
            Default::default(),
            lean,
        )
    }

    /// EmailConfigs.
    pub fn email(&self) -> &Shared<EmailConfig> {
        self.watch(
            &self.0.email,
            "emailconfigs",
            Api::all,
            Default::default(),
            lean,
        )
    }

    /// TeamsConfigs.
    pub fn teams(&self) -> &Shared<TeamsConfig> {
        self.watch(
            &self.0.teams,
            "teamsconfigs",
            Api::all,
            Default::default(),
            lean,
        )
    }

    /// Namespaces, whole (labels, annotations, deletion).
    pub fn namespaces(&self) -> &Shared<Namespace> {
        let config = Default::default();
        self.watch(&self.0.namespaces, "namespaces", Api::all, config, bare)
    }

    /// Nodes, metadata only (their status is large and unread).
    pub fn nodes(&self) -> &Shared<PartialObjectMeta<Node>> {
        self.watch(&self.0.nodes, "nodes", Api::all, Default::default(), lean)
    }

    /// Ingresses.
    pub fn ingresses(&self) -> &Shared<Ingress> {
        let config = Default::default();
        self.watch(&self.0.ingresses, "ingresses", Api::all, config, lean)
    }

    /// Services.
    pub fn services(&self) -> &Shared<Service> {
        self.watch(
            &self.0.services,
            "services",
            Api::all,
            Default::default(),
            lean,
        )
    }

    /// Pods, without what the Office publisher never reads (spec, container statuses,
    /// annotations): at thousands of pods that is most of the memory.
    pub fn pods(&self) -> &Shared<Pod> {
        self.watch(
            &self.0.pods,
            "pods",
            Api::all,
            Default::default(),
            |pod: &mut Pod| {
                pod.metadata.managed_fields = None;
                pod.metadata.annotations = None;
                pod.spec = None;
                if let Some(status) = &mut pod.status {
                    status.container_statuses = None;
                    status.init_container_statuses = None;
                    status.ephemeral_container_statuses = None;
                }
            },
        )
    }

    /// The Secrets of the controller's own namespace, whole (the Office TSIG key).
    pub fn own_secrets(&self) -> &Shared<Secret> {
        let namespace = self.0.controller_namespace.clone();
        self.watch(
            &self.0.own_secrets,
            "secrets-own-namespace",
            move |client| Api::namespaced(client, &namespace),
            Default::default(),
            lean,
        )
    }

    /// Every Secret's metadata but ServiceAccount tokens' (one per ServiceAccount on 1.20, and
    /// no notification config names one): what tenants' notification configs point at
    /// changed. No tenant Secret's data is kept.
    pub fn secret_names(&self) -> &Shared<PartialObjectMeta<Secret>> {
        let config = watcher::Config::default().fields("type!=kubernetes.io/service-account-token");
        self.watch(
            &self.0.secret_names,
            "secrets",
            Api::all,
            config,
            bare_unannotated,
        )
    }

    /// RoleBindings: hand-made ones in tenant namespaces are checked against the members.
    pub fn role_bindings(&self) -> &Shared<RoleBinding> {
        let config = Default::default();
        self.watch(
            &self.0.role_bindings,
            "rolebindings",
            Api::all,
            config,
            bare_unannotated,
        )
    }

    /// The ClusterRoles made for tenants (labelled with one): the tenants' own and the grants
    /// of CRDs approved for them (also labelled `ike.dev/aggregate-to`).
    pub fn cluster_roles(&self) -> &Shared<ClusterRole> {
        let config = watcher::Config::default().labels(TENANT_LABEL);
        self.watch(
            &self.0.cluster_roles,
            "clusterroles",
            Api::all,
            config,
            bare_unannotated,
        )
    }

    /// The ClusterRoleBindings ike manages: platform admins' cluster-admin and the tenants'
    /// access to their Tenant objects.
    pub fn cluster_role_bindings(&self) -> &Shared<ClusterRoleBinding> {
        let config =
            watcher::Config::default().labels(&format!("{MANAGED_BY_LABEL}={MANAGED_BY_VALUE}"));
        self.watch(
            &self.0.cluster_role_bindings,
            "clusterrolebindings",
            Api::all,
            config,
            lean,
        )
    }

    /// NetworkPolicies labelled with a tenant (the default policy of tenant namespaces).
    pub fn network_policies(&self) -> &Shared<NetworkPolicy> {
        let config = watcher::Config::default().labels(TENANT_LABEL);
        self.watch(
            &self.0.network_policies,
            "networkpolicies",
            Api::all,
            config,
            bare_unannotated,
        )
    }

    /// The client the stores watch with.
    pub fn client(&self) -> &kube::Client {
        &self.0.client
    }

    /// The controller's own namespace.
    pub fn controller_namespace(&self) -> &str {
        &self.0.controller_namespace
    }
}

/// The site's policy as the Site objects in `sites` say now (the defaults without one).
pub fn site_policy(sites: &Store<Site>) -> SiteSpec {
    Site::policy(sites.state().iter().map(|s| &**s))
}

/// The tenant whose label the controller put on `namespace` (in `namespaces`): for the parts
/// that see namespaces and not Tenants (the relay on every replica, the host-name webhook).
pub fn namespace_tenant(namespaces: &Store<Namespace>, namespace: &str) -> Option<String> {
    namespaces
        .get(&kube::runtime::reflector::ObjectRef::new(namespace))
        .and_then(|ns| ns.metadata.labels.as_ref()?.get(TENANT_LABEL).cloned())
}

/// The tenant in `tenants` that holds `namespace`, as the controller recorded it (see
/// [`Tenant::holds_namespace`]): a tenant that merely lists it gets nothing from that.
pub fn tenant_of(tenants: &Store<Tenant>, namespace: &str) -> Option<Arc<Tenant>> {
    tenants.find(|t| t.holds_namespace(namespace))
}
