//! The request reconciler: tenants' ResourceRequests from submission to the applied object.
//!
//! - Pending: the checks of [`validate`] (the server's dry run included) and the diff against
//!   what exists go into the status for the reviewers; the platform admins' notification
//!   configs (those in the controller's namespace) hear of a new request through Alertmanager.
//! - Decided: a denial or a withdrawal is recorded; an approval is applied only if its digest
//!   is the manifest's and every check still passes, with the requests' own field manager, the
//!   object labelled with the tenant and annotated with the request. A CRD's resources are then
//!   granted to the requesting tenant alone: two ClusterRoles (edit, view) labelled for the
//!   tenant's own aggregated roles, which the tenant reconciler binds in its namespaces.
//! - Every step lands in `status.history` and as an Event; a final phase is never left.

mod announce;
mod apply;
mod status;
pub mod validate;

use announce::announce;
pub use announce::{ANNOUNCEMENT, announcement};
use status::{decided_status, event, now, write_status};
pub use status::{make_condition, pending_status};

use std::sync::Arc;
use std::time::Duration;

use kube::ResourceExt;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::Recorder;
use kube::runtime::reflector::Store;

use super::announce::Announcer;
use super::runtime::{self, Floor, KubeError, Reconciler, kube_err, site_policy, tenant_of};
use crate::api::request::{Decision, HistoryEntry, Phase, ResourceRequest, rules};
use crate::api::{Site, Tenant, TenantStatus};

/// Errors of one reconcile (retried): a request to the API server failed.
pub type Error = KubeError;

/// What every reconcile shares.
pub struct Context {
    /// The client.
    pub client: kube::Client,
    /// Every Tenant: who holds a request's namespace.
    pub tenants: Store<Tenant>,
    /// Every request: other tenants' open ones.
    pub requests: Store<ResourceRequest>,
    /// The Site objects: the site's policy for requests.
    pub sites: Store<Site>,
    /// Events on the requests.
    pub recorder: Recorder,
    /// Who tells the platform admins of new requests, when notifications are on.
    pub announcer: Option<Arc<dyn Announcer>>,
}

impl Context {
    /// What checks a request, with the site's policy as it stands now.
    pub fn checker(&self) -> validate::Checker<'_> {
        validate::Checker {
            client: &self.client,
            requests: &self.requests,
            site: site_policy(&self.sites).requests,
        }
    }

    /// Every check of `request` of `tenant` against the cluster as it is now.
    pub async fn validate(
        &self,
        request: &ResourceRequest,
        tenant: &Tenant,
    ) -> Result<validate::Validation, Error> {
        let namespace = request.namespace().unwrap_or_default();
        let name = request.name_any();
        self.checker()
            .validate(validate::Subject {
                tenant,
                namespace: &namespace,
                name: &name,
                spec: &request.spec,
            })
            .await
            .map_err(kube_err(format!("checking request {namespace}/{name}")))
    }

    /// The tenant holding `namespace` (never one that merely lists it).
    pub fn tenant_of(&self, namespace: &str) -> Option<Arc<Tenant>> {
        tenant_of(&self.tenants, namespace)
    }
}

/// What a request needs now, as its spec and status say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing: its phase is final.
    Nothing,
    /// Check it and show the reviewers the result.
    Validate,
    /// Record the withdrawal.
    Withdraw,
    /// Record the denial.
    Deny,
    /// Apply what was approved.
    Apply,
    /// Approved, but not the manifest it holds: apply nothing.
    ManifestChanged {
        /// The digest approved.
        approved: String,
        /// The manifest's.
        now: String,
    },
}

/// The step `request` needs (pure).
pub fn step(request: &ResourceRequest) -> Step {
    if request.phase().is_final() {
        return Step::Nothing;
    }
    if request.spec.withdrawal.is_some() {
        return Step::Withdraw;
    }
    match &request.spec.review {
        None => Step::Validate,
        Some(review) if review.decision == Decision::Deny => Step::Deny,
        Some(review) => {
            let now = request.spec_digest();
            match &review.digest {
                Some(approved) if *approved == now => Step::Apply,
                approved => Step::ManifestChanged {
                    approved: approved.clone().unwrap_or_else(|| "nothing".into()),
                    now,
                },
            }
        }
    }
}

