//! The TenantObject webhooks: whose rights a tenant-wide object is written with is stamped at
//! admission, and what the rules refuse ([`crate::api::tenant_object::rules`]) is refused at
//! once, with the reason, instead of showing up later as a refused copy.
//!
//! - defaults (mutating): `spec.declaredBy` is the API server's user whenever the declaration
//!   is made or changed; an update that leaves the spec alone (the controller's finalizer)
//!   keeps it.
//! - validation: a declaration lives in a namespace a tenant holds, is made or changed only by
//!   an owner of that tenant or a platform admin, and passes the rules. RBAC already keeps
//!   members and viewers out (they get no write on tenantobjects); this says why in one line.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kube::core::admission::{AdmissionRequest, AdmissionResponse};
use kube::runtime::reflector::ObjectRef;
use serde_json::{Value, json};

use super::tenants::is_platform_admin;
use super::{Hook, Policy, patched, review_as};
use crate::api::consts::{API_GROUP, API_VERSION};
use crate::api::tenant_object::rules;
use crate::api::{Role, TenantObject, TenantObjectSpec};

/// The validating webhook: CREATE and UPDATE of TenantObjects, in every namespace.
pub const HOOK: Hook = Hook {
    name: "tenantobjects.validation.ike.dev",
    path: "/admission/tenantobjects",
    rule: [&[API_GROUP], &[API_VERSION], &["tenantobjects"]],
    scope: "Namespaced",
    namespace_label: None,
};

/// The mutating webhook stamping who declared it.
pub const DEFAULTS_HOOK: Hook = Hook {
    name: "tenantobjects.defaults.ike.dev",
    path: "/admission/tenantobjects/defaults",
    rule: [&[API_GROUP], &[API_VERSION], &["tenantobjects"]],
    scope: "Namespaced",
    namespace_label: None,
};

/// The spec without who declared it: what a change of the declaration is.
fn content(spec: &TenantObjectSpec) -> TenantObjectSpec {
    TenantObjectSpec {
        declared_by: None,
        ..spec.clone()
    }
}

/// Whether this write makes or changes the declaration (not only its metadata).
fn declares(new: &TenantObject, old: Option<&TenantObject>) -> bool {
    old.is_none_or(|old| content(&new.spec) != content(&old.spec))
}

/// The JSON patch stamping who declared `new`: the user when the declaration is made or
/// changed, or applied again unchanged by an `owner` of the tenant (so a declaration outlives
/// its declarer leaving the tenant once another owner applies it); else whoever declared it
/// before (the controller adding its finalizer).
pub fn stamps(
    new: &TenantObject,
    old: Option<&TenantObject>,
    username: &str,
    owner: bool,
) -> Vec<Value> {
    let by = if declares(new, old) || owner {
        Some(username.to_string())
    } else {
        old.and_then(|o| o.spec.declared_by.clone())
    };
    match by {
        Some(by) if new.spec.declared_by.as_deref() != Some(by.as_str()) => {
            vec![json!({"op": "add", "path": "/spec/declaredBy", "value": by})]
        }
        _ => Vec::new(),
    }
}

/// Answers one AdmissionReview of a TenantObject with the patch stamping who declared it.
pub(super) async fn serve_defaults(State(policy): State<Policy>, body: Bytes) -> Response {
    review_as(&policy, DEFAULTS_HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        let Some(new) = &request.object else {
            return (response, Vec::new());
        };
        let username = request.user_info.username.clone().unwrap_or_default();
        // Not a platform admin: the controller (an admin) adds its finalizer with this too.
        let namespace = request.namespace.clone().unwrap_or_default();
        let owner = policy
            .tenant_of(&namespace)
            .is_some_and(|t| t.spec.role_of(&username) == Some(Role::Owner));
        let ops = stamps(new, request.old_object.as_ref(), &username, owner);
        match patched(response.clone(), ops) {
            Ok(patched) => (patched, Vec::new()),
            Err(e) => (response, vec![format!("cannot stamp the declaration: {e}")]),
        }
    })
    .await
}

