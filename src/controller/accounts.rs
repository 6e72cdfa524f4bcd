//! The account reconciler: a platform admin's account gets a ClusterRoleBinding to
//! `cluster-admin` while it is enabled; a disabled or deleted account loses it at once. Every
//! account's status lists its tenants and roles, so `ike` can show "my tenants" without
//! cluster-wide list rights.
//!
//! The binding names the account as a user, never a group in its certificate, so disabling
//! the account takes effect while its certificate is still valid.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleRef, Subject};
use kube::api::{Api, DeleteParams, ObjectMeta, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};

use super::runtime::{self, Floor, KubeError, Listed, Reconciler, concerned, kube_err};
use crate::api::consts::{CONTROLLER_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE};
use crate::api::{Account, Tenant, TenantRole};

/// Errors of one reconcile: a request to the API server failed.
pub type Error = KubeError;

/// What every reconcile shares.
pub struct Context {
    /// The client.
    pub client: kube::Client,
    /// Every Tenant, kept current by a watch.
    pub tenants: Store<Tenant>,
    /// The ClusterRoleBindings ike manages: read here, not fetched one by one.
    pub bindings: Store<ClusterRoleBinding>,
    /// Whether both stores hold their first full list.
    pub listed: Listed,
}

/// The tenants an account belongs to and its role in each, sorted by tenant.
pub fn memberships(account: &str, tenants: &[Arc<Tenant>]) -> Vec<TenantRole> {
    let mut out: Vec<TenantRole> = tenants
        .iter()
        .filter(|t| t.metadata.deletion_timestamp.is_none())
        .flat_map(|t| {
            t.spec
                .members
                .iter()
                .filter(|m| m.account == account)
                .map(|m| TenantRole {
                    tenant: t.name_any(),
                    role: m.role,
                })
        })
        .collect();
    out.sort_by(|a, b| (&a.tenant, a.role).cmp(&(&b.tenant, b.role)));
    out.dedup();
    out
}

/// The name of an admin account's ClusterRoleBinding.
pub fn admin_binding_name(account: &str) -> String {
    format!("ike:admin:{account}")
}

/// The ClusterRoleBinding an enabled admin account should have, or `None`.
pub fn desired_binding(account: &Account) -> Option<ClusterRoleBinding> {
    if !account.spec.admin || account.spec.disabled || account.metadata.deletion_timestamp.is_some()
    {
        return None;
    }
    let name = account.name_any();
    Some(ClusterRoleBinding {
        metadata: ObjectMeta {
            name: Some(admin_binding_name(&name)),
            labels: Some([(MANAGED_BY_LABEL.to_string(), MANAGED_BY_VALUE.to_string())].into()),
            owner_references: account.controller_owner_ref(&()).map(|o| vec![o]),
            ..Default::default()
        },
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: "cluster-admin".into(),
        },
        subjects: Some(vec![Subject {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "User".into(),
            name,
            namespace: None,
        }]),
    })
}

/// Makes the account's admin binding match its spec. Writes nothing when it already does.
pub async fn reconcile(account: Arc<Account>, ctx: Arc<Context>) -> Result<Action, Error> {
    // The status lists tenants from the Tenant store: wait for its first list, or a restarted
    // controller would write empty lists and then the right ones.
    if !ctx.listed.is_listed() {
        return Ok(Action::requeue(Duration::from_millis(200)));
    }
    let name = account.name_any();
    let api: Api<ClusterRoleBinding> = Api::all(ctx.client.clone());
    let binding_name = admin_binding_name(&name);
    let current = ctx.bindings.get(&ObjectRef::new(&binding_name));
    let mut wrote = false;
    match (desired_binding(&account), current) {
        (Some(want), Some(have))
            if have.role_ref == want.role_ref && have.subjects == want.subjects => {}
        (Some(want), _) => {
            api.patch(
                &binding_name,
                &PatchParams::apply(CONTROLLER_MANAGER).force(),
                &Patch::Apply(&want),
            )
            .await
            .map_err(kube_err(format!("applying {binding_name}")))?;
            wrote = true;
        }
        (None, Some(_)) => {
            match api.delete(&binding_name, &DeleteParams::default()).await {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 404 => {}
                Err(e) => return Err(kube_err(format!("deleting {binding_name}"))(e)),
            }
            wrote = true;
        }
        (None, None) => {}
    }
    let tenants = memberships(&name, &ctx.tenants.state());
    let current = account
        .status
        .as_ref()
        .map(|s| s.tenants.clone())
        .unwrap_or_default();
    if tenants != current {
        let accounts: Api<Account> = Api::all(ctx.client.clone());
        accounts
            .patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(serde_json::json!({ "status": { "tenants": tenants } })),
            )
            .await
            .map_err(kube_err(format!("updating account {name} status")))?;
        wrote = true;
    }
    runtime::wrote(wrote);
    Ok(Action::requeue(Duration::from_secs(3600)))
}

/// How soon a failed reconcile is tried again.
const RETRY: Duration = Duration::from_secs(5);

/// Runs the account controller until the floor's shutdown.
pub async fn run(floor: Floor) {
    let stores = &floor.stores;
    let accounts = stores.accounts().store();
    let ctx = Arc::new(Context {
        client: stores.client().clone(),
        tenants: stores.tenants().store(),
        bindings: stores.cluster_role_bindings().store(),
        listed: stores
            .tenants()
            .listed()
            .and(stores.cluster_role_bindings().listed()),
    });
    let controller = Controller::for_shared_stream(stores.accounts().subscribe(), accounts.clone())
        // A tenant change concerns its members and everyone whose status still lists it
        // (a removed member).
        .watches_shared_stream(
            stores.tenants().subscribe(),
            concerned(accounts.clone(), |tenant: &Tenant, a: &Account| {
                let account = a.name_any();
                tenant.spec.members.iter().any(|m| m.account == account)
                    || a.status
                        .as_ref()
                        .is_some_and(|s| s.tenants.iter().any(|t| t.tenant == tenant.name_any()))
            }),
        )
        // The binding of an admin account, changed or deleted by someone else.
        .watches_shared_stream(
            stores.cluster_role_bindings().subscribe(),
            |binding: Arc<ClusterRoleBinding>| {
                binding
                    .owner_references()
                    .iter()
                    .filter(|o| o.kind == "Account")
                    .map(|o| ObjectRef::<Account>::new(&o.name))
                    .collect::<Vec<_>>()
            },
        );
    let reconciler = Reconciler {
        name: "account",
        retry: RETRY,
    };
    runtime::reconcile::run(&floor, reconciler, controller, reconcile, ctx).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::AccountSpec;

    fn account(admin: bool, disabled: bool) -> Account {
        let mut a = Account::new(
            "alice",
            AccountSpec {
                admin,
                disabled,
                ..Default::default()
            },
        );
        a.metadata.uid = Some("u1".into());
        a
    }

    #[test]
    fn only_an_enabled_admin_gets_cluster_admin_as_a_user() {
        let b = desired_binding(&account(true, false)).unwrap();
        assert_eq!(b.role_ref.name, "cluster-admin");
        let subjects = b.subjects.unwrap();
        assert_eq!(subjects.len(), 1);
        assert_eq!(
            (subjects[0].kind.as_str(), subjects[0].name.as_str()),
            ("User", "alice")
        );
        assert!(desired_binding(&account(true, true)).is_none());
        assert!(desired_binding(&account(false, false)).is_none());
    }
}
