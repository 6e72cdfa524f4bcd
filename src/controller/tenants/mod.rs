//! The tenant reconciler: a Tenant's namespaces, its members' role bindings in them, and its
//! own access rules.
//!
//! - Namespaces are created labelled with the tenant, Pod Security Admission labels
//!   (`enforce: baseline`) and, for dedicated nodes, the PodNodeSelector annotation. A namespace
//!   that exists and is not the tenant's is never adopted: condition NamespaceConflict.
//! - Roles are RoleBindings naming member accounts as users (never a group in a certificate),
//!   so removing a member or disabling an account takes effect at once; RoleBindings made by
//!   hand in the tenant's namespaces lose every user who is not an active member ([`revoke`]).
//! - Deleting a Tenant, or dropping a namespace from its list, deletes the namespace (finalizer)
//!   unless `keepNamespaces` is set; kept namespaces lose the tenant's label and bindings.
//! - A reconcile that finds nothing to change writes nothing.

mod desired;
pub mod network;
mod requested;
pub mod revoke;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::finalizer::{Event, finalizer};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};

use super::runtime::{self, Floor, Listed, Reconciler, concerned, everything, kube_err};
use crate::api::consts::{
    CONTROLLER_MANAGER, ISOLATED_LABEL, NODE_SELECTOR_ANNOTATION, POD_SECURITY_LABELS,
    TENANT_FINALIZER, TENANT_LABEL,
};
use crate::api::{Account, Role, Site, Tenant, TenantStatus};
pub use desired::{
    active_members, binding_name, cluster_role_for, desired_access, desired_bindings,
    desired_namespace, desired_requested_bindings, desired_requested_roles, own_binding_names,
    requested_role_name,
};
use desired::{labels_contain, ready_condition, same_subjects};

/// Errors of one reconcile: a Kubernetes call, or the finalizer's own step.
pub use super::runtime::FinalizedError as Error;

/// What every reconcile shares.
pub struct Context {
    /// The client.
    pub client: kube::Client,
    /// Every Account, kept current by a watch.
    pub accounts: Store<Account>,
    /// The Site objects (the default NetworkPolicy of tenant namespaces).
    pub sites: Store<Site>,
    /// Every RoleBinding, kept current by a watch: hand-made ones in tenant namespaces are
    /// checked against the members.
    pub role_bindings: Store<RoleBinding>,
    /// The ClusterRoles made for tenants: their access roles, their roles of requested
    /// resources, and the grants of CRDs approved for them (which tenants need those roles).
    pub cluster_roles: Store<ClusterRole>,
    /// The ClusterRoleBindings ike manages (the tenants' access to their Tenant objects).
    pub cluster_role_bindings: Store<ClusterRoleBinding>,
    /// The tenants' default NetworkPolicies.
    pub network_policies: Store<NetworkPolicy>,
    /// Every namespace.
    pub namespaces: Store<Namespace>,
    /// Whether every store above holds its first full list.
    pub listed: Listed,
}

impl Context {
    /// Whether every store holds its first full list: until then a member would look unknown
    /// and lose their bindings, and objects that exist would look missing.
    fn listed(&self) -> bool {
        self.listed.is_listed()
    }
}

/// The object named like `want` as `store` holds it (cluster-scoped or in `want`'s namespace).
fn stored<K>(store: &Store<K>, want: &K) -> Option<Arc<K>>
where
    K: Resource<DynamicType = ()> + Clone,
{
    let meta = want.meta();
    let mut key = ObjectRef::new(meta.name.as_deref().unwrap_or_default());
    if let Some(ns) = &meta.namespace {
        key = key.within(ns);
    }
    store.get(&key)
}

/// Server-side applies `object` as the controller, taking over fields others set.
async fn force_apply<K, T>(api: &Api<K>, name: &str, object: &T, what: &str) -> Result<(), Error>
where
    K: Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    T: serde::Serialize + std::fmt::Debug,
{
    api.patch(
        name,
        &PatchParams::apply(CONTROLLER_MANAGER).force(),
        &Patch::Apply(object),
    )
    .await
    .map_err(kube_err(format!("{what} {name}")))?;
    Ok(())
}

