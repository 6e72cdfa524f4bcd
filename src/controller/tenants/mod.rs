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
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::finalizer::{Event, finalizer};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Resource, ResourceExt};

use super::metrics::Metrics;
use crate::api::consts::{
    CONTROLLER_MANAGER, ISOLATED_LABEL, NODE_SELECTOR_ANNOTATION, POD_SECURITY_LABELS,
    TENANT_FINALIZER, TENANT_LABEL,
};
use crate::api::request::AGGREGATE_LABEL;
use crate::api::{Account, Role, Site, Tenant, TenantStatus};
pub use desired::{
    active_members, binding_name, cluster_role_for, desired_access, desired_bindings,
    desired_namespace, desired_requested_bindings, desired_requested_roles, own_binding_names,
    requested_role_name,
};
use desired::{labels_contain, ready_condition, same_subjects};

/// Errors of one reconcile.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request to the API server failed.
    #[error("{what} failed")]
    Kube {
        /// What was being done.
        what: String,
        /// Why.
        source: kube::Error,
    },
    /// Adding or removing the finalizer failed.
    #[error("finalizer")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
}

fn kube_err(what: impl Into<String>) -> impl FnOnce(kube::Error) -> Error {
    let what = what.into();
    move |source| Error::Kube { what, source }
}

/// What every reconcile shares.
pub struct Context {
    /// The client.
    pub client: kube::Client,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Every Account, kept current by a watch.
    pub accounts: Store<Account>,
    /// The Site objects (the default NetworkPolicy of tenant namespaces).
    pub sites: Store<Site>,
    /// Every RoleBinding, kept current by a watch: hand-made ones in tenant namespaces are
    /// checked against the members.
    pub role_bindings: Store<RoleBinding>,
    /// The grants of CRDs approved for tenants (ClusterRoles labelled `ike.dev/aggregate-to`),
    /// metadata only: which tenants need roles of requested resources, and whose a grant is.
    pub grants: Store<PartialObjectMeta<ClusterRole>>,
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

/// Applies `want` unless `have` already matches (by `same`); returns whether it wrote.
async fn apply_if_changed<K>(
    api: &Api<K>,
    want: &K,
    same: impl FnOnce(&K) -> bool,
) -> Result<bool, Error>
where
    K: Resource + Clone + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let name = want.meta().name.clone().unwrap_or_default();
    let have = api
        .get_opt(&name)
        .await
        .map_err(kube_err(format!("reading {name}")))?;
    if have.as_ref().is_some_and(same) {
        return Ok(false);
    }
    force_apply(api, &name, want, "applying").await?;
    Ok(true)
}

