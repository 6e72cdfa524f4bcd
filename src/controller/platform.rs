//! Platform-wide RBAC the controller keeps in place at start-up: every account may read the
//! cluster-scoped resources a tenant needs to see, and write none of them.

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use kube::api::{Api, ObjectMeta, Patch, PatchParams};

use crate::consts::{CONTROLLER_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE};

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

/// Read-only access to nodes, namespaces, storage/ingress/priority/runtime classes and CRDs.
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

/// Applies the platform-wide RBAC.
pub async fn install(client: &kube::Client) -> Result<(), kube::Error> {
    let (role, binding) = cluster_reader();
    let params = PatchParams::apply(CONTROLLER_MANAGER).force();
    Api::<ClusterRole>::all(client.clone())
        .patch(CLUSTER_READER, &params, &Patch::Apply(&role))
        .await?;
    Api::<ClusterRoleBinding>::all(client.clone())
        .patch(CLUSTER_READER, &params, &Patch::Apply(&binding))
        .await?;
    Ok(())
}