/// Applies `want` unless the object in `store` already matches (by `same`); returns whether
/// it wrote. The store, not a GET: a restart with nothing to do reads nothing one by one. A
/// store a moment behind costs at most an apply that changes nothing.
async fn apply_if_changed<K>(
    api: &Api<K>,
    store: &Store<K>,
    want: &K,
    same: impl FnOnce(&K) -> bool,
) -> Result<bool, Error>
where
    K: Resource<DynamicType = ()>
        + Clone
        + serde::Serialize
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let name = want.meta().name.clone().unwrap_or_default();
    if stored(store, want).is_some_and(|have| same(&have)) {
        return Ok(false);
    }
    force_apply(api, &name, want, "applying").await?;
    Ok(true)
}

async fn apply(tenant: Arc<Tenant>, ctx: Arc<Context>) -> Result<Action, Error> {
    // A restarted controller changes nothing before it knows what is there.
    if !ctx.listed() {
        return Ok(Action::requeue(Duration::from_millis(200)));
    }
    let name = tenant.name_any();
    let client = &ctx.client;
    let (members, unknown) = active_members(&tenant, |a| ctx.accounts.get(&ObjectRef::new(a)));
    let mut wrote = false;

    // Access to the Tenant object itself.
    let roles: Api<ClusterRole> = Api::all(client.clone());
    let role_bindings: Api<ClusterRoleBinding> = Api::all(client.clone());
    for (role, binding) in desired_access(&tenant, &members) {
        let want_rules = role.rules.clone();
        wrote |=
            apply_if_changed(&roles, &ctx.cluster_roles, &role, |h| h.rules == want_rules).await?;
        let want_subjects = binding.subjects.clone();
        wrote |= apply_if_changed(&role_bindings, &ctx.cluster_role_bindings, &binding, |h| {
            same_subjects(&h.subjects, &want_subjects)
        })
        .await?;
    }
    // The tenant's own roles for the resources it requested, once a CRD was approved for it.
    let requested = requested::has_grants(&ctx.cluster_roles, &name);
    wrote |= requested::reconcile_roles(&ctx, &tenant, requested).await?;

    // Namespaces, their default network policy and bindings.
    let isolation = crate::controller::runtime::site_policy(&ctx.sites)
        .tenants
        .network_isolation;
    if let Some(isolation) = &isolation {
        wrote |= network::label_platform_namespaces(&ctx, isolation).await?;
    }
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut held = Vec::new();
    let mut conflicts = Vec::new();
    for ns in &tenant.spec.namespaces {
        let want = desired_namespace(&tenant, ns);
        // Read from the store; one it does not hold is asked for before it is made, so that a
        // namespace someone made a moment ago is never adopted.
        let have = match ctx.namespaces.get(&ObjectRef::new(ns)) {
            Some(have) => Some(have),
            None => namespaces
                .get_opt(ns)
                .await
                .map_err(kube_err(format!("reading namespace {ns}")))?
                .map(Arc::new),
        };
        match have.as_deref() {
            Some(h) if h.labels().get(TENANT_LABEL) != Some(&name) => {
                conflicts.push(ns.clone());
                continue;
            }
            Some(h) if h.metadata.deletion_timestamp.is_some() => {
                conflicts.push(ns.clone());
                continue;
            }
            Some(h)
                if labels_contain(&h.metadata.labels, &want.metadata.labels)
                    && h.annotations().get(NODE_SELECTOR_ANNOTATION)
                        == want
                            .metadata
                            .annotations
                            .as_ref()
                            .and_then(|a| a.get(NODE_SELECTOR_ANNOTATION)) => {}
            _ => {
                force_apply(&namespaces, ns, &want, "applying namespace").await?;
                wrote = true;
            }
        }
        wrote |= network::reconcile_policy(&ctx, &tenant, ns, isolation.as_ref()).await?;
        let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
        for binding in desired_bindings(&tenant, ns, &members) {
            let want_subjects = binding.subjects.clone();
            let want_ref = binding.role_ref.clone();
            wrote |= apply_if_changed(&bindings, &ctx.role_bindings, &binding, |h| {
                same_subjects(&h.subjects, &want_subjects) && h.role_ref == want_ref
            })
            .await?;
        }
        wrote |= requested::reconcile_bindings(&ctx, &tenant, ns, &members, requested).await?;
        held.push(ns.clone());
    }

    wrote |= revoke::remove_foreign_bindings(&ctx, &name, &held).await?;
    wrote |= revoke::revoke_hand_made_access(&ctx, &tenant, &held).await?;

    // Namespaces the tenant no longer lists go as on tenant deletion: deleted, or released
    // with `keepNamespaces`.
    let previous: Vec<String> = tenant
        .status
        .as_ref()
        .map(|s| s.namespaces.clone())
        .unwrap_or_default();
    for ns in previous.iter().filter(|ns| !held.contains(ns)) {
        wrote |= remove_namespace(client, &name, ns, tenant.spec.keep_namespaces).await?;
    }

    let owners = tenant
        .spec
        .members
        .iter()
        .filter(|m| m.role == Role::Owner)
        .count();
    let generation = tenant.metadata.generation;
    let old = tenant.status.clone().unwrap_or_default();
    let ready = if !conflicts.is_empty() {
        ready_condition(
            false,
            "NamespaceConflict",
            format!(
                "namespaces {} exist and belong to someone else: choose other names or ask a platform admin",
                conflicts.join(", ")
            ),
            generation,
            &old.conditions,
        )
    } else if !unknown.is_empty() {
        ready_condition(
            false,
            "UnknownAccount",
            format!(
                "no account named {}: create it with 'ike account create' or fix the member list",
                unknown.join(", ")
            ),
            generation,
            &old.conditions,
        )
    } else if owners == 0 {
        ready_condition(false, "NoOwner", "the tenant has no owner: add one with 'ike tenant add-member TENANT ACCOUNT --role owner'".into(), generation, &old.conditions)
    } else {
        ready_condition(
            true,
            "Ready",
            format!(
                "{} namespaces, {} members",
                held.len(),
                tenant.spec.members.len()
            ),
            generation,
            &old.conditions,
        )
    };
    let status = TenantStatus {
        conditions: vec![ready],
        namespaces: held,
        observed_generation: generation,
    };
    if status != old {
        let api: Api<Tenant> = Api::all(client.clone());
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({ "status": status })),
        )
        .await
        .map_err(kube_err(format!("updating tenant {name} status")))?;
        wrote = true;
    }
    runtime::wrote(wrote);
    let ready = status
        .conditions
        .first()
        .is_some_and(|c| c.status == "True");
    Ok(Action::requeue(Duration::from_secs(if ready {
        3600
    } else {
        30
    })))
}