async fn validate_pending(
    ctx: &Context,
    request: &ResourceRequest,
    tenant: &Tenant,
) -> Result<bool, Error> {
    let validation = ctx.validate(request, tenant).await?;
    let first = request.status.as_ref().is_none_or(|s| s.history.is_empty());
    let mut status = pending_status(
        request,
        &tenant.name_any(),
        validation.checks,
        validation.existing.as_ref(),
    );
    if first && let Some(audience) = announce(ctx, request, &tenant.name_any(), true).await {
        status.history.push(HistoryEntry {
            time: now(),
            event: "Announced".into(),
            by: None,
            message: format!("to {audience}"),
        });
    }
    let wrote = write_status(ctx, request, &status).await?;
    if first {
        let problems = rules::problems(&status.validation);
        let note = match problems.is_empty() {
            true => format!(
                "{} asks for {}: waiting for a platform admin",
                request.spec.requester.as_deref().unwrap_or("someone"),
                status
                    .object
                    .as_ref()
                    .map(|o| o.to_string())
                    .unwrap_or_default()
            ),
            false => format!("does not pass validation: {}", problems.join("; ")),
        };
        event(ctx, request, !problems.is_empty(), "Submitted", note).await;
    }
    Ok(wrote)
}
async fn reconcile_one(
    request: Arc<ResourceRequest>,
    ctx: &Context,
) -> Result<(bool, Action), Error> {
    let step = step(&request);
    if step == Step::Nothing {
        return Ok((false, Action::await_change()));
    }
    let namespace = request.namespace().unwrap_or_default();
    let Some(tenant) = ctx.tenant_of(&namespace) else {
        // Released namespaces keep their requests as a record; nothing is applied for no one.
        return Ok((false, Action::requeue(Duration::from_secs(600))));
    };
    let tenant_name = tenant.name_any();
    match step {
        Step::Nothing => Ok((false, Action::await_change())),
        Step::Validate => {
            let wrote = validate_pending(ctx, &request, &tenant).await?;
            Ok((wrote, Action::requeue(Duration::from_secs(600))))
        }
        Step::Withdraw => {
            let w = request.spec.withdrawal.clone().unwrap_or_default();
            let status = decided_status(
                &request,
                Phase::Withdrawn,
                HistoryEntry {
                    time: w.at.clone().unwrap_or_else(now),
                    event: "Withdrawn".into(),
                    by: w.by.clone(),
                    message: String::new(),
                },
            );
            let wrote = write_status(ctx, &request, &status).await?;
            event(
                ctx,
                &request,
                false,
                "Withdrawn",
                format!("withdrawn by {}", w.by.as_deref().unwrap_or("the tenant")),
            )
            .await;
            announce(ctx, &request, &tenant_name, false).await;
            Ok((wrote, Action::await_change()))
        }
        Step::Deny => {
            let review = request.spec.review.clone();
            let by = review.as_ref().and_then(|r| r.reviewer.clone());
            let comment = review
                .as_ref()
                .map(|r| r.comment.clone())
                .unwrap_or_default();
            let status = decided_status(
                &request,
                Phase::Denied,
                HistoryEntry {
                    time: review
                        .as_ref()
                        .and_then(|r| r.decided_at.clone())
                        .unwrap_or_else(now),
                    event: "Denied".into(),
                    by: by.clone(),
                    message: comment.clone(),
                },
            );
            let wrote = write_status(ctx, &request, &status).await?;
            event(
                ctx,
                &request,
                false,
                "Denied",
                format!(
                    "denied by {}: {comment}",
                    by.as_deref().unwrap_or("an admin")
                ),
            )
            .await;
            announce(ctx, &request, &tenant_name, false).await;
            Ok((wrote, Action::await_change()))
        }
        Step::ManifestChanged {
            approved,
            now: digest,
        } => {
            let message = format!(
                "the approval was for {approved}, the request now holds {digest}: nothing was applied; make a new request"
            );
            apply::fail(ctx, &request, "ManifestChanged", message).await
        }
        Step::Apply => apply::apply(ctx, &request, &tenant).await,
    }
}

