//! The tenant reconciler: a Tenant's namespaces, its members' role bindings in them, and its
//! own access rules.
//!
//! - Namespaces are created labelled with the tenant, Pod Security Admission labels
//!   (`enforce: baseline`) and, for dedicated nodes, the PodNodeSelector annotation. A namespace
//!   that exists and is not the tenant's is never adopted: condition NamespaceConflict.
//! - Roles are RoleBindings naming member accounts as users (never a group in a certificate),
//!   so removing a member or disabling an account takes effect at once.
//! - Deleting a Tenant, or dropping a namespace from its list, deletes the namespace (finalizer)
//!   unless `keepNamespaces` is set; kept namespaces lose the tenant's label and bindings.
//! - A reconcile that finds nothing to change writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::api::{Api, DeleteParams, ObjectMeta, Patch, PatchParams};
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::finalizer::{Event, finalizer};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Resource, ResourceExt};

use super::metrics::Metrics;
use crate::api::{Account, Role, Tenant, TenantStatus};
use crate::consts::{
    CONTROLLER_MANAGER, ISOLATED_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE,
    NODE_SELECTOR_ANNOTATION, POD_SECURITY_LABELS, TENANT_FINALIZER, TENANT_LABEL,
};

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
}

/// The ClusterRole a tenant role gets in each of the tenant's namespaces.
pub fn cluster_role_for(role: Role) -> &'static str {
    match role {
        Role::Owner => "admin",
        Role::Member => "edit",
        Role::Viewer => "view",
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Member => "member",
        Role::Viewer => "viewer",
    }
}

/// The RoleBinding name of a tenant role in a namespace.
pub fn binding_name(role: Role) -> String {
    format!("ike:tenant:{}", role_name(role))
}

fn labels(tenant: &str) -> BTreeMap<String, String> {
    [
        (TENANT_LABEL.to_string(), tenant.to_string()),
        (MANAGED_BY_LABEL.to_string(), MANAGED_BY_VALUE.to_string()),
    ]
    .into()
}

fn user(name: &str) -> Subject {
    Subject {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: "User".into(),
        name: name.to_string(),
        namespace: None,
    }
}

/// The accounts that hold each role: members whose Account exists and is enabled, sorted.
pub fn active_members(
    tenant: &Tenant,
    account: impl Fn(&str) -> Option<Arc<Account>>,
) -> (BTreeMap<Role, Vec<String>>, Vec<String>) {
    let mut by_role: BTreeMap<Role, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for m in &tenant.spec.members {
        match account(&m.account) {
            None => unknown.push(m.account.clone()),
            Some(a) if a.spec.disabled || a.metadata.deletion_timestamp.is_some() => {}
            Some(_) => by_role.entry(m.role).or_default().push(m.account.clone()),
        }
    }
    for accounts in by_role.values_mut() {
        accounts.sort();
        accounts.dedup();
    }
    unknown.sort();
    unknown.dedup();
    (by_role, unknown)
}

/// The namespace object a tenant wants.
pub fn desired_namespace(tenant: &Tenant, name: &str) -> Namespace {
    let mut labels = labels(&tenant.name_any());
    labels.insert(ISOLATED_LABEL.to_string(), "true".to_string());
    for (k, v) in POD_SECURITY_LABELS {
        labels.insert(k.to_string(), v.to_string());
    }
    let annotations = tenant.spec.node_selector.as_ref().map(|sel| {
        let value = sel
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        BTreeMap::from([(NODE_SELECTOR_ANNOTATION.to_string(), value)])
    });
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(labels),
            annotations,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The RoleBindings a tenant wants in one namespace: one per role, naming its active accounts.
pub fn desired_bindings(
    tenant: &Tenant,
    namespace: &str,
    members: &BTreeMap<Role, Vec<String>>,
) -> Vec<RoleBinding> {
    [Role::Owner, Role::Member, Role::Viewer]
        .into_iter()
        .map(|role| RoleBinding {
            metadata: ObjectMeta {
                name: Some(binding_name(role)),
                namespace: Some(namespace.to_string()),
                labels: Some(labels(&tenant.name_any())),
                ..Default::default()
            },
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: cluster_role_for(role).into(),
            },
            subjects: Some(
                members
                    .get(&role)
                    .into_iter()
                    .flatten()
                    .map(|a| user(a))
                    .collect(),
            ),
        })
        .collect()
}

