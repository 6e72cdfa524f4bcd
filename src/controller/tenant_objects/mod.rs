//! The TenantObject reconciler: keeps a tenant-wide object's copy in every namespace its tenant
//! holds (or the listed ones), present and future, repairs drift, and removes the copies with
//! the declaration (finalizer) or from a namespace the tenant no longer holds.
//!
//! - Copies are written as the owner who declared the object ([`copies::impersonating`]): the
//!   API server's RBAC escalation check and ike's webhooks judge each as one that owner made by
//!   hand. A declaration whose owner is no longer one writes nothing new (Refused).
//! - A new namespace gets its copies at once: the tenant reconciler records it in the Tenant's
//!   status, whose change reconciles every declaration of that tenant.
//! - A RoleBinding copy changed by hand is repaired on its watch event (and compared every
//!   [`WATCHED_RESYNC`]); the other kinds are compared every [`RESYNC`].

pub mod copies;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::finalizer::{Event, finalizer};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};
use serde_json::Value;

use super::runtime::{self, Floor, KubeError, Listed, Reconciler, kube_err, tenant_of};
use crate::api::consts::{
    TENANT_OBJECT_FINALIZER, TENANT_OBJECT_LABEL, TENANT_OBJECT_NAMESPACE_LABEL,
};
use crate::api::tenant_object::rules::{kind_and_name, review_content};
use crate::api::tenant_object::{CopyKind, NamespaceState, desired_copy, target_namespaces};
use crate::api::{Account, Role, Site, Tenant, TenantObject, TenantObjectStatus, set_condition};
use copies::Outcome;

/// How often copies of kinds the controller does not watch are compared with the declaration
/// (a GET of each copy, as the declaring owner).
pub const RESYNC: Duration = Duration::from_secs(30);
/// How often RoleBinding declarations are compared anyway: their copies are watched, so a
/// change reconciles them at once and this is only a backstop.
pub const WATCHED_RESYNC: Duration = Duration::from_secs(600);
/// How many namespaces one reconcile writes to at once.
const FAN_OUT: usize = 16;

/// Errors of one reconcile: a Kubernetes call, or the finalizer's own step.
pub use super::runtime::FinalizedError as Error;

/// What every reconcile shares.
pub struct Context {
    /// The controller's client.
    pub client: kube::Client,
    /// Every Tenant: who holds the declaration's namespace, and which namespaces it holds.
    pub tenants: Store<Tenant>,
    /// Every Account: whether the declaring owner and the users a binding names are active.
    pub accounts: Store<Account>,
    /// The Site objects: the groups a tenant-wide binding may name.
    pub sites: Store<Site>,
    /// Whether the stores above hold their first full list.
    pub listed: Listed,
}

impl Context {
    fn active(&self, account: &str) -> bool {
        self.accounts
            .get(&ObjectRef::new(account))
            .is_some_and(|a| !a.spec.disabled)
    }

    fn is_admin(&self, account: &str) -> bool {
        self.accounts
            .get(&ObjectRef::new(account))
            .is_some_and(|a| a.spec.admin && !a.spec.disabled)
    }
}

/// Removes every copy of `object` in `namespaces` (those labelled as its copies only).
async fn remove_copies(
    ctx: &Context,
    object: &TenantObject,
    kind: CopyKind,
    name: &str,
    namespaces: impl IntoIterator<Item = String>,
) -> Result<bool, Error> {
    let home = object.namespace().unwrap_or_default();
    let declaration = object.name_any();
    let removals = namespaces.into_iter().map(|ns| {
        let (home, declaration) = (home.clone(), declaration.clone());
        async move { copies::remove(&ctx.client, kind, &declaration, &home, &ns, name).await }
    });
    let results: Vec<_> = futures::stream::iter(removals)
        .buffer_unordered(FAN_OUT)
        .collect()
        .await;
    let mut wrote = false;
    for result in results {
        wrote |= result?;
    }
    Ok(wrote)
}