/// Answers one AdmissionReview of a TenantObject.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    review_as(&policy, HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        let problems = match &request.object {
            Some(new) => review(&policy, &request, new),
            None => Vec::new(),
        };
        (response, problems)
    })
    .await
}

/// Whether `username` may declare tenant-wide objects in the request's namespace: an owner of
/// the tenant holding it, or a platform admin.
fn may_declare(policy: &Policy, request: &AdmissionRequest<TenantObject>, username: &str) -> bool {
    let namespace = request.namespace.clone().unwrap_or_default();
    let groups = request.user_info.groups.clone().unwrap_or_default();
    let admin = is_platform_admin(username, &groups, &policy.admin_service_accounts, |name| {
        policy.accounts.get(&ObjectRef::new(name))
    });
    admin
        || policy
            .tenant_of(&namespace)
            .is_some_and(|t| t.spec.role_of(username) == Some(Role::Owner))
}

fn review(
    policy: &Policy,
    request: &AdmissionRequest<TenantObject>,
    new: &TenantObject,
) -> Vec<String> {
    let old = request.old_object.as_ref();
    let username = request.user_info.username.clone().unwrap_or_default();
    let restamped = old.is_some_and(|o| o.spec.declared_by != new.spec.declared_by);
    if !declares(new, old) && !restamped {
        // Metadata only (the controller's finalizer): who declared it stays.
        return Vec::new();
    }
    let namespace = request.namespace.clone().unwrap_or_default();
    let Some(tenant) = policy.tenant_of(&namespace) else {
        return vec![format!(
            "namespace {namespace} is no tenant's: declare tenant-wide objects in a namespace of the tenant"
        )];
    };
    let tenant_name = tenant.metadata.name.clone().unwrap_or_default();
    let mut problems = Vec::new();
    if !may_declare(policy, request, &username) {
        problems.push(format!(
            "only an owner of tenant {tenant_name} declares its tenant-wide objects: ask one (ike tenant show {tenant_name})"
        ));
    }
    if new.spec.declared_by.as_deref() != Some(username.as_str()) {
        problems.push(format!(
            "spec.declaredBy is written at admission: it must be you ({username})"
        ));
    }
    problems.extend(rules::review(
        new,
        &tenant,
        &policy.site().tenants.bindable_groups,
    ));
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(by: Option<&str>, name: &str) -> TenantObject {
        TenantObject::new(
            "x",
            TenantObjectSpec {
                template: Some(json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": name}})),
                declared_by: by.map(String::from),
                ..Default::default()
            },
        )
    }

    #[test]
    fn who_declared_it_is_stamped_on_a_change_and_kept_otherwise() {
        let new = object(Some("mallory"), "a");
        assert_eq!(
            stamps(&new, None, "alice", true),
            [json!({"op": "add", "path": "/spec/declaredBy", "value": "alice"})]
        );
        // The controller adding its finalizer: alice stays the declarer.
        let old = object(Some("alice"), "a");
        assert!(
            stamps(
                &object(Some("alice"), "a"),
                Some(&old),
                "ike-controller",
                false
            )
            .is_empty()
        );
        assert_eq!(
            stamps(
                &object(Some("bob"), "a"),
                Some(&old),
                "ike-controller",
                false
            )[0]["value"],
            "alice"
        );
        // A changed declaration is the changer's (validation then refuses a non-owner).
        assert_eq!(
            stamps(&object(Some("alice"), "b"), Some(&old), "carol", false)[0]["value"],
            "carol"
        );
        // Applied again unchanged by another owner (alice left): now theirs.
        assert_eq!(
            stamps(&object(Some("alice"), "a"), Some(&old), "dave", true)[0]["value"],
            "dave"
        );
    }
}