/// One reconcile.
pub async fn reconcile(request: Arc<ResourceRequest>, ctx: Arc<Context>) -> Result<Action, Error> {
    let (wrote, action) = reconcile_one(request, &ctx).await?;
    runtime::wrote(wrote);
    Ok(action)
}

/// Runs the request controller until the floor's shutdown; new requests are announced to the
/// platform admins through `announcer`, when notifications are on.
pub async fn run(floor: Floor, announcer: Option<Arc<dyn Announcer>>) {
    let stores = &floor.stores;
    let requests = stores.requests().store();
    let ctx = Arc::new(Context {
        client: stores.client().clone(),
        tenants: stores.tenants().store(),
        requests: requests.clone(),
        sites: stores.sites().store(),
        recorder: crate::controller::runtime::event_recorder(stores.client()),
        announcer,
    });
    let open = requests.clone();
    let controller = Controller::for_shared_stream(stores.requests().subscribe(), requests)
        // A tenant that gains a namespace may make a waiting request's namespace its own.
        .watches_shared_stream(stores.tenants().subscribe(), move |tenant: Arc<Tenant>| {
            let held: &TenantStatus = &tenant.status.clone().unwrap_or_default();
            open.state()
                .iter()
                .filter(|r| {
                    !r.phase().is_final()
                        && r.namespace()
                            .is_some_and(|ns| held.namespaces.contains(&ns))
                })
                .map(|r| kube::runtime::reflector::ObjectRef::from_obj(&**r))
                .collect::<Vec<_>>()
        });
    let reconciler = Reconciler {
        name: "request",
        retry: Duration::from_secs(2),
    };
    runtime::reconcile::run(&floor, reconciler, controller, reconcile, ctx).await;
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::api::request::{ResourceRequestStatus, Review, Withdrawal};

    pub(super) fn request() -> ResourceRequest {
        crate::api::fixtures::storage_class_request("alice")
    }

    pub(super) fn review(
        r: &ResourceRequest,
        decision: Decision,
        digest: Option<String>,
    ) -> Review {
        Review {
            decision,
            comment: "fine".into(),
            digest: digest.or_else(|| Some(r.spec_digest())),
            reviewer: Some("root".into()),
            decided_at: Some("2026-12-06T00:00:00Z".into()),
        }
    }

    #[test]
    fn each_state_of_a_request_has_one_next_step() {
        let mut r = request();
        assert_eq!(step(&r), Step::Validate);
        r.spec.review = Some(review(&r, Decision::Approve, None));
        assert_eq!(step(&r), Step::Apply);
        r.spec.review = Some(review(&r, Decision::Deny, None));
        assert_eq!(step(&r), Step::Deny);
        let mut w = request();
        w.spec.withdrawal = Some(Withdrawal::default());
        assert_eq!(step(&w), Step::Withdraw);
        for phase in [
            Phase::Applied,
            Phase::Denied,
            Phase::Failed,
            Phase::Withdrawn,
        ] {
            let mut done = request();
            done.spec.review = Some(review(&done, Decision::Approve, None));
            done.status = Some(ResourceRequestStatus {
                phase,
                ..Default::default()
            });
            assert_eq!(step(&done), Step::Nothing, "{phase:?}");
        }
    }

    #[test]
    fn an_approval_of_another_manifest_applies_nothing() {
        let mut r = request();
        r.spec.review = Some(review(
            &r,
            Decision::Approve,
            Some("sha256:what-was-reviewed".into()),
        ));
        assert_eq!(
            step(&r),
            Step::ManifestChanged {
                approved: "sha256:what-was-reviewed".into(),
                now: r.spec_digest()
            }
        );
        r.spec.review.as_mut().unwrap().digest = None;
        assert!(matches!(step(&r), Step::ManifestChanged { .. }));
    }
}