/// Namespace `ns`, if it exists and is labelled as `tenant`'s.
async fn held_by(
    namespaces: &Api<Namespace>,
    tenant: &str,
    ns: &str,
) -> Result<Option<Namespace>, Error> {
    let have = namespaces
        .get_opt(ns)
        .await
        .map_err(kube_err(format!("reading namespace {ns}")))?;
    Ok(have.filter(|n| n.labels().get(TENANT_LABEL).map(String::as_str) == Some(tenant)))
}

/// Deletes a namespace the tenant holds, or releases it when `keep` is set. Never touches a
/// namespace that is not labelled as the tenant's.
async fn remove_namespace(
    client: &kube::Client,
    tenant: &str,
    ns: &str,
    keep: bool,
) -> Result<bool, Error> {
    if keep {
        return release_namespace(client, tenant, ns).await;
    }
    let namespaces: Api<Namespace> = Api::all(client.clone());
    match held_by(&namespaces, tenant, ns).await? {
        Some(have) if have.metadata.deletion_timestamp.is_none() => {}
        _ => return Ok(false),
    }
    match namespaces.delete(ns, &DeleteParams::default()).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(kube_err(format!("deleting namespace {ns}"))(e).into()),
    }
}

/// Removes the tenant's label, node selector and bindings from a namespace it no longer holds.
/// Host isolation stays: the isolation and Pod Security labels are kept, so workloads left
/// behind cannot start reaching the host once the namespace is no longer a tenant's.
async fn release_namespace(client: &kube::Client, tenant: &str, ns: &str) -> Result<bool, Error> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    if held_by(&namespaces, tenant, ns).await?.is_none() {
        return Ok(false);
    }
    let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
    for name in own_binding_names() {
        match bindings.delete(&name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(kube_err(format!("deleting bindings in {ns}"))(e).into()),
        }
    }
    // Applying only the isolation labels drops everything else our field manager set.
    let mut labels = serde_json::Map::new();
    labels.insert(ISOLATED_LABEL.into(), "true".into());
    for (k, v) in POD_SECURITY_LABELS {
        labels.insert(k.into(), v.into());
    }
    let empty = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": { "name": ns, "labels": labels },
    });
    force_apply(&namespaces, ns, &empty, "releasing namespace").await?;
    Ok(true)
}

