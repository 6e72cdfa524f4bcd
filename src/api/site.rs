//! `Site`: the site's own policy, one object named `site` that platform admins edit and every
//! account may read. The controller and its webhooks follow it from a watch, so a change takes
//! effect without a restart. Each capability owns one section.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The name of the one Site object the controller reads.
pub const SITE_NAME: &str = "site";

/// The site's policy. Only the object named `site` counts; without it every default applies.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "ike.dev",
    version = "v1alpha1",
    kind = "Site",
    shortname = "sites"
)]
#[serde(rename_all = "camelCase")]
pub struct SiteSpec {
    /// What tenants may create in their namespaces beyond what RBAC says (admission policy).
    #[serde(default)]
    pub tenants: TenantPolicy,
    /// IKE Office: DNS names for pods, on sites whose pod network reaches the office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<OfficeSpec>,
    /// How tenants' requests for cluster-scoped objects (ResourceRequests) are reviewed.
    #[serde(default)]
    pub requests: RequestPolicy,
    /// Notifications: where ike-controller may send for tenants, whose e-mail addresses they
    /// may name, and each tenant's share of Alertmanager's configuration.
    #[serde(default)]
    pub notifications: crate::api::NotificationPolicy,
}

/// The review of ResourceRequests.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestPolicy {
    /// A platform admin may decide on a request they made themselves. Off: a second admin must
    /// (four eyes on every cluster-scoped change).
    #[serde(default)]
    pub self_approval: bool,
    /// The provisioners a tenant's StorageClass may name (e.g. `ebs.csi.aws.com`); unset or
    /// empty: no tenant may request a StorageClass (a provisioner decides whose storage and
    /// Secrets a class reaches, so the site says which ones are safe to hand out). A provisioner
    /// a tenant may not reach the storage of otherwise (host paths, a shared NFS export)
    /// belongs off this list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_provisioners: Option<Vec<String>>,
    /// API groups no tenant's CRD may be in, each with every group below it (`istio.io` covers
    /// `networking.istio.io`): those of components the platform installs or may install later,
    /// whose real CRDs would otherwise land on a tenant's. Kubernetes' and ike's groups are
    /// never a tenant's anyway. Unset: ike's list of common components' groups (cert-manager.io,
    /// coreos.com, istio.io, cilium.io, argoproj.io, fluxcd.io, velero.io, kyverno.io and more:
    /// `DEFAULT_RESERVED_GROUPS`); set: exactly this list (copy the defaults you want to keep).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_groups: Option<Vec<String>>,
}

/// The API groups of components platforms commonly install, reserved unless the Site names
/// its own list ([`RequestPolicy::reserved_groups`]): certificates, monitoring, service meshes,
/// CNIs and load balancers, ingress controllers, GitOps, secrets, backup, policy, autoscaling,
/// serverless and CI, storage and database operators, virtualization.
pub const DEFAULT_RESERVED_GROUPS: &[&str] = &[
    // Certificates, monitoring and tracing.
    "cert-manager.io",
    "coreos.com",
    "grafana.com",
    "integreatly.org",
    "victoriametrics.com",
    "jaegertracing.io",
    "opentelemetry.io",
    "elastic.co",
    // Service meshes, CNIs, load balancers, ingress and gateways.
    "istio.io",
    "linkerd.io",
    "projectcalico.org",
    "tigera.io",
    "cilium.io",
    "metallb.io",
    "traefik.io",
    "traefik.containo.us",
    "nginx.org",
    "konghq.com",
    "projectcontour.io",
    // GitOps, secrets, backup, policy.
    "argoproj.io",
    "fluxcd.io",
    "external-secrets.io",
    "kubernetes-client.io",
    "bitnami.com",
    "hashicorp.com",
    "velero.io",
    "kyverno.io",
    "gatekeeper.sh",
    // Autoscaling, serverless, CI, infrastructure.
    "keda.sh",
    "knative.dev",
    "tekton.dev",
    "crossplane.io",
    "openshift.io",
    // Storage, databases, messaging, virtualization.
    "rook.io",
    "longhorn.io",
    "min.io",
    "cnpg.io",
    "zalan.do",
    "strimzi.io",
    "kubevirt.io",
];

