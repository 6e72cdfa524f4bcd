//! `Tenant`: a group of accounts sharing namespaces.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A tenant: accounts with a role each, and the namespaces they share.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "ike.dev",
    version = "v1alpha1",
    kind = "Tenant",
    status = "TenantStatus",
    shortname = "tn",
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].reason"}"#,
    // What the tenant holds, for `kubectl get tenants -o wide` and for completion, which asks
    // for names in a Table and never for whole objects.
    printcolumn = r#"{"name":"Namespaces","type":"string","priority":1,"jsonPath":".status.namespaces"}"#,
    // What `ike tenant list` shows besides, so that it too asks for a Table (a tenth of the
    // objects' bytes, from the watch cache) and not for 500 whole Tenants.
    printcolumn = r#"{"name":"Listed","type":"string","priority":1,"jsonPath":".spec.namespaces"}"#,
    printcolumn = r#"{"name":"Members","type":"string","priority":1,"jsonPath":".spec.members"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct TenantSpec {
    /// The tenant's accounts and their roles; at least one owner.
    pub members: Vec<Member>,
    /// The namespaces the tenant holds. The controller creates them; a namespace that exists and
    /// is not the tenant's is never adopted.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Dedicated nodes: every pod in the tenant's namespaces gets this node selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// What the tenant is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whom to ask about the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Keep the namespaces when the Tenant is deleted (they lose the tenant's bindings).
    #[serde(default)]
    pub keep_namespaces: bool,
    /// What this tenant may do beyond the site's policy, or may not. Only platform admins set it.
    #[serde(default, skip_serializing_if = "TenantAllowances::is_empty")]
    pub policy: TenantAllowances,
}

/// A tenant's exceptions to the site's admission policy, set by platform admins only (the
/// Tenant webhook refuses anyone else's change).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantAllowances {
    /// Services of type NodePort (a port on every node) are allowed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub node_ports: bool,
    /// Services of type LoadBalancer: allowed (true) or refused (false) whatever the site says;
    /// unset follows the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancers: Option<bool>,
    /// The addresses (CIDRs) a LoadBalancer Service may ask for in `loadBalancerIP`. Empty: none;
    /// the cloud picks one.
    #[serde(
        default,
        rename = "loadBalancerIPs",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub load_balancer_ips: Vec<String>,
    /// Domains an ExternalName Service may point into, besides the site's (a name, or `.suffix`
    /// for everything below it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_name_domains: Vec<String>,
    /// PriorityClasses the tenant's pods may use, besides the site's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority_classes: Vec<String>,
    /// Every namespace of the tenant must start with this (e.g. `team-a-`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_prefix: Option<String>,
    /// The most namespaces the tenant may hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_namespaces: Option<u32>,
}

impl TenantAllowances {
    /// Whether nothing is set (the site's policy applies as is).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One account's membership in a tenant.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The account's name.
    pub account: String,
    /// The account's role in the tenant.
    pub role: Role,
}

/// A role in a tenant. owner → admin, member → edit, viewer → view in every tenant namespace.
#[derive(
    Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages members and namespaces; admin in the tenant's namespaces.
    Owner,
    /// Edits workloads in the tenant's namespaces.
    Member,
    /// Reads the tenant's namespaces.
    Viewer,
}

/// What the controller observed about a tenant.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantStatus {
    /// Ready, with a reason such as NamespaceConflict or UnknownAccount when it is not.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The namespaces the tenant actually holds.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// The generation of the spec this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

impl Tenant {
    /// The namespaces the tenant holds, as the controller recorded them: what decides whose a
    /// namespace is. A name in `spec.namespaces` is only a claim (another tenant's namespace is
    /// never adopted), so it grants nothing.
    pub fn held_namespaces(&self) -> &[String] {
        self.status
            .as_ref()
            .map(|s| s.namespaces.as_slice())
            .unwrap_or_default()
    }

    /// Whether the tenant holds `namespace` (see [`Tenant::held_namespaces`]).
    pub fn holds_namespace(&self, namespace: &str) -> bool {
        self.held_namespaces().iter().any(|n| n == namespace)
    }
}

impl Role {
    /// Every role, strongest first.
    pub const ALL: [Role; 3] = [Role::Owner, Role::Member, Role::Viewer];

    /// The role as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TenantSpec {
    /// The account's role; the strongest one if it is listed twice (roles order owner first).
    pub fn role_of(&self, account: &str) -> Option<Role> {
        self.members
            .iter()
            .filter(|m| m.account == account)
            .map(|m| m.role)
            .min()
    }
}

impl Tenant {
    /// The Ready condition, once the controller has reported.
    pub fn ready_condition(&self) -> Option<&Condition> {
        self.status
            .as_ref()?
            .conditions
            .iter()
            .find(|c| c.type_ == "Ready")
    }