async fn cleanup(tenant: Arc<Tenant>, ctx: Arc<Context>) -> Result<Action, Error> {
    let name = tenant.name_any();
    let held: Vec<String> = tenant
        .status
        .as_ref()
        .map(|s| s.namespaces.clone())
        .unwrap_or_default();
    for ns in tenant
        .spec
        .namespaces
        .iter()
        .chain(held.iter())
        .collect::<BTreeSet<_>>()
    {
        remove_namespace(&ctx.client, &name, ns, tenant.spec.keep_namespaces).await?;
    }
    tracing::info!(tenant = %name, keep = tenant.spec.keep_namespaces, "tenant cleaned up");
    Ok(Action::await_change())
}

/// One reconcile: the finalizer wraps apply and cleanup.
pub async fn reconcile(tenant: Arc<Tenant>, ctx: Arc<Context>) -> Result<Action, Error> {
    let api: Api<Tenant> = Api::all(ctx.client.clone());
    finalizer(&api, TENANT_FINALIZER, tenant, |event| async {
        match event {
            Event::Apply(t) => apply(t, ctx.clone()).await,
            Event::Cleanup(t) => cleanup(t, ctx.clone()).await,
        }
    })
    .await
    .map_err(|e| Error::Finalizer(Box::new(e)))
}

/// Whether `tenant` lists or holds namespace `ns`.
pub fn holds(tenant: &Tenant, ns: &str) -> bool {
    tenant.spec.namespaces.iter().any(|n| n == ns)
        || tenant
            .status
            .as_ref()
            .is_some_and(|s| s.namespaces.iter().any(|n| n == ns))
}

/// Whether a change of `binding` concerns `tenant`: it is in one of the tenant's namespaces.
pub fn binding_concerns(binding: &RoleBinding, tenant: &Tenant) -> bool {
    binding.namespace().is_some_and(|ns| holds(tenant, &ns))
}

/// How soon a failed reconcile is tried again.
const RETRY: Duration = Duration::from_secs(2);

