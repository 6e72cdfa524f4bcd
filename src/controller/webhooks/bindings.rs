//! Another tenant's roles are not bindable: a RoleBinding in a tenant namespace may reference
//! ike's ClusterRoles of its own tenant only (`ike:tenant:<tenant>:...`, and the grants of CRDs
//! approved for it, `ike:requested:...`, labelled with it). RBAC alone lets an owner bind any
//! ClusterRole whose rules they already hold, and an empty one (a tenant's `requested-edit`
//! before its first approval) holds none: bound in another namespace, it would hand over that
//! tenant's CRDs the moment they are approved. The tenant reconciler removes such bindings if
//! they exist anyway ([`crate::controller::tenants::revoke`]).
//!
//! Tenants cannot create ClusterRoleBindings (their roles are namespaced), so there is no
//! webhook for those.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{ClusterRole, RoleBinding};
use kube::ResourceExt;
use kube::api::Api;
use kube::core::admission::AdmissionResponse;

use super::{Hook, Policy, review_namespaced, typed};
use crate::api::consts::{ISOLATED_LABEL, TENANT_LABEL};
use crate::api::{GRANT_ROLE_PREFIX, foreign_role, role_tenant};

/// The webhook: CREATE and UPDATE of RoleBindings in tenant namespaces.
pub const HOOK: Hook = Hook {
    name: "rolebindings.isolation.ike.dev",
    path: "/admission/rolebindings",
    rule: [&["rbac.authorization.k8s.io"], &["v1"], &["rolebindings"]],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};

/// Answers one AdmissionReview of a RoleBinding.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    review_namespaced(&policy, HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        let binding = match typed::<RoleBinding>(request.object.as_ref()) {
            Ok(binding) => binding,
            Err(e) => return (response, vec![e]),
        };
        // roleRef cannot change: an update of a binding made before this webhook is left to
        // the reconciler (which deletes it), so that it can still lose its finalizers.
        let old = typed::<RoleBinding>(request.old_object.as_ref()).ok();
        if old.is_some_and(|o| o.role_ref == binding.role_ref) {
            return (response, Vec::new());
        }
        let namespace = request.namespace.clone().unwrap_or_default();
        let problems = match judge(&policy, &namespace, &binding).await {
            Ok(None) => Vec::new(),
            Ok(Some(problem)) => vec![format!("RoleBinding {}: {problem}", binding.name_any())],
            Err(e) => vec![e],
        };
        (response, problems)
    })
    .await
}

/// Why `binding` in `namespace` may not be, if it may not; an error when what decides it
/// cannot be read.
async fn judge(
    policy: &Policy,
    namespace: &str,
    binding: &RoleBinding,
) -> Result<Option<String>, String> {
    let role = &binding.role_ref;
    if role.kind != "ClusterRole" {
        return Ok(None);
    }
    // Only the grants of requested CRDs need their label read.
    let label = match role.name.starts_with(GRANT_ROLE_PREFIX) {
        true => {
            let roles: Api<ClusterRole> = Api::all(policy.client.clone());
            let found = roles
                .get_opt(&role.name)
                .await
                .map_err(|e| format!("cannot read ClusterRole {} ({e}): try again", role.name))?;
            found.and_then(|r| r.labels().get(TENANT_LABEL).cloned())
        }
        false => None,
    };
    let Some(owner) = role_tenant(&role.name, label.as_deref()) else {
        return Ok(None);
    };
    // Whose namespace: as the controller recorded it, in the Tenant's status or (while it
    // creates a new namespace and its bindings, before the status says so) on the namespace.
    let mut tenant = policy.tenant_of(namespace).map(|t| t.name_any());
    if tenant.as_deref() != Some(owner.as_str()) {
        let namespaces: Api<Namespace> = Api::all(policy.client.clone());
        let found = namespaces
            .get_opt(namespace)
            .await
            .map_err(|e| format!("cannot read namespace {namespace} ({e}): try again"))?;
        if let Some(label) = found.and_then(|n| n.labels().get(TENANT_LABEL).cloned())
            && tenant.is_none()
        {
            tenant = Some(label);
        }
    }
    Ok(foreign_role(tenant.as_deref(), &role.name, Some(&owner)))
}