impl RequestPolicy {
    /// The groups reserved for the platform: the Site's list, else [`DEFAULT_RESERVED_GROUPS`].
    pub fn reserved_groups(&self) -> Vec<String> {
        match &self.reserved_groups {
            Some(groups) => groups.clone(),
            None => DEFAULT_RESERVED_GROUPS
                .iter()
                .map(|g| g.to_string())
                .collect(),
        }
    }
}

/// The admission policy for tenant namespaces. Each Tenant's `policy` may widen or narrow it.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantPolicy {
    /// Services of type LoadBalancer are allowed (this site hands tenants load balancers).
    #[serde(default = "yes")]
    pub load_balancers: bool,
    /// Domains every tenant's ExternalName Services may point into (a name, or `.suffix` for
    /// everything below it). Cluster-internal names are outside unless listed.
    #[serde(default)]
    pub external_name_domains: Vec<String>,
    /// PriorityClasses every tenant may use. `system-*` classes are never allowed to tenants.
    #[serde(default)]
    pub priority_classes: Vec<String>,
    /// Namespaces no tenant may claim, in addition to `default`, `kube-*` and the controller's
    /// own. Unset: the usual platform namespaces (see `names::PLATFORM_NAMESPACES`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_namespaces: Option<Vec<String>>,
    /// Every container in a tenant namespace gets `imagePullPolicy: Always`, so no tenant runs
    /// another tenant's private image from a node's cache.
    #[serde(default)]
    pub always_pull_images: bool,
    /// Every tenant namespace gets a NetworkPolicy admitting traffic from the tenant's own
    /// namespaces and from these platform namespaces, and nothing from other tenants. Unset: no
    /// default policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_isolation: Option<NetworkIsolation>,
    /// Pods that set no seccomp or AppArmor profile get `RuntimeDefault` / `runtime/default`.
    #[serde(default = "yes")]
    pub default_confinement: bool,
    /// Groups a tenant-wide RoleBinding (TenantObject) may name as subjects. `system:*` groups
    /// never, listed or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bindable_groups: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Default for TenantPolicy {
    fn default() -> Self {
        Self {
            load_balancers: true,
            external_name_domains: Vec::new(),
            priority_classes: Vec::new(),
            reserved_namespaces: None,
            always_pull_images: false,
            network_isolation: None,
            default_confinement: true,
            bindable_groups: Vec::new(),
        }
    }
}

/// The default NetworkPolicy of tenant namespaces.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkIsolation {
    /// Platform namespaces whose pods may reach every tenant (ingress controllers, monitoring).
    #[serde(default)]
    pub allow_from_namespaces: Vec<String>,
}

/// IKE Office: Services name their pods with external-dns' annotations
/// (`external-dns.alpha.kubernetes.io/hostname`, `.../ttl`). ike's admission webhook lets a
/// tenant use only names under `domains` that no other Service holds; with `publish` on,
/// ike-controller itself publishes the ready pod IPs of annotated headless Services to `server`
/// (sites that run external-dns leave it off).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfficeSpec {
    /// The DNS domains tenants may name Services under (e.g. `office.example.org`): a host name
    /// must end in `.DOMAIN`. Empty: the zone alone. With neither, no tenant may use a name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// The TTL in seconds of the records of a Service that names none (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_ttl: Option<u32>,
    /// The largest TTL in seconds a Service may ask for (default 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ttl: Option<u32>,
    /// Whether ike-controller publishes the names itself, by RFC 2136 updates signed with
    /// `tsigKey` to `server` (default off: a site running external-dns keeps it).
    #[serde(default)]
    pub publish: bool,
    /// The site's authoritative DNS server, `HOST:PORT` or `HOST` (port 53): where ike-controller
    /// sends its updates and `ike resolve` asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The zone updates are sent for (default: the first domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The TSIG key allowed to update the zone: a Secret in ike-controller's namespace holding
    /// the key in BIND's `key "NAME" { algorithm ...; secret "..."; };` format (as `tsig-keygen`
    /// prints it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsig_key: Option<SecretKeyRef>,
    /// The most names one Service of a tenant may carry (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_names_per_service: Option<u32>,
    /// The most names a tenant's Services may carry in all (default 100): the webhook refuses
    /// names beyond it, and the publisher leaves out a tenant's newest names while it is beyond
    /// (the limit lowered, say), so that one tenant cannot fill what every tenant shares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_names_per_tenant: Option<u32>,
}

