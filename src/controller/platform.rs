//! Platform-wide RBAC the controller keeps in place at start-up: every account may read the
//! cluster-scoped resources a tenant needs to see, and write none of them.

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use kube::api::{Api, ObjectMeta};

use super::apply::apply_if_changed;
use crate::api::consts::{EVERY_VERB, MANAGED_BY_LABEL, MANAGED_BY_VALUE, READ_VERBS};

/// The ClusterRole (and binding) that lets every authenticated account read cluster scope.
pub const CLUSTER_READER: &str = "ike:cluster-reader";

fn rule(group: &str, resources: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec![group.to_string()]),
        resources: Some(resources.iter().map(|r| r.to_string()).collect()),
        verbs: ["get", "list", "watch"].map(String::from).to_vec(),
        ..Default::default()
    }
}

/// Read-only access to nodes, namespaces, storage/ingress/priority/runtime classes, CRDs and
/// the Site policy.
pub fn cluster_reader() -> (ClusterRole, ClusterRoleBinding) {
    let meta = ObjectMeta {
        name: Some(CLUSTER_READER.into()),
        labels: Some([(MANAGED_BY_LABEL.to_string(), MANAGED_BY_VALUE.to_string())].into()),
        ..Default::default()
    };
    let role = ClusterRole {
        metadata: meta.clone(),
        rules: Some(vec![
            rule("", &["nodes", "namespaces"]),
            rule("storage.k8s.io", &["storageclasses", "csidrivers"]),
            rule("apiextensions.k8s.io", &["customresourcedefinitions"]),
            rule("networking.k8s.io", &["ingressclasses"]),
            rule("scheduling.k8s.io", &["priorityclasses"]),
            rule("node.k8s.io", &["runtimeclasses"]),
            rule(crate::api::consts::API_GROUP, &["sites"]),
        ]),
        ..Default::default()
    };
    let binding = ClusterRoleBinding {
        metadata: meta,
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: CLUSTER_READER.into(),
        },
        subjects: Some(vec![Subject {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Group".into(),
            name: "system:authenticated".into(),
            namespace: None,
        }]),
    };
    (role, binding)
}

/// The ClusterRole (and binding) that lets every account create tenants (self-service).
pub const TENANT_CREATOR: &str = "ike:tenant-creator";

/// Self-service: every authenticated account may create Tenants; the Tenant webhook makes the
/// creator an owner of what they create.
pub fn tenant_creator() -> (ClusterRole, ClusterRoleBinding) {
    let (mut role, mut binding) = cluster_reader();
    role.metadata.name = Some(TENANT_CREATOR.into());
    role.rules = Some(vec![PolicyRule {
        api_groups: Some(vec![crate::api::consts::API_GROUP.into()]),
        resources: Some(vec!["tenants".into()]),
        verbs: vec!["create".into()],
        ..Default::default()
    }]);
    binding.metadata.name = Some(TENANT_CREATOR.into());
    binding.role_ref.name = TENANT_CREATOR.into();
    (role, binding)
}

/// A ClusterRole aggregated into Kubernetes' `aggregate_to` roles (admin, edit, view), granting
/// `verbs` on `resources` of `group`.
fn aggregated(
    name: &str,
    aggregate_to: &[&str],
    group: &str,
    resources: &[&str],
    verbs: &[&str],
) -> ClusterRole {
    let mut labels: std::collections::BTreeMap<String, String> =
        [(MANAGED_BY_LABEL.to_string(), MANAGED_BY_VALUE.to_string())].into();
    for to in aggregate_to {
        labels.insert(
            format!("rbac.authorization.k8s.io/aggregate-to-{to}"),
            "true".into(),
        );
    }
    ClusterRole {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(labels),
            ..Default::default()
        },
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![group.into()]),
            resources: Some(resources.iter().map(|r| r.to_string()).collect()),
            verbs: verbs.iter().map(|v| v.to_string()).collect(),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

