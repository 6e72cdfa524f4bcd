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

/// IKE Office.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfficeSpec {}

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