/// One key of a Secret in ike-controller's namespace.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// The Secret's name.
    pub name: String,
    /// The key in its data (default `tsig.key`).
    #[serde(default = "default_tsig_key_field")]
    pub key: String,
}

fn default_tsig_key_field() -> String {
    TSIG_KEY_FIELD.into()
}

/// The key of the TSIG key in its Secret unless [`SecretKeyRef::key`] names another.
pub const TSIG_KEY_FIELD: &str = "tsig.key";
/// The TTL of a Service's records unless the Service or the site names another.
pub const DEFAULT_OFFICE_TTL: u32 = 30;
/// The largest TTL a Service may ask for unless the site names another.
pub const DEFAULT_OFFICE_MAX_TTL: u32 = 3600;
/// The most names one Service of a tenant may carry unless the site names another.
pub const DEFAULT_OFFICE_NAMES_PER_SERVICE: u32 = 10;
/// The most names a tenant's Services may carry in all unless the site names another.
pub const DEFAULT_OFFICE_NAMES_PER_TENANT: u32 = 100;

impl OfficeSpec {
    /// The domains host names must be under: `domains`, else the zone, lower-case and without
    /// a trailing dot.
    pub fn allowed_domains(&self) -> Vec<String> {
        let listed = if self.domains.is_empty() {
            self.zone.iter().cloned().collect()
        } else {
            self.domains.clone()
        };
        listed
            .iter()
            .map(|d| d.trim_end_matches('.').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect()
    }

    /// The zone updates go to: `zone`, else the first domain.
    pub fn zone(&self) -> Option<String> {
        self.zone
            .clone()
            .or_else(|| self.domains.first().cloned())
            .map(|z| z.trim_end_matches('.').to_ascii_lowercase())
    }

    /// The TTL of a Service that names none.
    pub fn default_ttl(&self) -> u32 {
        self.default_ttl.unwrap_or(DEFAULT_OFFICE_TTL)
    }

    /// The largest TTL a Service may ask for.
    pub fn max_ttl(&self) -> u32 {
        self.max_ttl.unwrap_or(DEFAULT_OFFICE_MAX_TTL)
    }

    /// The most names one Service of a tenant may carry.
    pub fn max_names_per_service(&self) -> usize {
        self.max_names_per_service
            .unwrap_or(DEFAULT_OFFICE_NAMES_PER_SERVICE) as usize
    }

    /// The most names a tenant's Services may carry in all.
    pub fn max_names_per_tenant(&self) -> usize {
        self.max_names_per_tenant
            .unwrap_or(DEFAULT_OFFICE_NAMES_PER_TENANT) as usize
    }
}

impl Site {
    /// The site's policy from the objects a store holds: the one named [`SITE_NAME`], else the
    /// defaults.
    pub fn policy<'a>(sites: impl IntoIterator<Item = &'a Site>) -> SiteSpec {
        sites
            .into_iter()
            .find(|s| s.metadata.name.as_deref() == Some(SITE_NAME))
            .map(|s| s.spec.clone())
            .unwrap_or_default()
    }
}