/// The ClusterRoles that put the notification configs into Kubernetes' `admin`, `edit` and
/// `view` by aggregation, so a tenant's owners and members manage them in the tenant's
/// namespaces and viewers read them. Their status stays the controller's: no role has
/// `*/status`.
pub fn notify_roles() -> [ClusterRole; 2] {
    let group = crate::api::MONITORING_GROUP;
    let resources = ["barryconfigs", "emailconfigs", "teamsconfigs"];
    [
        aggregated(
            "ike:notify-edit",
            &["admin", "edit"],
            group,
            &resources,
            &EVERY_VERB,
        ),
        aggregated("ike:notify-view", &["view"], group, &resources, &READ_VERBS),
    ]
}

/// The ClusterRoles that let a tenant's owners (Kubernetes' `admin`) declare tenant-wide
/// objects and members and viewers read them, and let owners keep LimitRanges in their
/// namespaces (Kubernetes' `admin` only reads them; a LimitRange constrains only its own
/// namespace's pods), so that a tenant-wide LimitRange, written with an owner's rights, can be.
pub fn tenant_object_roles() -> [ClusterRole; 3] {
    let group = crate::api::consts::API_GROUP;
    let write = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    [
        aggregated(
            "ike:tenant-objects-edit",
            &["admin"],
            group,
            &["tenantobjects"],
            &write,
        ),
        aggregated(
            "ike:tenant-objects-view",
            &["edit", "view"],
            group,
            &["tenantobjects"],
            &READ_VERBS,
        ),
        aggregated(
            "ike:tenant-limitranges",
            &["admin"],
            "",
            &["limitranges"],
            &write,
        ),
    ]
}

/// The ClusterRoles that let a tenant's owners and members make, edit and withdraw
/// ResourceRequests in the tenant's namespaces, and viewers read them. No one but platform
/// admins deletes one (it is the audit trail), and no role has `resourcerequests/status`: the
/// controller's alone.
pub fn request_roles() -> [ClusterRole; 2] {
    let group = crate::api::consts::API_GROUP;
    let write = ["get", "list", "watch", "create", "update", "patch"];
    [
        aggregated(
            "ike:requests-edit",
            &["admin", "edit"],
            group,
            &["resourcerequests"],
            &write,
        ),
        aggregated(
            "ike:requests-view",
            &["view"],
            group,
            &["resourcerequests"],
            &READ_VERBS,
        ),
    ]
}

/// Applies the platform-wide RBAC and the controller's namespace where they are missing or
/// differ; self-service tenant creation is granted or taken away. A restart with nothing to do
/// writes nothing.
pub async fn install(
    client: &kube::Client,
    self_service: bool,
    controller_namespace: &str,
) -> Result<(), kube::Error> {
    // The controller's own namespace (its leader-election Lease lives there).
    let namespaces = Api::<Namespace>::all(client.clone());
    if namespaces.get_opt(controller_namespace).await?.is_none() {
        let ns = Namespace {
            metadata: ObjectMeta {
                name: Some(controller_namespace.to_string()),
                ..Default::default()
            },
            ..Default::default()
        };
        apply_if_changed(&namespaces, controller_namespace, &ns).await?;
    }
    let roles = Api::<ClusterRole>::all(client.clone());
    let bindings = Api::<ClusterRoleBinding>::all(client.clone());
    let (role, binding) = cluster_reader();
    apply_if_changed(&roles, CLUSTER_READER, &role).await?;
    apply_if_changed(&bindings, CLUSTER_READER, &binding).await?;
    for role in notify_roles()
        .into_iter()
        .chain(request_roles())
        .chain(tenant_object_roles())
    {
        let name = role.metadata.name.clone().unwrap_or_default();
        apply_if_changed(&roles, &name, &role).await?;
    }
    let (role, binding) = tenant_creator();
    if self_service {
        apply_if_changed(&roles, TENANT_CREATOR, &role).await?;
        apply_if_changed(&bindings, TENANT_CREATOR, &binding).await?;
    } else {
        delete_if_present(&bindings, TENANT_CREATOR).await?;
        delete_if_present(&roles, TENANT_CREATOR).await?;
    }
    Ok(())
}

async fn delete_if_present<K>(api: &Api<K>, name: &str) -> Result<(), kube::Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    if api.get_opt(name).await?.is_none() {
        return Ok(());
    }
    match api.delete(name, &Default::default()).await {
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        other => other.map(|_| ()),
    }
}