async fn apply(tenant: Arc<Tenant>, ctx: Arc<Context>) -> Result<Action, Error> {
    // Until the first list of Accounts is in, every member would look unknown and lose their
    // bindings: a restarted controller must change nothing before it knows the accounts.
    if ctx.accounts.wait_until_ready().now_or_never().is_none()
        || ctx
            .role_bindings
            .wait_until_ready()
            .now_or_never()
            .is_none()
        || ctx.grants.wait_until_ready().now_or_never().is_none()
    {
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
        wrote |= apply_if_changed(&roles, &role, |h| h.rules == want_rules).await?;
        let want_subjects = binding.subjects.clone();
        wrote |= apply_if_changed(&role_bindings, &binding, |h| {
            same_subjects(&h.subjects, &want_subjects)
        })
        .await?;
    }
    // The tenant's own roles for the resources it requested, once a CRD was approved for it.
    let requested = requested::has_grants(&ctx.grants, &name);
    wrote |= requested::reconcile_roles(&ctx, &tenant, requested).await?;

    // Namespaces, their default network policy and bindings.
    let isolation = Site::policy(ctx.sites.state().iter().map(|s| &**s))
        .tenants
        .network_isolation;
    if let Some(isolation) = &isolation {
        wrote |= network::label_platform_namespaces(client, isolation).await?;
    }
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut held = Vec::new();
    let mut conflicts = Vec::new();
    for ns in &tenant.spec.namespaces {
        let want = desired_namespace(&tenant, ns);
        let have = namespaces
            .get_opt(ns)
            .await
            .map_err(kube_err(format!("reading namespace {ns}")))?;
        match &have {
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
        wrote |= network::reconcile_policy(client, &tenant, ns, isolation.as_ref()).await?;
        let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
        for binding in desired_bindings(&tenant, ns, &members) {
            let want_subjects = binding.subjects.clone();
            let want_ref = binding.role_ref.clone();
            wrote |= apply_if_changed(&bindings, &binding, |h| {
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
    ctx.metrics.count_write("tenant", wrote);
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
        Err(e) => Err(kube_err(format!("deleting namespace {ns}"))(e)),
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
            Err(e) => return Err(kube_err(format!("deleting bindings in {ns}"))(e)),
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
    let started = Instant::now();
    let api: Api<Tenant> = Api::all(ctx.client.clone());
    let result = finalizer(&api, TENANT_FINALIZER, tenant, |event| async {
        match event {
            Event::Apply(t) => apply(t, ctx.clone()).await,
            Event::Cleanup(t) => cleanup(t, ctx.clone()).await,
        }
    })
    .await
    .map_err(|e| Error::Finalizer(Box::new(e)));
    if result.is_ok() {
        ctx.metrics
            .observe_reconcile("tenant", started.elapsed(), true, false);
    }
    result
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

/// Retries failed reconciles with a short delay.
pub fn error_policy(tenant: Arc<Tenant>, error: &Error, ctx: Arc<Context>) -> Action {
    super::retry_after("tenant", &tenant.name_any(), error, &ctx.metrics, RETRY)
}

/// Runs the tenant controller until `shutdown` resolves.
pub async fn run(
    client: kube::Client,
    metrics: Arc<Metrics>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let (accounts, account_events) = super::watch::reflect::<Account>(&client);
    let (tenants, tenant_events) = super::watch::reflect::<Tenant>(&client);
    let (sites, site_events) = super::watch::reflect::<Site>(&client);
    let (role_bindings, binding_events) = super::watch::reflect::<RoleBinding>(&client);
    let (grants, grant_writer) = kube::runtime::reflector::store();
    let grant_events = kube::runtime::reflector::reflector(
        grant_writer,
        watcher(
            Api::<PartialObjectMeta<ClusterRole>>::all(client.clone()),
            watcher::Config::default().labels(AGGREGATE_LABEL),
        ),
    )
    .default_backoff()
    .touched_objects();
    let controller = Controller::for_stream(tenant_events, tenants.clone());
    let all_tenants = tenants.clone();
    let managed = watcher::Config::default().labels(TENANT_LABEL);
    let ctx = Arc::new(Context {
        client: client.clone(),
        metrics,
        accounts,
        sites,
        role_bindings,
        grants,
    });
    controller
        .watches_stream(
            account_events,
            super::watch::concerned(tenants.clone(), |account: &Account, t: &Tenant| {
                let name = account.name_any();
                t.spec.members.iter().any(|m| m.account == name)
            }),
        )
        // The site's policy concerns every tenant.
        .watches_stream(site_events, move |_: Site| {
            all_tenants
                .state()
                .iter()
                .map(|t| ObjectRef::from_obj(&**t))
                .collect::<Vec<_>>()
        })
        // A namespace, binding or network policy concerns the tenant that lists or holds its
        // namespace, whatever its `ike.dev/tenant` label says: a label anyone could copy must not
        // make another tenant reconcile. Namespaces and network policies only trigger
        // reconciles: their metadata is enough.
        .watches_stream(
            watcher(
                Api::<PartialObjectMeta<Namespace>>::all(client.clone()),
                managed,
            )
            .default_backoff()
            .touched_objects(),
            super::watch::concerned(tenants.clone(), |ns: &PartialObjectMeta<Namespace>, t| {
                holds(t, &ns.name_any())
            }),
        )
        .watches_stream(
            binding_events,
            super::watch::concerned(tenants.clone(), binding_concerns),
        )
        // A CRD approved for a tenant (or deleted): its roles of requested resources.
        .watches_stream(grant_events, requested::grant_tenant)
        .watches_stream(
            watcher(
                Api::<PartialObjectMeta<k8s_openapi::api::networking::v1::NetworkPolicy>>::all(
                    client.clone(),
                ),
                watcher::Config::default().labels(TENANT_LABEL),
            )
            .default_backoff()
            .touched_objects(),
            super::watch::concerned(tenants, |np: &PartialObjectMeta<_>, t| {
                np.namespace().is_some_and(|ns| holds(t, &ns))
            }),
        )
        // Bounded: each reconcile in flight holds an HTTP/1.1 connection to the apiserver, and
        // unbounded bursts (a restart with hundreds of tenants) cost memory and apiserver time.
        .with_config(
            kube::runtime::controller::Config::default().concurrency(super::RECONCILE_CONCURRENCY),
        )
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx)
        .for_each(|_| async {})
        .await;
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
        let mapper = super::super::watch::concerned(store, binding_concerns);
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
        assert_eq!(names(mapper(binding("a-prod", "b"))), ["a"]);
        // A namespace a still holds (dropped from its list, not yet released) counts.
        assert_eq!(names(mapper(binding("a-old", "b"))), ["a"]);
        // Anywhere else: nobody, whatever the label.
        assert!(mapper(binding("kube-system", "b")).is_empty());
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
