//! The default NetworkPolicy of tenant namespaces, when the site asks for one
//! (`Site.spec.tenants.networkIsolation`): traffic from the tenant's own namespaces and from the
//! platform namespaces the site names is admitted, nothing from other tenants. Policies are
//! additive: a tenant may add its own to open more, deliberately; the default one is put back if
//! it is deleted.
//!
//! Platform namespaces are selected by `kubernetes.io/metadata.name`, which Kubernetes sets on
//! every namespace from 1.21; on older clusters the controller sets it on the named ones.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ObjectMeta, Patch, PatchParams};

use super::desired::labels;
use super::{Context, Error};
use crate::api::consts::{CONTROLLER_MANAGER, TENANT_LABEL};
use crate::api::{NetworkIsolation, Tenant};
use crate::controller::runtime::kube_err;
use kube::runtime::reflector::ObjectRef;

/// The name of the default policy in every tenant namespace.
pub const POLICY_NAME: &str = "ike-tenant-isolation";

/// The label Kubernetes (1.21+) puts on every namespace: its own name.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The default NetworkPolicy of `namespace` of `tenant`.
pub fn desired_policy(
    tenant: &Tenant,
    namespace: &str,
    isolation: &NetworkIsolation,
) -> NetworkPolicy {
    let name = tenant.name_any();
    let mut from = vec![NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(TENANT_LABEL.to_owned(), name.clone())])),
            match_expressions: None,
        }),
        ..Default::default()
    }];
    if !isolation.allow_from_namespaces.is_empty() {
        from.push(NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: NAME_LABEL.to_owned(),
                    operator: "In".to_owned(),
                    values: Some(isolation.allow_from_namespaces.clone()),
                }]),
            }),
            ..Default::default()
        });
    }
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(POLICY_NAME.to_owned()),
            namespace: Some(namespace.to_owned()),
            labels: Some(labels(&name)),
            ..Default::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(from),
                ports: None,
            }]),
            policy_types: Some(vec!["Ingress".to_owned()]),
            egress: None,
        }),
    }
}

/// Makes `namespace`'s default policy what `isolation` says (absent when `None`); returns whether
/// it wrote.
pub async fn reconcile_policy(
    ctx: &Context,
    tenant: &Tenant,
    namespace: &str,
    isolation: Option<&NetworkIsolation>,
) -> Result<bool, Error> {
    let api: Api<NetworkPolicy> = Api::namespaced(ctx.client.clone(), namespace);
    let have = ctx
        .network_policies
        .get(&ObjectRef::new(POLICY_NAME).within(namespace));
    match (isolation, have) {
        (Some(isolation), have) => {
            let want = desired_policy(tenant, namespace, isolation);
            if have.is_some_and(|h| h.spec == want.spec) {
                return Ok(false);
            }
            api.patch(
                POLICY_NAME,
                &PatchParams::apply(CONTROLLER_MANAGER).force(),
                &Patch::Apply(&want),
            )
            .await
            .map_err(kube_err(format!(
                "applying the network policy of {namespace}"
            )))?;
            Ok(true)
        }
        (None, Some(have)) if have.labels().get(TENANT_LABEL) == Some(&tenant.name_any()) => {
            match api.delete(POLICY_NAME, &DeleteParams::default()).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
                Err(e) => {
                    Err(kube_err(format!("deleting the network policy of {namespace}"))(e).into())
                }
            }
        }
        (None, _) => Ok(false),
    }
}

/// Puts [`NAME_LABEL`] on the platform namespaces the policy names, where Kubernetes (before 1.21)
/// has not; returns whether it wrote.
pub async fn label_platform_namespaces(
    ctx: &Context,
    isolation: &NetworkIsolation,
) -> Result<bool, Error> {
    let api: Api<Namespace> = Api::all(ctx.client.clone());
    let mut wrote = false;
    for ns in &isolation.allow_from_namespaces {
        let Some(have) = ctx.namespaces.get(&ObjectRef::new(ns)) else {
            continue;
        };
        if have.labels().get(NAME_LABEL) == Some(ns) {
            continue;
        }
        let patch = serde_json::json!({"metadata": {"labels": {NAME_LABEL: ns}}});
        api.patch(ns, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(kube_err(format!("labelling namespace {ns}")))?;
        wrote = true;
    }
    Ok(wrote)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Role;
    use crate::api::fixtures::tenant;

    #[test]
    fn the_default_policy_admits_the_tenant_and_the_named_platform_namespaces_only() {
        let t = tenant("team-a", &[("o", Role::Owner)], &["a-web"]);
        let isolation = NetworkIsolation {
            allow_from_namespaces: vec!["ingress-nginx".into(), "monitoring".into()],
        };
        let p = serde_json::to_value(desired_policy(&t, "a-web", &isolation)).unwrap();
        assert_eq!(p["metadata"]["namespace"], "a-web");
        assert_eq!(p["metadata"]["labels"]["ike.dev/tenant"], "team-a");
        assert_eq!(p["spec"]["podSelector"], serde_json::json!({}));
        assert_eq!(p["spec"]["policyTypes"], serde_json::json!(["Ingress"]));
        assert_eq!(
            p["spec"]["ingress"][0]["from"],
            serde_json::json!([
                {"namespaceSelector": {"matchLabels": {"ike.dev/tenant": "team-a"}}},
                {"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["ingress-nginx", "monitoring"]}]}}
            ])
        );
        let alone = serde_json::to_value(desired_policy(&t, "a-web", &NetworkIsolation::default()))
            .unwrap();
        assert_eq!(
            alone["spec"]["ingress"][0]["from"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