/// The kind and name of the copies as the status last recorded them.
fn recorded_kind(object: &TenantObject) -> Option<(CopyKind, String)> {
    let status = object.status.as_ref()?;
    let kind = CopyKind::ALL
        .into_iter()
        .find(|k| Some(k.kind()) == status.kind.as_deref())?;
    Some((kind, status.name.clone()?))
}

/// Why `declared_by` may not write copies for `tenant`, if so.
fn not_an_owner(ctx: &Context, tenant: &Tenant, declared_by: Option<&str>) -> Option<String> {
    let tenant_name = tenant.name_any();
    match declared_by {
        None => Some("no spec.declaredBy: apply it again as an owner".into()),
        Some(by) if ctx.is_admin(by) => None,
        Some(by) if tenant.spec.role_of(by) == Some(Role::Owner) && ctx.active(by) => None,
        Some(by) => Some(format!(
            "{by}, who declared it, is no longer an owner of tenant {tenant_name}: an owner applies it again"
        )),
    }
}

async fn apply(object: Arc<TenantObject>, ctx: Arc<Context>) -> Result<Action, Error> {
    if !ctx.listed.is_listed() {
        return Ok(Action::requeue(Duration::from_millis(200)));
    }
    let home = object.namespace().unwrap_or_default();
    let declaration = object.name_any();
    let generation = object.meta().generation;
    let old = object.status.clone().unwrap_or_default();
    let mut status = TenantObjectStatus {
        observed_generation: generation,
        conditions: old.conditions.clone(),
        ..Default::default()
    };
    let mut wrote = false;
    let declared = kind_and_name(&object);
    // Copies of a kind or name the declaration no longer has go first.
    if let Some((kind, name)) = recorded_kind(&object)
        && declared.as_ref().ok() != Some(&(kind, name.clone()))
    {
        wrote |= remove_copies(&ctx, &object, kind, &name, object.recorded_namespaces()).await?;
    }
    let tenant = tenant_of(&ctx.tenants, &home);
    let verdict = match (&declared, &tenant) {
        (Err(refusal), _) => Err(("Refused", refusal.clone())),
        (_, None) => Err((
            "NoTenant",
            format!("namespace {home} is held by no tenant: declare it in a namespace of one"),
        )),
        (Ok((kind, _)), Some(tenant)) => {
            let groups = runtime::site_policy(&ctx.sites).tenants.bindable_groups;
            let problems = review_content(&object, tenant, &groups);
            match not_an_owner(&ctx, tenant, object.spec.declared_by.as_deref()) {
                Some(refusal) => Err(("NotAnOwner", refusal)),
                // What was allowed at admission may not be now (a ServiceAccount's namespace
                // released, a group the site no longer lists): nothing new is written.
                None if !problems.is_empty() => Err(("Refused", problems.join("; "))),
                None => Ok((*kind, tenant.clone())),
            }
        }
    };
    if let Ok((kind, name)) = &declared {
        status.kind = Some(kind.kind().into());
        status.name = Some(name.clone());
    }
    let targets = tenant
        .as_ref()
        .map(|t| target_namespaces(&object, t))
        .unwrap_or_default();
    // Namespaces no longer targeted (taken off the tenant, or off the list) lose their copies.
    if let Ok((kind, name)) = &declared {
        let gone: BTreeSet<String> = object
            .recorded_namespaces()
            .into_iter()
            .filter(|ns| !targets.contains(ns))
            .collect();
        if !gone.is_empty() {
            wrote |= remove_copies(&ctx, &object, *kind, name, gone).await?;
        }
    }
    let (ready, reason, message) = match verdict {
        Err((reason, message)) => {
            // Copies already made stay (as hand-made ones would); nothing new is written.
            status.namespaces = old
                .namespaces
                .iter()
                .filter(|n| targets.contains(&n.namespace))
                .cloned()
                .collect();
            (false, reason.to_string(), message)
        }
        Ok((kind, tenant)) => {
            let tenant_name = tenant.name_any();
            let by = object.spec.declared_by.clone().unwrap_or_default();
            let writer = match copies::impersonating(&ctx.client, &by) {
                Ok(writer) => writer,
                Err(refusal) => {
                    let verdict = (false, "Refused".to_string(), refusal);
                    return finish(&ctx, &object, status, &old, wrote, verdict).await;
                }
            };
            let source = read_source(&writer, &object, kind, &home).await?;
            let writes: Vec<_> = targets
                .clone()
                .into_iter()
                .map(|ns: String| {
                    let want = desired_copy(&object, &tenant_name, &ns, source.as_ref(), |u| {
                        tenant.spec.role_of(u).is_some() && ctx.active(u)
                    });
                    let (writer, declaration, home) =
                        (writer.clone(), declaration.clone(), home.clone());
                    async move {
                        let outcome = match want {
                            Err(refusal) => Ok(Outcome::Refused(refusal)),
                            Ok(want) => {
                                copies::apply(&writer, kind, &declaration, &home, &want).await
                            }
                        };
                        (ns, outcome)
                    }
                })
                .collect();
            let mut results: Vec<(String, Result<Outcome, KubeError>)> =
                futures::stream::iter(writes)
                    .buffer_unordered(FAN_OUT)
                    .collect()
                    .await;
            results.sort_by(|a, b| a.0.cmp(&b.0));
            let mut applied = 0;
            for (ns, outcome) in results {
                let (state, message) = match outcome? {
                    Outcome::Applied(w) => {
                        wrote |= w;
                        applied += 1;
                        ("Applied", None)
                    }
                    Outcome::Conflict => (
                        "Conflict",
                        Some(format!(
                            "a {} of that name exists that this declaration did not make: it is never taken over",
                            kind.kind()
                        )),
                    ),
                    Outcome::Refused(m) => ("Refused", Some(m.replace(char::is_control, " "))),
                };
                status.namespaces.push(NamespaceState {
                    namespace: ns,
                    state: state.into(),
                    message,
                });
            }
            let total = targets.len();
            let message = format!("applied in {applied} of {total} namespaces");
            match status.namespaces.iter().find(|n| n.state != "Applied") {
                None => (true, "Applied".to_string(), message),
                Some(n) => (false, n.state.clone(), message),
            }
        }
    };
    status.tenant = tenant_of(&ctx.tenants, &home).map(|t| t.name_any());
    finish(&ctx, &object, status, &old, wrote, (ready, reason, message)).await
}