/// The per-tenant ClusterRoles and bindings: every member may read the Tenant object; owners
/// may also change it (members, namespaces).
pub fn desired_access(
    tenant: &Tenant,
    members: &BTreeMap<Role, Vec<String>>,
) -> Vec<(ClusterRole, ClusterRoleBinding)> {
    let name = tenant.name_any();
    let owner_ref = tenant.controller_owner_ref(&()).map(|o| vec![o]);
    let rule = |verbs: &[&str]| PolicyRule {
        api_groups: Some(vec![crate::consts::API_GROUP.into()]),
        resources: Some(vec!["tenants".into()]),
        resource_names: Some(vec![name.clone()]),
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        ..Default::default()
    };
    let all: Vec<String> = members
        .values()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let owners = members.get(&Role::Owner).cloned().unwrap_or_default();
    [
        (
            format!("ike:tenant:{name}:reader"),
            rule(&["get", "watch"]),
            all,
        ),
        (
            format!("ike:tenant:{name}:owner"),
            rule(&["get", "watch", "update", "patch"]),
            owners,
        ),
    ]
    .into_iter()
    .map(|(role_name, rule, subjects)| {
        let meta = ObjectMeta {
            name: Some(role_name.clone()),
            labels: Some(labels(&name)),
            owner_references: owner_ref.clone(),
            ..Default::default()
        };
        (
            ClusterRole {
                metadata: meta.clone(),
                rules: Some(vec![rule]),
                ..Default::default()
            },
            ClusterRoleBinding {
                metadata: meta,
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: role_name,
                },
                subjects: Some(subjects.iter().map(|s| user(s)).collect()),
            },
        )
    })
    .collect()
}

/// Subjects as the API server stores them: it omits an empty list.
fn same_subjects(have: &Option<Vec<Subject>>, want: &Option<Vec<Subject>>) -> bool {
    have.as_deref().unwrap_or_default() == want.as_deref().unwrap_or_default()
}

fn labels_contain(
    have: &Option<BTreeMap<String, String>>,
    want: &Option<BTreeMap<String, String>>,
) -> bool {
    let have = have.clone().unwrap_or_default();
    want.iter().flatten().all(|(k, v)| have.get(k) == Some(v))
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
    api.patch(
        &name,
        &PatchParams::apply(CONTROLLER_MANAGER).force(),
        &Patch::Apply(want),
    )
    .await
    .map_err(kube_err(format!("applying {name}")))?;
    Ok(true)
}

fn condition(
    status: bool,
    reason: &str,
    message: String,
    generation: Option<i64>,
    previous: &[Condition],
) -> Condition {
    let status = if status { "True" } else { "False" }.to_string();
    let last = previous.iter().find(|c| c.type_ == "Ready");
    let unchanged =
        last.is_some_and(|c| c.status == status && c.reason == reason && c.message == message);
    Condition {
        type_: "Ready".into(),
        status,
        reason: reason.into(),
        message,
        observed_generation: generation,
        last_transition_time: match (unchanged, last) {
            (true, Some(c)) => c.last_transition_time.clone(),
            _ => Time(k8s_openapi::jiff::Timestamp::now()),
        },
    }
}