/// Runs the tenant controller until the floor's shutdown.
pub async fn run(floor: Floor) {
    let stores = &floor.stores;
    let tenants = stores.tenants().store();
    let ctx = Arc::new(Context {
        client: stores.client().clone(),
        accounts: stores.accounts().store(),
        sites: stores.sites().store(),
        role_bindings: stores.role_bindings().store(),
        cluster_roles: stores.cluster_roles().store(),
        cluster_role_bindings: stores.cluster_role_bindings().store(),
        network_policies: stores.network_policies().store(),
        namespaces: stores.namespaces().store(),
        listed: stores
            .accounts()
            .listed()
            .and(stores.sites().listed())
            .and(stores.role_bindings().listed())
            .and(stores.cluster_roles().listed())
            .and(stores.cluster_role_bindings().listed())
            .and(stores.network_policies().listed())
            .and(stores.namespaces().listed()),
    });
    let controller = Controller::for_shared_stream(stores.tenants().subscribe(), tenants.clone())
        .watches_shared_stream(
            stores.accounts().subscribe(),
            concerned(tenants.clone(), |account: &Account, t: &Tenant| {
                let name = account.name_any();
                t.spec.members.iter().any(|m| m.account == name)
            }),
        )
        // The site's policy concerns every tenant.
        .watches_shared_stream(
            stores.sites().subscribe(),
            everything::<Tenant, Site>(tenants.clone()),
        )
        // A namespace, binding or network policy concerns the tenant that lists or holds its
        // namespace, whatever its `ike.dev/tenant` label says: a label anyone could copy must not
        // make another tenant reconcile.
        .watches_shared_stream(
            stores.namespaces().subscribe(),
            concerned(tenants.clone(), |ns: &Namespace, t| {
                holds(t, &ns.name_any())
            }),
        )
        .watches_shared_stream(
            stores.role_bindings().subscribe(),
            concerned(tenants.clone(), binding_concerns),
        )
        // A CRD approved for a tenant (or deleted), or one of its ClusterRoles or bindings
        // changed behind its back: the tenant named in the label.
        .watches_shared_stream(stores.cluster_roles().subscribe(), |role| {
            requested::labelled_tenant(&*role)
        })
        .watches_shared_stream(stores.cluster_role_bindings().subscribe(), |binding| {
            requested::labelled_tenant(&*binding)
        })
        .watches_shared_stream(
            stores.network_policies().subscribe(),
            concerned(tenants, |np: &NetworkPolicy, t| {
                np.namespace().is_some_and(|ns| holds(t, &ns))
            }),
        );
    let reconciler = Reconciler {
        name: "tenant",
        retry: RETRY,
    };
    runtime::reconcile::run(&floor, reconciler, controller, reconcile, ctx).await;
}

#[cfg(test)]
mod tests {
    use kube::runtime::watcher;

    use super::*;
    use crate::api::fixtures::{status, tenant};

    #[test]
    fn an_object_labelled_with_another_tenant_concerns_only_the_tenant_holding_its_namespace() {
        let (store, mut writer) = kube::runtime::reflector::store::<Tenant>();
        let mut a = tenant("a", &[("alice", Role::Owner)], &["a-prod"]);
        a.status = Some(status(&["a-prod", "a-old"], None));
        let b = tenant("b", &[("bob", Role::Owner)], &["b-prod"]);
        for t in [a, b] {
            writer.apply_watcher_event(&watcher::Event::Apply(t));
        }
        let mapper = concerned(store, binding_concerns);
        let binding = |ns: &str, label: &str| {
            let mut rb = RoleBinding::default();
            rb.metadata.name = Some("x".into());
            rb.metadata.namespace = Some(ns.into());
            rb.metadata.labels = Some([(TENANT_LABEL.to_string(), label.to_string())].into());
            rb
        };
        let names = |refs: Vec<ObjectRef<Tenant>>| -> Vec<String> {
            refs.into_iter().map(|r| r.name).collect()
        };
        // In a's namespace, labelled as b's: a reconciles, b does not.
        assert_eq!(names(mapper(Arc::new(binding("a-prod", "b")))), ["a"]);
        // A namespace a still holds (dropped from its list, not yet released) counts.
        assert_eq!(names(mapper(Arc::new(binding("a-old", "b")))), ["a"]);
        // Anywhere else: nobody, whatever the label.
        assert!(mapper(Arc::new(binding("kube-system", "b"))).is_empty());
        assert!(holds(
            &tenant("c", &[("carol", Role::Owner)], &["c-ns"]),
            "c-ns"
        ));
        assert!(!holds(
            &tenant("c", &[("carol", Role::Owner)], &["c-ns"]),
            "b-prod"
        ));
    }
}
