//! A tenant's roles of requested resources, only while it has some: its aggregated ClusterRoles
//! (`ike:tenant:<tenant>:requested-edit|view`) and their RoleBindings in each of its namespaces
//! exist once a CRD was approved for it (the request controller's grants, `ike:requested:...`,
//! labelled with the tenant), and go when the last grant goes. Empty ones were what another
//! tenant could bind, and cost four objects per tenant and namespace that never asked for
//! anything.
//!
//! Grants are followed by a watch of the ClusterRoles labelled `ike.dev/aggregate-to` (only the
//! request controller writes them; tenants cannot write ClusterRoles), metadata only.

use std::collections::BTreeMap;

use k8s_openapi::api::rbac::v1::{ClusterRole, RoleBinding};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams};
use kube::runtime::reflector::{ObjectRef, Store};

use super::desired::{desired_requested_bindings, desired_requested_roles, same_subjects};
use super::{Context, Error, apply_if_changed};
use crate::api::consts::TENANT_LABEL;
use crate::api::request::AGGREGATE_LABEL;
use crate::api::{REQUESTED_LEVELS, Role, Tenant, requested_binding_name};
use crate::controller::runtime::kube_err;

/// Whether a CRD was approved for `tenant`: a grant ClusterRole carries its label.
pub fn has_grants(cluster_roles: &Store<ClusterRole>, tenant: &str) -> bool {
    cluster_roles.state().iter().any(|role| {
        role.labels().contains_key(AGGREGATE_LABEL)
            && role.labels().get(TENANT_LABEL).map(String::as_str) == Some(tenant)
    })
}

/// The tenant a change of an object labelled with one concerns (a grant, the tenant's own
/// ClusterRoles and bindings).
pub fn labelled_tenant(object: &impl kube::Resource) -> Option<ObjectRef<Tenant>> {
    object
        .meta()
        .labels
        .as_ref()?
        .get(TENANT_LABEL)
        .map(|t| ObjectRef::new(t.as_str()))
}

/// Makes the tenant's aggregated roles when `wanted`, removes them otherwise; returns whether
/// it wrote.
pub async fn reconcile_roles(ctx: &Context, tenant: &Tenant, wanted: bool) -> Result<bool, Error> {
    let roles: Api<ClusterRole> = Api::all(ctx.client.clone());
    let mut wrote = false;
    for role in desired_requested_roles(tenant) {
        if wanted {
            let want = role.aggregation_rule.clone();
            wrote |= apply_if_changed(&roles, &ctx.cluster_roles, &role, |h| {
                h.aggregation_rule == want
            })
            .await?;
        } else if ctx
            .cluster_roles
            .get(&ObjectRef::new(&role.name_any()))
            .is_some()
        {
            wrote |= delete(&roles, &role.name_any()).await?;
        }
    }
    Ok(wrote)
}

/// Makes the tenant's RoleBindings to its aggregated roles in `namespace` when `wanted`,
/// removes ike's own otherwise (those named and bound as ike binds them: the role bindings
/// store says whether any is there, so a tenant without grants costs no call); returns
/// whether it wrote.
pub async fn reconcile_bindings(
    ctx: &Context,
    tenant: &Tenant,
    namespace: &str,
    members: &BTreeMap<Role, Vec<String>>,
    wanted: bool,
) -> Result<bool, Error> {
    let api: Api<RoleBinding> = Api::namespaced(ctx.client.clone(), namespace);
    let mut wrote = false;
    if wanted {
        for binding in desired_requested_bindings(tenant, namespace, members) {
            let want_subjects = binding.subjects.clone();
            let want_ref = binding.role_ref.clone();
            wrote |= apply_if_changed(&api, &ctx.role_bindings, &binding, |h| {
                same_subjects(&h.subjects, &want_subjects) && h.role_ref == want_ref
            })
            .await?;
        }
        return Ok(wrote);
    }
    let ours = desired_requested_bindings(tenant, namespace, &BTreeMap::new());
    for (level, _) in REQUESTED_LEVELS {
        let name = requested_binding_name(level);
        let present = ctx
            .role_bindings
            .get(&ObjectRef::new(&name).within(namespace))
            .is_some_and(|have| ours.iter().any(|o| o.role_ref == have.role_ref));
        if present {
            match api.delete(&name, &DeleteParams::default()).await {
                Ok(_) => wrote = true,
                Err(kube::Error::Api(s)) if s.code == 404 => {}
                Err(e) => return Err(kube_err(format!("deleting {name} in {namespace}"))(e).into()),
            }
        }
    }
    Ok(wrote)
}

/// Deletes `name` (the store says it exists); returns whether it did.
async fn delete<K>(api: &Api<K>, name: &str) -> Result<bool, Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match api.delete(name, &DeleteParams::default()).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(kube_err(format!("deleting {name}"))(e).into()),
    }
}