async fn apply(tenant: Arc<Tenant>, ctx: Arc<Context>) -> Result<Action, Error> {
    // Until the first list of Accounts is in, every member would look unknown and lose their
    // bindings: a restarted controller must change nothing before it knows the accounts.
    if ctx.accounts.wait_until_ready().now_or_never().is_none() {
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

    // Namespaces and bindings.
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
                namespaces
                    .patch(
                        ns,
                        &PatchParams::apply(CONTROLLER_MANAGER).force(),
                        &Patch::Apply(&want),
                    )
                    .await
                    .map_err(kube_err(format!("applying namespace {ns}")))?;
                wrote = true;
            }
        }
        let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
        for binding in desired_bindings(&tenant, ns, &members) {
            let want_subjects = binding.subjects.clone();
            let want_ref = binding.role_ref.clone();
            wrote |= apply_if_changed(&bindings, &binding, |h| {
                same_subjects(&h.subjects, &want_subjects) && h.role_ref == want_ref
            })
            .await?;
        }
        held.push(ns.clone());
    }

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
        condition(
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
        condition(
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
        condition(false, "NoOwner", "the tenant has no owner: add one with 'ike tenant add-member TENANT ACCOUNT --role owner'".into(), generation, &old.conditions)
    } else {
        condition(
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
    let Some(have) = namespaces
        .get_opt(ns)
        .await
        .map_err(kube_err(format!("reading namespace {ns}")))?
    else {
        return Ok(false);
    };
    if have.labels().get(TENANT_LABEL).map(String::as_str) != Some(tenant)
        || have.metadata.deletion_timestamp.is_some()
    {
        return Ok(false);
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
    let Some(have) = namespaces
        .get_opt(ns)
        .await
        .map_err(kube_err(format!("reading namespace {ns}")))?
    else {
        return Ok(false);
    };
    if have.labels().get(TENANT_LABEL).map(String::as_str) != Some(tenant) {
        return Ok(false);
    }
    let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
    for role in [Role::Owner, Role::Member, Role::Viewer] {
        match bindings
            .delete(&binding_name(role), &DeleteParams::default())
            .await
        {
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
    namespaces
        .patch(
            ns,
            &PatchParams::apply(CONTROLLER_MANAGER).force(),
            &Patch::Apply(&empty),
        )
        .await
        .map_err(kube_err(format!("releasing namespace {ns}")))?;
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

/// Retries failed reconciles with a short delay.
pub fn error_policy(tenant: Arc<Tenant>, error: &Error, ctx: Arc<Context>) -> Action {
    tracing::warn!(tenant = %tenant.name_any(), error = %super::chain(error), "reconcile failed");
    ctx.metrics
        .observe_reconcile("tenant", Duration::ZERO, false, false);
    Action::requeue(Duration::from_secs(2))
}

/// Runs the tenant controller until `shutdown` resolves.
pub async fn run(
    client: kube::Client,
    metrics: Arc<Metrics>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let (accounts, account_events) = super::reflect::<Account>(&client);
    let (tenants, tenant_events) = super::reflect::<Tenant>(&client);
    let controller = Controller::for_stream(tenant_events, tenants.clone());
    let managed = watcher::Config::default().labels(TENANT_LABEL);
    let ctx = Arc::new(Context {
        client: client.clone(),
        metrics,
        accounts,
    });
    controller
        .watches_stream(account_events, move |account: Account| {
            let name = account.name_any();
            tenants
                .state()
                .into_iter()
                .filter(|t| t.spec.members.iter().any(|m| m.account == name))
                .map(|t| ObjectRef::from_obj(&*t))
                .collect::<Vec<_>>()
        })
        // Namespaces and bindings only trigger reconciles: their metadata is enough.
        .watches_stream(
            watcher(
                Api::<PartialObjectMeta<Namespace>>::all(client.clone()),
                managed.clone(),
            )
            .default_backoff()
            .touched_objects(),
            |ns| ns.labels().get(TENANT_LABEL).map(|t| ObjectRef::new(t)),
        )
        .watches_stream(
            watcher(
                Api::<PartialObjectMeta<RoleBinding>>::all(client.clone()),
                managed,
            )
            .default_backoff()
            .touched_objects(),
            |rb| rb.labels().get(TENANT_LABEL).map(|t| ObjectRef::new(t)),
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