    /// The namespaces the tenant lists or still holds, sorted.
    pub fn all_namespaces(&self) -> Vec<String> {
        let held = self.status.iter().flat_map(|s| &s.namespaces);
        self.spec
            .namespaces
            .iter()
            .chain(held)
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// The RoleBinding ike-controller keeps in each tenant namespace for `role` (to Kubernetes'
/// admin, edit or view).
pub fn binding_name(role: Role) -> String {
    format!("ike:tenant:{role}")
}

/// The RoleBinding ike-controller keeps in each tenant namespace for the resources the tenant
/// requested, at `level` (`edit` or `view`).
pub fn requested_binding_name(level: &str) -> String {
    format!("ike:tenant:requested-{level}")
}

/// The two levels of access to the resources a tenant requested (CRDs approved through
/// ResourceRequests): owners and members edit them, viewers read them.
pub const REQUESTED_LEVELS: [(&str, &[Role]); 2] = [
    ("edit", &[Role::Owner, Role::Member]),
    ("view", &[Role::Viewer]),
];

/// The name of a ClusterRole ike-controller makes for `tenant` alone (`what`: `reader`,
/// `owner`, `requested-edit`, `requested-view`).
pub fn tenant_role_name(tenant: &str, what: &str) -> String {
    format!("ike:tenant:{tenant}:{what}")
}

/// The start of the names of the ClusterRoles granting one tenant the resources of a CRD
/// approved for it (`ike:requested:<crd>:<level>`); each carries the tenant's label.
pub const GRANT_ROLE_PREFIX: &str = "ike:requested:";

/// The tenant a ClusterRole of ike's belongs to, if `name` is one: `ike:tenant:<tenant>:...` by
/// its name, a CRD's grant (`ike:requested:...`) by its `ike.dev/tenant` label (`label`, as the
/// caller read it). Any other role (Kubernetes' admin, edit, view, the platform's) is no
/// tenant's.
pub fn role_tenant(name: &str, label: Option<&str>) -> Option<String> {
    if let Some(rest) = name.strip_prefix("ike:tenant:") {
        // Tenant names are DNS labels: no colon.
        return rest
            .split_once(':')
            .map(|(tenant, _)| tenant.to_string())
            .filter(|t| !t.is_empty());
    }
    name.starts_with(GRANT_ROLE_PREFIX)
        .then(|| label.map(str::to_string))
        .flatten()
}

/// Why a RoleBinding in a namespace of `tenant` (`None`: of no tenant) may not reference the
/// ClusterRole `role` of `owner` (from [`role_tenant`]): another tenant's role would give the
/// binding's subjects what that tenant holds (an empty `requested-edit` today, its CRDs once
/// approved). `None`: no tenant's role, or the tenant's own.
pub fn foreign_role(tenant: Option<&str>, role: &str, owner: Option<&str>) -> Option<String> {
    let owner = owner?;
    (Some(owner) != tenant).then(|| {
        format!(
            "ClusterRole {role} is tenant {owner}'s: a binding here may use only this tenant's own ike roles or roles of no tenant (admin, edit, view)"
        )
    })
}

/// The names of every RoleBinding ike-controller writes in a tenant namespace; any other one
/// was made by hand.
pub fn own_binding_names() -> Vec<String> {
    Role::ALL
        .iter()
        .map(|r| binding_name(*r))
        .chain(
            REQUESTED_LEVELS
                .iter()
                .map(|(l, _)| requested_binding_name(l)),
        )
        .collect()
}

#[cfg(test)]
mod role_tests {
    use super::*;

    #[test]
    fn ike_roles_belong_to_the_tenant_their_name_or_label_says() {
        assert_eq!(
            role_tenant("ike:tenant:b:requested-edit", None).as_deref(),
            Some("b")
        );
        assert_eq!(
            role_tenant("ike:tenant:b:reader", Some("a")).as_deref(),
            Some("b")
        );
        assert_eq!(
            role_tenant("ike:requested:widgets.example.com:edit", Some("b")).as_deref(),
            Some("b")
        );
        assert_eq!(
            role_tenant("ike:requested:widgets.example.com:edit", None),
            None
        );
        for free in [
            "edit",
            "admin",
            "view",
            "ike:tenant:member",
            "ike:notify-edit",
        ] {
            assert_eq!(role_tenant(free, Some("b")), None, "{free}");
        }
        assert_eq!(
            tenant_role_name("a", "requested-view"),
            "ike:tenant:a:requested-view"
        );
    }

    #[test]
    fn only_another_tenants_role_is_refused() {
        let role = "ike:tenant:b:requested-edit";
        assert!(foreign_role(Some("b"), role, Some("b")).is_none());
        assert!(foreign_role(Some("a"), "edit", None).is_none());
        let refusal = foreign_role(Some("a"), role, Some("b")).unwrap();
        assert!(refusal.contains("is tenant b's"), "{refusal}");
        // A namespace of no tenant (released) may bind no tenant's role.
        assert!(foreign_role(None, role, Some("b")).is_some());
    }
}