async fn finish(
    ctx: &Context,
    object: &TenantObject,
    mut status: TenantObjectStatus,
    old: &TenantObjectStatus,
    mut wrote: bool,
    (ready, reason, message): (bool, String, String),
) -> Result<Action, Error> {
    set_condition(
        &mut status.conditions,
        "Ready",
        ready,
        &reason,
        &message,
        status.observed_generation,
    );
    if status != *old {
        let name = object.name_any();
        let api: Api<TenantObject> =
            Api::namespaced(ctx.client.clone(), &object.namespace().unwrap_or_default());
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({ "status": status })),
        )
        .await
        .map_err(kube_err(format!("updating tenant object {name} status")))?;
        wrote = true;
    }
    runtime::wrote(wrote);
    let watched = matches!(kind_and_name(object), Ok((CopyKind::RoleBinding, _)));
    Ok(Action::requeue(if watched {
        WATCHED_RESYNC
    } else {
        RESYNC
    }))
}

/// The object `spec.source` names, read as the declaring owner (who may read it by hand).
async fn read_source(
    writer: &kube::Client,
    object: &TenantObject,
    kind: CopyKind,
    home: &str,
) -> Result<Option<Value>, Error> {
    let Some(source) = &object.spec.source else {
        return Ok(None);
    };
    let got = copies::api(writer, kind, home).get_opt(&source.name).await;
    match got {
        Ok(found) => Ok(found.and_then(|o| serde_json::to_value(o).ok())),
        Err(kube::Error::Api(s)) if s.code == 403 => Ok(None),
        Err(e) => {
            Err(kube_err(format!("reading {} {home}/{}", kind.kind(), source.name))(e).into())
        }
    }
}

async fn cleanup(object: Arc<TenantObject>, ctx: Arc<Context>) -> Result<Action, Error> {
    let mut namespaces: BTreeSet<String> = object.recorded_namespaces().into_iter().collect();
    if let Some(tenant) = tenant_of(&ctx.tenants, &object.namespace().unwrap_or_default()) {
        namespaces.extend(target_namespaces(&object, &tenant));
    }
    let kinds = recorded_kind(&object)
        .into_iter()
        .chain(kind_and_name(&object).ok());
    for (kind, name) in kinds.collect::<BTreeSet<_>>() {
        remove_copies(&ctx, &object, kind, &name, namespaces.clone()).await?;
    }
    runtime::wrote(true);
    Ok(Action::await_change())
}

/// One reconcile: the finalizer wraps apply and cleanup.
pub async fn reconcile(object: Arc<TenantObject>, ctx: Arc<Context>) -> Result<Action, Error> {
    let api: Api<TenantObject> =
        Api::namespaced(ctx.client.clone(), &object.namespace().unwrap_or_default());
    let result = finalizer(&api, TENANT_OBJECT_FINALIZER, object, |event| async {
        match event {
            Event::Apply(o) => apply(o, ctx.clone()).await,
            Event::Cleanup(o) => cleanup(o, ctx.clone()).await,
        }
    })
    .await;
    match result {
        // A second cleanup, set off by the copies' own deletions while the store still held
        // the declaration: the first one finished and it is gone.
        Err(kube::runtime::finalizer::Error::RemoveFinalizer(kube::Error::Api(s)))
            if s.code == 404 =>
        {
            Ok(Action::await_change())
        }
        other => other.map_err(|e| Error::Finalizer(Box::new(e))),
    }
}

/// Whether a change of `tenant` concerns declaration `object`: its namespace is the tenant's,
/// or the status says its copies are kept for the tenant.
pub fn tenant_concerns(tenant: &Tenant, object: &TenantObject) -> bool {
    let name = tenant.name_any();
    object
        .namespace()
        .is_some_and(|ns| tenant.holds_namespace(&ns))
        || object.status.as_ref().and_then(|s| s.tenant.as_deref()) == Some(name.as_str())
}

/// The declaration a RoleBinding is a copy of, by its labels.
pub fn declaration_of(binding: &RoleBinding) -> Option<ObjectRef<TenantObject>> {
    let labels = binding.metadata.labels.as_ref()?;
    let name = labels.get(TENANT_OBJECT_LABEL)?;
    let home = labels.get(TENANT_OBJECT_NAMESPACE_LABEL)?;
    Some(ObjectRef::new(name).within(home))
}

/// How soon a failed reconcile is tried again.
const RETRY: Duration = Duration::from_secs(2);

/// Runs the TenantObject controller until the floor's shutdown.
pub async fn run(floor: Floor) {
    let stores = &floor.stores;
    let objects = stores.tenant_objects().store();
    let ctx = Arc::new(Context {
        client: stores.client().clone(),
        tenants: stores.tenants().store(),
        accounts: stores.accounts().store(),
        sites: stores.sites().store(),
        listed: stores
            .tenants()
            .listed()
            .and(stores.accounts().listed())
            .and(stores.sites().listed())
            .and(stores.tenant_objects().listed()),
    });
    let controller =
        Controller::for_shared_stream(stores.tenant_objects().subscribe(), objects.clone())
            // A namespace added to or taken off a tenant (its status), or a member change.
            .watches_shared_stream(
                stores.tenants().subscribe(),
                runtime::concerned(objects, tenant_concerns),
            )
            // A copy changed or deleted by hand: its declaration, by the copy's labels.
            .watches_shared_stream(stores.role_bindings().subscribe(), |binding| {
                declaration_of(&binding)
            });
    let reconciler = Reconciler {
        name: "tenantobject",
        retry: RETRY,
    };
    runtime::reconcile::run(&floor, reconciler, controller, reconcile, ctx).await;
}
